"""IATI fidelity on what real publishers send, one numbered defect each, on a small file
written here: identity not position, warnings not refusals, measures without a code,
regions and shares as published, budgets per period, text results, funders, countries IATI
has and ISO lacks, planned dates, repeated identifiers, versions, hostile-file checks, and
imported values that are never the importer's own approval."""

from __future__ import annotations

import codecs
from datetime import date
from decimal import Decimal

import pytest
from lxml import etree
from sqlalchemy import func, select

from rbm.db import Database
from rbm.exchange.iati_export import build_tree, serialize
from rbm.exchange.iati_import import FileRefused, ImportReport, import_iati
from rbm.exchange.iati_xml import schema_errors
from rbm.models import (
    Funding,
    Indicator,
    IndicatorFigure,
    Measurement,
    Organisation,
    Project,
    ProjectCountry,
    ProjectRegion,
    ResultNode,
)
from rbm.models.enums import Measure, Role
from rbm.principal import Principal
from rbm.queries.coordination import area_coverage
from tests.utils.builders import make_user

HEADER = """<iati-identifier>{id}</iati-identifier>
    <reporting-org ref="XM-TEST-1" type="40"><narrative>Provider</narrative></reporting-org>
    <title><narrative>Title {id}</narrative></title>"""
DATES = """<activity-date iso-date="2022-01-01" type="2"/>
    <activity-date iso-date="2024-12-31" type="3"/>"""


def doc(*activities: str, version: str = "2.03") -> bytes:
    head = f'<iati-activities version="{version}">' if version else "<iati-activities>"
    return (head + "".join(activities) + "</iati-activities>").encode()


def act(identifier: str, body: str = "", *, dates: str = DATES) -> str:
    return (
        f'<iati-activity default-currency="EUR">{HEADER.format(id=identifier)}'
        f"{dates}{body}</iati-activity>"
    )


def indicator(title: str, actual: str, measure: str = ' measure="1"') -> str:
    return f"""<indicator{measure}><title><narrative>{title}</narrative></title>
      <period><period-start iso-date="2022-01-01"/><period-end iso-date="2022-12-31"/>
        {actual}</period></indicator>"""


def result(title: str, *indicators: str, kind: str = "2") -> str:
    return (
        f'<result type="{kind}"><title><narrative>{title}</narrative></title>'
        + "".join(indicators)
        + "</result>"
    )


@pytest.fixture
def admin(db: Database) -> Principal:
    with db.write() as session:
        return make_user(session, Role.ADMIN)


def run(db: Database, who: Principal, data: bytes) -> ImportReport:
    with db.write() as session:
        return import_iati(session, principal=who, data=data)


# 1 -------------------------------------------------------------------------------------------


def test_a_result_inserted_before_the_others_changes_nothing_stored(
    db: Database, admin: Principal
) -> None:
    first = act("XM-TEST-1-A", result("Schools", indicator("Pupils", '<actual value="10"/>')))
    run(db, admin, doc(first))
    inserted = act(
        "XM-TEST-1-A",
        result("Health", indicator("Clinics", '<actual value="3"/>'))
        + result("Schools", indicator("Pupils", '<actual value="10"/>')),
    )
    report = run(db, admin, doc(inserted))
    assert report.activities[0].outcome == "updated"
    assert not report.activities[0].skipped
    with db.read() as session:
        rows = session.execute(
            select(Indicator.title, Indicator.code, ResultNode.title, func.count(Measurement.id))
            .join(ResultNode, ResultNode.id == Indicator.result_node_id)
            .join(Measurement, Measurement.indicator_id == Indicator.id)
            .group_by(Indicator.id, ResultNode.title)
        ).all()
    # Pupils keeps its code and its one approved value; Clinics is new beside it
    assert sorted(tuple(r) for r in rows) == [
        ("Clinics", "2.a", "Health", 1),
        ("Pupils", "1.a", "Schools", 1),
    ]
    assert run(db, admin, doc(inserted)).activities[0].outcome == "unchanged"


