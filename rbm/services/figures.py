"""Keeping `indicator_figure` true: the engine's stored parts per indicator.

Every ORM change to a measurement, a baseline or an indicator marks its indicator; when the
transaction commits, the marked indicators' figures are computed again from their current
approved values (`indicators.figures.figures`) and written in that same transaction, so a
figure is never newer or older than the values it sums. On PostgreSQL the indicator rows are
locked first (`SELECT ... FOR UPDATE`), so two transactions approving values of one indicator
at once write their figures one after the other, each from the values the other committed.
Writes that bypass the ORM (the bulk loader) call `refresh` themselves.

A missing row is never wrong, only slower: the read path computes it from the measurements
(`rbm.queries.indicator_status.summary`). `rbm migrate` fills missing rows.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from itertools import chain
from typing import Any

import pandas as pd
from sqlalchemy import delete, event, insert, select
from sqlalchemy.orm import Session

from indicators.figures import FIGURE_COLUMNS, figures
from rbm.models import Baseline, Indicator, IndicatorFigure, Measurement

_MARKED = "rbm.figures.marked"
# Indicators per read: keeps each IN list well under every backend's parameter limit.
_CHUNK = 5_000


def refresh(session: Session, indicator_ids: Iterable[int] | None = None) -> int:
    """Compute and store the figures of these indicators (every indicator when None) from their
    current approved values; returns how many were written."""
    from rbm.queries.indicator_status import (
        ENGINE_INDICATOR_COLUMNS,
        indicator_frame,
        measurement_frame,
    )

    ids = (
        sorted(set(indicator_ids))
        if indicator_ids is not None
        else list(session.scalars(select(Indicator.id).order_by(Indicator.id)))
    )
    written = 0
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        # Row locks on PostgreSQL (a no-op on SQLite, whose writers are already serialised).
        session.execute(
            select(Indicator.id)
            .where(Indicator.id.in_(chunk))
            .order_by(Indicator.id)
            .with_for_update()
        ).all()
        inds = indicator_frame(session, None, indicator_ids=chunk)
        values = measurement_frame(session, None, indicator_ids=chunk)
        stored = figures(inds[ENGINE_INDICATOR_COLUMNS], values, validate=False)
        session.execute(delete(IndicatorFigure).where(IndicatorFigure.indicator_id.in_(chunk)))
        rows = _rows(stored)
        if rows:
            session.execute(insert(IndicatorFigure), rows)
        written += len(rows)
    return written


def refresh_missing(session: Session) -> int:
    """Compute the figures of every indicator that has none (after a migration, or a load
    that bypassed the ORM)."""
    missing = select(Indicator.id).where(
        ~select(IndicatorFigure.indicator_id)
        .where(IndicatorFigure.indicator_id == Indicator.id)
        .exists()
    )
    return refresh(session, session.scalars(missing).all())


def _rows(stored: pd.DataFrame) -> list[dict[str, Any]]:
    out = stored[FIGURE_COLUMNS].astype(object)
    out = out.where(out.notna(), None)
    out["latest_end"] = [d.date() if d is not None else None for d in out["latest_end"]]
    return [dict(zip(FIGURE_COLUMNS, row, strict=True)) for row in out.itertuples(index=False)]


def _indicator_of(obj: object) -> int | None:
    if isinstance(obj, Measurement | Baseline):
        return obj.indicator_id
    if isinstance(obj, Indicator):
        return obj.id
    return None


def mark(session: Session, indicator_ids: Collection[int]) -> None:
    """Have these indicators' figures refreshed when the session commits."""
    session.info.setdefault(_MARKED, set()).update(indicator_ids)


@event.listens_for(Session, "after_flush")
def _mark_changes(session: Session, _context: Any) -> None:
    # After the flush, so a value added through a relationship carries its indicator id.
    changed = chain(session.new, session.dirty, session.deleted)
    mark(session, {i for i in map(_indicator_of, changed) if i is not None})


@event.listens_for(Session, "before_commit")
def _refresh_marked(session: Session) -> None:
    if not session.info.get(_MARKED):
        return
    session.flush()  # changes still pending mark their indicators too
    marked = session.info.pop(_MARKED, set())
    refresh(session, marked)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_MARKED, None)
