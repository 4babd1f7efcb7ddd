"""The IATI import on messy and hostile input: what is sound is imported, what is not is
skipped with a reason, one bad activity never aborts the others nor leaves half of itself, a
hostile file is refused at once, and only admins and managers import."""

from __future__ import annotations

import time
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from rbm.db import Database
from rbm.errors import PermissionDenied
from rbm.exchange.iati_import import FileRefused, ImportReport, import_iati
from rbm.i18n import using
from rbm.models import (
    AuditEvent,
    Baseline,
    Indicator,
    Measurement,
    MeasurementBreakdown,
    Organisation,
    Project,
    ProjectCountry,
    ReportingPeriod,
    ResultNode,
    Target,
)
from rbm.models.enums import Direction, Measure, MeasurementStatus, ResultLevel, Role, ScopeType
from rbm.principal import Principal
from tests.utils.builders import make_user

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<iati-activities version="2.03" xmlns:portal="http://portal.example.org/ns">'
)


def activity(
    identifier: str,
    results: str = "",
    *,
    reporting: str = '<reporting-org ref="XM-TEST-1" type="40"><narrative>Provider'
    "</narrative></reporting-org>",
    extra: str = "",
) -> str:
    return f"""
  <iati-activity xml:lang="EN" default-currency="EUR" portal:dataset="d1" portal:index="7">
    <iati-identifier>{identifier}</iati-identifier>
    {reporting}
    <title><narrative xml:lang="FR">Titre</narrative><narrative xml:lang="EN">Title {identifier}</narrative></title>
    <description><narrative>About {identifier}</narrative></description>
    <participating-org ref="XM-TEST-2" role="4" type="22"><narrative>Partner NGO</narrative></participating-org>
    <activity-status code="2"/>
    <activity-date iso-date="2022-01-01" type="2"/>
    <activity-date iso-date="2024-12-31" type="3"/>
    <recipient-country code="hn" percentage="60"/>
    <recipient-country code="GT" percentage="40"/>
    <sector vocabulary="1" code="15130" percentage="100"/>
    {extra}
    {results}
  </iati-activity>"""  # noqa: E501


def document(*activities: str) -> bytes:
    return (HEAD + "".join(activities) + "\n</iati-activities>\n").encode("utf-8")


MESSY_RESULTS = """
    <result type="2">
      <title><narrative>Outcome one</narrative></title>
      <indicator measure="1" ascending="0">
        <title><narrative>Number of cases</narrative></title>
        <baseline year="2021" value="40"/>
        <period>
          <period-start iso-date="2022-01-01"/><period-end iso-date="2022-12-31"/>
          <target value="30"/>
          <actual><comment><narrative>35</narrative></comment></actual>
        </period>
        <period>
          <period-start iso-date="2023-01-01"/><period-end iso-date="2023-12-31"/>
        </period>
        <period>
          <period-start iso-date="2024-01-01"/><period-end iso-date="2024-12-31"/>
          <actual value="N/A"/>
        </period>
      </indicator>
      <indicator measure="5">
        <title><narrative>Law adopted?</narrative></title>
        <period>
          <period-start iso-date="2022-01-01"/><period-end iso-date="2022-12-31"/>
          <actual value="Yes"><comment><narrative>Adopted in May</narrative></comment></actual>
        </period>
      </indicator>
      <indicator measure="">
        <title><narrative>Trainees</narrative></title>
        <period>
          <period-start iso-date="2022-01-01"/><period-end iso-date="2022-12-31"/>
          <actual value="12"/>
          <actual value="7"><dimension name="sex" value="female"/></actual>
          <actual value="5"><dimension name="sex" value="male"/></actual>
          <actual value="3"><dimension name="sex" value="female"/><dimension name="age" value="young"/></actual>
        </period>
      </indicator>
    </result>
    <result type="1">
      <title><narrative>Output one</narrative></title>
      <indicator measure="3">
        <title><narrative>Guidelines issued</narrative></title>
        <period>
          <period-start iso-date="2022-01-01"/><period-end iso-date="2022-12-31"/>
          <target value="yes"/><actual value="No"/>
        </period>
      </indicator>
    </result>"""  # noqa: E501


