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
from sqlalchemy import Select, func, select
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
    flag_names,
    indicator_frame,
    measurement_frame,
    target_frame,
)
from rbm.frames.sql import columns_frame, epoch_days, frame
from rbm.models import (
    Indicator,
    IndicatorFigure,
    Measurement,
    Project,
    ReportingPeriod,
    ResultNode,
)
from rbm.models.enums import MeasurementStatus
from rbm.principal import Principal, visible_condition
from rbm.settings import get_settings

STATUS_COLUMNS = [s.value for s in Status]
_EPOCH = date(1970, 1, 1).toordinal()  # day numbers count from here


def assessment_dates(session: Session, project_ids: Select[Any], as_of: date) -> pd.Series:
    """Per project with a reporting period ended by `as_of`: the end of the latest one, the date
    its figures are judged at (so an annual project is not judged in November against values
    it can only report in January)."""
    days = assessment_days(session, project_ids, as_of)
    return pd.Series([date.fromordinal(_EPOCH + d) for d in days.tolist()], index=days.index)


def assessment_days(session: Session, project_ids: Select[Any], as_of: date) -> pd.Series:
    """`assessment_dates` in days since 1970-01-01."""
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
    """What the engine needs for a set of projects, read once (five statements)."""

    indicators: pd.DataFrame  # indicator_frame(..., with_figures=True)
    stored: pd.DataFrame  # the stored figures of the indicators that have them
    usable: pd.Series  # per indicator: do its stored figures answer at its assessment date?
    values: pd.DataFrame  # the measurements of the others
    targets: pd.DataFrame
    judged_on: Ints  # per indicator: its project's assessment date, in days since 1970-01-01


def engine_inputs(
    session: Session, *, principal: Principal, project_ids: Select[Any], as_of: date
) -> EngineInputs:
    """Each project's indicators with their stored figures, judged at the project's assessment
    date (see `assessment_dates`); indicators whose figures do not answer at that date
    (`indicators.figures.valid_at`: none stored, or counting a later period) come with their
    measurements."""
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
        inds, stored, usable, values[ENGINE_MEASUREMENT_COLUMNS], targets, judged_on
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


