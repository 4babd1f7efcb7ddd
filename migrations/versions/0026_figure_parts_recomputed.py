"""figure parts recomputed: the stored numerator and denominator are now summed over
percentage indicators only (0 for every other measure, where the engine stored NaN before)

Databases whose figures were stored before that change kept NaN where a fresh computation gives
0, so the stored figures no longer equalled the engine's (the figures shown were the same: those
parts are read for percentages only). Every row is dropped here and computed again by
`rbm migrate` (`rbm.figures.refresh_missing`), as 0016 did; until then the read path computes
them from the measurements.

Revision ID: 0026
Revises: 0022
Create Date: 2026-12-04 01:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(sa.text("DELETE FROM indicator_figure"))


def downgrade() -> None:
    # Nothing to undo: the older engine reads these parts for percentages only, where both
    # store the same, and the rows must stay for 0022's downgrade to carry the reported ends.
    pass
