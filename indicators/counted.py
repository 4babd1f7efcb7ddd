"""The measurement rows that count, as parallel arrays: the first step of the vectorised
engine (:mod:`indicators.summary`, :mod:`indicators.figures`, :mod:`indicators.forecast`).

A row counts when its indicator is known, its workflow status counts, its period has ended by
the day asked for, and it carries a value (a percentage its numerator and denominator, a
qualitative value its narrative). With pending values counting, only the rows of the highest
workflow status count per period, and of overlapping periods only the finest
(:mod:`indicators.periods`). The tests run over whole columns; each column is then gathered
once, for the rows that pass them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from indicators._definitions import KIND_PERCENTAGE, KIND_QUALITATIVE, Definitions
from indicators.arrays import Bools, Floats, Ints, codes_of, day_numbers, floats, ratio
from indicators.periods import set_aside
from indicators.types import WORKFLOW_RANK, MeasurementStatus, counting_statuses

# Workflow ranks are 0 to 3 (indicators.types.WORKFLOW_RANK); one byte each is a smaller column
# to gather per measurement.
Ranks = npt.NDArray[np.int8]


@dataclass(frozen=True)
class Counted:
    """The counting measurement rows, as parallel arrays."""

    row: Ints  # position in the measurements frame
    code: Ints  # position of the indicator in the indicators frame
    start: Ints
    end: Ints
    rank: Ranks
    value: Floats
    numerator: Floats
    denominator: Floats

    def take(self, keep: Bools) -> Counted:
        # Positions, not the mask itself: indexing by a scattered boolean mask is several
        # times slower than gathering by position.
        where = np.flatnonzero(keep)
        return Counted(*(getattr(self, f)[where] for f in self.__dataclass_fields__))


def _status_tables(statuses: pd.Series, *, include_pending: bool) -> tuple[Bools, Ranks]:
    """Per-row "counts?" and workflow rank.

    A categorical column (what :func:`indicators.schemas.validated` returns) is read through its
    integer codes; otherwise one string comparison per counting status is several times cheaper
    than factorising the column. Without pending values every counting row is approved, so the
    rank is constant.
    """
    counting = counting_statuses(include_pending=include_pending)
    approved = WORKFLOW_RANK[MeasurementStatus.APPROVED]
    if isinstance(statuses.dtype, pd.CategoricalDtype):
        categories = [str(c) for c in statuses.cat.categories]
        codes = statuses.cat.codes.to_numpy()
        # One rank per category (-1: does not count), looked up by code; code -1 is a missing
        # status, which never counts (the table's last slot).
        table = np.full(len(categories) + 1, -1, dtype=np.int8)
        for position, name in enumerate(categories):
            status = next((s for s in counting if s.value == name), None)
            if status is not None:
                table[position] = WORKFLOW_RANK[status] if include_pending else approved
        rank = table[codes]
        return rank >= 0, rank
    counts = np.zeros(len(statuses), dtype=bool)
    rank = np.full(len(statuses), approved, dtype=np.int8)
    for status in counting:
        hit = (statuses == status.value).to_numpy(dtype=bool, na_value=False)
        counts |= hit
        if include_pending:
            rank[hit] = WORKFLOW_RANK[status]
    return counts, rank


def _narrated(measurements: pd.DataFrame, rows: Ints) -> Bools:
    if "narrative" not in measurements.columns:
        return np.zeros(len(rows), dtype=bool)
    text = measurements["narrative"].iloc[rows]
    return np.asarray(text.notna() & (text.fillna("").astype(str).str.len() > 0), dtype=bool)


def counted_rows(
    defs: Definitions, measurements: pd.DataFrame, *, as_of: int, include_pending: bool
) -> Counted:
    """Rows that count at day ``as_of`` (see :func:`indicators.scalar.counting_values`).

    The tests on indicator, status and date run over the whole columns first; each column is
    then gathered once, for the rows that pass them.
    """
    code = codes_of(measurements["indicator_id"], defs.index)
    counts, rank = _status_tables(measurements["status"], include_pending=include_pending)
    end = day_numbers(measurements["period_end"])
    rows = np.flatnonzero((code >= 0) & counts & (end <= as_of))
    counted = _with_values(
        defs,
        measurements,
        Counted(
            row=rows,
            code=code[rows],
            # Converted after the gather: fewer rows to divide.
            start=day_numbers(measurements["period_start"].to_numpy()[rows]),
            end=end[rows],
            rank=rank[rows],
            value=floats(measurements["value"])[rows],
            numerator=floats(measurements["numerator"])[rows],
            denominator=floats(measurements["denominator"])[rows],
        ),
    )
    if not len(counted.row):
        return counted
    if include_pending:
        counted = counted.take(_best_per_period(counted))
    # Of overlapping periods only the finest count (indicators.periods).
    aside = set_aside(counted.code, counted.start, counted.end)
    return counted.take(~aside) if aside.any() else counted


def _with_values(defs: Definitions, measurements: pd.DataFrame, counted: Counted) -> Counted:
    """The rows that carry a value: percentages are read from numerator and denominator (else
    their value, on the 0-100 scale), qualitative values from narratives."""
    kind = defs.kind[counted.code]
    has = ~np.isnan(counted.value)
    percentages = np.flatnonzero(kind == KIND_PERCENTAGE)
    if len(percentages):
        numerator, denominator = counted.numerator[percentages], counted.denominator[percentages]
        paired = ~np.isnan(numerator) & ~np.isnan(denominator)
        has[percentages] |= paired
        share = ratio(numerator, denominator) * 100.0
        # counted.value is this call's own gathered copy, so it may be written.
        counted.value[percentages] = np.where(paired, share, counted.value[percentages])
    narrated = np.flatnonzero(kind == KIND_QUALITATIVE)
    if len(narrated):
        has[narrated] = _narrated(measurements, counted.row[narrated])
    return counted if has.all() else counted.take(has)


def _best_per_period(counted: Counted) -> Bools:
    """Keep, per indicator and period, only the rows of the highest workflow status.

    Only needed when several workflow statuses count: an approved value and a newer draft for
    the same period must not both count. The period is packed into one int64 key when it fits,
    because grouping on one integer column is several times cheaper than on three.
    """
    rank, start = pd.Series(counted.rank), counted.start
    start_span = int(start.max() - start.min()) + 1
    end_span = int(counted.end.max() - counted.end.min()) + 1
    if (int(counted.code.max()) + 1) * start_span * end_span < 2**62:
        key = (counted.code * start_span + (start - start.min())) * end_span + (
            counted.end - counted.end.min()
        )
        best = rank.groupby(key).transform("max").to_numpy()
    else:  # pragma: no cover - needs decades of daily periods across millions of indicators
        best = rank.groupby([counted.code, start, counted.end]).transform("max").to_numpy()
    return np.asarray(counted.rank == best, dtype=bool)
