"""SQLite connections use WAL, foreign keys, a busy timeout and BEGIN IMMEDIATE for writes."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from rbm import migrate
from rbm.db import SQLITE_BUSY_TIMEOUT_MS, Database
from rbm.models import ProjectCountry


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Database:
    db = Database(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    migrate.upgrade(db)
    return db


def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(sqlite_db: Database) -> None:
    with sqlite_db.read() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert session.execute(text("PRAGMA busy_timeout")).scalar() == SQLITE_BUSY_TIMEOUT_MS


def test_foreign_keys_are_enforced(sqlite_db: Database) -> None:
    with pytest.raises(IntegrityError), sqlite_db.write() as session:
        session.add(ProjectCountry(project_id=999, country_code="HN", share=100))
        session.flush()


def test_a_second_writer_waits_for_the_first_instead_of_failing(sqlite_db: Database) -> None:
    order: list[str] = []
    started = threading.Event()

    def first() -> None:
        with sqlite_db.write() as session:
            session.execute(text("UPDATE country SET name = name WHERE code = 'HN'"))
            started.set()
            time.sleep(0.3)
            order.append("first")

    thread = threading.Thread(target=first)
    thread.start()
    started.wait()
    with sqlite_db.write() as session:  # BEGIN IMMEDIATE: blocks until the first commits
        session.execute(text("UPDATE country SET name = name WHERE code = 'GT'"))
        order.append("second")
    thread.join()
    assert order == ["first", "second"]


def test_a_failed_write_leaves_nothing_behind(sqlite_db: Database) -> None:
    with pytest.raises(RuntimeError), sqlite_db.write() as session:
        session.execute(text("UPDATE country SET name = 'changed' WHERE code = 'HN'"))
        raise RuntimeError("boom")
    with sqlite_db.read() as session:
        name = session.execute(text("SELECT name FROM country WHERE code='HN'")).scalar()
        assert name != "changed"
