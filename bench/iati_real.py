"""`python -m bench.iati_real [runs]`: the IATI import of the real publishers' files in
tests/data/iati/real, against a floor in the same run: parsing the same files with lxml and
inserting the same rows raw (Core executemany, table by table, into an empty database).
Prints one JSON line: seconds for each (wall clock, and this process's CPU time, which a
shared, busy machine disturbs much less), activities, activities imported."""

from __future__ import annotations

import gzip
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from lxml import etree
from sqlalchemy import insert, select

from rbm import migrate
from rbm.db import Database
from rbm.models import Base
from rbm.models.enums import Role, ScopeType
from rbm.principal import Grant

REAL = Path(__file__).resolve().parents[1] / "tests" / "data" / "iati" / "real"
#: Reference rows `rbm migrate` writes; the floor's database has them already.
_PRELOADED = {"country", "region", "alembic_version"}


def _files() -> list[bytes]:
    return [gzip.decompress(p.read_bytes()) for p in sorted(REAL.glob("*.xml.gz"))]


def _fresh(folder: Path, name: str) -> Database:
    db = Database(f"sqlite:///{folder / name}")
    migrate.upgrade(db)
    return db


def _import(folder: Path, files: list[bytes], name: str) -> tuple[float, float, int, int, Database]:
    from rbm.exchange.iati_import import import_iati
    from rbm.services.users import create_user, load_principal

    db = _fresh(folder, name)
    with db.write() as session:
        user = create_user(
            session,
            principal=None,
            email="importer@bench.rbm",
            name="Bench importer",
            password=None,
            grants=[Grant(role=Role.ADMIN, scope_type=ScopeType.GLOBAL)],
        )
        admin = load_principal(session, user_id=user.id)
    activities = imported = 0
    start, cpu = time.perf_counter(), time.process_time()
    for data in files:
        with db.write() as session:
            report = import_iati(session, principal=admin, data=data, max_bytes=len(data) + 1)
        activities += len(report.activities)
        imported += report.imported
    return time.perf_counter() - start, time.process_time() - cpu, activities, imported, db


def _floor(folder: Path, files: list[bytes], source: Database, name: str) -> tuple[float, float]:
    """lxml parsing every file, plus inserting every row the import wrote, raw."""
    tables = [t for t in Base.metadata.sorted_tables if t.name not in _PRELOADED]
    with source.read() as session:
        rows = {t.name: [dict(r._mapping) for r in session.execute(select(t))] for t in tables}
    target = _fresh(folder, name)
    start, cpu = time.perf_counter(), time.process_time()
    for data in files:
        etree.fromstring(data)
    with target.engine.begin() as conn:
        for table in tables:
            if rows[table.name]:
                conn.execute(insert(table), rows[table.name])
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    target.dispose()
    return seconds, cpu


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    files = _files()
    imports: list[float] = []
    floors: list[float] = []
    cpus: list[tuple[float, float]] = []
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="rbm-bench-iati-") as tmp:
        folder = Path(tmp)
        for i in range(runs):
            seconds, cpu, activities, imported, db = _import(folder, files, f"import{i}.sqlite3")
            imports.append(seconds)
            floor, floor_cpu = _floor(folder, files, db, f"floor{i}.sqlite3")
            floors.append(floor)
            cpus.append((cpu, floor_cpu))
            db.dispose()
            out = {"activities": activities, "imported": imported}
    out |= {"import": statistics.median(imports), "floor": statistics.median(floors)}
    out |= {
        "import_cpu": statistics.median(c for c, _ in cpus),
        "floor_cpu": statistics.median(f for _, f in cpus),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
