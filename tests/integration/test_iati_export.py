"""The IATI export of the demo portfolio: valid against the 2.03 schema, follows the results
rules, publishes approved values only, respects who may see what, and round-trips through an
empty database to the same document. On SQLite and PostgreSQL (one demo load each)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import func, select

from rbm.db import Database
from rbm.errors import NotFound
from rbm.exchange.iati_codes import RBM
from rbm.exchange.iati_export import build_tree, export_iati, serialize, write_iati
from rbm.exchange.iati_import import import_iati
from rbm.exchange.iati_xml import schema_errors
from rbm.models import (
    Attachment,
    Funding,
    Measurement,
    MeasurementBreakdown,
    Organisation,
    Project,
    User,
)
from rbm.models.enums import MeasurementStatus, Role, ScopeType
from rbm.principal import Grant, Principal
from tests.conftest import demo_database
from tests.integration.test_iati_examples import an_importer, fresh_database, without_stamps

EVERYONE = Principal(
    user_id=0,
    email="",
    name="reader",
    grants=(Grant(role=Role.ADMIN, scope_type=ScopeType.GLOBAL),),
)
MANDATORY = [
    "iati-identifier",
    "reporting-org",
    "title",
    "description",
    "participating-org",
    "activity-status",
    "activity-date",
]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    yield from demo_database(request, tmp_path_factory)


@pytest.fixture(scope="module")
def tree(demo: Database) -> etree._Element:
    with demo.read() as session:
        return build_tree(session, principal=EVERYONE)


def test_the_demo_export_validates_against_the_iati_203_schema(tree: etree._Element) -> None:
    assert schema_errors(tree, limit=5) == []


def test_every_project_is_an_activity_with_the_mandatory_elements_in_order(
    demo: Database, tree: etree._Element
) -> None:
    with demo.read() as session:
        projects = session.scalar(select(func.count(Project.id)))
    activities = tree.findall("iati-activity")
    assert len(activities) == projects
    for a in activities:
        tags = [child.tag for child in a]
        seen = [t for t in dict.fromkeys(tags) if t in MANDATORY]
        assert seen == MANDATORY
        assert a.findall("result"), "every demo project publishes its results"


def test_only_approved_values_are_published_as_actuals(
    demo: Database, tree: etree._Element
) -> None:
    with demo.read() as session:
        approved = session.scalar(
            select(func.count(Measurement.id)).where(
                Measurement.is_current, Measurement.status == MeasurementStatus.APPROVED
            )
        )
        parts = session.scalar(
            select(func.count())
            .select_from(MeasurementBreakdown)
            .join(Measurement)
            .where(Measurement.is_current, Measurement.status == MeasurementStatus.APPROVED)
        )
        pending = session.scalar(
            select(func.count(Measurement.id)).where(
                Measurement.status != MeasurementStatus.APPROVED
            )
        )
    actuals = tree.findall(".//period/actual")
    totals = [a for a in actuals if a.find("dimension") is None]
    assert pending, "the demo holds values in review, which must not be published"
    assert (len(totals), len(actuals) - len(totals)) == (approved, parts)


def test_results_follow_the_iati_results_rules(tree: etree._Element) -> None:
    for indicator in tree.iter("indicator"):
        values = [e.get("value") for e in indicator.iter("baseline", "target", "actual")]
        if indicator.get("measure") == "5":
            assert values == [None] * len(values), "no value for a qualitative indicator"
        else:
            assert all(re.fullmatch(r"-?\d+(\.\d+)?", v) for v in values if v is not None)
    for period in tree.iter("period"):
        start = period.find("period-start").get("iso-date")  # type: ignore[union-attr]
        end = period.find("period-end").get("iso-date")  # type: ignore[union-attr]
        assert start < end


def test_money_is_written_as_plain_decimal_strings(tree: etree._Element) -> None:
    values = [v.text or "" for v in tree.iter("value")]
    assert values and all(re.fullmatch(r"\d+(\.\d+)?", v) for v in values)


def test_measures_levels_and_breakdowns_use_the_iati_codes(tree: etree._Element) -> None:
    assert {i.get("measure") for i in tree.iter("indicator")} == {"1", "2", "3", "4", "5"}
    assert {r.get("type") for r in tree.iter("result")} <= {"1", "2", "3", "9"}
    dimensions = {(d.get("name"), d.get("value")) for d in tree.iter("dimension")}
    assert ("sex", "female") in dimensions
    assert any(i.get("ascending") == "0" for i in tree.iter("indicator"))
    assert tree.find(f".//{RBM}logframe") is not None


def test_a_donor_exports_only_the_projects_they_fund(demo: Database) -> None:
    with demo.read() as session:
        donor_id, name = session.execute(
            select(Organisation.id, Organisation.name).join(
                Funding, Funding.donor_id == Organisation.id
            )
        ).first()  # type: ignore[misc]
        funded = set(
            session.scalars(select(Project.code).join(Funding).where(Funding.donor_id == donor_id))
        )
        donor = Principal(
            user_id=0,
            email="",
            name=name,
            grants=(
                Grant(role=Role.DONOR, scope_type=ScopeType.ORGANISATION, organisation_id=donor_id),
            ),
        )
        tree = build_tree(session, principal=donor)
    codes = {o.get("ref") for o in tree.iter("other-identifier") if o.get("type") == "A1"}
    assert codes == funded


def test_the_demo_round_trips_through_an_empty_database(demo: Database, tmp_path: Path) -> None:
    with demo.read() as session:
        first = serialize(build_tree(session, principal=EVERYONE))
    with fresh_database("sqlite" if demo.is_sqlite else "postgresql", tmp_path) as empty:
        importer = an_importer(empty)
        with empty.write() as session:
            report = import_iati(session, principal=importer, data=first, max_bytes=50_000_000)
        assert report.count("created") == len(report.activities)
        with empty.read() as session:
            second = serialize(build_tree(session, principal=EVERYONE))
    assert without_stamps(second) == without_stamps(first)


class _Rollback(Exception):
    """Raised to undo a test's changes to the shared demo database."""