def summary_of(inputs: EngineInputs, *, as_of: date) -> pd.DataFrame:
    """The engine's per-indicator summary, joined to project and result node ids, the date its
    figures are judged at (`judged_at`, see `assessment_dates`) and its stored data-quality
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
            inds[ENGINE_INDICATOR_COLUMNS], inputs.values, inputs.targets, as_of=as_of
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


def summary(
    session: Session,
    *,
    principal: Principal,
    project_ids: Select[Any],
    as_of: date | None = None,
) -> pd.DataFrame:
    """`summary_of` the visible projects among `project_ids`."""
    as_of = as_of or date.today()
    inputs = engine_inputs(session, principal=principal, project_ids=project_ids, as_of=as_of)
    return summary_of(inputs, as_of=as_of)


def counts_of(result: pd.DataFrame) -> pd.DataFrame:
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


def status_counts(
    session: Session,
    *,
    principal: Principal,
    project_ids: Select[Any],
    as_of: date | None = None,
) -> pd.DataFrame:
    """Per project: how many indicators are in each status (columns named by status)."""
    return counts_of(summary(session, principal=principal, project_ids=project_ids, as_of=as_of))


def misses_of(inputs: EngineInputs, *, as_of: date) -> pd.DataFrame:
    """Indicators whose least-squares forecast misses the end-of-project target (approved
    values only): indicator_id, project_id, forecast_value, target_value. Figures that answer
    at the assessment date answer at `as_of`, which is never earlier."""
    inds = inputs.indicators
    engine_inds = inds[ENGINE_INDICATOR_COLUMNS]
    usable = inputs.usable
    result = forecast_figures(engine_inds[usable], inputs.stored, as_of=as_of)
    if not usable.all():
        others = forecast(engine_inds[~usable], inputs.values, as_of=as_of, validate=False)
        result = pd.concat([result, others], ignore_index=True)
    misses = result[result["likely_miss"].eq(True)]
    return misses.merge(inds[["indicator_id", "project_id"]], on="indicator_id")[
        ["indicator_id", "project_id", "forecast_value", "target_value"]
    ]


def forecast_misses(
    session: Session,
    *,
    principal: Principal,
    project_ids: Select[Any],
    as_of: date | None = None,
) -> pd.DataFrame:
    """`misses_of` the visible projects among `project_ids`."""
    as_of = as_of or date.today()
    inputs = engine_inputs(session, principal=principal, project_ids=project_ids, as_of=as_of)
    return misses_of(inputs, as_of=as_of)


def overdue_reports(
    session: Session,
    *,
    principal: Principal,
    project_ids: Select[Any],
    grace_days: int,
    as_of: date | None = None,
) -> pd.DataFrame:
    """Per project: indicator-periods overdue by the one rule (`indicators.overdue`: ended
    more than `grace_days` before `as_of`, not locked, no submitted or approved value).
    Columns project_id, overdue."""
    visible = select(Project.id).where(Project.id.in_(project_ids), visible_condition(principal))
    stored = columns_frame(
        session,
        select(
            Indicator.id.label("indicator_id"),
            ResultNode.project_id,
            IndicatorFigure.reported,
            IndicatorFigure.reported_ends,
        )
        .join(ResultNode, ResultNode.id == Indicator.result_node_id)
        .outerjoin(IndicatorFigure, IndicatorFigure.indicator_id == Indicator.id)
        .where(ResultNode.project_id.in_(visible)),
    )
    return overdue_of(session, stored, visible, as_of=as_of, grace_days=grace_days)


def overdue_of(
    session: Session,
    indicators: pd.DataFrame,
    visible: Select[Any],
    *,
    grace_days: int,
    as_of: date | None = None,
) -> pd.DataFrame:
    """`overdue_reports` for these indicators (indicator_id, project_id and the stored
    `reported` and `reported_ends`, null where no figures are stored) of the `visible` projects.

    Per indicator: the project's periods ended before the cutoff, less those holding a reported
    value, read from the stored figures (`reported`, and the newest end dates, so only the few
    periods ended after the cutoff are looked at); indicators without stored figures, or with
    more recent reports than the stored dates show, are counted in SQL. Locked periods are
    taken out afterwards (one aggregate, only when some ended period is locked)."""
    cutoff = overdue_cutoff(as_of or date.today(), grace_days=grace_days)
    ended_rows = frame(
        session,
        select(
            ReportingPeriod.project_id,
            func.count().label("ended"),
            func.count(ReportingPeriod.locked_at).label("locked"),
        )
        .where(ReportingPeriod.project_id.in_(visible), ReportingPeriod.end_date < cutoff)
        .group_by(ReportingPeriod.project_id),
    ).set_index("project_id")
    ended = ended_rows["ended"]
    reported_or_nan = indicators["reported"].to_numpy(dtype=np.float64, na_value=np.nan)
    has = ~np.isnan(reported_or_nan)
    ids = indicators["indicator_id"].to_numpy()
    projects = indicators["project_id"].to_numpy()[has]
    later, kept = _count_after(indicators["reported_ends"].to_numpy()[has].tolist(), cutoff)
    # Only the newest few end dates are stored: when every one of them is after the cutoff and
    # there are more, the indicator is counted in SQL.
    reported = reported_or_nan[has].astype(np.int64)
    exact = (later < kept) | (kept == reported)
    reported_by_cutoff = reported[exact] - later[exact]
    expected = pd.Series(projects[exact]).map(ended).fillna(0).to_numpy(dtype="int64")
    per_project = (
        pd.Series(expected - reported_by_cutoff, index=projects[exact]).groupby(level=0).sum()
    )
    missing = [*ids[~has].tolist(), *ids[has][~exact].tolist()]
    unstored = _overdue_in_sql(session, missing, cutoff) if missing else pd.Series(dtype="int64")
    total = per_project.add(unstored, fill_value=0)
    if len(ended_rows) and int(ended_rows["locked"].sum()):
        locked_ids = [*ids[has][exact].tolist()]
        total = total.sub(_unreported_locked(session, locked_ids, cutoff), fill_value=0)
    total = total.astype("int64")
    total = total[total > 0]
    return pd.DataFrame({"project_id": total.index.astype("int64"), "overdue": total.to_numpy()})


def _unreported_locked(session: Session, indicator_ids: list[int], cutoff: date) -> pd.Series:
    """Per project: locked indicator-periods ended before `cutoff` without a reported value
    (counted by the stored arithmetic, but not overdue: locking closed their reporting)."""
    if not indicator_ids:
        return pd.Series(dtype="int64")
    return _overdue_in_sql(session, indicator_ids, cutoff, locked=True)


def _count_after(ends: list[str], cutoff: date) -> tuple[Ints, Ints]:
    """Per comma-separated list of ISO dates, newest first: how many come on or after `cutoff`
    (the leading ones), and how many the list holds. Read as fixed-width bytes, each date position
    of every list at once as a YYYYMMDD number."""
    text = np.array(ends, dtype=np.bytes_)
    held = (np.strings.str_len(text).astype(np.int64) + 1) // 11
    later = np.zeros(len(text), dtype=np.int64)
    width = text.dtype.itemsize
    if not len(text) or width < 10:
        return later, held
    digits = text.view(np.uint8).reshape(len(text), width).astype(np.int64) - ord("0")
    wanted = cutoff.year * 10_000 + cutoff.month * 100 + cutoff.day
    still = np.ones(len(text), dtype=bool)
    for position in range(min(int(held.max()), (width + 1) // 11)):
        d = digits[:, position * 11 : position * 11 + 10]
        day = (d[:, 0] * 1000 + d[:, 1] * 100 + d[:, 2] * 10 + d[:, 3]) * 10_000
        day += (d[:, 5] * 10 + d[:, 6]) * 100 + d[:, 8] * 10 + d[:, 9]
        still &= (held > position) & (day >= wanted)
        later += still
    return later, held


def _overdue_in_sql(
    session: Session, indicator_ids: list[int], cutoff: date, *, locked: bool = False
) -> pd.Series:
    """Overdue indicator-periods per project for indicators without stored figures (with
    `locked`: the unreported ones of locked periods instead)."""
    # A correlated NOT EXISTS walks the (indicator, period, revision) unique index per
    # indicator-period instead of building the set of every reported pair.
    reported = (
        select(Measurement.id)
        .where(
            Measurement.indicator_id == Indicator.id,
            Measurement.reporting_period_id == ReportingPeriod.id,
            Measurement.is_current,
            Measurement.status.in_([MeasurementStatus.SUBMITTED, MeasurementStatus.APPROVED]),
        )
        .exists()
    )
    stmt = (
        select(ResultNode.project_id, func.count().label("overdue"))
        .select_from(Indicator)
        .join(ResultNode, ResultNode.id == Indicator.result_node_id)
        .join(ReportingPeriod, ReportingPeriod.project_id == ResultNode.project_id)
        .where(
            Indicator.id.in_(indicator_ids),
            ReportingPeriod.end_date < cutoff,
            ReportingPeriod.locked_at.is_not(None)
            if locked
            else ReportingPeriod.locked_at.is_(None),
            ~reported,
        )
        .group_by(ResultNode.project_id)
    )
    rows = frame(session, stmt)
    return pd.Series(rows["overdue"].to_numpy(), index=rows["project_id"].to_numpy(), dtype="int64")
