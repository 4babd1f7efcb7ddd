"""Shared fixtures: databases on SQLite and (when configured) PostgreSQL.

PostgreSQL tests use RBM_TEST_POSTGRES_URL (a server URL whose user may create databases);
each test database is created fresh and dropped afterwards. Locally, without that variable,
PostgreSQL cases are skipped with a message; under CI=true a missing PostgreSQL fails.
"""

from __future__ import annotations

import gc
import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher, profiles
from filelock import FileLock
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from rbm import migrate
from rbm.db import Database
from rbm.demo import load_demo_portfolio
from rbm.services import users
from rbm.services.throttle import SIGN_IN
from rbm.settings import get_settings

IN_CI = os.environ.get("CI", "").lower() == "true"
PG_ADMIN_URL = os.environ.get("RBM_TEST_POSTGRES_URL", "")
# Unique per run and shared by its pytest-xdist workers: the leading process hands its id to
# the workers as xdist's test-run id (see pytest_configure), which they read from the environment.
_RUN_UID = os.environ.get("PYTEST_XDIST_TESTRUNUID") or uuid.uuid4().hex
RUN_ID = _RUN_UID[:12]


def pytest_configure(config: pytest.Config) -> None:
    if getattr(config.option, "testrunuid", "unset") is None:
        config.option.testrunuid = _RUN_UID
    # The test processes allocate at a high rate (ORM rows, frames, AppTest elements) while
    # holding many long-lived objects (models, pandas, Streamlit): with Python's default
    # thresholds, collecting took about a sixth of a worker's CPU. Cyclic garbage is still
    # collected, in larger batches.
    gc.set_threshold(50_000, 20, 50)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Leave what collection imported (every module the tests use) out of later collections."""
    gc.collect()
    gc.freeze()


_PRODUCTION_HASHER = users._hasher
_BROWSER_TESTS = Path(__file__).parent / "e2e"


CHROMIUM = os.environ.get("RBM_CHROMIUM", "/usr/bin/chromium")
NO_POSTGRES = "PostgreSQL not configured: set RBM_TEST_POSTGRES_URL to run these cases"
NO_CHROMIUM = f"Chromium not found at {CHROMIUM}: apt-get install chromium chromium-driver"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run modules marked `slow` first, then the browser tests, then the rest, each group in
    collection order; locally, mark the cases whose PostgreSQL or Chromium is missing to skip.

    pytest-xdist (`--dist loadscope --no-loadscope-reorder`) hands whole modules to the workers
    in this order: the longest modules start at once instead of running alone at the end, and
    the browser tests, which mostly wait for the browser, overlap the busy ones.
    """
    items.sort(key=_start_order)
    # Under CI=true both conditions are false: nothing is skipped, and a missing dependency
    # fails the case in its fixture (require_postgres, require_chromium).
    without_postgres = pytest.mark.skipif(not IN_CI and not PG_ADMIN_URL, reason=NO_POSTGRES)
    without_chromium = pytest.mark.skipif(
        not IN_CI and not Path(CHROMIUM).exists(), reason=NO_CHROMIUM
    )
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "postgresql" in callspec.params.values():
            item.add_marker(without_postgres)
        if item.path.is_relative_to(_BROWSER_TESTS):
            item.add_marker(without_chromium)


def _start_order(item: pytest.Item) -> int:
    if item.get_closest_marker("slow"):
        return 0
    return 1 if item.path.is_relative_to(_BROWSER_TESTS) else 2


def require_postgres() -> str:
    """The server URL; without one, the case fails (locally it was skipped at collection)."""
    if not PG_ADMIN_URL:
        pytest.fail(NO_POSTGRES + " (required under CI=true)")
    return PG_ADMIN_URL


