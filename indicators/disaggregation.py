"""Do the parts add up to the total? Consistency of disaggregated values.

Only *exhaustive* dimensions are checked (every unit falls in exactly one category, e.g. sex
recorded as female / male / other): their parts must sum to the total. Non-exhaustive dimensions
(overlapping or partial categories such as "of which youth") are skipped. A mismatch is reported
with the gap, total - sum of parts, when |gap| exceeds max(abs_tolerance,
rel_tolerance x |total|). For percentages pass numerators (or denominators) as the values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class PartsCheck:
    total: float
    sum_of_parts: float
    gap: float  # total - sum of parts
    consistent: bool


def check_parts(
    total: float,
    parts: Sequence[float],
    *,
    abs_tolerance: float = 0.0,
    rel_tolerance: float = 0.0,
) -> PartsCheck:
    """Compare one total with the sum of its parts."""
    sum_of_parts = float(sum(parts))
    gap = total - sum_of_parts
    allowed = max(abs_tolerance, rel_tolerance * abs(total))
    return PartsCheck(total, sum_of_parts, gap, abs(gap) <= allowed)


def disaggregation_gaps(
    totals: pd.DataFrame,
    parts: pd.DataFrame,
    *,
    keys: Sequence[str] = ("indicator_id", "period_end"),
    abs_tolerance: float = 0.0,
    rel_tolerance: float = 0.0,
) -> pd.DataFrame:
    """Vectorised :func:`check_parts` over every total and exhaustive dimension.

    ``totals``: the key columns and ``value``. ``parts``: the key columns, ``dimension``,
    ``category``, ``value`` and ``exhaustive`` (bool). Returns the key columns, dimension,
    total, sum_of_parts, gap and consistent, one row per (key, exhaustive dimension) with a
    total. Parts without a value count as 0: a blank cell is a gap the check should show.
    """
    key_list = list(keys)
    exhaustive = parts[parts["exhaustive"].astype(bool)]
    filled = exhaustive.assign(sum_of_parts=exhaustive["value"].fillna(0.0))
    summed = filled.groupby([*key_list, "dimension"], sort=True)["sum_of_parts"].sum()
    merged = summed.reset_index().merge(
        totals[[*key_list, "value"]].rename(columns={"value": "total"}), on=key_list, how="inner"
    )
    total = merged["total"].to_numpy(dtype=np.float64)
    gap = total - merged["sum_of_parts"].to_numpy(dtype=np.float64)
    allowed = np.maximum(abs_tolerance, rel_tolerance * np.abs(total))
    result = merged.assign(gap=gap, consistent=np.abs(gap) <= allowed)
    columns = [*key_list, "dimension", "total", "sum_of_parts", "gap", "consistent"]
    return pd.DataFrame(result[columns])
