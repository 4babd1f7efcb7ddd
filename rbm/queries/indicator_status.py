"""Indicator figures from the engine: builds the engine's input frames for a set of projects
in three statements (indicators, approved measurements, period targets) and summarises them.

Only approved values count in these figures, for every role: pending values are shown
separately, and labelled, to the project team."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from indicators.arrays import NO_DAY, Ints, day_number, day_numbers
from indicators.figures import FIGURE_COLUMNS, forecast_figures, summarise_figures, valid_on
from indicators.forecast import forecast
from indicators.overdue import overdue_cutoff
from indicators.quality import standing_flags
from indicators.summary import summarise
from indicators.types import Status
from rbm.frames.engine import (
    ENGINE_INDICATOR_COLUMNS,
    ENGINE_MEASUREMENT_COLUMNS,
    breakdown_frame,
    current_reported,
    flag_names,
    indicator_frame,
    measurement_frame,
    target_frame,
)
from rbm.frames.sql import columns_frame, epoch_days
from rbm.models import (
    Indicator,
    IndicatorFigure,
    Measurement,
    Project,
    ReportedEnd,
    ReportingPeriod,
    ResultNode,
)
from rbm.principal import Principal, visible_condition
from rbm.settings import get_settings

STATUS_COLUMNS = [s.value for s in Status]
_EPOCH = date(1970, 1, 1).toordinal()  # day numbers count from here


def assessment_days(session: Session, project_ids: Select[Any], as_of: date) -> pd.Series:
    """Per project with a reporting period ended by `as_of`: the end of the latest one, in days
    since 1970-01-01, the date its figures are judged at (so an annual project is not judged in
    November against values it can only report in January)."""
    df = columns_frame(
        session,
        select(ReportingPeriod.project_id, epoch_days(func.max(ReportingPeriod.end_date)))
        .where(ReportingPeriod.project_id.in_(project_ids), ReportingPeriod.end_date <= as_of)
        .group_by(ReportingPeriod.project_id),
        {"project_id": "int"},
    )
    return pd.Series(df.iloc[:, 1].to_numpy(dtype=np.int64), index=pd.Index(df["project_id"]))


# Above this many indicators to compute from their measurements, read the measurements of the
# projects instead of listing the indicators.
_LISTED = 2_000


@dataclass(frozen=True)
class EngineInputs:
    """What the engine needs for a set of projects on a day, read once (five statements): what
    `summary` and `forecast_misses` compute from."""

    as_of: date
    indicators: pd.DataFrame  # indicator_frame(..., with_figures=True)
    stored: pd.DataFrame  # the stored figures of the indicators that have them
    usable: pd.Series  # per indicator: do its stored figures answer at its assessment date?
    values: pd.DataFrame  # the measurements of the others
    targets: pd.DataFrame
    judged_on: Ints  # per indicator: its project's assessment date, in days since 1970-01-01


def engine_inputs(
    session: Session, *, principal: Principal, project_ids: Select[Any], as_of: date | None = None
) -> EngineInputs:
    """Each project's indicators with their stored figures, judged at the project's assessment
    date (see `assessment_days`); indicators whose figures do not answer at that date
    (`indicators.figures.valid_at`: none stored, or counting a later period) come with their
    measurements."""
    as_of = as_of or date.today()
    visible = select(Project.id).where(Project.id.in_(project_ids), visible_condition(principal))
    inds = indicator_frame(session, visible, with_figures=True)
    targets = target_frame(session, visible)
    project_day = assessment_days(session, visible, as_of)
    judged = inds["project_id"].map(project_day).to_numpy(dtype=np.float64, na_value=np.nan)
    # No period has ended yet: nothing could have been reported, so judge the project as it
    # stood before it started (the engine then says "not started").
    today = day_number(as_of)
    start = day_numbers(inds["start_date"])
    before_start = np.where((start != NO_DAY) & (start - 1 < today), start - 1, today)
    judged_on = np.where(np.isnan(judged), before_start, np.nan_to_num(judged)).astype(np.int64)
    has = inds["n_values"].notna()
    stored = inds.loc[has, FIGURE_COLUMNS].astype(
        {"n_values": "int64", "fit_n": "int64", "n_unpaired": "int64"}
    )
    usable = pd.Series(
        has.to_numpy() & valid_on(day_numbers(inds["latest_end"]), judged_on), index=inds.index
    )
    missing = inds.loc[~usable, "indicator_id"].tolist()
    values = (
        measurement_frame(session, visible)
        if len(missing) > _LISTED
        else measurement_frame(session, None, indicator_ids=missing)
    )
    if (~has).any():
        inds = _with_fresh_flags(session, inds, ~has.to_numpy(), values)
    return EngineInputs(
        as_of, inds, stored, usable, values[ENGINE_MEASUREMENT_COLUMNS], targets, judged_on
    )


def _with_fresh_flags(
    session: Session, inds: pd.DataFrame, unstored: Any, values: pd.DataFrame
) -> pd.DataFrame:
    """The stored flags of indicators without stored figures, computed from their values (so
    a missing row is never wrong, only slower)."""
    ids = inds.loc[unstored, "indicator_id"].tolist()
    mine = values[values["indicator_id"].isin(ids)]
    flags = standing_flags(
        inds.loc[unstored, ENGINE_INDICATOR_COLUMNS],
        mine[ENGINE_MEASUREMENT_COLUMNS],
        breakdowns=breakdown_frame(session, ids),
        validate=False,
    )
    names = flag_names(flags).set_index("indicator_id")["flags"]
    fresh = inds["indicator_id"].map(names)
    inds = inds.copy()
    inds["flags"] = inds["flags"].where(~unstored, fresh.fillna("")).fillna("")
    return inds


def summary(inputs: EngineInputs) -> pd.DataFrame:
    """The engine's per-indicator summary, joined to project and result node ids, the date its
    figures are judged at (`judged_at`, see `assessment_days`) and its stored data-quality
    flags (`flags`, comma-separated; overdue reports are counted apart). Indicators
    whose stored figures answer are summarised in one pass, each at its project's assessment
    date; the others from their measurements, once per distinct date. Both sources give the
    same figures. Rows come ordered by date, then source, then the indicators' order."""
    inds = inputs.indicators
    thresholds = get_settings().thresholds
    usable = inputs.usable.to_numpy(dtype=bool)
    day = inputs.judged_on
    parts, positions = [], []
    # The frames come from typed queries with the engine's dtypes: pandera checking of every
    # measurement row was the largest share of a page's time (bench/RESULTS.md).
    if usable.any():
        rows = np.flatnonzero(usable)
        chosen = inds.iloc[rows][ENGINE_INDICATOR_COLUMNS]
        parts.append(
            summarise_figures(
                chosen, inputs.stored, inputs.targets, as_of=day[rows], thresholds=thresholds
            )
        )
        positions.append(rows)
    others = np.flatnonzero(~usable)
    for on in np.unique(day[others]):
        rows = others[day[others] == on]
        parts.append(
            summarise(
                inds.iloc[rows][ENGINE_INDICATOR_COLUMNS],
                inputs.values,
                inputs.targets,
                as_of=date.fromordinal(_EPOCH + int(on)),
                thresholds=thresholds,
                validate=False,
            )
        )
        positions.append(rows)
    if not parts:
        result = summarise(
            inds[ENGINE_INDICATOR_COLUMNS], inputs.values, inputs.targets, as_of=inputs.as_of
        )
    else:
        result = pd.concat(parts, ignore_index=True)
        at = np.concatenate(positions)
        order = np.lexsort((at, usable[at], day[at]))
        if (order != np.arange(len(order))).any():
            result = result.take(order).reset_index(drop=True)
    judged = pd.DataFrame(
        {
            "indicator_id": inds["indicator_id"].to_numpy(),
            "project_id": inds["project_id"].to_numpy(),
            "result_node_id": inds["result_node_id"].to_numpy(),
            "judged_at": day.astype("datetime64[D]").astype("datetime64[ns]"),
            "flags": inds["flags"].fillna("").to_numpy() if "flags" in inds else "",
        }
    )
    return result.merge(judged, on="indicator_id")