NASTY = "A & B < C > \"q\" 's' tab\tnew\nline\r\nend\x01 \u00e9 \u4e2d ]]>"


def test_any_text_is_escaped_and_an_empty_text_stays_an_empty_element(demo: Database) -> None:
    """The exporter writes the text itself: characters XML reserves, tabs, line ends (kept
    exactly, also in attributes) and control characters (dropped) all come back as the
    database holds them, an empty text is an empty element (`<narrative/>`), and the bytes are
    exactly what lxml writes for the parsed tree."""
    with pytest.raises(_Rollback), demo.write() as session:
        project = session.scalars(select(Project).order_by(Project.code)).first()
        assert project is not None
        project.title, project.description = NASTY, ""
        measurement = session.scalars(
            select(Measurement)
            .where(Measurement.is_current, Measurement.status == MeasurementStatus.APPROVED)
            .order_by(Measurement.id)
        ).first()
        assert measurement is not None
        measurement.narrative = NASTY
        user_id = session.scalars(select(User.id)).first()
        assert user_id is not None
        url = 'https://example.org/?a=1&b=<2>"3"\t4\n'
        link = Attachment(
            measurement_id=measurement.id, filename=NASTY, url=url, uploaded_by_id=user_id
        )
        session.add(link)
        session.flush()
        data = export_iati(session, principal=EVERYONE)
        tree = etree.fromstring(data, etree.XMLParser(remove_blank_text=True))
        assert serialize(tree) == data
        clean = NASTY.replace("\x01", "")
        activity = tree.find("iati-activity")
        assert activity is not None
        assert activity.findtext("title/narrative") == clean
        description = activity.find("description/narrative")
        assert description is not None and not description.text
        assert b'<description type="1">\n      <narrative/>\n    </description>' in data
        assert clean in [n.text for n in tree.iterfind(".//actual/comment/narrative")]
        document = tree.find(".//document-link")
        assert document is not None
        assert document.get("url") == url
        assert document.findtext("title/narrative") == clean
        assert schema_errors(tree, limit=5) == []
        raise _Rollback


def test_the_stream_is_what_lxml_writes_for_the_same_tree(demo: Database) -> None:
    """The document is written as text, one activity at a time (never whole in memory), and
    is byte for byte what lxml's pretty printer writes for the tree parsed from it."""
    chunks: list[bytes] = []
    with demo.read() as session:
        count = write_iati(session, chunks.append, principal=EVERYONE)
        projects = session.scalar(select(func.count(Project.id)))
    assert count == projects
    assert len(chunks) == count + 2  # the root's opening and closing, and one per activity
    data = b"".join(chunks)
    tree = etree.fromstring(data, etree.XMLParser(remove_blank_text=True))
    assert len(tree) == count
    assert serialize(tree) == data
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<iati-activities ")
    assert data.endswith(b"  </iati-activity>\n</iati-activities>\n")


def test_nothing_to_export_is_refused_before_anything_is_written(demo: Database) -> None:
    """An IATI file holds at least one activity: with no project to export, nothing is
    written and the message says why."""
    nobody = Principal(user_id=0, email="", name="nobody", grants=())
    chunks: list[bytes] = []
    with demo.read() as session:
        with pytest.raises(NotFound, match="there is no project you may see"):
            write_iati(session, chunks.append, principal=nobody)
        with pytest.raises(NotFound, match="none of NOPE-1, NOPE-2 is a project you may see"):
            export_iati(session, principal=EVERYONE, project_codes=["NOPE-1", "NOPE-2"])
    assert chunks == []
