"""Alembic environment: the database comes from RBM_DATABASE_URL (or the caller's config),
batch mode lets SQLite alter tables."""

from __future__ import annotations

from alembic import context

from rbm.db import make_engine
from rbm.models import Base
from rbm.settings import get_settings

target_metadata = Base.metadata

#: Full-text search objects of revision 0002 that live outside the ORM metadata: the SQLite
#: FTS5 table (with its shadow tables) and the PostgreSQL expression index on `lesson`.
SEARCH_TABLE = "lesson_fts"
SEARCH_INDEX = "ix_lesson_search"


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Leave the search objects out of autogenerate's comparison (`alembic check`)."""
    if type_ == "table" and name is not None:
        return name != SEARCH_TABLE and not name.startswith(SEARCH_TABLE + "_")
    if type_ == "index":
        return name != SEARCH_INDEX
    return True


def _url() -> str:
    return context.config.attributes.get("database_url") or get_settings().database_url


def run_migrations_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        render_as_batch=True,
        literal_binds=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


# Under Alembic the context is set up and the migrations run; a plain import (the migration
# tests import `include_name`) only defines the functions above.
if hasattr(context, "config"):
    if context.is_offline_mode():
        run_migrations_offline()
    else:
        run_migrations_online()