def status_counts(result: pd.DataFrame) -> pd.DataFrame:
    """Per project: how many indicators are in each status (columns named by status) and how
    many stored data-quality flags its indicators carry (`quality_flags`)."""
    status = result["status"].fillna("qualitative")
    counts = result.groupby([result["project_id"], status]).size().unstack(fill_value=0)
    counts.columns.name = "status"
    counts = counts.reindex(columns=STATUS_COLUMNS, fill_value=0)
    flags = result["flags"].fillna("") if "flags" in result else pd.Series("", index=result.index)
    per_indicator = flags.str.count(",") + (flags != "").astype("int64")
    counts["quality_flags"] = (
        per_indicator.groupby(result["project_id"]).sum().reindex(counts.index, fill_value=0)
    )
    return counts


def forecast_misses(inputs: EngineInputs) -> pd.DataFrame:
    """Indicators whose least-squares forecast misses the end-of-project target (approved
    values only): indicator_id, project_id, forecast_value, target_value. Figures that answer
    at the assessment date answer on `inputs.as_of`, which is never earlier."""
    inds = inputs.indicators
    engine_inds = inds[ENGINE_INDICATOR_COLUMNS]
    usable = inputs.usable
    as_of = inputs.as_of
    result = forecast_figures(engine_inds[usable], inputs.stored, as_of=as_of)
    if not usable.all():
        others = forecast(engine_inds[~usable], inputs.values, as_of=as_of, validate=False)
        result = pd.concat([result, others], ignore_index=True)
    misses = result[result["likely_miss"].eq(True)]
    return misses.merge(inds[["indicator_id", "project_id"]], on="indicator_id")[
        ["indicator_id", "project_id", "forecast_value", "target_value"]
    ]


