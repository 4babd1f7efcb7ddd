"""The Alembic history creates exactly the models, on SQLite and PostgreSQL."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select, text

from rbm import migrate
from rbm.db import Database
from rbm.models import Base, Country, Region, ReportedEnd
from rbm.models.enums import Role
from rbm.settings import PROJECT_ROOT
from tests.utils.builders import LogframeBuilder, log_approved, make_user


def _include_name() -> Callable[..., bool]:
    """migrations/env.py's filter: objects outside the ORM metadata (full-text search)."""
    spec = importlib.util.spec_from_file_location(
        "rbm_migrations_env", PROJECT_ROOT / "migrations" / "env.py"
    )
    assert spec is not None and spec.loader is not None
    module: Any = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.include_name  # type: ignore[no-any-return]


def _diff(db: Database) -> list[object]:
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn,
            opts={"compare_type": True, "render_as_batch": True, "include_name": _include_name()},
        )
        return list(compare_metadata(ctx, Base.metadata))


def test_upgrade_creates_every_table_of_the_model(empty_db_url: str) -> None:
    db = Database(empty_db_url)
    migrate.upgrade(db)
    tables = set(inspect(db.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert _diff(db) == []
    db.dispose()


def test_downgrade_to_base_and_upgrade_again_round_trips(empty_db_url: str) -> None:
    db = Database(empty_db_url)
    migrate.upgrade(db)
    migrate.downgrade(db, "base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(db)
    assert _diff(db) == []
    db.dispose()


def test_migrate_loads_iso_countries_grouped_in_regions(db: Database) -> None:
    with db.read() as session:
        assert session.scalar(select(func.count(Country.code))) >= 249
        honduras = session.get(Country, "HN")
        assert honduras is not None and honduras.alpha3 == "HND" and honduras.numeric == 340
        assert honduras.region_code is not None
        assert session.scalar(select(func.count(Region.code))) >= 15


def test_migrate_twice_changes_nothing(db: Database) -> None:
    with db.read() as session:
        before = session.scalar(select(func.count(Country.code)))
    migrate.upgrade(db)
    with db.read() as session:
        assert session.scalar(select(func.count(Country.code))) == before


def test_the_reported_ends_table_carries_the_reports_down_and_up_again(empty_db_url: str) -> None:
    db = Database(empty_db_url)
    migrate.upgrade(db)
    with db.write() as session:
        admin, officer, manager = (
            make_user(session, r) for r in (Role.ADMIN, Role.OFFICER, Role.MANAGER)
        )
        built = LogframeBuilder(code="ENDS").with_indicator("1.a").build(session, admin)
        periods = sorted(built.period_ids.values())
        for period in periods[:5]:
            log_approved(
                session,
                officer=officer,
                manager=manager,
                indicator_id=built.indicator_ids["1.a"],
                period_id=period,
                value=1,
            )
    ends = select(ReportedEnd.reporting_period_id, ReportedEnd.end_date).order_by(
        ReportedEnd.reporting_period_id
    )
    with db.read() as session:
        before = session.execute(ends).all()
    assert len(before) == 5
    migrate.downgrade(db, "0025")  # the step before reported_end
    with db.engine.connect() as conn:
        held = conn.execute(text("SELECT reported, reported_ends FROM indicator_figure")).one()
    newest = sorted((end for _, end in before), reverse=True)[:4]
    assert held == (5, ",".join(d.isoformat() for d in newest))
    migrate.upgrade(db)
    with db.read() as session:
        assert session.execute(ends).all() == before
    assert _diff(db) == []
    db.dispose()


def test_figures_stored_by_the_older_engine_are_computed_again(empty_db_url: str) -> None:
    """Before, the engine stored NaN as the numerator and denominator of every measure but
    percentages, where it now stores 0: such rows no longer equalled a fresh computation."""
    from tests.integration.test_stored_figures import assert_figures_true

    db = Database(empty_db_url)
    migrate.upgrade(db)
    with db.write() as session:
        admin, officer, manager = (
            make_user(session, r) for r in (Role.ADMIN, Role.OFFICER, Role.MANAGER)
        )
        built = LogframeBuilder(code="OLD").with_indicator("1.a").build(session, admin)
        period = min(built.period_ids.values())
        log_approved(
            session,
            officer=officer,
            manager=manager,
            indicator_id=built.indicator_ids["1.a"],
            period_id=period,
            value=3,
        )
    with db.engine.begin() as conn:  # as the older engine left them, one revision back
        conn.execute(text("UPDATE indicator_figure SET numerator = NULL, denominator = NULL"))
        conn.execute(text("UPDATE alembic_version SET version_num = '0022'"))
    migrate.upgrade(db)
    assert_figures_true(db)
    db.dispose()
