"""Result-node status: worst of the informative statuses."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from indicator_cases import QUICK

from indicators import ResultNode, Status, node_status, rollup_results, rollup_status
from indicators.types import ASSESSED_STATUSES

S = Status
NODE_RULE = {
    "the worst informative status wins": ([S.ACHIEVED, S.AT_RISK, S.ON_TRACK], S.AT_RISK),
    "off track anywhere makes the node off track": ([S.ON_TRACK, S.OFF_TRACK], S.OFF_TRACK),
    "no data is ignored while something is informative": ([S.NO_DATA, S.ON_TRACK], S.ON_TRACK),
    "not started is ignored while something is informative": (
        [S.NOT_STARTED, S.ACHIEVED],
        S.ACHIEVED,
    ),
    "qualitative indicators (None) do not vote": ([None, S.AT_RISK], S.AT_RISK),
    "NaN from a merged frame does not vote either": ([float("nan"), S.ON_TRACK], S.ON_TRACK),
    "only no data and not started gives no data": ([S.NOT_STARTED, S.NO_DATA], S.NO_DATA),
    "only not started gives not started": ([S.NOT_STARTED, None], S.NOT_STARTED),
    "an empty node is no data": ([], S.NO_DATA),
    "status strings from a frame are accepted": (["on_track", "at_risk"], S.AT_RISK),
}


@pytest.mark.parametrize(("statuses", "expected"), NODE_RULE.values(), ids=NODE_RULE.keys())
def test_node_status_is_the_worst_informative_status(
    statuses: list[Status | str | float | None], expected: Status
) -> None:
    assert rollup_status(statuses) == expected


@QUICK
@given(st.lists(st.sampled_from(list(Status)), min_size=1))
def test_adding_a_worse_status_never_improves_a_node(statuses: list[Status]) -> None:
    before = rollup_status(statuses)
    after = rollup_status([*statuses, Status.OFF_TRACK])
    assert after == Status.OFF_TRACK
    if before in ASSESSED_STATUSES:
        assert ASSESSED_STATUSES.index(after) >= ASSESSED_STATUSES.index(before)


def test_node_status_recurses_through_children() -> None:
    output = ResultNode(2, indicator_ids=(20, 21))
    outcome = ResultNode(1, indicator_ids=(10,), children=(output,))
    statuses = {10: S.ACHIEVED, 20: S.ON_TRACK, 21: S.AT_RISK}
    assert node_status(outcome, statuses) == S.AT_RISK
    assert node_status(ResultNode(3, indicator_ids=(99,)), statuses) == S.NO_DATA


def test_a_results_framework_rolls_up_from_its_frames() -> None:
    nodes = pd.DataFrame({"node_id": [1, 2, 3, 4], "parent_id": [None, 1, 1, 2]})
    links = pd.DataFrame({"node_id": [2, 3, 4, 1], "indicator_id": [20, 30, 40, None]})
    summary = pd.DataFrame(
        {"indicator_id": [20, 30, 40], "status": ["achieved", "no_data", "at_risk"]}
    )
    result = rollup_results(nodes, links, summary).set_index("node_id")["status"].to_dict()
    assert result == {1: "at_risk", 2: "at_risk", 3: "no_data", 4: "at_risk"}


def test_a_cycle_in_the_results_framework_is_refused() -> None:
    nodes = pd.DataFrame({"node_id": [1, 2], "parent_id": [2, 1]})
    links = pd.DataFrame({"node_id": [], "indicator_id": []})
    summary = pd.DataFrame({"indicator_id": [], "status": []})
    with pytest.raises(ValueError, match="its own ancestor"):
        rollup_results(nodes, links, summary)