@pytest.fixture
def admin(db: Database) -> Principal:
    with db.write() as session:
        return make_user(session, Role.ADMIN)


def pairs(rows: Iterable[Any]) -> dict[Any, Any]:
    return {a: b for a, b in rows}


def run(db: Database, who: Principal, data: bytes) -> ImportReport:
    with db.write() as session:
        return import_iati(session, principal=who, data=data)


def test_a_messy_activity_imports_what_is_sound_and_says_what_was_skipped(
    db: Database, admin: Principal
) -> None:
    report = run(db, admin, document(activity("XM-TEST-1-A1", MESSY_RESULTS)))
    (one,) = report.activities
    assert one.outcome == "created" and one.title == "Title XM-TEST-1-A1"
    assert one.counts["indicators"] == 4 and one.counts["actuals"] == 4
    assert one.counts["breakdowns"] == 2
    assert one.skipped == {
        "period with no target or actual to import": 2,  # the empty one, and the N/A one
        "actual whose value does not fit an indicator measured as Number": 1,
        "actual for a combination of dimensions": 1,
    }
    assert "actual value taken from its comment (a number and nothing else)" in one.notes
    assert "qualitative value kept as text" in one.notes
    assert "no impact result: a synthetic impact heads the logframe" in one.notes
    # Reasons with values in them read in the reader's language, values and words included.
    with using("es"):
        assert "real cuyo valor no corresponde a un indicador medido como Número" in one.lines(
            one.skipped
        )
        assert "valor real tomado de su comentario (un número y nada más)" in one.lines(one.notes)
    with using("fr"):
        assert "réel dont la valeur ne convient pas à un indicateur mesuré en Nombre" in one.lines(
            one.skipped
        )
    with db.read() as session:
        measures = pairs(session.execute(select(Indicator.title, Indicator.measure)))
        values = pairs(
            session.execute(
                select(Indicator.title, Measurement.value).join(
                    Measurement, Measurement.indicator_id == Indicator.id
                )
            )
        )
        narrative = session.scalar(
            select(Measurement.narrative).join(Indicator).where(Indicator.title == "Law adopted?")
        )
        parts = session.scalar(select(func.count()).select_from(MeasurementBreakdown))
        direction = session.scalar(
            select(Indicator.direction).where(Indicator.title == "Number of cases")
        )
    assert measures == {
        "Number of cases": Measure.NUMBER,
        "Law adopted?": Measure.QUALITATIVE,
        "Trainees": Measure.NUMBER,
        "Guidelines issued": Measure.YES_NO,
    }
    assert values["Number of cases"] == Decimal(35) and values["Guidelines issued"] == 0
    assert values["Trainees"] == Decimal(12)
    assert narrative == "Yes\nAdopted in May"
    assert parts == 2 and direction is Direction.DECREASE


def test_the_logframe_gets_one_impact_with_outcomes_and_outputs_under_it(
    db: Database, admin: Principal
) -> None:
    run(db, admin, document(activity("XM-TEST-1-A1", MESSY_RESULTS)))
    with db.read() as session:
        nodes = session.execute(
            select(ResultNode.code, ResultNode.level, ResultNode.parent_id, ResultNode.id)
        ).all()
    by_id = {n.id: n.code for n in nodes}
    tree = {(n.code, n.level, by_id.get(n.parent_id)) for n in nodes}
    assert tree == {
        ("I", ResultLevel.IMPACT, None),
        ("1", ResultLevel.OUTCOME, "I"),
        ("1.1", ResultLevel.OUTPUT, "1"),
    }


def test_header_links_and_periods_are_imported(db: Database, admin: Principal) -> None:
    run(db, admin, document(activity("XM-TEST-1-A1", MESSY_RESULTS)))
    with db.read() as session:
        project = session.scalars(select(Project)).one()
        shares = pairs(session.execute(select(ProjectCountry.country_code, ProjectCountry.share)))
        periods = session.scalars(
            select(ReportingPeriod.label).order_by(ReportingPeriod.start_date)
        )
        orgs = set(session.scalars(select(Organisation.name)))
        baseline = session.scalar(select(Baseline.value))
        target = session.scalar(select(Target.value).where(Target.value.is_not(None)))
    assert project.iati_identifier == "XM-TEST-1-A1" and project.code == "XM-TEST-1-A1"
    assert (str(project.start_date), str(project.end_date)) == ("2022-01-01", "2024-12-31")
    assert project.currency == "EUR"
    assert shares == {"HN": Decimal(60), "GT": Decimal(40)}
    assert list(periods) == ["2022"]
    assert {"Provider", "Partner NGO"} <= orgs
    assert baseline == Decimal(40) and target == Decimal(30)