def overdue_reports(
    session: Session, *, principal: Principal, project_ids: Select[Any], as_of: date | None = None
) -> pd.DataFrame:
    """Per visible project among `project_ids`: its indicator-periods overdue by the one rule
    (`indicators.overdue`, with the grace of `RBM_OVERDUE_GRACE_DAYS`: ended before the cutoff,
    not locked, no submitted or approved value). Columns project_id, overdue.

    Aggregates in the database, whatever the portfolio size: per project, its periods ended
    before the cutoff times its indicators with stored figures, less their reports by the
    cutoff (the stored count `reported`, less the few reports after the cutoff, found through
    the end-date index of `reported_end`), less the unreported ones of locked periods; the
    indicators without stored figures are counted from their measurements."""
    cutoff = report_cutoff(as_of or date.today())
    visible = select(Project.id).where(Project.id.in_(project_ids), visible_condition(principal))
    ended = _per_project(
        session,
        select(ReportingPeriod.project_id, func.count(), func.count(ReportingPeriod.locked_at))
        .where(ReportingPeriod.project_id.in_(visible), ReportingPeriod.end_date < cutoff)
        .group_by(ReportingPeriod.project_id),
    )
    stored = _per_project(
        session,
        select(ResultNode.project_id, func.count(), func.sum(IndicatorFigure.reported))
        .join(Indicator, Indicator.result_node_id == ResultNode.id)
        .join(IndicatorFigure, IndicatorFigure.indicator_id == Indicator.id)
        .where(ResultNode.project_id.in_(visible))
        .group_by(ResultNode.project_id),
    )
    # The few reports after the cutoff, counted first through the end-date index: grouped in
    # that index's order (end date, indicator), the subquery reads the index's range alone and
    # stays a subquery on every database. Joined as a plain table, SQLite walked every
    # indicator's reported periods by the primary key instead (a million rows at L).
    recent = (
        select(ReportedEnd.indicator_id, func.count().label("reports"))
        .where(ReportedEnd.end_date >= cutoff)
        .group_by(ReportedEnd.end_date, ReportedEnd.indicator_id)
        .subquery("recent")
    )
    later = _per_project(
        session,
        select(ResultNode.project_id, func.sum(recent.c.reports))
        .select_from(recent)
        .join(Indicator, Indicator.id == recent.c.indicator_id)
        .join(IndicatorFigure, IndicatorFigure.indicator_id == Indicator.id)
        .join(ResultNode, ResultNode.id == Indicator.result_node_id)
        .where(ResultNode.project_id.in_(visible))
        .group_by(ResultNode.project_id),
    )
    expected = stored[0].mul(ended[0], fill_value=0).dropna()
    total = expected.sub(stored[1], fill_value=0).add(later[0], fill_value=0)
    total = total.add(_overdue_in_sql(session, visible, cutoff, stored=False), fill_value=0)
    if int(ended[1].sum()):
        total = total.sub(_overdue_in_sql(session, visible, cutoff, locked=True), fill_value=0)
    total = total.astype("int64")
    total = total[total > 0]
    return pd.DataFrame({"project_id": total.index.astype("int64"), "overdue": total.to_numpy()})