def test_an_indicator_whose_measure_changed_is_reported_by_name_and_left_alone(
    db: Database, admin: Principal
) -> None:
    own = """<rbm:logframe xmlns:rbm="urn:rbm-tracker:iati-extension:1">
      <rbm:node code="I" level="impact"><rbm:title>Impact</rbm:title></rbm:node></rbm:logframe>"""

    def file(measure: str, value: str) -> bytes:
        return doc(
            act(
                "XM-TEST-1-A",
                f'<result type="3" xmlns:rbm="urn:rbm-tracker:iati-extension:1" rbm:node="I">'
                f"<title><narrative>Impact</narrative></title>"
                f'<indicator measure="{measure}" rbm:code="I.a"><title><narrative>Share'
                f'</narrative></title><period><period-start iso-date="2022-01-01"/>'
                f'<period-end iso-date="2022-12-31"/><actual value="{value}"/></period>'
                f"</indicator></result>" + own,
            )
        )

    run(db, admin, file("1", "10"))
    report = run(db, admin, file("2", "55"))
    (reason,) = report.activities[0].skipped
    assert "indicator 'Share'" in reason and "measure" in reason
    with db.read() as session:
        assert session.scalars(select(Measurement.value)).all() == [Decimal(10)]


# 2 -------------------------------------------------------------------------------------------


def test_schema_faults_in_parts_not_read_are_warnings_with_their_line(
    db: Database, admin: Principal
) -> None:
    body = (
        '<other-identifier type="A1"/><location><name><narrative>Somewhere</narrative></name>'
        '</location><budget type="1" status="1"><period-start iso-date="2022-01-01"/>'
        '<period-end iso-date="2022-12-31"/><value value-date="2022-01-01">5</value></budget>'
    )
    report = run(db, admin, doc(act("XM-TEST-1-A", body)))
    (one,) = report.activities
    assert one.outcome == "created"
    # the schema stops at the first element out of order (activity-date, line 3, before the
    # description it expects); said with its line, and the activity is imported
    assert one.warnings == [
        "line 3: Element 'activity-date': This element is not expected. "
        "Expected is ( description )."
    ]


# 3 -------------------------------------------------------------------------------------------


def test_an_indicator_without_a_measure_arrives_as_a_number_and_is_reported(
    db: Database, admin: Principal
) -> None:
    body = result("R", indicator("Count", '<actual value="4"/>', measure=""))
    (one,) = run(db, admin, doc(act("XM-TEST-1-A", body))).activities
    assert one.outcome == "created"
    assert "indicator without an IATI measure code: unit" in one.notes
    with db.read() as session:
        assert session.scalar(select(Indicator.measure)) is Measure.NUMBER


# 4 -------------------------------------------------------------------------------------------


def test_country_shares_are_kept_as_published_beside_the_region_shares(
    db: Database, admin: Principal
) -> None:
    body = (
        '<participating-org ref="XM-DONOR" role="1" type="10"><narrative>Donor</narrative>'
        '</participating-org><recipient-country code="IN" percentage="1.86"/>'
        '<recipient-region code="798" vocabulary="1" percentage="98.14"><narrative>Asia'
        "</narrative></recipient-region>"
        '<transaction><transaction-type code="11"/><transaction-date iso-date="2022-01-01"/>'
        # In dollars: money across projects is added up in dollars only (rbm.queries.money).
        '<value value-date="2022-01-01" currency="USD">1000000</value>'
        '<provider-org ref="XM-DONOR"><narrative>Donor</narrative></provider-org></transaction>'
    )
    run(db, admin, doc(act("XM-TEST-1-A", body)))
    with db.read() as session:
        assert session.execute(select(ProjectCountry.country_code, ProjectCountry.share)).all() == [
            ("IN", Decimal("1.86"))
        ]
        assert session.execute(
            select(ProjectRegion.vocabulary, ProjectRegion.code, ProjectRegion.share)
        ).all() == [("1", "798", Decimal("98.14"))]
        coverage = area_coverage(session, principal=admin)
    # the country page and the coordination matrix count India's share only
    assert coverage["money_in_country"].tolist() == [pytest.approx(18_600.0)]


# 5 -------------------------------------------------------------------------------------------


