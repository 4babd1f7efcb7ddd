"""Expected progress for all indicators at one date (vectorised
:func:`indicators.scalar.expected_progress`).

With period targets, incremental counts expect the sum of the targets of periods already ended
plus a pro-rata share of the current one; other indicators read period targets as levels
expected at period ends and interpolate linearly between them, framed by the baseline (before
the first milestone) and the end-of-project target (after the last). Without period targets the
plan is a straight line from the baseline date (or project start) to the end-of-project target.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from indicators._definitions import Definitions
from indicators._frames import (
    Bools,
    Floats,
    Ints,
    codes_of,
    day_numbers,
    elapsed,
    floats,
    group_count,
    group_max,
    group_min,
    group_sum,
    ratio,
)


def expected_progress(defs: Definitions, targets: pd.DataFrame, *, as_of: int) -> Floats:
    """Expected progress per indicator; NaN where baseline or target is missing or equal."""
    code = codes_of(targets["indicator_id"], defs.index)
    known = code >= 0
    code, value = code[known], floats(targets["value"])[known]
    start = day_numbers(targets["period_start"])[known]
    end = day_numbers(targets["period_end"])[known]
    span = defs.target - defs.baseline
    straight = elapsed(defs.anchor, defs.end, as_of)
    gained = group_sum(code, value * elapsed(start, end, as_of), defs.size)
    levels = _interpolated_levels(defs, code, end, value, as_of=as_of)
    planned = np.where(defs.additive, ratio(gained, span), ratio(levels - defs.baseline, span))
    has_targets = group_count(code, defs.size) > 0
    result = np.where(has_targets, planned, straight)
    return np.where(np.isnan(span) | (span == 0), np.nan, result)


def first_due(defs: Definitions, targets: pd.DataFrame) -> Ints:
    """End of the first target period, else the project start."""
    code = codes_of(targets["indicator_id"], defs.index)
    known = code >= 0
    end = day_numbers(targets["period_end"])[known]
    return group_min(code[known], end, defs.size, empty=defs.start)


def _points(defs: Definitions, code: Ints, end: Ints, value: Floats) -> pd.DataFrame:
    """Milestones averaged per date, plus the baseline and end-of-project framing points."""
    raw = pd.DataFrame({"code": code, "day": end, "value": value})
    milestones = raw.groupby(["code", "day"], sort=False)["value"].mean().reset_index()
    size = defs.size
    has = group_count(code, size) > 0
    first = group_min(code, end, size, empty=defs.end)
    last = group_max(code, end, size)
    with_anchor = np.flatnonzero(has & (defs.anchor < first))
    with_end = np.flatnonzero(has & (defs.end > last) & ~np.isnan(defs.target))
    framing = pd.DataFrame(
        {
            "code": np.concatenate([with_anchor, with_end]),
            "day": np.concatenate([defs.anchor[with_anchor], defs.end[with_end]]),
            "value": np.concatenate([defs.baseline[with_anchor], defs.target[with_end]]),
        }
    )
    parts: list[pd.DataFrame] = [milestones, framing]
    return pd.concat(parts, ignore_index=True).sort_values(["code", "day"])


def _interpolated_levels(
    defs: Definitions, code: Ints, end: Ints, value: Floats, *, as_of: int
) -> Floats:
    points = _points(defs, code, end, value)
    before = points[points["day"].to_numpy() <= as_of].groupby("code").last()
    after = points[points["day"].to_numpy() > as_of].groupby("code").first()
    d0, v0, has0 = _aligned(before, defs.size)
    d1, v1, has1 = _aligned(after, defs.size)
    between = v0 + (v1 - v0) * ratio((as_of - d0).astype(np.float64), (d1 - d0).astype(np.float64))
    return np.where(has0 & has1, between, np.where(has0, v0, v1))


def _aligned(frame: pd.DataFrame, size: int) -> tuple[Ints, Floats, Bools]:
    day = np.zeros(size, dtype=np.int64)
    value = np.full(size, np.nan)
    positions = frame.index.to_numpy(dtype=np.int64)
    day[positions] = frame["day"].to_numpy(dtype=np.int64)
    value[positions] = frame["value"].to_numpy(dtype=np.float64)
    has = np.zeros(size, dtype=bool)
    has[positions] = True
    return day, value, has
