"""Parts versus total for exhaustive disaggregation dimensions."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from indicator_cases import QUICK

from indicators import check_parts, disaggregation_gaps

PARTS = {
    "parts that add up are consistent": (100, [60, 40], 0.0, 0.0, 0.0, True),
    "a shortfall is reported with its gap": (100, [60, 30], 0.0, 0.0, 10.0, False),
    "parts exceeding the total give a negative gap": (100, [60, 50], 0.0, 0.0, -10.0, False),
    "an absolute tolerance absorbs rounding": (100, [60, 39], 1.0, 0.0, 1.0, True),
    "a relative tolerance scales with the total": (1000, [600, 390], 0.0, 0.01, 10.0, True),
}


@pytest.mark.parametrize(
    ("total", "parts", "abs_tol", "rel_tol", "gap", "consistent"), PARTS.values(), ids=PARTS.keys()
)
def test_parts_versus_total(
    total: float, parts: list[float], abs_tol: float, rel_tol: float, gap: float, consistent: bool
) -> None:
    check = check_parts(total, parts, abs_tolerance=abs_tol, rel_tolerance=rel_tol)
    assert (check.gap, check.consistent, check.sum_of_parts) == (gap, consistent, sum(parts))


def test_only_exhaustive_dimensions_are_checked_and_gaps_are_reported() -> None:
    end = pd.Timestamp("2024-03-31")
    totals = pd.DataFrame({"indicator_id": [1], "period_end": [end], "value": [100.0]})
    parts = pd.DataFrame(
        {
            "indicator_id": [1, 1, 1, 1],
            "period_end": [end] * 4,
            "dimension": ["sex", "sex", "age", "of which youth"],
            "category": ["female", "male", "all ages", "youth"],
            "value": [60.0, None, 100.0, 30.0],
            "exhaustive": [True, True, True, False],
        }
    )
    out = disaggregation_gaps(totals, parts).set_index("dimension")
    assert set(out.index) == {"sex", "age"}
    assert out.loc["sex", ["total", "sum_of_parts", "gap"]].tolist() == [100.0, 60.0, 40.0]
    assert not out.loc["sex", "consistent"]
    assert out.loc["age", "consistent"]


@QUICK
@given(st.lists(st.integers(0, 10_000), min_size=1, max_size=6), st.integers(-50, 50))
def test_vectorised_gaps_match_the_scalar_check(parts: list[int], shift: int) -> None:
    total = sum(parts) + shift
    totals = pd.DataFrame({"indicator_id": [1], "period_end": [0], "value": [float(total)]})
    frame = pd.DataFrame(
        {
            "indicator_id": 1,
            "period_end": 0,
            "dimension": "sex",
            "category": [str(i) for i in range(len(parts))],
            "value": [float(p) for p in parts],
            "exhaustive": True,
        }
    )
    row = disaggregation_gaps(totals, frame, abs_tolerance=10).iloc[0]
    check = check_parts(total, parts, abs_tolerance=10)
    assert (row["gap"], bool(row["consistent"])) == (check.gap, check.consistent)