def budget(kind: str, year: int, amount: int) -> str:
    return (
        f'<budget type="{kind}" status="1"><period-start iso-date="{year}-01-01"/>'
        f'<period-end iso-date="{year}-12-31"/><value value-date="{year}-01-01">{amount}'
        "</value></budget>"
    )


def test_the_budget_takes_each_years_revision_else_its_original(
    db: Database, admin: Principal
) -> None:
    body = budget("1", 2022, 100) + budget("1", 2023, 200) + budget("2", 2022, 150)
    run(db, admin, doc(act("XM-TEST-1-A", body)))
    with db.read() as session:
        assert session.scalar(select(Project.budget)) == Decimal(350)


# 6 -------------------------------------------------------------------------------------------


def test_a_text_result_on_a_unit_indicator_is_kept_as_its_narrative(
    db: Database, admin: Principal
) -> None:
    actual = "<actual><comment><narrative>Training completed in May</narrative></comment></actual>"
    body = result("R", indicator("Trainings", actual))
    (one,) = run(db, admin, doc(act("XM-TEST-1-A", body))).activities
    assert any("kept as its narrative" in n for n in one.notes)
    with db.read() as session:
        row = session.execute(select(Measurement.value, Measurement.narrative)).one()
    assert tuple(row) == (None, "Training completed in May")


# 8 -------------------------------------------------------------------------------------------


def test_a_funding_organisation_without_a_transaction_is_kept_as_a_funder(
    db: Database, admin: Principal
) -> None:
    body = (
        '<participating-org ref="XM-DONOR" role="1" type="10"><narrative>Donor</narrative>'
        "</participating-org>"
    )
    run(db, admin, doc(act("XM-TEST-1-A", body)))
    with db.read() as session:
        rows = session.execute(
            select(Organisation.name, Funding.amount).join(
                Funding, Funding.donor_id == Organisation.id
            )
        ).all()
        exported = serialize(build_tree(session, principal=admin))
    assert [tuple(r) for r in rows] == [("Donor", None)]
    tree = etree.fromstring(exported)
    assert schema_errors(tree) == []
    assert tree.findall(".//participating-org[@role='1']")[0].get("ref") == "XM-DONOR"
    assert tree.find(".//transaction") is None


def commitment(day: str, amount: str) -> str:
    return (
        f'<transaction><transaction-type code="2"/><transaction-date iso-date="{day}"/>'
        f'<value value-date="{day}">{amount}</value></transaction>'
    )


def test_a_funder_publishing_its_own_activity_funds_it_by_its_net_outgoing_commitments(
    db: Database, admin: Principal
) -> None:
    """As a ministry or development bank publishes its own programmes: the reporting
    organisation is the funder, and what it commits is its outgoing commitments, with
    decommitments as negative amounts. An implementer's outgoing commitments (to its own
    sub-contractors) are not funding."""
    own = (
        '<participating-org ref="XM-TEST-1" role="1" type="40"><narrative>Provider</narrative>'
        "</participating-org>"
    )
    funder = own + commitment("2022-03-01", "500000") + commitment("2022-01-15", "78791")
    funder += commitment("2023-02-01", "-78791") + commitment("2023-06-01", "-")  # unusable
    implementer = (
        '<participating-org ref="XM-DONOR" role="1" type="10"><narrative>Donor</narrative>'
        '</participating-org><participating-org ref="XM-TEST-1" role="4" type="40">'
        "<narrative>Provider</narrative></participating-org>" + commitment("2022-03-01", "900")
    )
    # The same funder named by another reference as a participant, as the Asian Development
    # Bank names itself XM-DAC-46004 as reporter and 46004 as funder.
    by_name = own.replace('ref="XM-TEST-1"', 'ref="46004"') + commitment("2022-02-01", "1000")
    report = run(
        db,
        admin,
        doc(
            act("XM-TEST-1-FUNDER", funder),
            act("XM-TEST-1-IMPL", implementer),
            act("XM-TEST-1-NAMED", by_name),
        ),
    )
    with db.read() as session:
        rows = session.execute(
            select(Project.code, Organisation.name, Funding.amount, Funding.date_from)
            .join(Funding, Funding.project_id == Project.id)
            .join(Organisation, Organisation.id == Funding.donor_id)
            .order_by(Project.code)
        ).all()
        exported = serialize(build_tree(session, principal=admin))
    assert [tuple(r) for r in rows] == [
        ("XM-TEST-1-FUNDER", "Provider", Decimal("500000"), date(2022, 1, 15)),
        ("XM-TEST-1-IMPL", "Donor", None, date(2022, 1, 1)),
        ("XM-TEST-1-NAMED", "Provider", Decimal("1000"), date(2022, 2, 1)),
    ]
    notes = report.activities[0].notes
    assert "the reporting funder's outgoing commitments read as its funding, netted" in notes
    assert "an outgoing commitment has no usable amount" in report.activities[0].skipped
    assert schema_errors(etree.fromstring(exported)) == []
    # Exported as one outgoing commitment, which reads back as the same funding line.
    again = run(db, admin, exported)
    assert again.count("unchanged") == 3


