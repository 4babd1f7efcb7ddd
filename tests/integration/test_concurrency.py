"""Several people editing the same value at once: every edit either lands or is told of the
other's change and retries, so no update is lost, and SQLite never fails with "database is
locked" (writers queue on BEGIN IMMEDIATE and the busy timeout)."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

from rbm.db import Database
from rbm.errors import Conflict
from rbm.models import Measurement
from rbm.models.enums import Role, ScopeType
from rbm.principal import Principal
from rbm.services import measurements as svc
from tests.utils.builders import LogframeBuilder, make_user

WORKERS, EDITS = 4, 5


def _add_one(db: Database, officer: Principal, measurement_id: int) -> int:
    """Add 1 to the value with optimistic locking, retrying on conflict; returns conflicts."""
    conflicts = 0
    while True:
        with db.read() as session:
            m = session.get(Measurement, measurement_id)
            assert m is not None and m.value is not None
            seen, version = m.value, m.version
            ids = (m.indicator_id, m.reporting_period_id)
        try:
            with db.write() as session:
                svc.save_draft(
                    session,
                    principal=officer,
                    indicator_id=ids[0],
                    period_id=ids[1],
                    values=svc.Values(value=seen + 1),
                    expected_version=version,
                )
            return conflicts
        except Conflict:
            conflicts += 1


def _worker(db: Database, officer: Principal, measurement_id: int) -> int:
    return sum(_add_one(db, officer, measurement_id) for _ in range(EDITS))


def _process_worker(url: str, officer: Principal, measurement_id: int) -> int:
    db = Database(url)
    try:
        return _worker(db, officer, measurement_id)
    finally:
        db.dispose()


@pytest.fixture
def shared_draft(db: Database) -> tuple[Principal, int]:
    with db.write() as session:
        admin = make_user(session, Role.ADMIN)
        built = LogframeBuilder(code="CC-1").with_indicator("1.a").build(session, admin)
        officer = make_user(
            session,
            Role.OFFICER,
            scope={"scope_type": ScopeType.PROJECT, "project_id": built.project_id},
        )
        m = svc.save_draft(
            session,
            principal=officer,
            indicator_id=built.indicator_ids["1.a"],
            period_id=built.period_ids["2024-Q1"],
            values=svc.Values(value=Decimal(0)),
        )
    return officer, m.id


def _final(db: Database, measurement_id: int) -> tuple[Decimal | None, int]:
    with db.read() as session:
        m = session.get(Measurement, measurement_id)
        assert m is not None
        return m.value, m.version


def test_threads_editing_one_value_lose_no_update(db: Database, shared_draft) -> None:
    officer, mid = shared_draft
    with ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(lambda _: _worker(db, officer, mid), range(WORKERS)))
    value, version = _final(db, mid)
    assert value == WORKERS * EDITS and version == WORKERS * EDITS + 1


def test_processes_editing_one_value_lose_no_update(db: Database, shared_draft) -> None:
    """Separate processes, each with its own engine: on SQLite this is file locking."""
    officer, mid = shared_draft
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(WORKERS) as pool:
        pool.starmap(_process_worker, [(db.url, officer, mid)] * WORKERS)
    value, version = _final(db, mid)
    assert value == WORKERS * EDITS and version == WORKERS * EDITS + 1
