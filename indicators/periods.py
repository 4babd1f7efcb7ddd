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
import pandas as pd

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

    Vectorised detection first (:func:`possibly_overlapping`); only the indicators it names go
    through :func:`finest_periods`, each over its own rows.
    """
    out = np.zeros(len(code), dtype=bool)
    if len(code) < 2:
        return out
    clashing = possibly_overlapping(code, start, end)
    if not len(clashing):
        return out
    rows = np.flatnonzero(np.isin(code, clashing))
    rows = rows[np.argsort(code[rows], kind="stable")]  # each such indicator's rows together
    for group in np.split(rows, np.flatnonzero(np.diff(code[rows])) + 1):
        periods = list(zip(start[group].tolist(), end[group].tolist(), strict=True))
        kept = finest_periods(periods)
        out[group] = [p not in kept for p in periods]
    return out


def possibly_overlapping(code: Ints, start: Ints, end: Ints) -> Ints:
    """The indicators (codes, ascending) that may have two overlapping periods; every
    indicator that has them is among these, and :func:`set_aside` judges each exactly.

    Over the periods sorted by indicator, start and end: where each period of an indicator
    starts no earlier than the one before it ends, its ends rise with its starts, so no period
    reaches past a later one's start and none overlap. An indicator is named when one of its
    periods starts before the one before it ends (a repeat of that same period aside: identical
    periods never overlap), or when one of its periods ends before it starts.

    Only the rows :func:`may_overlap` keeps are sorted: in most portfolios no two of all the
    periods reported overlap, and then nothing is.
    """
    rows = may_overlap(start, end)
    if rows is not None:
        if not len(rows):
            return rows
        code, start, end = code[rows], start[rows], end[rows]
    c, s, e = sorted_periods(code, start, end)
    same = c[1:] == c[:-1]
    repeat = same & (s[1:] == s[:-1]) & (e[1:] == e[:-1])
    early = same & (s[1:] < e[:-1]) & ~repeat
    return np.unique(np.concatenate([c[1:][early], c[e < s]]))


def sorted_periods(code: Ints, start: Ints, end: Ints) -> tuple[Ints, Ints, Ints]:
    """The (indicator, start, end) triples, sorted.

    One sort of a combined integer key where the three fit in an int64 together (sorting one
    column is several times cheaper than ``np.lexsort`` of three and the gathers after it),
    else ``np.lexsort``.
    """
    low = min(int(start.min()), int(end.min()))
    span = max(int(start.max()), int(end.max())) - low + 1
    if int(code.min()) >= 0 and (int(code.max()) + 1) * span * span < 2**62:
        # (code x span + start - low) x span + end - low, built in place; read back by floor
        # division, which numpy does several times faster than divmod.
        key = code * span
        key += start - low
        key *= span
        key += end - low
        key.sort()
        indicator_and_start = key // span
        c = indicator_and_start // span
        s = indicator_and_start - c * span + low
        e = key - indicator_and_start * span + low
        return c, s, e
    order = np.lexsort((end, start, code))
    return code[order], start[order], end[order]


# Up to this many distinct periods, which of them overlap is decided pair by pair (a square
# table of booleans, 4 MB at the limit).
_PAIRWISE_PERIODS = 2_000


def may_overlap(start: Ints, end: Ints) -> Ints | None:
    """The rows whose period overlaps some other period among all the rows, of any indicator,
    or ends before it starts; None when the periods are too many or too wide to tell cheaply.

    A period that overlaps no other period reported anywhere cannot overlap one of its own
    indicator's. Periods are few across a portfolio (months, quarters, half-years, years), so
    they are told apart once (:func:`distinct_periods`) and compared pair by pair.
    """
    found = distinct_periods(start, end)
    if found is None or len(found[1]) > _PAIRWISE_PERIODS:
        return None
    which, s, e = found[0], found[1], found[2]
    overlapping = (s[:, None] < e[None, :]) & (s[None, :] < e[:, None])
    np.fill_diagonal(overlapping, False)  # distinct periods: only a period is identical to itself
    involved = overlapping.any(axis=1) | (e < s)
    return np.flatnonzero(involved[which])


def distinct_periods(start: Ints, end: Ints) -> tuple[Ints, Ints, Ints] | None:
    """Per row, the position of its period among the distinct periods, and their starts and
    ends; None when the periods are too wide for one integer key (start and end together)."""
    if not len(start):
        return None
    low = min(int(start.min()), int(end.min()))
    span = max(int(start.max()), int(end.max())) - low + 1
    if span * span >= 2**62:
        return None
    which, keys = pd.factorize((start - low) * span + (end - low))
    return np.asarray(which, dtype=np.int64), keys // span + low, keys % span + low