def require_chromium() -> None:
    """Fail the case without Chromium (locally it was skipped at collection)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(NO_CHROMIUM + " (required under CI=true)")


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


def _shared_once(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[], str]
) -> str:
    """Build a template once for the whole run, whichever pytest-xdist worker asks first.

    The workers share the parent of their base temporary directories; a file lock makes the
    others wait for the first build and read its result (a path or a database name).
    """
    root = tmp_path_factory.getbasetemp().parent
    result = root / f"{RUN_ID}-{name}.txt"
    with FileLock(str(root / f"{RUN_ID}-{name}.lock")):
        if not result.is_file():
            result.write_text(build())
        return result.read_text()


def _build_sqlite(path: Path, *, demo: bool) -> str:
    database = Database(f"sqlite:///{path}")
    migrate.upgrade(database)
    if demo:
        load_demo_portfolio(database)
    database.dispose()
    return str(path)


def _build_pg(name: str, *, demo: bool) -> str:
    admin = create_engine(require_postgres(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(require_postgres()).set(database=name).render_as_string(hide_password=False)
    database = Database(url)
    migrate.upgrade(database)
    if demo:
        load_demo_portfolio(database)
    database.dispose()
    return name


def _template_name(kind: str) -> str:
    # One name per run, shared by its workers; pytest_sessionfinish drops them.
    return f"rbm_template_{RUN_ID}_{kind}"


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per test run; each test gets a copy of it."""
    path = tmp_path_factory.getbasetemp().parent / f"{RUN_ID}-template.sqlite3"
    return Path(
        _shared_once(tmp_path_factory, "sqlite-template", lambda: _build_sqlite(path, demo=False))
    )


@pytest.fixture(scope="session")
def _pg_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One migrated PostgreSQL database per test run, the template of each test's copy."""
    name = _template_name("migrated")
    return _shared_once(tmp_path_factory, "pg-template", lambda: _build_pg(name, demo=False))


@pytest.fixture(scope="session")
def _sqlite_demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo portfolio built once per test run on SQLite."""
    path = tmp_path_factory.getbasetemp().parent / f"{RUN_ID}-demo-template.sqlite3"
    return Path(
        _shared_once(tmp_path_factory, "sqlite-demo", lambda: _build_sqlite(path, demo=True))
    )


@pytest.fixture(scope="session")
def _pg_demo_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The demo portfolio built once per test run on PostgreSQL."""
    name = _template_name("demo")
    return _shared_once(tmp_path_factory, "pg-demo", lambda: _build_pg(name, demo=True))


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Drop this run's template databases, once, in the process that ran or led the run."""
    if os.environ.get("PYTEST_XDIST_WORKER") or not PG_ADMIN_URL:
        return
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            names = conn.scalars(
                text("SELECT datname FROM pg_database WHERE datname LIKE :p"),
                {"p": f"rbm_template_{RUN_ID}_%"},
            ).all()
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def copy_sqlite(template: Path, target: Path) -> str:
    # The backup API copies a consistent image whatever the journal mode of the template.
    with sqlite3.connect(template) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    return f"sqlite:///{target}"


def _copy_pg(template: str) -> Iterator[str]:
    admin_url = require_postgres()
    name = f"rbm_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def demo_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """A copy of the session's demo portfolio on `request.param`'s backend.

    For module-scoped fixtures parametrised on ("sqlite", "postgresql").
    """
    if request.param == "sqlite":
        template = request.getfixturevalue("_sqlite_demo_template")
        target = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
        urls: Iterator[str] = iter([copy_sqlite(template, target)])
    else:
        urls = _copy_pg(request.getfixturevalue("_pg_demo_template"))
    for url in urls:
        database = Database(url)
        yield database
        database.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database (countries loaded), once per backend.

    Each test gets a copy of a template migrated once per session (a file copy on SQLite,
    `CREATE DATABASE ... TEMPLATE` on PostgreSQL), which is what the migration itself would
    have produced; the migrations are tested on their own in test_migrations.py.
    """
    if request.param == "sqlite":
        template = request.getfixturevalue("_sqlite_template")
        urls: Iterator[str] = iter([copy_sqlite(template, tmp_path / "rbm.sqlite3")])
    else:
        urls = _copy_pg(request.getfixturevalue("_pg_template"))
    for url in urls:
        database = Database(url)
        yield database
        database.dispose()


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashes() -> Iterator[None]:
    """Argon2 with the cheapest parameters for the many accounts tests create.

    The product's own parameters are checked once, in test_users.py; the browser tests run
    the app in its own process and hash with them.
    """
    users._hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)
    yield
    users._hasher = _PRODUCTION_HASHER


@pytest.fixture
def production_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The product's own argon2 parameters, for the test that checks them."""
    monkeypatch.setattr(users, "_hasher", _PRODUCTION_HASHER)


@pytest.fixture(autouse=True)
def _fresh_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("RBM_DEMO_MODE", "true")
    get_settings.cache_clear()
    SIGN_IN.clear()  # sign-in throttling lives in the process: each test starts unthrottled
    yield
    get_settings.cache_clear()
