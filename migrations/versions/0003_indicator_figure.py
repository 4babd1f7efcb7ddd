"""indicator figures: the engine's stored parts per indicator

`indicator_figure` holds, per indicator, what its current approved values add up to
(`indicators.figures`), so the portfolio, country and donor pages read one row per indicator
instead of every measurement. Derived data: `rbm migrate` fills the rows this revision leaves
empty (`rbm.figures.refresh_missing`), and the read path computes any missing or
out-of-date row from the measurements.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 12:40:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'indicator_figure',
        sa.Column('indicator_id', sa.Integer(), nullable=False),
        sa.Column('n_values', sa.Integer(), nullable=False),
        sa.Column('latest_end', sa.Date(), nullable=True),
        sa.Column('total', sa.Double(), nullable=True),
        sa.Column('latest_value', sa.Double(), nullable=True),
        sa.Column('numerator', sa.Double(), nullable=True),
        sa.Column('denominator', sa.Double(), nullable=True),
        sa.Column('latest_narrative', sa.Text(), nullable=True),
        sa.Column('fit_n', sa.Integer(), nullable=False),
        sa.Column('fit_sx', sa.Double(), nullable=True),
        sa.Column('fit_sy', sa.Double(), nullable=True),
        sa.Column('fit_sxx', sa.Double(), nullable=True),
        sa.Column('fit_sxy', sa.Double(), nullable=True),
        sa.Column('reported', sa.Integer(), nullable=False),
        sa.Column('reported_ends', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ['indicator_id'],
            ['indicator.id'],
            name=op.f('fk_indicator_figure_indicator_id_indicator'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('indicator_id', name=op.f('pk_indicator_figure')),
    )


def downgrade() -> None:
    op.drop_table('indicator_figure')
