"""logframe editor: archived results and indicators, denominator rules, targets per
disaggregation part and officers' draft changes

`result_node.archived_at` and `indicator.archived_at` hide a result or an indicator that has
values from entry while keeping it in history and exports; `indicator.denominator_rule` says how
a percentage's denominator is counted; `target_part` holds a target per part of a
disaggregation dimension; `change_proposal` holds an officer's proposed change until a manager
applies or rejects it.

Revision ID: 0015
Revises: 0019
Create Date: 2026-12-03 07:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("result_node") as batch:
        batch.add_column(sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("indicator") as batch:
        batch.add_column(
            sa.Column("denominator_rule", sa.Text(), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("indicator") as batch:
        batch.alter_column("denominator_rule", server_default=None)
    op.create_table(
        "target_part",
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("dimension_value_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.ForeignKeyConstraint(
            ["dimension_value_id"],
            ["dimension_value.id"],
            name=op.f("fk_target_part_dimension_value_id_dimension_value"),
        ),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["target.id"],
            name=op.f("fk_target_part_target_id_target"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("target_id", "dimension_value_id", name=op.f("pk_target_part")),
    )
    op.create_table(
        "change_proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("operation", sa.String(length=60), nullable=False),
        sa.Column("arguments", sa.JSON(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user_account.id"],
            name=op.f("fk_change_proposal_decided_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_change_proposal_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"],
            ["user_account.id"],
            name=op.f("fk_change_proposal_proposed_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_proposal")),
    )
    op.create_index(
        op.f("ix_change_proposal_project_id"), "change_proposal", ["project_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_change_proposal_project_id"), table_name="change_proposal")
    op.drop_table("change_proposal")
    op.drop_table("target_part")
    with op.batch_alter_table("indicator") as batch:
        batch.drop_column("archived_at")
        batch.drop_column("denominator_rule")
    with op.batch_alter_table("result_node") as batch:
        batch.drop_column("archived_at")
