"""figure rules: value-only percentages and stored data-quality flags

`indicator_figure` gains `n_unpaired` (how many counted percentages came without numerator and
denominator, which decides the to-date rule) and `flags` (the indicator's date-independent
data-quality flags, comma-separated). The arithmetic of the stored parts changed with them
(overlapping periods, value-only percentages), so every row is dropped here and computed again
by `rbm migrate` (`rbm.figures.refresh_missing`); until then the read path computes
them from the measurements.

Revision ID: 0016
Revises: 0018
Create Date: 2026-12-03 07:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(sa.text('DELETE FROM indicator_figure'))
    with op.batch_alter_table('indicator_figure') as batch:
        batch.add_column(
            sa.Column('n_unpaired', sa.Integer(), nullable=False, server_default='0')
        )
        batch.add_column(sa.Column('flags', sa.Text(), nullable=False, server_default=''))


def downgrade() -> None:
    op.execute(sa.text('DELETE FROM indicator_figure'))
    with op.batch_alter_table('indicator_figure') as batch:
        batch.drop_column('flags')
        batch.drop_column('n_unpaired')
