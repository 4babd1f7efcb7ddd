"""Overlapping reporting periods: which values count and which are a cross-check.

Imported portfolios often report one indicator over periods that overlap: four quarterly
values and an annual value over the same year, or half-years next to quarters. Adding all of
them would count the same results twice. The rule: **the finest periods count**. Periods are
taken from the shortest to the longest (ties: the earlier start first); a period is kept unless
it overlaps one already kept. A value whose period is not kept is *set aside*: it counts in no
figure, and ``quality_flags`` reports it as ``overlapping_period`` (a cross-check of the finer
values, not an addition to them).

Two periods overlap when they share more than a boundary day: ``a.start < b.end and
b.start < a.end``. Identical periods do not overlap (several values for one period are
``duplicate_period``), and neither do quarters that share only their boundary day.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from indicators.arrays import Bools, Ints

Period = tuple[int, int]  # (start, end) as day numbers (or any ordered numbers)


def overlaps(a: Period, b: Period) -> bool:
    """Do two distinct periods share more than a boundary day?"""
    return a != b and a[0] < b[1] and b[0] < a[1]


def finest_periods(periods: Iterable[Period]) -> set[Period]:
    """The periods that count: shortest first, each kept unless it overlaps a kept one."""
    kept: list[Period] = []
    for period in sorted(set(periods), key=lambda p: (p[1] - p[0], p[0], p[1])):
        if not any(overlaps(period, k) for k in kept):
            kept.append(period)
    return set(kept)


def set_aside(code: Ints, start: Ints, end: Ints) -> Bools:
    """Per row (indicator ``code``, period ``start`` to ``end``): is its period set aside by
    :func:`finest_periods` among the periods of its indicator's rows?

    Vectorised detection first (rows sorted by indicator and period: a period overlaps an
    earlier one when it starts before the latest end so far); only the indicators with an
    overlap go through :func:`finest_periods`, each over its own rows, which the sort has put
    side by side.
    """
    out = np.zeros(len(code), dtype=bool)
    if len(code) < 2:
        return out
    order = by_indicator_and_period(code, start, end)
    c, s, e = code[order], start[order], end[order]
    distinct = np.ones(len(c), dtype=bool)
    distinct[1:] = (c[1:] != c[:-1]) | (s[1:] != s[:-1]) | (e[1:] != e[:-1])
    dc, ds, de = c[distinct], s[distinct], e[distinct]
    low = int(de.min())
    span = int(de.max()) - low + 1
    running = np.maximum.accumulate(dc * span + (de - low))
    before = np.concatenate([[-1], running[:-1]])
    same = (before >= 0) & (before // span == dc)
    clash = same & (ds < before % span + low)
    if not clash.any():
        return out
    rows = order[np.isin(c, dc[clash])]  # the clashing indicators' rows, one run each
    for group in np.split(rows, np.flatnonzero(np.diff(code[rows])) + 1):
        periods = list(zip(start[group].tolist(), end[group].tolist(), strict=True))
        kept = finest_periods(periods)
        out[group] = [p not in kept for p in periods]
    return out


def by_indicator_and_period(code: Ints, start: Ints, end: Ints) -> Ints:
    """The row order by indicator, then period start, then end. One sort of a combined integer
    key, where the three fit in an int64 together (a sort of one column is several times
    cheaper than ``np.lexsort`` of three), else ``np.lexsort``."""
    start_low, end_low = int(start.min()), int(end.min())
    start_span = int(start.max()) - start_low + 1
    end_span = int(end.max()) - end_low + 1
    if int(code.min()) >= 0 and (int(code.max()) + 1) * start_span * end_span < 2**62:
        key = (code * start_span + (start - start_low)) * end_span + (end - end_low)
        return np.argsort(key)
    return np.lexsort((end, start, code))
