"""reported ends as a table

`indicator_figure.reported_ends` (the newest four end dates of an indicator's reported periods,
comma-joined ISO text) becomes the table `reported_end`: one row per indicator and reporting
period holding a current submitted or approved value, with the period's end date, indexed by
end date. Upgrading carries the data of every indicator that has stored figures, filled from
its measurements (the text held only four dates and no periods); downgrading writes the newest
four end dates back into the column.

Revision ID: 0022
Revises: 0025
Create Date: 2026-12-03 10:20:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0022'
down_revision: str | None = '0025'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REPORTED = ('submitted', 'approved')


def upgrade() -> None:
    op.create_table(
        'reported_end',
        sa.Column('indicator_id', sa.Integer(), nullable=False),
        sa.Column('reporting_period_id', sa.Integer(), nullable=False),
        sa.Column('end_date', sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ['indicator_id'], ['indicator.id'],
            name=op.f('fk_reported_end_indicator_id_indicator'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['reporting_period_id'], ['reporting_period.id'],
            name=op.f('fk_reported_end_reporting_period_id_reporting_period'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint(
            'indicator_id', 'reporting_period_id', name=op.f('pk_reported_end')
        ),
    )
    op.create_index(
        'ix_reported_end_end_date', 'reported_end', ['end_date', 'indicator_id'], unique=False
    )
    op.execute(
        sa.text(
            'INSERT INTO reported_end (indicator_id, reporting_period_id, end_date) '
            'SELECT DISTINCT m.indicator_id, m.reporting_period_id, p.end_date '
            'FROM measurement m JOIN reporting_period p ON p.id = m.reporting_period_id '
            'WHERE m.is_current AND m.status IN (:submitted, :approved) '
            'AND m.indicator_id IN (SELECT indicator_id FROM indicator_figure)'
        ).bindparams(submitted=_REPORTED[0], approved=_REPORTED[1])
    )
    with op.batch_alter_table('indicator_figure') as batch:
        batch.drop_column('reported_ends')


def downgrade() -> None:
    with op.batch_alter_table('indicator_figure') as batch:
        batch.add_column(sa.Column('reported_ends', sa.Text(), nullable=False, server_default=''))
    ends = sa.table(
        'reported_end', sa.column('indicator_id', sa.Integer), sa.column('end_date', sa.Date)
    )
    rows = op.get_bind().execute(
        sa.select(ends.c.indicator_id, ends.c.end_date).order_by(
            ends.c.indicator_id, ends.c.end_date.desc()
        )
    )
    newest: dict[int, list[str]] = {}
    for indicator_id, end in rows:
        kept = newest.setdefault(indicator_id, [])
        if len(kept) < 4:
            kept.append(end.isoformat())
    figure = sa.table(
        'indicator_figure', sa.column('indicator_id', sa.Integer), sa.column('reported_ends', sa.Text)
    )
    for indicator_id, kept in newest.items():
        op.execute(
            figure.update()
            .where(figure.c.indicator_id == indicator_id)
            .values(reported_ends=','.join(kept))
        )
    op.drop_index('ix_reported_end_end_date', table_name='reported_end')
    op.drop_table('reported_end')
