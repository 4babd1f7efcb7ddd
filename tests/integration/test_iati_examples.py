"""Every example file in tests/data/iati imports without a crash, with the per-activity report
we expect; importing it again changes nothing; its export validates and round-trips: export,
import into an empty database, export again gives the same document. On SQLite and
PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import func, select

from rbm import migrate
from rbm.db import Database
from rbm.errors import NotFound
from rbm.exchange.iati_export import build_tree, serialize
from rbm.exchange.iati_import import FileRefused, ImportReport, import_iati
from rbm.exchange.iati_xml import schema_errors
from rbm.models import AuditEvent, Measurement
from rbm.models.enums import MeasurementStatus, Role
from rbm.principal import Principal
from tests.conftest import _pg_database
from tests.utils.builders import make_user

DATA = Path(__file__).resolve().parents[1] / "data" / "iati"
LIMIT = 50_000_000

#: file prefix -> (created, skipped, the counts summed over the file's activities)
EXPECTED: dict[str, tuple[int, int, dict[str, int]]] = {
    "01": (1, 0, {"organisations": 3, "countries": 2, "regions": 2, "budgets": 1,
                  "transactions": 1, "results": 3, "indicators": 1}),
    "04": (13, 0, {"organisations": 26, "countries": 11, "regions": 2, "sectors": 13,
                   "budgets": 13, "transactions": 13, "results": 3, "indicators": 1,
                   "periods": 1, "targets": 1, "actuals": 1}),
    "05": (7, 0, {"organisations": 19, "countries": 4, "regions": 4, "sectors": 12,
                  "budgets": 16, "transactions": 5, "results": 14, "indicators": 17,
                  "baselines": 17, "periods": 26, "targets": 25, "actuals": 9}),
    "07": (100, 0, {"organisations": 321, "countries": 129, "sectors": 169, "budgets": 194,
                    "transactions": 97, "results": 704, "indicators": 1506, "baselines": 530,
                    "periods": 4215, "targets": 2686, "actuals": 2863}),
    "08": (97, 3, {"organisations": 419, "countries": 132, "regions": 2, "sectors": 152,
                   "budgets": 137, "transactions": 106, "results": 794, "indicators": 1718,
                   "baselines": 1130, "periods": 1971, "targets": 1690, "actuals": 1577}),
    "10": (100, 0, {"organisations": 236, "countries": 167, "sectors": 24, "budgets": 33,
                    "results": 513, "indicators": 1032}),
}  # fmt: skip
#: The two schema-test files declare version "xx": refused as a whole (see the last test).
UNKNOWN_VERSION = ("02", "03")
FILES = [p for p in sorted(DATA.glob("*.xml")) if p.name[:2] not in UNKNOWN_VERSION]
_STAMP = re.compile(rb' (generated-datetime|last-updated-datetime)="[^"]*"')


@contextmanager
def fresh_database(backend: str, folder: Path) -> Iterator[Database]:
    """A migrated, empty database on the backend (a throwaway one for PostgreSQL)."""
    urls = iter([f"sqlite:///{folder / 'rbm.sqlite3'}"]) if backend == "sqlite" else _pg_database()
    db = Database(next(urls))
    migrate.upgrade(db)
    try:
        yield db
    finally:
        db.dispose()
        for _ in urls:  # finishing the generator drops the PostgreSQL database
            pass


def an_importer(db: Database) -> Principal:
    with db.write() as session:
        return make_user(session, Role.ADMIN)


def export(db: Database, principal: Principal) -> bytes:
    with db.read() as session:
        return serialize(build_tree(session, principal=principal))


def without_stamps(document: bytes) -> bytes:
    return _STAMP.sub(b"", document)


@dataclass
class Imported:
    db: Database
    importer: Principal
    report: ImportReport
    data: bytes
    backend: str
    prefix: str


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module", params=FILES, ids=lambda p: p.name[:2])
def imported(
    request: pytest.FixtureRequest, backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Imported]:
    path = Path(request.param)
    data = path.read_bytes()
    with fresh_database(backend, tmp_path_factory.mktemp("iati")) as db:
        importer = an_importer(db)
        with db.write() as session:
            report = import_iati(session, principal=importer, data=data, max_bytes=LIMIT)
        yield Imported(db, importer, report, data, backend, path.name[:2])


def test_each_example_imports_with_the_report_we_expect(imported: Imported) -> None:
    created, skipped, counts = EXPECTED[imported.prefix]
    report = imported.report
    assert (report.count("created"), report.count("skipped")) == (created, skipped)
    totals = {k: sum(a.counts[k] for a in report.activities) for k in counts}
    assert totals == counts
    assert all(v == 0 for a in report.activities for k, v in a.counts.items() if k not in counts)
    for activity in report.activities:
        if activity.outcome == "skipped":
            assert activity.skipped, "a skipped activity says why"


def test_imported_actuals_are_approved_by_their_publisher_never_by_the_importer(
    imported: Imported,
) -> None:
    with imported.db.read() as session:
        rows = session.execute(
            select(
                Measurement.status,
                Measurement.created_by_id,
                Measurement.submitted_by_id,
                Measurement.reviewed_by_id,
                Measurement.source,
            )
        ).all()
    expected = sum(a.counts["actuals"] for a in imported.report.activities)
    assert len(rows) == expected
    uid = imported.importer.user_id
    assert all(r[:4] == (MeasurementStatus.APPROVED, uid, None, None) for r in rows)
    assert all(r.source.startswith("IATI: ") for r in rows)


def test_importing_an_example_twice_changes_nothing(imported: Imported) -> None:
    with imported.db.read() as session:
        before = session.scalar(select(func.count(AuditEvent.id)))
    with imported.db.write() as session:
        again = import_iati(
            session, principal=imported.importer, data=imported.data, max_bytes=LIMIT
        )
    with imported.db.read() as session:
        assert session.scalar(select(func.count(AuditEvent.id))) == before
    assert again.count("created") == again.count("updated") == 0
    assert again.count("unchanged") == imported.report.imported


def test_the_export_of_an_example_validates_and_round_trips(
    imported: Imported, tmp_path: Path
) -> None:
    if imported.report.imported == 0:
        # Nothing of this file was importable: there is nothing to export (a file needs one
        # activity), and the export says so.
        with pytest.raises(NotFound, match="Nothing to export"):
            export(imported.db, imported.importer)
        return
    first = export(imported.db, imported.importer)
    assert schema_errors(etree.fromstring(first)) == []
    with fresh_database(imported.backend, tmp_path) as empty:
        importer = an_importer(empty)
        with empty.write() as session:
            report = import_iati(session, principal=importer, data=first, max_bytes=LIMIT)
        assert report.count("created") == imported.report.imported
        second = export(empty, importer)
    assert without_stamps(second) == without_stamps(first)


@pytest.mark.parametrize("prefix", UNKNOWN_VERSION)
def test_an_example_of_an_unknown_version_is_refused_as_a_whole(prefix: str, db: Database) -> None:
    (path,) = DATA.glob(f"{prefix}_*.xml")
    with db.write() as session, pytest.raises(FileRefused, match="declares IATI version 'xx'"):
        import_iati(session, principal=make_user(session, Role.ADMIN), data=path.read_bytes())
