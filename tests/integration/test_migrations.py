"""The Alembic history creates exactly the models, on SQLite and PostgreSQL."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select

from rbm import migrate
from rbm.db import Database
from rbm.models import Base, Country, Region
from rbm.settings import PROJECT_ROOT


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
