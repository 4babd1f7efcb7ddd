"""Expected progress for all indicators at one date (vectorised
:func:`indicators.scalar.expected_progress`).

With period targets, incremental counts expect the sum of the targets of periods already ended
plus a pro-rata share of the current one, and after the last milestone the rest of the
life-of-project target, spread evenly to the project end; other indicators read period
targets as levels expected at period ends and interpolate linearly between them, framed by
the baseline (before the first milestone) and the end-of-project target (after the last).
Without period targets the plan is a straight line from the later of the baseline date and
the project start to the end-of-project target.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from indicators._definitions import Definitions
from indicators.arrays import (
    Bools,
    Days,
    Floats,
    Ints,
    at_rows,
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


def expected_progress(defs: Definitions, targets: pd.DataFrame, *, as_of: Days) -> Floats:
    """Expected progress per indicator; NaN where baseline or target is missing or equal.
    ``as_of``: one day number, or one per indicator."""
    code = codes_of(targets["indicator_id"], defs.index)
    known = code >= 0
    code, value = code[known], floats(targets["value"])[known]
    start = day_numbers(targets["period_start"])[known]
    end = day_numbers(targets["period_end"])[known]
    span = defs.target - defs.baseline
    straight = elapsed(defs.anchor, defs.end, as_of)
    gained = group_sum(code, value * elapsed(start, end, at_rows(as_of, code)), defs.size)
    # Incremental counts reach the life-of-project target at the project end: what the
    # milestones leave of it is spread evenly from the last milestone to the project end.
    rest = np.maximum(0.0, defs.target - group_sum(code, value, defs.size))
    last = group_max(code, end, defs.size)
    gained = gained + np.nan_to_num(rest) * elapsed(last, defs.end, as_of)
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


def _points(defs: Definitions, code: Ints, end: Ints, value: Floats) -> tuple[Ints, Ints, Floats]:
    """Milestones averaged per date, plus the baseline and end-of-project framing points.

    Returned as (code, day, value) arrays sorted by indicator, then date.
    """
    size = defs.size
    order = np.lexsort((end, code))
    code, end, value = code[order], end[order], value[order]
    if len(code):
        fresh = np.ones(len(code), dtype=bool)
        fresh[1:] = (code[1:] != code[:-1]) | (end[1:] != end[:-1])
        starts = np.flatnonzero(fresh)
        counts = np.diff(np.append(starts, len(code)))
        value = np.add.reduceat(value, starts) / counts
        code, end = code[starts], end[starts]
    has = group_count(code, size) > 0
    first = group_min(code, end, size, empty=defs.end)
    last = group_max(code, end, size)
    with_anchor = np.flatnonzero(has & (defs.anchor < first))
    with_end = np.flatnonzero(has & (defs.end > last) & ~np.isnan(defs.target))
    all_code = np.concatenate([code, with_anchor, with_end])
    all_day = np.concatenate([end, defs.anchor[with_anchor], defs.end[with_end]])
    all_value = np.concatenate([value, defs.baseline[with_anchor], defs.target[with_end]])
    order = np.lexsort((all_day, all_code))
    return all_code[order], all_day[order], all_value[order]


def _interpolated_levels(
    defs: Definitions, code: Ints, end: Ints, value: Floats, *, as_of: Days
) -> Floats:
    p_code, p_day, p_value = _points(defs, code, end, value)
    early = p_day <= at_rows(as_of, p_code)
    d0, v0, has0 = _aligned(p_code[early], p_day[early], p_value[early], defs.size, last=True)
    late = ~early
    d1, v1, has1 = _aligned(p_code[late], p_day[late], p_value[late], defs.size, last=False)
    between = v0 + (v1 - v0) * ratio((as_of - d0).astype(np.float64), (d1 - d0).astype(np.float64))
    return np.where(has0 & has1, between, np.where(has0, v0, v1))


def _aligned(
    code: Ints, day: Ints, value: Floats, size: int, *, last: bool
) -> tuple[Ints, Floats, Bools]:
    """Per indicator, the last (or first) of its points, given points sorted by code and day."""
    if last:
        pick = np.ones(len(code), dtype=bool)
        pick[:-1] = code[:-1] != code[1:]
    else:
        pick = np.ones(len(code), dtype=bool)
        pick[1:] = code[1:] != code[:-1]
    positions = code[pick]
    out_day = np.zeros(size, dtype=np.int64)
    out_value = np.full(size, np.nan)
    out_day[positions] = day[pick]
    out_value[positions] = value[pick]
    has = np.zeros(size, dtype=bool)
    has[positions] = True
    return out_day, out_value, has
