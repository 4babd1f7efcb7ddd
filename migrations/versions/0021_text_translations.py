"""text translations: the other languages of imported narratives

One table per translated entity (project, result node, indicator, baseline, target,
measurement): `(owner_id, field, language, text)`, keyed by all but the text, deleted with
their owner. See `rbm/models/translation.py`.

Revision ID: 0021
Revises: 0015
Create Date: 2026-12-03 09:48:28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNERS = ("project", "result_node", "indicator", "baseline", "measurement", "target")


def upgrade() -> None:
    for owner in OWNERS:
        table = f"{owner}_translation"
        op.create_table(
            table,
            sa.Column("field", sa.String(length=40), nullable=False),
            sa.Column("language", sa.String(length=10), nullable=False),
            sa.Column("text", sa.Text(), nullable=False),
            sa.Column("owner_id", sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint(
                ["owner_id"],
                [f"{owner}.id"],
                name=op.f(f"fk_{table}_owner_id_{owner}"),
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint("owner_id", "field", "language", name=op.f(f"pk_{table}")),
        )


def downgrade() -> None:
    for owner in reversed(OWNERS):
        op.drop_table(f"{owner}_translation")