def report_cutoff(as_of: date) -> date:
    """Periods ending before this day are overdue on `as_of` if unreported: the one rule of
    `indicators.overdue` with the grace of `RBM_OVERDUE_GRACE_DAYS`."""
    return overdue_cutoff(as_of, grace_days=get_settings().overdue_grace_days)


def unreported() -> ColumnElement[bool]:
    """No current submitted or approved value for `Indicator` and `ReportingPeriod` (correlated
    on both): a correlated NOT EXISTS walks the (indicator, period, revision) unique index per
    indicator-period instead of building the set of every reported pair."""
    return ~(
        select(Measurement.id)
        .where(
            Measurement.indicator_id == Indicator.id,
            Measurement.reporting_period_id == ReportingPeriod.id,
            current_reported(),
        )
        .exists()
    )


def _per_project(session: Session, stmt: Select[*tuple[Any, ...]]) -> list[pd.Series]:
    """The aggregate columns of a statement grouped by project, each indexed by project id."""
    rows = session.execute(stmt).all()
    index = pd.Index([r[0] for r in rows], dtype="int64")
    width = len(stmt.selected_columns) - 1
    return [
        pd.Series([int(r[i + 1] or 0) for r in rows], index=index, dtype="int64")
        for i in range(width)
    ]


def _overdue_in_sql(
    session: Session,
    visible: Select[Any],
    cutoff: date,
    *,
    stored: bool = True,
    locked: bool = False,
) -> pd.Series:
    """Per project: indicator-periods ended before `cutoff` without a reported value, of its
    indicators with stored figures or (`stored=False`) without; of its locked periods, or
    (`locked=False`) of the others."""
    has_figures = (
        select(IndicatorFigure.indicator_id)
        .where(IndicatorFigure.indicator_id == Indicator.id)
        .exists()
    )
    # The indicators without stored figures are few or none: listed first, they lead the
    # join, where a NOT EXISTS would be tested once per indicator and period (0.3 s at L on
    # SQLite, for nothing).
    which = has_figures if stored else Indicator.id.in_(select(Indicator.id).where(~has_figures))
    lock = ReportingPeriod.locked_at
    stmt = (
        select(ResultNode.project_id, func.count())
        .select_from(Indicator)
        .join(ResultNode, ResultNode.id == Indicator.result_node_id)
        .join(ReportingPeriod, ReportingPeriod.project_id == ResultNode.project_id)
        .where(
            ResultNode.project_id.in_(visible),
            which,
            ReportingPeriod.end_date < cutoff,
            lock.is_not(None) if locked else lock.is_(None),
            unreported(),
        )
        .group_by(ResultNode.project_id)
    )
    return _per_project(session, stmt)[0]