def incoming(day: str, amount: str, donor: str, code: str = "1") -> str:
    """An incoming transaction (funds, else a commitment) from `donor`."""
    return (
        f'<transaction><transaction-type code="{code}"/><transaction-date iso-date="{day}"/>'
        f'<value value-date="{day}">{amount}</value>'
        f'<provider-org ref="{donor}"><narrative>{donor}</narrative></provider-org></transaction>'
    )


def test_money_returned_to_a_donor_is_taken_off_its_funding(db: Database, admin: Principal) -> None:
    """Real files record refunds and decommitments as negative incoming transactions (a Dutch
    NGO's +12,503 then -2,339; +11,583 then -11,583). They were skipped as unusable, so the
    funding read the money before it came back."""
    donors = "".join(
        f'<participating-org ref="{d}" role="1" type="10"><narrative>{d}</narrative>'
        "</participating-org>"
        for d in ("XM-PART", "XM-GONE", "XM-KEPT")
    )
    body = donors + incoming("2020-08-01", "12503", "XM-PART")
    body += incoming("2020-10-01", "-2339", "XM-PART")
    body += incoming("2021-01-01", "11583", "XM-GONE") + incoming("2021-02-01", "-11583", "XM-GONE")
    body += incoming("2021-03-01", "4000", "XM-KEPT") + incoming("2021-09-01", "6000", "XM-KEPT")
    report = run(db, admin, doc(act("XM-TEST-1-BACK", body)))
    with db.read() as session:
        rows = session.execute(
            select(Organisation.iati_ref, Funding.amount, Funding.date_from)
            .join(Funding, Funding.donor_id == Organisation.id)
            .order_by(Organisation.iati_ref, Funding.date_from)
        ).all()
        exported = serialize(build_tree(session, principal=admin))
    # Netted into one line dated at the first; all of it back: no line, and not listed as a
    # funder without an amount; a donor with nothing back keeps its lines per date.
    assert [tuple(r) for r in rows] == [
        ("XM-KEPT", Decimal("4000"), date(2021, 3, 1)),
        ("XM-KEPT", Decimal("6000"), date(2021, 9, 1)),
        ("XM-PART", Decimal("10164"), date(2020, 8, 1)),
    ]
    (one,) = report.activities
    assert not one.skipped, one.skipped
    assert "a donor's incoming transactions net to nothing (not stored)" in one.notes
    assert schema_errors(etree.fromstring(exported)) == []
    assert run(db, admin, exported).count("unchanged") == 1


# 9 -------------------------------------------------------------------------------------------


def test_kosovo_and_other_iati_countries_iso_lacks_are_known(
    db: Database, admin: Principal
) -> None:
    run(db, admin, doc(act("XM-TEST-1-A", '<recipient-country code="XK" percentage="100"/>')))
    with db.read() as session:
        assert session.execute(select(ProjectCountry.country_code, ProjectCountry.share)).all() == [
            ("XK", Decimal(100))
        ]


# 10 ------------------------------------------------------------------------------------------


