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

    Vectorised detection first (the distinct periods sorted by indicator and start: a period
    overlaps an earlier one of its indicator when it starts before the latest end so far);
    only the indicators with an overlap go through :func:`finest_periods`, each over its own
    rows.
    """
    out = np.zeros(len(code), dtype=bool)
    if len(code) < 2:
        return out
    c, s, e = distinct_periods(code, start, end)
    low = int(e.min())
    span = int(e.max()) - low + 1
    running = np.maximum.accumulate(c * span + (e - low))  # latest end so far, per indicator
    before = np.concatenate([[-1], running[:-1]])
    same = before >= c * span  # the latest end so far is one of this indicator's
    clash = same & (s - low < before - c * span)
    if not clash.any():
        return out
    rows = np.flatnonzero(np.isin(code, c[clash]))
    rows = rows[np.argsort(code[rows], kind="stable")]  # each such indicator's rows together
    for group in np.split(rows, np.flatnonzero(np.diff(code[rows])) + 1):
        periods = list(zip(start[group].tolist(), end[group].tolist(), strict=True))
        kept = finest_periods(periods)
        out[group] = [p not in kept for p in periods]
    return out


def distinct_periods(code: Ints, start: Ints, end: Ints) -> tuple[Ints, Ints, Ints]:
    """The distinct (indicator, start, end) triples, sorted. One sort of a combined integer key
    where the three fit in an int64 together (sorting one column is several times cheaper than
    ``np.lexsort`` of three and the gathers after it), else ``np.lexsort``."""
    start_low, end_low = int(start.min()), int(end.min())
    start_span = int(start.max()) - start_low + 1
    end_span = int(end.max()) - end_low + 1
    if int(code.min()) >= 0 and (int(code.max()) + 1) * start_span * end_span < 2**62:
        key = np.sort((code * start_span + (start - start_low)) * end_span + (end - end_low))
        key = key[np.concatenate([[True], key[1:] != key[:-1]])]
        indicator_and_start, end_offset = np.divmod(key, end_span)
        c, start_offset = np.divmod(indicator_and_start, start_span)
        return c, start_offset + start_low, end_offset + end_low
    order = np.lexsort((end, start, code))
    c, s, e = code[order], start[order], end[order]
    distinct = np.ones(len(c), dtype=bool)
    distinct[1:] = (c[1:] != c[:-1]) | (s[1:] != s[:-1]) | (e[1:] != e[:-1])
    return c[distinct], s[distinct], e[distinct]
