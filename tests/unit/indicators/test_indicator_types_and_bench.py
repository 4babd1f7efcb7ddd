"""The vocabulary's invariants, and the synthetic benchmark frames."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pandera.errors
import pytest

from bench.frames import make_frames
from indicators import (
    MeasurementStatus,
    Progress,
    ProgressReason,
    StatusThresholds,
    summarise,
)
from indicators.schemas import validated
from indicators.types import counting_statuses


def test_thresholds_must_be_ordered() -> None:
    with pytest.raises(ValueError, match="at_risk_ratio <= on_track_ratio"):
        StatusThresholds(on_track_ratio=0.5, at_risk_ratio=0.8)


def test_a_progress_carries_a_value_or_a_reason_but_not_both() -> None:
    assert Progress(0.5).value == 0.5
    assert Progress(None, ProgressReason.NO_DATA).reason == "no data"
    with pytest.raises(ValueError, match="either a value or a reason"):
        Progress(0.5, ProgressReason.NO_DATA)
    with pytest.raises(ValueError, match="either a value or a reason"):
        Progress(None)


@pytest.mark.parametrize(
    ("include_pending", "counted"),
    [
        (False, {MeasurementStatus.APPROVED}),
        (True, {MeasurementStatus.APPROVED, MeasurementStatus.SUBMITTED, MeasurementStatus.DRAFT}),
    ],
    ids=["only approved by default", "pending adds submitted and draft, never returned"],
)
def test_which_workflow_statuses_count(
    include_pending: bool, counted: set[MeasurementStatus]
) -> None:
    assert counting_statuses(include_pending=include_pending) == counted


def test_benchmark_frames_are_deterministic_for_a_seed() -> None:
    first, second = make_frames(50, 500, seed=7), make_frames(50, 500, seed=7)
    for a, b in zip(first, second, strict=True):
        pd.testing.assert_frame_equal(a, b)
    assert not make_frames(50, 500, seed=8)[1].equals(first[1])


def test_benchmark_frames_pass_the_schemas_and_summarise() -> None:
    ind, meas, tgt = make_frames(200, 4000, seed=1)
    assert len(ind) == 200 and len(meas) == 4000
    checked = validated(ind, meas, tgt)
    full = summarise(ind, meas, tgt, as_of=date(2024, 6, 30))
    trusted = summarise(*checked, as_of=date(2024, 6, 30), validate=False)
    pd.testing.assert_frame_equal(full, trusted)
    assert full["status"].notna().all()


def test_the_yearly_values_of_the_overlapping_frames_are_set_aside_beside_their_quarters() -> None:
    ind, meas, tgt = make_frames(200, 4000, seed=1, yearly_share=0.1)
    assert len(meas) == 4000
    yearly = (meas["period_end"] - meas["period_start"]).dt.days > 100
    assert yearly.sum() == 20 and meas.loc[yearly, "status"].eq("approved").all()
    in_year = meas["period_start"].between(
        meas.loc[yearly, "period_start"].min(), meas.loc[yearly, "period_end"].min()
    )
    quarters = meas[~yearly & in_year & meas["status"].eq("approved")]
    with_quarters = meas.loc[yearly, "indicator_id"].isin(quarters["indicator_id"])
    assert with_quarters.sum() >= 15  # most of them: the year overlaps quarters that count
    as_of = date(2026, 1, 1)
    full = summarise(ind, meas, tgt, as_of=as_of).set_index("indicator_id")
    without = summarise(ind, meas[~yearly], tgt, as_of=as_of).set_index("indicator_id")
    ids = meas.loc[yearly, "indicator_id"][with_quarters]
    pd.testing.assert_frame_equal(full.loc[ids], without.loc[ids])  # a cross-check, not counted


def test_a_frame_breaking_the_schema_is_refused() -> None:
    ind, meas, tgt = make_frames(5, 20, seed=1)
    with pytest.raises(pandera.errors.SchemaError):
        summarise(ind, meas.assign(status="pending"), tgt, as_of=date(2024, 6, 30))


def test_the_targets_frame_is_optional() -> None:
    ind, meas, _ = make_frames(5, 50, seed=2)
    with_none = summarise(ind, meas, as_of=date(2024, 6, 30))
    trusted = summarise(*validated(ind, meas)[:2], as_of=date(2024, 6, 30), validate=False)
    pd.testing.assert_frame_equal(with_none, trusted)