def test_importing_the_same_file_twice_changes_nothing(db: Database, admin: Principal) -> None:
    data = document(activity("XM-TEST-1-A1", MESSY_RESULTS), activity("XM-TEST-1-A2"))
    run(db, admin, data)
    with db.read() as session:
        events = session.scalar(select(func.count(AuditEvent.id)))
    again = run(db, admin, data)
    assert [a.outcome for a in again.activities] == ["unchanged", "unchanged"]
    with db.read() as session:
        assert session.scalar(select(func.count(AuditEvent.id))) == events


def test_changed_countries_replace_the_old_ones_and_the_change_is_audited(
    db: Database, admin: Principal
) -> None:
    run(db, admin, document(activity("XM-TEST-1-A1")))
    moved = activity("XM-TEST-1-A1").replace(
        'code="GT" percentage="40"', 'code="SV" percentage="40"'
    )
    report = run(db, admin, document(moved))
    assert report.activities[0].outcome == "updated"
    with db.read() as session:
        shares = pairs(session.execute(select(ProjectCountry.country_code, ProjectCountry.share)))
        audits = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "import_update").order_by(AuditEvent.id)
        ).all()
    assert shares == {"HN": Decimal(60), "SV": Decimal(40)}
    *_, event = [a for a in audits if "countries" in (a.after or {})]
    assert event.before["countries"] == ["('GT', Decimal('40.0000'))", "('HN', Decimal('60.0000'))"]
    assert event.after["countries"] == ["('HN', Decimal('60.0000'))", "('SV', Decimal('40.0000'))"]


def test_a_changed_value_becomes_a_new_approved_revision(db: Database, admin: Principal) -> None:
    run(db, admin, document(activity("XM-TEST-1-A1", MESSY_RESULTS)))
    changed = MESSY_RESULTS.replace('<actual value="12"/>', '<actual value="14"/>')
    report = run(db, admin, document(activity("XM-TEST-1-A1", changed)))
    assert report.activities[0].outcome == "updated"
    with db.read() as session:
        rows = session.execute(
            select(Measurement.revision, Measurement.value, Measurement.is_current)
            .join(Indicator)
            .where(Indicator.title == "Trainees")
            .order_by(Measurement.revision)
        ).all()
    assert [tuple(r) for r in rows] == [(1, Decimal(12), False), (2, Decimal(14), True)]


def test_one_bad_activity_never_aborts_the_others(db: Database, admin: Principal) -> None:
    undated = activity("XM-TEST-1-BAD").replace('iso-date="20', 'date="20')
    data = document(activity("XM-TEST-1-A1"), undated, activity("XM-TEST-1-A3"))
    report = run(db, admin, data)
    assert [a.outcome for a in report.activities] == ["created", "skipped", "created"]
    assert list(report.activities[1].skipped) == ["the activity has no start or no end date"]
    # the schema's messages on what it lacks are warnings with their line numbers
    assert any(w.startswith("line ") and "iso-date" in w for w in report.activities[1].warnings)
    with db.read() as session:
        assert set(session.scalars(select(Project.iati_identifier))) == {
            "XM-TEST-1-A1",
            "XM-TEST-1-A3",
        }


