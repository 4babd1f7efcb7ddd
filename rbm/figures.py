"""Keeping `indicator_figure` true: the engine's stored parts per indicator.

Every ORM change to a measurement, a baseline, a target or an indicator marks its indicator (a
change to a reporting period or to the project marks every indicator of its project); when the
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

from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from itertools import chain
from typing import Any

import pandas as pd
from sqlalchemy import Integer, delete, event, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from indicators.figures import FIGURE_COLUMNS, figures
from indicators.quality import standing_flags
from rbm.frames.engine import (
    ENGINE_INDICATOR_COLUMNS,
    breakdown_frame,
    current_reported,
    flag_names,
    indicator_frame,
    measurement_frame,
)
from rbm.frames.sql import columns_frame, id_in, insert_rows
from rbm.models import (
    Base,
    Baseline,
    Indicator,
    IndicatorFigure,
    Measurement,
    Project,
    ReportedEnd,
    ReportingPeriod,
    ResultNode,
    Target,
)

_MARKED = "rbm.figures.marked"
_PROJECTS = "rbm.figures.projects"
_DEFERRED = "rbm.figures.deferred"
# Indicators per read: keeps each IN list well under every backend's parameter limit.
_CHUNK = 5_000


def refresh(session: Session, indicator_ids: Iterable[int] | None = None) -> int:
    """Compute and store the figures of these indicators (every indicator when None) from their
    current approved values; returns how many were written."""
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
            .where(id_in(Indicator.id, chunk))
            .order_by(Indicator.id)
            .with_for_update()
        ).all()
        inds = indicator_frame(session, None, indicator_ids=chunk)
        values = measurement_frame(session, None, indicator_ids=chunk)
        engine_inds = inds[ENGINE_INDICATOR_COLUMNS]
        stored = figures(engine_inds, values, validate=False)
        reported = _store_reported_ends(session, chunk)
        stored = stored.merge(reported, on="indicator_id", how="left")
        flags = standing_flags(
            engine_inds, values, breakdowns=breakdown_frame(session, chunk), validate=False
        )
        stored = stored.merge(flag_names(flags), on="indicator_id", how="left")
        stored = stored.fillna({"reported": 0, "flags": ""})
        session.execute(delete(IndicatorFigure).where(id_in(IndicatorFigure.indicator_id, chunk)))
        rows = _rows(stored)
        insert_rows(session, _FIGURE_TABLE, STORED_COLUMNS, rows)
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


def _store_reported_ends(session: Session, indicator_ids: list[int]) -> pd.DataFrame:
    """Write the `reported_end` rows of these indicators (each period holding a current
    submitted or approved value, with its end date), and return how many each has (`reported`,
    for the indicators with any)."""
    session.execute(delete(ReportedEnd).where(id_in(ReportedEnd.indicator_id, indicator_ids)))
    reported = (
        select(Measurement.indicator_id, Measurement.reporting_period_id, ReportingPeriod.end_date)
        .join(ReportingPeriod, ReportingPeriod.id == Measurement.reporting_period_id)
        .where(
            id_in(Measurement.indicator_id, indicator_ids),
            current_reported(),
        )
        .distinct()
    )
    session.execute(
        insert(ReportedEnd).from_select(
            ["indicator_id", "reporting_period_id", "end_date"], reported
        )
    )
    return columns_frame(
        session,
        select(ReportedEnd.indicator_id, func.count().label("reported"))
        .where(id_in(ReportedEnd.indicator_id, indicator_ids))
        .group_by(ReportedEnd.indicator_id),
        {"indicator_id": "int", "reported": "int"},
    )


STORED_COLUMNS = [*FIGURE_COLUMNS, "reported", "flags"]
_FIGURE_TABLE = Base.metadata.tables[IndicatorFigure.__tablename__]
#: The tables `refresh` writes.
DERIVED_TABLES = (_FIGURE_TABLE, Base.metadata.tables[ReportedEnd.__tablename__])
_INTEGER_COLUMNS = [c.name for c in _FIGURE_TABLE.columns if isinstance(c.type, Integer)]


def _rows(stored: pd.DataFrame) -> list[tuple[Any, ...]]:
    """The figures as Python values in `STORED_COLUMNS` order (None for missing)."""
    out = stored[STORED_COLUMNS].astype(object)
    out = out.where(out.notna(), None)
    out["latest_end"] = [d.date() if d is not None else None for d in out["latest_end"]]
    # Counts may arrive as floats (a merge's NaN, filled): COPY wants integers as integers.
    for name in _INTEGER_COLUMNS:
        out[name] = [int(v) if v is not None else None for v in out[name]]
    return list(out.itertuples(index=False, name=None))


def keep_true(factory: sessionmaker[Session]) -> None:
    """Have every session this factory makes keep the stored figures true: changes mark their
    indicators after each flush, the marked figures are rewritten before the commit, and a
    rollback forgets the marks. `rbm.db.Database` registers this on its session factories."""
    event.listen(factory, "after_flush", _mark_changes)
    event.listen(factory, "before_commit", _refresh_marked)
    event.listen(factory, "after_rollback", _forget)


def mark(session: Session, indicator_ids: Collection[int]) -> None:
    """Have these indicators' figures refreshed when the session commits."""
    session.info.setdefault(_MARKED, set()).update(indicator_ids)


def _mark_changes(session: Session, _context: Any) -> None:
    # After the flush, so a value added through a relationship carries its indicator id.
    for obj in chain(session.new, session.dirty, session.deleted):
        # Targets and the project's dates count in the stored data-quality flags.
        if isinstance(obj, Measurement | Baseline | Target):
            mark(session, {obj.indicator_id})
        elif isinstance(obj, Indicator) and obj.id is not None:
            mark(session, {obj.id})
        elif isinstance(obj, ReportingPeriod):
            session.info.setdefault(_PROJECTS, set()).add(obj.project_id)
        elif isinstance(obj, Project) and obj.id is not None:
            session.info.setdefault(_PROJECTS, set()).add(obj.id)


@contextmanager
def deferred(session: Session) -> Iterator[None]:
    """Within the block, a savepoint that commits keeps its marks instead of refreshing them
    (SQLAlchemy runs `before_commit` for savepoints too); when the block ends without error,
    every indicator kept is refreshed at once, set-based. A savepoint rolled back loses its
    marks with it. For imports: one refresh per file, not one per activity."""
    kept: dict[str, set[int]] = {_MARKED: set(), _PROJECTS: set()}
    session.info[_DEFERRED] = kept
    try:
        yield
    finally:
        session.info.pop(_DEFERRED, None)
    for key, ids in kept.items():
        session.info.setdefault(key, set()).update(ids)
    _refresh_marked(session)


def _refresh_marked(session: Session) -> None:
    if not (session.info.get(_MARKED) or session.info.get(_PROJECTS)):
        return
    session.flush()  # changes still pending mark their indicators too
    kept = session.info.get(_DEFERRED)
    if kept is not None:
        for key in (_MARKED, _PROJECTS):
            kept[key] |= session.info.pop(key, set())
        return
    marked = session.info.pop(_MARKED, set())
    projects = session.info.pop(_PROJECTS, set())
    if projects:  # a period changed: its dates count in every indicator of the project
        marked |= set(
            session.scalars(
                select(Indicator.id)
                .join(ResultNode, ResultNode.id == Indicator.result_node_id)
                .where(ResultNode.project_id.in_(projects))
            )
        )
    refresh(session, marked)


def _forget(session: Session) -> None:
    session.info.pop(_MARKED, None)
    session.info.pop(_PROJECTS, None)
