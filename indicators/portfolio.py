"""Portfolio aggregation of one library indicator across projects (vectorised).

The rules are stated in :mod:`indicators.rollup`; the scalar helpers there
(:func:`~indicators.rollup.pooled_percentage`, :func:`~indicators.rollup.level_distribution`...)
are what each group's figures must equal.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from indicators.types import Accumulation, Measure


class Aggregation(StrEnum):
    """How values of one library indicator combine across projects."""

    SUM = "sum"  # incremental or cumulative counts
    POOLED_RATE = "pooled_rate"  # percentages: sum(num) / sum(den)
    DISTRIBUTION = "distribution"  # levels: median, min, max, count
    SHARE_YES = "share_yes"  # yes/no
    SCORE_COUNTS = "score_counts"  # ordinal: how many at each score
    COUNT = "count"  # qualitative: how many reported


def aggregation(measure: str, accumulation: str) -> Aggregation:
    if measure == Measure.NUMBER:
        level = accumulation == Accumulation.LEVEL
        return Aggregation.DISTRIBUTION if level else Aggregation.SUM
    return {
        Measure.PERCENTAGE.value: Aggregation.POOLED_RATE,
        Measure.YES_NO.value: Aggregation.SHARE_YES,
        Measure.ORDINAL.value: Aggregation.SCORE_COUNTS,
    }.get(measure, Aggregation.COUNT)


class LibraryValuesFrame(pa.DataFrameModel):
    """To-date values of project indicators linked to library indicators.

    ``country`` null marks a project-wide total; a value marks that country's share.
    """

    library_indicator_id: Series[int]
    unit: Series[str] = pa.Field(nullable=True)
    project_id: Series[int]
    country: Series[str] | None = pa.Field(nullable=True)
    measure: Series[str] = pa.Field(isin=[m.value for m in Measure])
    accumulation: Series[str] = pa.Field(isin=[a.value for a in Accumulation])
    to_date: Series[float] = pa.Field(nullable=True)
    to_date_numerator: Series[float] = pa.Field(nullable=True)
    to_date_denominator: Series[float] = pa.Field(nullable=True)

    class Config:
        coerce = True


def one_view_per_project(values: pd.DataFrame, *, by_country: bool) -> pd.DataFrame:
    """Keep either a project's project-wide rows or its per-country rows, never both.

    Portfolio totals prefer the project-wide row; the per-country view prefers the country rows
    and shows projects without a breakdown under country = null.
    """
    wide = values["country"].isna()
    groups = [values["library_indicator_id"], values["unit"], values["project_id"]]
    has_wide = wide.groupby(groups, dropna=False).transform("any")
    has_split = (~wide).groupby(groups, dropna=False).transform("any")
    keep = (~wide | ~has_split) if by_country else (wide | ~has_wide)
    return values[keep.to_numpy(dtype=bool)]


def _prepared(values: pd.DataFrame, *, by_country: bool) -> pd.DataFrame:
    if "country" not in values.columns:
        values = values.assign(country=None)
    values = LibraryValuesFrame.validate(values)
    values = one_view_per_project(values, by_country=by_country)
    kind = [
        aggregation(m, a).value
        for m, a in zip(values["measure"], values["accumulation"], strict=True)
    ]
    pct = values["measure"].to_numpy() == Measure.PERCENTAGE.value
    has_rate = values["to_date_numerator"].notna() & values["to_date_denominator"].notna()
    reported = np.where(pct, has_rate, values["to_date"].notna())
    return values.assign(
        kind=kind,
        reported=reported,
        value=values["to_date"].where(reported),
        numerator=values["to_date_numerator"].where(reported & pct, 0.0),
        denominator=values["to_date_denominator"].where(reported & pct, 0.0),
        yes=(values["to_date"] == 1) & reported,
        score=values["to_date"].where(reported & (np.asarray(kind) == Aggregation.SCORE_COUNTS)),
    )


def _score_counts(scores: pd.Series) -> dict[int, int] | None:
    """Counts per ordinal score in one group (None when the group has no scores)."""
    present = scores.dropna().astype(int)
    counts = present.value_counts().sort_index()
    return dict(zip(counts.index.tolist(), counts.tolist(), strict=True)) or None


_FIGURES: dict[str, tuple[Aggregation, ...]] = {
    "total": (Aggregation.SUM,),
    "numerator": (Aggregation.POOLED_RATE,),
    "denominator": (Aggregation.POOLED_RATE,),
    "percentage": (Aggregation.POOLED_RATE,),
    "share_yes": (Aggregation.SHARE_YES,),
    "median": (Aggregation.DISTRIBUTION, Aggregation.SCORE_COUNTS),
    "min": (Aggregation.DISTRIBUTION, Aggregation.SCORE_COUNTS),
    "max": (Aggregation.DISTRIBUTION, Aggregation.SCORE_COUNTS),
}


def rollup_library(values: pd.DataFrame, *, by_country: bool = False) -> pd.DataFrame:
    """Aggregate to-date values per library indicator and unit (and country if ``by_country``).

    ``values`` follows :class:`LibraryValuesFrame`. Returns one row per group with
    library_indicator_id, unit, [country], aggregation, n_projects, count (rows reporting),
    total, numerator, denominator, percentage, share_yes, median, min, max, distribution
    (ordinal: {score: count}) and refused_reason. Figures that do not apply to the group's
    aggregation are NaN; a group mixing aggregations is refused with all figures NaN.
    """
    frame = _prepared(values, by_country=by_country)
    keys = ["library_indicator_id", "unit", *(["country"] if by_country else [])]
    grouped = frame.groupby(keys, dropna=False, sort=True)
    out = grouped.agg(
        n_projects=("project_id", "nunique"),
        count=("reported", "sum"),
        total=("value", "sum"),
        numerator=("numerator", "sum"),
        denominator=("denominator", "sum"),
        median=("value", "median"),
        min=("value", "min"),
        max=("value", "max"),
        yes=("yes", "sum"),
    )
    kinds = grouped["kind"].agg(lambda k: ", ".join(sorted(set(k))))
    counts = out["count"].to_numpy(dtype=np.float64)
    denominator = out["denominator"].to_numpy(dtype=np.float64)
    safe = np.where(denominator == 0, np.nan, denominator)
    out["percentage"] = out["numerator"].to_numpy(dtype=np.float64) / safe * 100.0
    out["share_yes"] = out["yes"].to_numpy(dtype=np.float64) / np.where(counts == 0, np.nan, counts)
    out["aggregation"] = kinds.where(~kinds.str.contains(","), None)
    out["refused_reason"] = ("mixed aggregations: " + kinds).where(kinds.str.contains(","), None)
    for column, applies in _FIGURES.items():
        fits = out["aggregation"].isin([a.value for a in applies]) & (counts > 0)
        out[column] = out[column].where(fits)
    out["distribution"] = grouped["score"].agg(_score_counts)
    columns = ["aggregation", "n_projects", "count", *_FIGURES, "distribution", "refused_reason"]
    return out[columns].reset_index()
