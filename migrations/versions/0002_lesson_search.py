"""lesson search: full-text search over lessons learned

SQLite: an FTS5 table `lesson_fts` with `lesson` as its external content, kept in sync by
triggers (insert, update, delete), filled from the existing lessons.
PostgreSQL: a GIN index on the weighted `to_tsvector('english', ...)` expression that
`rbm.queries.lessons` queries with `websearch_to_tsquery` and ranks with `ts_rank`.

Neither object is in the ORM metadata; `migrations/env.py:include_name` leaves them out of
autogenerate's comparison.

Keep in mind for later revisions: on SQLite, a batch alter of `lesson` (move and copy) drops the
table and with it these triggers; such a revision must create them again (the search tests in
tests/integration/test_lessons.py fail if it does not). On PostgreSQL, the index expression and
`rbm.queries.lessons.PG_DOCUMENT` must stay the same expression, or the index goes unused.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 10:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("title", "text", "what_worked", "what_did_not", "evidence")
_cols = ", ".join(COLUMNS)
_new = ", ".join(f"new.{c}" for c in COLUMNS)
_old = ", ".join(f"old.{c}" for c in COLUMNS)

SQLITE_UP = [
    # Porter stemming so "mentor" finds "mentoring"; diacritics folded ("Álvarez" = "alvarez").
    f"CREATE VIRTUAL TABLE lesson_fts USING fts5({_cols}, content='lesson', "
    "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER lesson_fts_after_insert AFTER INSERT ON lesson BEGIN "
    f"INSERT INTO lesson_fts(rowid, {_cols}) VALUES (new.id, {_new}); END",
    f"CREATE TRIGGER lesson_fts_after_delete AFTER DELETE ON lesson BEGIN "
    f"INSERT INTO lesson_fts(lesson_fts, rowid, {_cols}) VALUES ('delete', old.id, {_old}); END",
    f"CREATE TRIGGER lesson_fts_after_update AFTER UPDATE ON lesson BEGIN "
    f"INSERT INTO lesson_fts(lesson_fts, rowid, {_cols}) VALUES ('delete', old.id, {_old}); "
    f"INSERT INTO lesson_fts(rowid, {_cols}) VALUES (new.id, {_new}); END",
    "INSERT INTO lesson_fts(lesson_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS lesson_fts_after_update",
    "DROP TRIGGER IF EXISTS lesson_fts_after_delete",
    "DROP TRIGGER IF EXISTS lesson_fts_after_insert",
    "DROP TABLE IF EXISTS lesson_fts",
]

# The title weighs most (A), then the text (B), what worked and what did not (C), evidence (D).
PG_DOCUMENT = (
    "setweight(to_tsvector('english'::regconfig, title), 'A')"
    " || setweight(to_tsvector('english'::regconfig, \"text\"), 'B')"
    " || setweight(to_tsvector('english'::regconfig, what_worked), 'C')"
    " || setweight(to_tsvector('english'::regconfig, what_did_not), 'C')"
    " || setweight(to_tsvector('english'::regconfig, evidence), 'D')"
)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute(f"CREATE INDEX ix_lesson_search ON lesson USING gin (({PG_DOCUMENT}))")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_lesson_search")