def test_consistent_planned_dates_are_used_when_the_actual_ones_are_not(
    db: Database, admin: Principal
) -> None:
    dates = (
        '<activity-date iso-date="2024-06-01" type="2"/>'
        '<activity-date iso-date="2023-01-31" type="4"/>'
        '<activity-date iso-date="2022-01-01" type="1"/>'
        '<activity-date iso-date="2025-12-31" type="3"/>'
    )
    (one,) = run(db, admin, doc(act("XM-TEST-1-A", dates=dates))).activities
    assert one.outcome == "created"
    assert any("planned dates used" in n for n in one.notes)
    with db.read() as session:
        assert tuple(session.execute(select(Project.start_date, Project.end_date)).one()) == (
            date(2024, 6, 1),
            date(2025, 12, 31),
        )


# 11 ------------------------------------------------------------------------------------------


def test_an_identifier_repeated_in_a_file_is_reported_and_the_last_imported_once(
    db: Database, admin: Principal
) -> None:
    first = act("XM-TEST-1-A").replace("Title XM-TEST-1-A", "First")
    last = act("XM-TEST-1-A").replace("Title XM-TEST-1-A", "Last")
    report = run(db, admin, doc(first, last))
    assert [a.outcome for a in report.activities] == ["duplicate", "created"]
    assert "repeated later in the file" in next(iter(report.activities[0].skipped))
    again = run(db, admin, doc(first, last))
    assert [a.outcome for a in again.activities] == ["duplicate", "unchanged"]
    with db.read() as session:
        assert session.scalars(select(Project.title)).all() == ["Last"]


# 12 ------------------------------------------------------------------------------------------


def test_versions_2_0x_are_imported_with_a_note(db: Database, admin: Principal) -> None:
    report = run(db, admin, doc(act("XM-TEST-1-A"), version="2.02"))
    assert report.imported == 1
    assert any("declares IATI 2.02" in n for n in report.notes)


@pytest.mark.parametrize(
    ("version", "message"), [("3.0", "version '3.0'"), ("", "declares no IATI version")]
)
def test_a_version_the_importer_does_not_know_is_refused(
    db: Database, admin: Principal, version: str, message: str
) -> None:
    with pytest.raises(FileRefused, match=message):
        run(db, admin, doc(act("XM-TEST-1-A"), version=version))


# 13 ------------------------------------------------------------------------------------------


def test_a_doctype_quoted_in_cdata_is_text_not_a_bomb(db: Database, admin: Principal) -> None:
    data = doc(
        act("XM-TEST-1-A", "").replace(
            "<title><narrative>Title XM-TEST-1-A</narrative></title>",
            "<title><narrative><![CDATA[<!DOCTYPE html> in a title]]></narrative></title>",
        )
    )
    assert run(db, admin, data).imported == 1
    with db.read() as session:
        assert session.scalar(select(Project.title)) == "<!DOCTYPE html> in a title"


def test_a_bomb_in_utf16_without_a_byte_order_mark_is_named_as_such(
    db: Database, admin: Principal
) -> None:
    bomb = (
        '<?xml version="1.0" encoding="UTF-16BE"?><!DOCTYPE lolz [<!ENTITY lol "lol">]>'
        '<iati-activities version="2.03"><iati-activity>&lol;</iati-activity></iati-activities>'
    )
    data = bomb.encode("utf-16-be")
    assert not data.startswith(codecs.BOM_UTF16_BE)
    with pytest.raises(FileRefused, match="declares a DTD or entities"):
        run(db, admin, data)


# issue 17, item 2 ----------------------------------------------------------------------------


def test_an_imported_value_is_approved_by_its_publisher_never_by_the_importer(
    db: Database, admin: Principal
) -> None:
    run(db, admin, doc(act("XM-TEST-1-A", result("R", indicator("N", '<actual value="4"/>')))))
    with db.read() as session:
        row = session.execute(
            select(
                Measurement.created_by_id,
                Measurement.submitted_by_id,
                Measurement.reviewed_by_id,
                Measurement.source,
            )
        ).one()
    assert tuple(row) == (admin.user_id, None, None, "IATI: XM-TEST-1")


