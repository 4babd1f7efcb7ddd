"""checklist content in other languages: instrument and provision titles, question wording and
help text per language, each marked checked or not against the UN's text in that language

Revision ID: 0025
Revises: 0023
Create Date: 2026-12-03 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _table(name: str, parent: str, *columns: sa.Column[object]) -> None:
    op.create_table(
        name,
        sa.Column(f"{parent}_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        *columns,
        sa.Column("checked", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            [f"{parent}_id"],
            [f"{parent}.id"],
            name=op.f(f"fk_{name}_{parent}_id_{parent}"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(f"{parent}_id", "language", name=op.f(f"pk_{name}")),
    )


def upgrade() -> None:
    _table("instrument_text", "instrument", sa.Column("title", sa.String(300), nullable=False))
    _table("provision_text", "provision", sa.Column("title", sa.String(200), nullable=False))
    _table(
        "question_text",
        "question",
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("help_text", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    for name in ("question_text", "provision_text", "instrument_text"):
        op.drop_table(name)
