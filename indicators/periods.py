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

    Vectorised detection first (:func:`with_overlaps`); only the indicators with an overlap go
    through :func:`finest_periods`, each over its own rows.
    """
    out = np.zeros(len(code), dtype=bool)
    if len(code) < 2:
        return out
    clashing = with_overlaps(code, start, end)
    if not len(clashing):
        return out
    rows = np.flatnonzero(np.isin(code, clashing))
    rows = rows[np.argsort(code[rows], kind="stable")]  # each such indicator's rows together
    for group in np.split(rows, np.flatnonzero(np.diff(code[rows])) + 1):
        periods = list(zip(start[group].tolist(), end[group].tolist(), strict=True))
        kept = finest_periods(periods)
        out[group] = [p not in kept for p in periods]
    return out


def with_overlaps(code: Ints, start: Ints, end: Ints) -> Ints:
    """The indicators (codes, ascending) among whose periods two overlap.

    Over the periods sorted by indicator, start and end, a period overlaps an earlier one of its
    indicator when it starts before the latest end so far; a repeat of the period just before
    it does not (identical periods never overlap).
    """
    c, s, e, span = sorted_periods(code, start, end)
    # Each indicator's days in a band of its own (indicator x span + day): one running maximum
    # then gives, per row, the latest end so far of its indicator, and a start can only fall
    # below it within the same indicator's band.
    band = c * span
    latest_end = np.maximum.accumulate(band + e)
    overlapping = (band[1:] + s[1:] < latest_end[:-1]) & ((s[1:] != s[:-1]) | (e[1:] != e[:-1]))
    return np.unique(c[1:][overlapping])


def sorted_periods(code: Ints, start: Ints, end: Ints) -> tuple[Ints, Ints, Ints, int]:
    """The (indicator, start, end) triples sorted, with start and end counted in days from the
    earliest of them, and ``span``, the number of days from the earliest to the latest.

    One sort of a combined integer key where the three fit in an int64 together (sorting one
    column is several times cheaper than ``np.lexsort`` of three and the gathers after it),
    else ``np.lexsort``.
    """
    low = min(int(start.min()), int(end.min()))
    span = max(int(start.max()), int(end.max())) - low + 1
    if int(code.min()) >= 0 and (int(code.max()) + 1) * span * span < 2**62:
        # (code x span + start) x span + end, built in place; read back by floor division,
        # which numpy does several times faster than divmod.
        key = code * span
        key += start - low
        key *= span
        key += end - low
        key.sort()
        indicator_and_start = key // span
        c = indicator_and_start // span
        return c, indicator_and_start - c * span, key - indicator_and_start * span, span
    order = np.lexsort((end, start, code))
    return code[order], start[order] - low, end[order] - low, span
