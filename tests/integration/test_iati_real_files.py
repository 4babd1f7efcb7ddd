"""Every real publisher's file in tests/data/iati/real imported into one database: at least 95%
of the activities get in, every refusal says why, every indicator and actual value of an
imported activity is in the database, importing again changes nothing, and the export is valid
and round-trips with nothing lost."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import func, select

from rbm import migrate
from rbm.db import Database
from rbm.exchange._import_text import language
from rbm.exchange.iati_export import build_tree, serialize
from rbm.exchange.iati_import import ImportReport, import_iati
from rbm.exchange.iati_xml import schema_errors
from rbm.models import (
    TRANSLATED,
    AuditEvent,
    Baseline,
    Indicator,
    Measurement,
    MeasurementBreakdown,
    Project,
    ResultNode,
    Target,
)
from rbm.models.enums import Role
from rbm.principal import Principal
from tests.utils.builders import make_user

pytestmark = pytest.mark.slow  # imports every real file three times

REAL = Path(__file__).resolve().parents[1] / "data" / "iati" / "real"
FILES = sorted(REAL.glob("*.xml.gz"))
LIMIT = 50_000_000
COUNTED = {
    "activities": Project,
    "results": ResultNode,
    "indicators": Indicator,
    "baselines": Baseline,
    "targets": Target,
    "actuals": Measurement,
    "breakdowns": MeasurementBreakdown,
}


#: The narratives the importer stores, by where they are in an activity.
NARRATED = (
    "title",
    "result/title",
    "result/description",
    "result/indicator/title",
    "result/indicator/description",
    "result/indicator/baseline/comment",
    "result/indicator/period/target/comment",
    "result/indicator/period/actual/comment",
)


def languages(activity: etree._Element) -> set[tuple[str, str]]:
    """(where, language) of every narrative the importer stores in an activity; a narrative
    of no declared language is English (IATI's default, and what the export declares)."""
    descriptions = activity.findall("description")
    read = next((d for d in descriptions if d.get("type") in (None, "1")), None)
    if read is None and descriptions:
        read = descriptions[0]
    elements = [("description", read)] if read is not None else []
    elements += [(path, e) for path in NARRATED for e in activity.iterfind(path)]
    return {
        (path, language(n) or "en")
        for path, e in elements
        for n in e.iterchildren("narrative")
        if n.text and n.text.strip()
    }


@dataclass
class World:
    db: Database
    importer: Principal
    files: dict[str, bytes]
    reports: dict[str, ImportReport]


def counts(db: Database) -> dict[str, int]:
    with db.read() as session:
        return {
            name: session.scalar(select(func.count()).select_from(model)) or 0
            for name, model in COUNTED.items()
        }


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("real")
    db = Database(f"sqlite:///{folder / 'rbm.sqlite3'}")
    migrate.upgrade(db)
    with db.write() as session:
        importer = make_user(session, Role.ADMIN)
    files = {f.name: gzip.decompress(f.read_bytes()) for f in FILES}
    reports = {}
    for name, data in files.items():
        with db.write() as session:
            reports[name] = import_iati(session, principal=importer, data=data, max_bytes=LIMIT)
    yield World(db, importer, files, reports)
    db.dispose()


def test_the_real_files_are_all_there() -> None:
    assert len(FILES) == 11


def test_at_least_95_percent_of_real_activities_are_imported(world: World) -> None:
    activities = [a for r in world.reports.values() for a in r.activities]
    imported = sum(r.imported for r in world.reports.values())
    assert len(activities) == 1100
    assert imported / len(activities) >= 0.95, imported


def test_long_identifiers_make_codes_of_whole_parts(world: World) -> None:
    with world.db.read() as session:
        rows = session.execute(select(Project.code, Project.iati_identifier)).all()
    long = [(code, identifier) for code, identifier in rows if len(identifier) > 40]
    assert long  # the real files have them
    for code, identifier in long:
        assert identifier.endswith(code) and identifier[-len(code) - 1] in "-_./: ", code
        assert code[0].isalnum(), code  # never half a part, a dash or a dot first


def test_every_refused_activity_says_why_in_words_a_publisher_can_act_on(world: World) -> None:
    refused = [a for r in world.reports.values() for a in r.activities if a.outcome in ("skipped",)]
    for a in refused:
        assert a.skipped, a.identifier
        assert all(len(reason) > 20 for reason in a.skipped), a.skipped
    # what the schema says of parts the importer does not read are warnings with a line
    warned = [w for r in world.reports.values() for a in r.activities for w in a.warnings]
    assert warned and all(w.startswith("line ") or w.startswith("...") for w in warned)


def _expected(world: World) -> tuple[int, int]:
    """Indicators and actual values (distinct periods with a total) of the imported
    activities, counted in the files themselves."""
    indicators = actuals = 0
    imported = {
        a.identifier
        for r in world.reports.values()
        for a in r.activities
        if a.outcome not in ("skipped", "duplicate")
    }
    last: dict[str, etree._Element] = {}
    for data in world.files.values():
        root = etree.fromstring(data)
        for activity in root.iterchildren("iati-activity"):
            last[(activity.findtext("iati-identifier") or "").strip()] = activity
    for identifier in imported:
        for ind in last[identifier].iterchildren("result"):
            for indicator in ind.iterchildren("indicator"):
                indicators += 1
                periods = set()
                for period in indicator.iterchildren("period"):
                    totals = [
                        a
                        for a in period.iterchildren("actual")
                        if a.find("dimension") is None
                        and ((a.get("value") or "").strip() or a.find("comment") is not None)
                    ]
                    start = period.find("period-start")
                    end = period.find("period-end")
                    if totals and start is not None and end is not None:
                        periods.add((start.get("iso-date"), end.get("iso-date")))
                actuals += len(periods)
    return indicators, actuals


def test_every_indicator_and_actual_of_an_imported_activity_is_stored(world: World) -> None:
    indicators, actuals = _expected(world)
    stored = counts(world.db)
    assert stored["indicators"] == indicators
    assert stored["actuals"] == actuals


def test_importing_the_real_files_again_changes_nothing(world: World) -> None:
    before = counts(world.db)
    with world.db.read() as session:
        events = session.scalar(select(func.count()).select_from(AuditEvent))
    for data in world.files.values():
        with world.db.write() as session:
            report = import_iati(session, principal=world.importer, data=data, max_bytes=LIMIT)
        assert {a.outcome for a in report.activities} <= {"unchanged", "skipped", "duplicate"}
    with world.db.read() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == events
    assert counts(world.db) == before


def test_the_export_of_the_real_files_validates_and_round_trips(
    world: World, tmp_path: Path
) -> None:
    with world.db.read() as session:
        exported = serialize(build_tree(session, principal=world.importer))
    assert schema_errors(etree.fromstring(exported)) == []
    again = Database(f"sqlite:///{tmp_path / 'again.sqlite3'}")
    migrate.upgrade(again)
    with again.write() as session:
        importer = make_user(session, Role.ADMIN)
    with again.write() as session:
        report = import_iati(session, principal=importer, data=exported, max_bytes=LIMIT)
    assert report.count("skipped") == 0
    assert counts(again) == counts(world.db)
    assert translations(again) == translations(world.db) > 0
    again.dispose()


def translations(db: Database) -> int:
    with db.read() as session:
        return sum(
            session.scalar(select(func.count()).select_from(table)) or 0
            for _, table, _ in TRANSLATED.values()
        )


def test_no_narrative_language_is_lost_on_the_way_out(world: World) -> None:
    with world.db.read() as session:
        exported = build_tree(session, principal=world.importer)
    last: dict[str, etree._Element] = {}
    for data in world.files.values():
        for activity in etree.fromstring(data).iterchildren("iati-activity"):
            last[(activity.findtext("iati-identifier") or "").strip()] = activity
    written = {
        activity.findtext("iati-identifier") or "": languages(activity)
        for activity in exported.iterchildren("iati-activity")
    }
    lost = {i: languages(last[i]) - langs for i, langs in written.items()}
    assert not {i: gone for i, gone in lost.items() if gone}
    # the files hold French, Spanish, German, Swedish, Portuguese and Danish narratives
    assert {lang for langs in written.values() for _, lang in langs} >= {"fr", "es", "de", "sv"}
