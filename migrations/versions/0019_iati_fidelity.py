"""IATI fidelity: recipient regions, funders without an amount, the source of imported values

`project_region` keeps an activity's recipient regions with their shares as published, so a
project partly in a region is not counted wholly in its countries. `funding.amount` may be empty:
a funding organisation named with no incoming transaction is kept as a funder. `measurement.source`
says who vouches for an approved value nobody here reviewed (an imported value: the publisher).
`project.start_actual` / `end_actual` say whether the dates are actual or planned, and
`funding.transaction_type` whether a line was an incoming commitment or incoming funds, so the
export writes them as the data means; `project.code_local` marks a code that is ours (not the
publisher's internal identifier), which the export then never writes as one.

Revision ID: 0019
Revises: 0016
Create Date: 2026-12-03 07:15:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0019'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'project_region',
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('vocabulary', sa.String(length=10), nullable=False),
        sa.Column('code', sa.String(length=20), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('share', sa.Numeric(precision=7, scale=4), nullable=False),
        sa.CheckConstraint(
            'share > 0 AND share <= 100', name=op.f('ck_project_region_share_range')
        ),
        sa.ForeignKeyConstraint(
            ['project_id'],
            ['project.id'],
            name=op.f('fk_project_region_project_id_project'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint(
            'project_id', 'vocabulary', 'code', name=op.f('pk_project_region')
        ),
    )
    with op.batch_alter_table('funding') as batch:
        batch.alter_column('amount', existing_type=sa.Numeric(precision=20, scale=4), nullable=True)
        batch.add_column(sa.Column('transaction_type', sa.String(length=2), nullable=True))
    with op.batch_alter_table('project') as batch:
        batch.add_column(sa.Column('code_local', sa.Boolean(), nullable=True))
        batch.add_column(sa.Column('start_actual', sa.Boolean(), nullable=True))
        batch.add_column(sa.Column('end_actual', sa.Boolean(), nullable=True))
    with op.batch_alter_table('measurement') as batch:
        batch.add_column(sa.Column('source', sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('measurement') as batch:
        batch.drop_column('source')
    with op.batch_alter_table('project') as batch:
        batch.drop_column('end_actual')
        batch.drop_column('start_actual')
        batch.drop_column('code_local')
    op.execute('DELETE FROM funding WHERE amount IS NULL')
    with op.batch_alter_table('funding') as batch:
        batch.drop_column('transaction_type')
        batch.alter_column('amount', existing_type=sa.Numeric(precision=20, scale=4), nullable=False)
    op.drop_table('project_region')