def test_an_activity_refused_while_writing_leaves_nothing_behind(
    db: Database, admin: Principal
) -> None:
    run(db, admin, document(activity("XM-TEST-1-A1")))
    with db.write() as session:
        pid = session.scalar(select(Project.id))
        manager = make_user(
            session, Role.MANAGER, scope={"scope_type": ScopeType.COUNTRY, "country_code": "FR"}
        )
    assert pid is not None
    new_provider = (
        '<reporting-org ref="XM-NEW-9" type="10"><narrative>Brand new</narrative></reporting-org>'
    )
    data = document(activity("XM-TEST-1-A1", reporting=new_provider), activity("XM-TEST-1-A2"))
    report = run(db, manager, data)
    # A2 is new, but its provider is not the manager's organisation: refused as well.
    assert [a.outcome for a in report.activities] == ["skipped", "skipped"]
    assert "may not update project" in next(iter(report.activities[0].skipped))
    assert "only for their own organisation" in next(iter(report.activities[1].skipped))
    with db.read() as session:
        assert (
            session.scalar(select(Organisation.id).where(Organisation.name == "Brand new")) is None
        )


def test_activities_without_an_identifier_or_dates_are_skipped_with_a_reason(
    db: Database, admin: Principal
) -> None:
    no_dates = activity("XM-TEST-1-A2").replace('type="3"', 'type="9"')
    report = run(db, admin, document(activity(" "), no_dates.replace('type="2"', 'type="8"')))
    assert [next(iter(a.skipped)) for a in report.activities] == [
        "the activity has no iati-identifier",
        "the activity has no start or no end date",
    ]


def test_only_admins_and_managers_import(db: Database) -> None:
    with db.write() as session:
        officer = make_user(session, Role.OFFICER)
    with pytest.raises(PermissionDenied):
        run(db, officer, document(activity("XM-TEST-1-A1")))


def test_imported_values_are_audited_as_the_importer(db: Database, admin: Principal) -> None:
    run(db, admin, document(activity("XM-TEST-1-A1", MESSY_RESULTS)))
    with db.read() as session:
        events = session.execute(
            select(AuditEvent.user_id, AuditEvent.reason).where(
                AuditEvent.entity_type == "measurement"
            )
        ).all()
        approved = session.scalar(
            select(func.count(Measurement.id)).where(
                Measurement.status == MeasurementStatus.APPROVED
            )
        )
    assert len(events) == approved == 4
    assert {tuple(e) for e in events} == {(admin.user_id, "IATI import")}


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<iati-activities version="2.03"><iati-activity><iati-identifier>&lol9;</iati-identifier>
</iati-activity></iati-activities>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<iati-activities version="2.03"><iati-activity><iati-identifier>&xxe;</iati-identifier>
</iati-activity></iati-activities>"""


def test_a_broken_file_is_refused_with_the_line_and_column_once(db: Database, admin) -> None:
    data = b"<iati-activities version='2.03'>\n<iati-activity>\n<title>Firearms"
    with pytest.raises(FileRefused) as refused:
        run(db, admin, data)
    message = str(refused.value)
    assert message == (
        "The file is not well-formed XML: Premature end of data in tag title line 3 "
        "(line 3, column 16)"
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (BOMB, "declares a DTD or entities"),
        (EXTERNAL, "declares a DTD or entities"),
        (BOMB.decode().encode("utf-16"), "declares a DTD or entities"),
        (b"<iati-activities version='2.03'><unclosed>", "not well-formed"),
        (b"<html/>", "not an IATI activity file"),
        (b"<iati-activities version='1.05'><iati-activity/></iati-activities>", "1.05"),
        (b"<iati-activities version='2.03'/>", "no iati-activity"),
    ],
    ids=["entity-bomb", "external-entity", "utf16-bomb", "broken", "html", "v1", "empty"],
)
def test_a_hostile_or_foreign_file_is_refused_at_once_with_a_clear_message(
    db: Database, admin: Principal, data: bytes, message: str
) -> None:
    started = time.perf_counter()
    with pytest.raises(FileRefused, match=message):
        run(db, admin, data)
    assert time.perf_counter() - started < 1.0


def test_a_file_over_the_upload_limit_is_refused(
    db: Database, admin: Principal, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rbm.settings import get_settings

    monkeypatch.setenv("RBM_MAX_UPLOAD_MB", "0.001")
    get_settings.cache_clear()
    with pytest.raises(FileRefused, match="the limit is"):
        run(db, admin, document(activity("XM-TEST-1-A1", MESSY_RESULTS)))
