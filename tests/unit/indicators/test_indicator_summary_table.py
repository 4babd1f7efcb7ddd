"""Every measure x accumulation x direction, and the edge cases, as one table.

Each row is checked against the scalar rules and against the vectorised summary, one indicator
at a time and all rows in one frame (so indicators cannot leak into each other).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest
from indicator_cases import MID, START, agrees, indicator, milestone, q, summarise_frames

from indicators import (
    Indicator,
    Measurement,
    PeriodTarget,
    ProgressReason,
    Status,
    summarise_one,
)

R = ProgressReason
S = Status


@dataclass(frozen=True)
class Case:
    indicator: Indicator
    measurements: list[Measurement]
    to_date: float | None
    progress: float | None
    reason: ProgressReason | None
    status: Status | None
    targets: list[PeriodTarget] = field(default_factory=list)
    as_of: date = MID
    include_pending: bool = False


CASES = {
    # --- numbers ----------------------------------------------------------------------------
    "incremental count sums periods and is on track at 0.6 of 0.5 expected": Case(
        indicator(), [q(1, 10), q(2, 20), q(3, 30)], 60, 0.6, None, S.ON_TRACK
    ),
    "incremental count without baseline reads it as 0": Case(
        indicator(baseline=None), [q(1, 10), q(2, 20), q(3, 30)], 60, 0.6, None, S.ON_TRACK
    ),
    "incremental count's target is new results: a non-zero baseline is not added": Case(
        indicator(baseline=20, target=120),
        [q(1, 10), q(2, 20), q(3, 30)],
        60,
        0.5,
        None,
        S.ON_TRACK,
    ),
    "decreasing incremental count uses the same formula": Case(
        indicator(direction="decrease", baseline=0, target=40),
        [q(1, 4), q(2, 4)],
        8,
        0.2,
        None,
        S.OFF_TRACK,
    ),
    "cumulative count takes the latest running total and is at risk": Case(
        indicator(accumulation="cumulative"),
        [q(1, 10), q(2, 25), q(3, 40)],
        40,
        0.4,
        None,
        S.AT_RISK,
    ),
    "cumulative count that goes down still takes the latest value": Case(
        indicator(accumulation="cumulative"), [q(1, 40), q(2, 30)], 30, 0.3, None, S.OFF_TRACK
    ),
    "decreasing level halfway from baseline to target is on track": Case(
        indicator("number", "level", "decrease", baseline=50, target=20),
        [q(1, 45), q(2, 35)],
        35,
        0.5,
        None,
        S.ON_TRACK,
    ),
    "decreasing level that overshoots its target is achieved": Case(
        indicator("number", "level", "decrease", baseline=50, target=20),
        [q(3, 10)],
        10,
        40 / 30,
        None,
        S.ACHIEVED,
    ),
    "increasing level exactly at target is achieved": Case(
        indicator("number", "level", baseline=10, target=20),
        [q(1, 20)],
        20,
        1.0,
        None,
        S.ACHIEVED,
    ),
    "increasing level moving the wrong way has negative progress": Case(
        indicator("number", "level", baseline=10, target=20),
        [q(1, 5)],
        5,
        -0.5,
        None,
        S.OFF_TRACK,
    ),
    "maintain target (equal to baseline) held is achieved": Case(
        indicator("number", "level", baseline=50, target=50),
        [q(1, 55)],
        55,
        None,
        R.TARGET_EQUALS_BASELINE,
        S.ACHIEVED,
    ),
    "maintain target (equal to baseline) slipped is off track": Case(
        indicator("number", "level", baseline=50, target=50),
        [q(1, 45)],
        45,
        None,
        R.TARGET_EQUALS_BASELINE,
        S.OFF_TRACK,
    ),
    "decreasing maintain target held below is achieved": Case(
        indicator("number", "cumulative", "decrease", baseline=5, target=5),
        [q(1, 4)],
        4,
        None,
        R.TARGET_EQUALS_BASELINE,
        S.ACHIEVED,
    ),
    # --- percentages -------------------------------------------------------------------------
    "incremental percentage pools numerators and denominators": Case(
        indicator("percentage", baseline=40, target=80),
        [q(1, num=3, den=10), q(2, num=27, den=40)],
        60,
        0.5,
        None,
        S.ON_TRACK,
    ),
    "incremental percentage skips a zero-denominator period's rate but keeps its counts": Case(
        indicator("percentage", baseline=20, target=80),
        [q(1, num=3, den=10), q(2, num=0, den=0)],
        30,
        1 / 6,
        None,
        S.OFF_TRACK,
    ),
    "cumulative percentage takes the latest period's ratio": Case(
        indicator("percentage", "cumulative", baseline=40, target=80),
        [q(1, num=3, den=10), q(2, num=30, den=50)],
        60,
        0.5,
        None,
        S.ON_TRACK,
    ),
    "decreasing level percentage halfway is on track": Case(
        indicator("percentage", "level", "decrease", baseline=30, target=10),
        [q(1, num=5, den=25)],
        20,
        0.5,
        None,
        S.ON_TRACK,
    ),
    "percentage with denominator 0 in the latest period has no value": Case(
        indicator("percentage", "level", baseline=10, target=50),
        [q(1, num=1, den=4), q(2, num=0, den=0)],
        None,
        None,
        R.NO_DATA,
        S.NO_DATA,
    ),
    "percentage given only as a value (no numerator) counts at its value": Case(
        indicator("percentage", "level", baseline=10, target=50),
        [q(1, 30)],
        30,
        0.5,
        None,
        S.ON_TRACK,
    ),
    # --- yes/no and ordinal --------------------------------------------------------------------
    "yes/no level that turned yes is achieved": Case(
        indicator("yes_no", "level", baseline=0, target=1),
        [q(1, 0), q(2, 1)],
        1,
        1.0,
        None,
        S.ACHIEVED,
    ),
    "yes/no marked incremental still takes the latest answer": Case(
        indicator("yes_no", "incremental", baseline=0, target=1),
        [q(1, 1), q(2, 0)],
        0,
        0.0,
        None,
        S.OFF_TRACK,
    ),
    "decreasing cumulative yes/no (barrier removed) is achieved": Case(
        indicator("yes_no", "cumulative", "decrease", baseline=1, target=0),
        [q(2, 0)],
        0,
        1.0,
        None,
        S.ACHIEVED,
    ),
    "ordinal level score halfway is on track": Case(
        indicator("ordinal", "level", baseline=1, target=5),
        [q(1, 2), q(2, 3)],
        3,
        0.5,
        None,
        S.ON_TRACK,
    ),
    "decreasing cumulative ordinal score unchanged is off track": Case(
        indicator("ordinal", "cumulative", "decrease", baseline=4, target=2),
        [q(1, 4)],
        4,
        0.0,
        None,
        S.OFF_TRACK,
    ),
    "ordinal marked incremental takes the latest score, never a sum": Case(
        indicator("ordinal", "incremental", baseline=1, target=5),
        [q(1, 3), q(2, 4)],
        4,
        0.75,
        None,
        S.ON_TRACK,
    ),
    # --- qualitative ---------------------------------------------------------------------------
    "qualitative indicator with a narrative has no number and no status": Case(
        indicator("qualitative", "level", baseline=None, target=None),
        [q(1, narrative="baseline study"), q(2, narrative="policy drafted")],
        None,
        None,
        R.QUALITATIVE,
        None,
    ),
    "qualitative indicator with nothing reported once due is no data": Case(
        indicator("qualitative", "level", baseline=None, target=None),
        [q(1, narrative="")],
        None,
        None,
        R.QUALITATIVE,
        S.NO_DATA,
    ),
    # --- missing definitions and data ---------------------------------------------------------
    "indicator without target has no progress": Case(
        indicator("number", "level", target=None), [q(1, 5)], 5, None, R.NO_TARGET, S.NO_DATA
    ),
    "level indicator without baseline has no progress": Case(
        indicator("number", "level", baseline=None),
        [q(1, 5)],
        5,
        None,
        R.NO_BASELINE,
        S.NO_DATA,
    ),
    "nothing reported once something was due is no data": Case(
        indicator(), [], None, None, R.NO_DATA, S.NO_DATA
    ),
    "before the project starts nothing has started": Case(
        indicator(), [], None, None, R.NO_DATA, S.NOT_STARTED, as_of=date(2023, 12, 1)
    ),
    "nothing reported before the first milestone is due is not started": Case(
        indicator(),
        [],
        None,
        None,
        R.NO_DATA,
        S.NOT_STARTED,
        targets=[milestone(2, 50)],
        as_of=date(2024, 5, 1),
    ),
    "a period ending after as_of does not count yet": Case(
        indicator(), [q(1, 10), q(4, 90)], 10, 0.1, None, S.OFF_TRACK, as_of=date(2024, 12, 30)
    ),
    # --- workflow -------------------------------------------------------------------------------
    "submitted and draft values are excluded by default": Case(
        indicator(),
        [q(1, 10), q(2, 20, status="submitted"), q(3, 30, status="draft")],
        10,
        0.1,
        None,
        S.OFF_TRACK,
    ),
    "pending values count when asked": Case(
        indicator(),
        [q(1, 10), q(2, 20, status="submitted"), q(3, 30, status="draft")],
        60,
        0.6,
        None,
        S.ON_TRACK,
        include_pending=True,
    ),
    "returned values never count, even when pending values do": Case(
        indicator(),
        [q(1, 10), q(2, 50, status="returned")],
        10,
        0.1,
        None,
        S.OFF_TRACK,
        include_pending=True,
    ),
    "an approved value beats a draft for the same period": Case(
        indicator(),
        [q(1, 10), q(1, 15, status="draft")],
        10,
        0.1,
        None,
        S.OFF_TRACK,
        include_pending=True,
    ),
    "two approved values on the latest period are averaged": Case(
        indicator("number", "level", baseline=0, target=100),
        [q(1, 10), q(2, 30), q(2, 50)],
        40,
        0.4,
        None,
        S.AT_RISK,
    ),
    # --- period targets -----------------------------------------------------------------------
    "incremental milestones: ended periods plus a pro-rata share of the current one": Case(
        indicator(target=100),
        [q(1, 10), q(2, 10)],
        20,
        0.2,
        None,
        S.AT_RISK,
        targets=[milestone(1, 10), milestone(2, 10), milestone(3, 10)],
        as_of=date(2024, 8, 15),
    ),
    "level milestones are interpolated between period ends": Case(
        indicator("number", "level", baseline=0, target=100),
        [q(2, 30)],
        30,
        0.3,
        None,
        S.AT_RISK,
        targets=[milestone(2, 20), milestone(4, 60)],
        as_of=date(2024, 9, 30),
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_scalar_summary_follows_the_rules(case: Case) -> None:
    one = summarise_one(
        case.indicator,
        case.measurements,
        case.targets,
        as_of=case.as_of,
        include_pending=case.include_pending,
    )
    assert one.to_date.value == pytest.approx(case.to_date)
    assert one.progress.value == pytest.approx(case.progress)
    assert one.progress.reason == case.reason
    assert one.status == case.status


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_vectorised_summary_agrees_with_the_scalar_rules(case: Case) -> None:
    one = summarise_one(
        case.indicator,
        case.measurements,
        case.targets,
        as_of=case.as_of,
        include_pending=case.include_pending,
    )
    frame = summarise_frames(
        [(case.indicator, case.measurements, case.targets)],
        as_of=case.as_of,
        include_pending=case.include_pending,
    )
    assert agrees(one, frame.loc[case.indicator.indicator_id])


@pytest.mark.parametrize("include_pending", [False, True], ids=["approved only", "with pending"])
def test_all_cases_in_one_frame_do_not_leak_into_each_other(include_pending: bool) -> None:
    cases = [c for c in CASES.values() if c.as_of == MID]
    renumbered = [
        (Indicator(**{**c.indicator.__dict__, "indicator_id": n}), c.measurements, c.targets)
        for n, c in enumerate(cases, start=1)
    ]
    frame = summarise_frames(renumbered, as_of=MID, include_pending=include_pending)
    for ind, ms, ts in renumbered:
        one = summarise_one(ind, ms, ts, as_of=MID, include_pending=include_pending)
        assert agrees(one, frame.loc[ind.indicator_id]), ind


def test_summary_has_one_row_per_indicator_with_the_documented_columns() -> None:
    frame = summarise_frames([(indicator(), [q(1, 10)], [])], as_of=START).reset_index()
    required = {
        "indicator_id",
        "to_date",
        "to_date_numerator",
        "to_date_denominator",
        "latest_period_end",
        "n_values",
        "progress",
        "progress_reason",
        "expected_progress",
        "status",
    }
    assert required <= set(frame.columns)
    assert len(frame) == 1
