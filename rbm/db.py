"""Engine and sessions. SQLite gets WAL, foreign keys, a busy timeout and BEGIN IMMEDIATE for
writes; any other database is selected by RBM_DATABASE_URL (PostgreSQL via psycopg 3).

Reads use `db.read()`; writes use `db.write()`, one transaction that commits or rolls back whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from rbm import figures
from rbm.models import AuditEvent

SQLITE_BUSY_TIMEOUT_MS = 30_000
_WRITE = "rbm_write"
_WAIT_MS = "rbm_wait_ms"
#: Audit actions that record sessions, not data: they move `audit_version` only.
SESSION_ACTIONS = ("sign_in", "sign_in_sso", "sign_in_failed", "sign_out")


def normalise_url(url: str) -> str:
    """Use psycopg 3 for plain postgresql:// URLs."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # We issue BEGIN ourselves (below), so the driver must not.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A write takes the write lock up front, so two writers queue on busy_timeout instead
        # of failing later with "database is locked" when a read lock cannot be upgraded.
        options = conn.get_execution_options()
        _set_busy_timeout(conn, options.get(_WAIT_MS) or SQLITE_BUSY_TIMEOUT_MS)
        mode = "IMMEDIATE" if options.get(_WRITE) else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")


def _set_busy_timeout(conn: Any, ms: int) -> None:
    """Per transaction: a write that must not wait long (sign-in bookkeeping) lowers it."""
    info = conn.connection.info
    if info.get(_WAIT_MS) != ms:
        conn.exec_driver_sql(f"PRAGMA busy_timeout={int(ms)}")
        info[_WAIT_MS] = ms


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


class Database:
    """An engine with a read and a write session factory; every session it makes keeps the
    stored indicator figures true (`rbm.figures.keep_true`)."""

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        self.engine = make_engine(self.url)
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(
            self.engine.execution_options(**{_WRITE: True}), expire_on_commit=False
        )
        for factory in (self._read, self._write):
            figures.keep_true(factory)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._read() as session, session.begin():
            yield session

    @contextmanager
    def write(self, *, wait_ms: int | None = None) -> Iterator[Session]:
        """One transaction: commits when the block ends, rolls back on any exception.
        `wait_ms` bounds how long it queues behind another writer (OperationalError after)."""
        if wait_ms is None:
            with self._write() as session, session.begin():
                yield session
            return
        bind = self.engine.execution_options(**{_WRITE: True, _WAIT_MS: wait_ms})
        with self._write(bind=bind) as session, session.begin():
            if not self.is_sqlite:
                session.execute(text(f"SET LOCAL lock_timeout = {int(wait_ms)}"))
            yield session

    def data_version(self) -> int:
        """Moves with every write that changes what the pages show (each such write audits):
        the key that invalidates caches. Read from the database on each call, so every server
        sharing it sees another's writes. Sign-in bookkeeping (`SESSION_ACTIONS`) does not move
        it: a morning of sign-ins would otherwise empty every shared cache once per person."""
        newest = (
            select(AuditEvent.id)
            .where(AuditEvent.action.not_in(SESSION_ACTIONS))
            .order_by(AuditEvent.id.desc())
            .limit(1)
        )
        with self.read() as session:
            return int(session.scalar(newest) or 0)

    def audit_version(self) -> int:
        """Moves with every audited write, sign-ins included: the key of what shows them."""
        with self.read() as session:
            return int(session.scalar(select(func.coalesce(func.max(AuditEvent.id), 0))) or 0)

    def dispose(self) -> None:
        self.engine.dispose()
