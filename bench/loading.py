"""Benchmark databases and the two ways of loading a portfolio into them.

`load_validated` is the product's bulk path (`rbm.services.bulk.load_portfolio`: pandera, foreign
keys, conversion, batches, audit, one transaction). `load_raw` is its floor: the DB-API
`executemany` (a plain COPY on PostgreSQL) of the very same rows, already converted, with nothing
else around it; on PostgreSQL `load_raw_keys_aside` is a tighter floor, the bulk path's own way
of writing (CSV COPY, foreign keys checked once at the end) without its validation and figures.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Table, create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bench.generate import SIZES, Size, portfolio_frames
from rbm import migrate
from rbm.db import Database
from rbm.frames.sql import copy_frame, copy_rows, foreign_keys_checked_after, indexes_built_after
from rbm.models import Base, Country
from rbm.models.enums import Role, ScopeType
from rbm.principal import Grant, Principal
from rbm.services import bulk
from rbm.services.users import create_user, load_principal


def postgres_admin_url() -> str:
    """A PostgreSQL server URL whose user may create databases, or "" when none is set."""
    return os.environ.get("RBM_BENCH_POSTGRES_URL") or os.environ.get("RBM_TEST_POSTGRES_URL", "")


@contextmanager
def fresh_database(backend: str) -> Iterator[Database]:
    """An empty, migrated database on `backend` ("sqlite" or "postgresql"), removed after."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="rbm-bench-") as tmp:
            yield from _migrated(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        return
    admin = create_engine(postgres_admin_url(), isolation_level="AUTOCOMMIT")
    name = f"rbm_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(postgres_admin_url()).set(database=name)
    try:
        yield from _migrated(url.render_as_string(hide_password=False))
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _migrated(url: str) -> Iterator[Database]:
    db = Database(url)
    migrate.upgrade(db)
    try:
        yield db
    finally:
        db.dispose()


@dataclass(frozen=True)
class People:
    admin: Principal
    officer_id: int
    manager_id: int


def add_people(db: Database) -> People:
    """An administrator, an officer and a manager (single-sign-on accounts: no hashing)."""
    with db.write() as session:
        ids = [
            create_user(
                session,
                principal=None,
                email=f"{role.value}@bench.rbm",
                name=f"Bench {role.label}",
                password=None,
                grants=[Grant(role=role, scope_type=ScopeType.GLOBAL)],
            ).id
            for role in (Role.ADMIN, Role.OFFICER, Role.MANAGER)
        ]
        admin = load_principal(session, user_id=ids[0])
    return People(admin=admin, officer_id=ids[1], manager_id=ids[2])


def frames_for(db: Database, size: Size, people: People) -> dict[str, pd.DataFrame]:
    with db.read() as session:
        codes = list(session.scalars(select(Country.code).order_by(Country.code)))
    return portfolio_frames(
        size, country_codes=codes, officer_id=people.officer_id, manager_id=people.manager_id
    )


def load_validated(db: Database, people: People, frames: dict[str, pd.DataFrame]) -> float:
    start = time.perf_counter()
    with db.write() as session:
        bulk.load_portfolio(session, principal=people.admin, frames=frames)
    return time.perf_counter() - start


def settle(db: Database) -> None:
    """On PostgreSQL, `VACUUM (ANALYZE)` after a load, as one does after a restore and as
    autovacuum would within the minute, so that pages are timed on a settled database (timed
    the moment a million-row load committed, the portfolio home's data took 1.41 s at L; after
    the vacuum, 525 ms). A no-op on SQLite."""
    if db.is_sqlite:
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM (ANALYZE)"))


def load_raw(db: Database, frames: dict[str, pd.DataFrame]) -> float:
    """Seconds for the driver's plainest load of the same rows, already converted: executemany
    on SQLite, a plain COPY on PostgreSQL (the driver formats each row; the tables' keys check
    each row as it goes in)."""
    prepared: list[tuple[str, list[str], str, Any]] = []
    for table in _tables(frames):
        full = bulk.with_defaults(table, frames[table.name])
        sql, positional = bulk.insert_sql(table, list(full.columns), db.engine.dialect)
        rows = bulk.driver_rows(table, full, db.engine.dialect)
        values = rows if positional or not db.is_sqlite else bulk.as_dicts(full.columns, rows)
        prepared.append((table.name, list(full.columns), sql, values))
    raw = db.engine.raw_connection()
    try:
        start = time.perf_counter()
        cursor = raw.cursor()
        if db.is_sqlite:
            cursor.execute("BEGIN IMMEDIATE")
        for name, columns, sql, rows in prepared:
            if db.is_sqlite:
                cursor.executemany(sql, rows)
            else:
                copy_rows(raw.driver_connection, name, columns, rows)
        raw.commit()
        return time.perf_counter() - start
    finally:
        raw.close()


def load_raw_keys_aside(db: Database, frames: dict[str, pd.DataFrame]) -> float:
    """PostgreSQL only: seconds for the same rows, already converted, loaded the way the bulk
    path loads them (COPY of CSV text, the indexes built after the rows are in and the foreign
    keys set aside and checked once at the end, as pg_restore does), with nothing else around
    it: the tighter floor."""
    tables = _tables(frames)
    ready = {
        table.name: bulk.copy_values(table, bulk.with_defaults(table, frames[table.name]))
        for table in tables
    }
    with Session(db.engine) as session, session.begin():
        start = time.perf_counter()
        with foreign_keys_checked_after(session, tables), indexes_built_after(session, tables):
            raw = session.connection().connection.driver_connection
            for name, rows in ready.items():
                copy_frame(raw, name, rows)
    return time.perf_counter() - start


def _tables(frames: dict[str, pd.DataFrame]) -> list[Table]:
    return [Base.metadata.tables[name] for name in bulk.BULK_TABLES if name in frames]


def floors(backend: str, size: Size) -> tuple[dict[str, pd.DataFrame], dict[str, float]]:
    """A portfolio's frames at `size` and the seconds of the bulk path's floors on `backend`,
    each into a fresh database: `raw` (`load_raw`) and, on PostgreSQL, `keys_aside`
    (`load_raw_keys_aside`)."""
    with fresh_database(backend) as db:
        frames = frames_for(db, size, add_people(db))
        seconds = {"raw": load_raw(db, frames)}
    if backend == "postgresql":
        with fresh_database(backend) as db:
            add_people(db)
            seconds["keys_aside"] = load_raw_keys_aside(db, frames)
    return frames, seconds


def main(argv: list[str] | None = None) -> None:
    """`python -m bench.loading SIZE [RUNS]`: the PostgreSQL bulk load at one size against its
    two floors, each into a fresh database, the fastest of RUNS kept (a PostgreSQL server whose
    user may create databases: RBM_BENCH_POSTGRES_URL or RBM_TEST_POSTGRES_URL)."""
    args = argv if argv is not None else sys.argv[1:]
    size, runs = SIZES[args[0]], int(args[1]) if len(args) > 1 else 1
    times: dict[str, list[float]] = {"bulk path": [], "plain COPY": [], "keys set aside": []}
    for _ in range(runs):
        frames, seconds = floors("postgresql", size)
        times["plain COPY"].append(seconds["raw"])
        times["keys set aside"].append(seconds["keys_aside"])
        with fresh_database("postgresql") as db:
            times["bulk path"].append(load_validated(db, add_people(db), frames))
    best = {what: min(values) for what, values in times.items()}
    for what, took in best.items():
        ratio = best["bulk path"] / took
        print(
            f"{size.name} {what:15s} {took:7.2f} s  {size.measurements / took:>9,.0f} "
            f"measurements/s  bulk path {ratio:.2f}x"
        )


if __name__ == "__main__":
    main()
