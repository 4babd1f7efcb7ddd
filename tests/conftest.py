"""Shared fixtures: databases on SQLite and (when configured) PostgreSQL.

PostgreSQL tests use RBM_TEST_POSTGRES_URL (a server URL whose user may create databases);
each test database is created fresh and dropped afterwards. Locally, without that variable,
PostgreSQL cases are skipped with a message; under CI=true a missing PostgreSQL fails.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from rbm import migrate
from rbm.db import Database
from rbm.services.throttle import SIGN_IN
from rbm.settings import get_settings

IN_CI = os.environ.get("CI", "").lower() == "true"
PG_ADMIN_URL = os.environ.get("RBM_TEST_POSTGRES_URL", "")


def require_postgres() -> str:
    if PG_ADMIN_URL:
        return PG_ADMIN_URL
    message = "PostgreSQL not configured: set RBM_TEST_POSTGRES_URL to run these cases"
    if IN_CI:
        pytest.fail(message + " (required under CI=true)")
    else:
        pytest.skip(message)


def _pg_database() -> Iterator[str]:
    admin_url = require_postgres()
    name = f"rbm_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def _sqlite_database(tmp: Path) -> Iterator[str]:
    yield f"sqlite:///{tmp / 'rbm.sqlite3'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database, once per backend."""
    if request.param == "sqlite":
        yield from _sqlite_database(tmp_path)
    else:
        yield from _pg_database()


@pytest.fixture
def db(empty_db_url: str) -> Iterator[Database]:
    """A migrated, empty database (countries loaded), once per backend."""
    database = Database(empty_db_url)
    migrate.upgrade(database)
    yield database
    database.dispose()


@pytest.fixture(autouse=True)
def _fresh_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("RBM_DEMO_MODE", "true")
    get_settings.cache_clear()
    SIGN_IN.clear()  # sign-in throttling lives in the process: each test starts unthrottled
    yield
    get_settings.cache_clear()