def test_a_period_without_its_dates_is_skipped_and_a_single_day_one_kept(
    db: Database, admin: Principal
) -> None:
    broken = (
        '<indicator measure="1"><title><narrative>N</narrative></title><period>'
        '<period-end iso-date="2022-12-31"/><actual value="3"/></period></indicator>'
    )
    single = indicator("One day", '<actual value="5"/>').replace("2022-12-31", "2022-01-01")
    (one,) = run(db, admin, doc(act("XM-TEST-1-A", result("R", broken, single)))).activities
    assert one.outcome == "created"
    assert "period without valid dates, or ending before it starts" in one.skipped
    assert any(n.startswith("single-day period") for n in one.notes)
    with db.read() as session:
        exported = etree.fromstring(serialize(build_tree(session, principal=admin)))
    assert schema_errors(exported) == []
    (period,) = exported.iter("period")
    assert period.find("period-start").get("iso-date") == "2022-01-01"
    assert period.find("period-end").get("iso-date") == "2022-01-01"


# 14 ------------------------------------------------------------------------------------------


def test_the_export_writes_what_the_data_means(db: Database, admin: Principal) -> None:
    """Actual dates as actual, incoming funds as incoming funds, a three-year budget as three
    yearly budgets adding up to it."""
    body = (
        '<participating-org ref="XM-DONOR" role="1" type="10"><narrative>Donor</narrative>'
        "</participating-org>"
        + budget("1", 2022, 100)
        + budget("1", 2023, 200)
        + budget("1", 2024, 300)
        + '<transaction><transaction-type code="1"/><transaction-date iso-date="2022-02-01"/>'
        '<value value-date="2022-02-01">600</value><provider-org ref="XM-DONOR"><narrative>'
        "Donor</narrative></provider-org></transaction>"
    )
    dates = '<activity-date iso-date="2022-01-01" type="2"/>' + (
        '<activity-date iso-date="2024-12-31" type="3"/>'
    )
    run(db, admin, doc(act("XM-TEST-1-A", body, dates=dates)))
    with db.read() as session:
        tree = etree.fromstring(serialize(build_tree(session, principal=admin)))
    assert schema_errors(tree) == []
    assert [(d.get("type"), d.get("iso-date")) for d in tree.iter("activity-date")] == [
        ("2", "2022-01-01"),
        ("3", "2024-12-31"),
    ]
    assert [t.get("code") for t in tree.iter("transaction-type")] == ["1"]
    budgets = [
        (b.find("period-start").get("iso-date"), b.find("period-end").get("iso-date"))
        for b in tree.iter("budget")
    ]
    assert budgets == [
        ("2022-01-01", "2022-12-31"),
        ("2023-01-01", "2023-12-31"),
        ("2024-01-01", "2024-12-31"),
    ]
    assert sum(Decimal(b.findtext("value") or "") for b in tree.iter("budget")) == 600


def test_a_code_made_unique_on_import_is_never_exported_as_the_publishers_own(
    db: Database, admin: Principal
) -> None:
    a1 = '<other-identifier ref="P-1" type="A1"/>'
    run(db, admin, doc(act("XM-TEST-1-A", a1), act("XM-TEST-1-B", a1)))
    with db.read() as session:
        assert session.scalars(select(Project.code).order_by(Project.code)).all() == [
            "P-1",
            "P-1-2",
        ]
        tree = etree.fromstring(serialize(build_tree(session, principal=admin)))
    assert schema_errors(tree) == []
    rbm = "{urn:rbm-tracker:iati-extension:1}code"
    written = {
        a.findtext("iati-identifier"): (
            [o.get("ref") for o in a.iter("other-identifier")],
            a.get(rbm),
        )
        for a in tree.iter("iati-activity")
    }
    assert written == {"XM-TEST-1-A": (["P-1"], None), "XM-TEST-1-B": ([], "P-1-2")}


def test_the_stored_figures_of_every_imported_indicator_are_written_once_at_the_end(
    db: Database, admin: Principal
) -> None:
    body = result("R", indicator("N", '<actual value="4"/>'), indicator("M", '<actual value="6"/>'))
    run(db, admin, doc(act("XM-TEST-1-A", body), act("XM-TEST-1-B", body)))
    with db.read() as session:
        totals = session.execute(
            select(IndicatorFigure.indicator_id, IndicatorFigure.total).order_by(
                IndicatorFigure.indicator_id
            )
        ).all()
    assert [t for _, t in totals] == [4.0, 6.0, 4.0, 6.0]
