"""Roll-ups: a result node's status from its indicators and children, and portfolio totals.

**Result nodes (worst of the informative).** A node's status is the worst status among its
indicators and child nodes that carry information (off_track < at_risk < on_track < achieved).
``no_data`` and ``not_started`` are ignored unless nothing informative is left: then the node is
``no_data`` if anything was due and missing, else ``not_started``. A node with nothing under it is
``no_data``. Qualitative indicators (status None) do not vote. Worst-of is deliberately strict:
a programme is only as on track as its weakest reported result.

**Portfolio.** Values aggregate only within one library indicator *and* one unit; mixing
measures or accumulation modes in that partition is refused, not guessed. Counts (incremental or
cumulative numbers) sum, percentages pool sum(numerators) / sum(denominators), levels give a
distribution (median, min, max, count), yes/no gives the share of yes, ordinal scores give counts
per score. A project counts once: its project-wide row is used when it has one, otherwise its
per-country rows (see :func:`rollup_library` for the per-country view).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from indicators.types import ASSESSED_STATUSES, Status

# --- result nodes -------------------------------------------------------------------------


def rollup_status(statuses: Iterable[Status | str | float | None]) -> Status:
    """Worst informative status, else no_data / not_started (see the module docstring)."""
    # None (qualitative) and NaN (the same after a pandas merge) carry no vote.
    seen = {Status(s) for s in statuses if isinstance(s, str)}
    informative = [s for s in ASSESSED_STATUSES if s in seen]
    if informative:
        return informative[-1]  # ASSESSED_STATUSES runs best to worst
    if Status.NOT_STARTED in seen and Status.NO_DATA not in seen:
        return Status.NOT_STARTED
    return Status.NO_DATA


@dataclass(frozen=True)
class ResultNode:
    """A result (outcome, output...) with its own indicators and child results."""

    node_id: int
    indicator_ids: tuple[int, ...] = ()
    children: tuple[ResultNode, ...] = ()


def node_status(node: ResultNode, statuses: Mapping[int, Status | str | float | None]) -> Status:
    """The node's status from its indicators' statuses and, recursively, its children's."""
    own = [statuses.get(i) for i in node.indicator_ids]
    below = [node_status(child, statuses) for child in node.children]
    return rollup_status([*own, *below])


def rollup_results(nodes: pd.DataFrame, links: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    """Status per result node for a whole results framework.

    ``nodes``: node_id, parent_id (null at the top); ``links``: node_id, indicator_id;
    ``summary``: indicator_id, status (as from :func:`indicators.summarise`).
    Returns node_id, status. Raises ValueError if the parent links form a cycle.
    """
    statuses = dict(zip(summary["indicator_id"], summary["status"], strict=True))
    indicators: dict[int, list[int]] = {}
    for node_id, indicator_id in zip(links["node_id"], links["indicator_id"], strict=True):
        if not (pd.isna(node_id) or pd.isna(indicator_id)):  # unlinked rows after a merge
            indicators.setdefault(int(node_id), []).append(int(indicator_id))
    children: dict[int, list[int]] = {}
    for node_id, parent in zip(nodes["node_id"], nodes["parent_id"], strict=True):
        if not pd.isna(parent):
            children.setdefault(int(parent), []).append(int(node_id))
    result: dict[int, Status] = {}

    def visit(node_id: int, path: frozenset[int]) -> Status:
        if node_id in path:
            raise ValueError(f"result node {node_id} is its own ancestor")
        if node_id not in result:
            own = [statuses.get(i) for i in indicators.get(node_id, [])]
            below = [visit(c, path | {node_id}) for c in children.get(node_id, [])]
            result[node_id] = rollup_status([*own, *below])
        return result[node_id]

    for node_id in nodes["node_id"]:
        visit(int(node_id), frozenset())
    ids = [int(n) for n in nodes["node_id"]]
    return pd.DataFrame({"node_id": ids, "status": [result[n].value for n in ids]})


# --- portfolio: scalar rules ----------------------------------------------------------------


def pooled_percentage(pairs: Sequence[tuple[float, float]]) -> float | None:
    """sum(numerators) / sum(denominators) x 100 -- never a mean of percentages."""
    denominator = sum(d for _, d in pairs)
    return None if denominator == 0 else sum(n for n, _ in pairs) / denominator * 100.0


def share_of_yes(values: Sequence[float]) -> float | None:
    return None if not values else sum(1 for v in values if v == 1) / len(values)


def ordinal_distribution(values: Sequence[float]) -> dict[int, int]:
    return dict(sorted(Counter(int(v) for v in values).items()))


@dataclass(frozen=True)
class LevelDistribution:
    median: float
    min: float
    max: float
    count: int


def level_distribution(values: Sequence[float]) -> LevelDistribution | None:
    """Levels (rates, scores) are described, never summed."""
    if not values:
        return None
    return LevelDistribution(statistics.median(values), min(values), max(values), len(values))
