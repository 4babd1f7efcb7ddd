"""Which baseline is the reference when an indicator has several (IATI allows one per year,
location or breakdown; edited logframes add them)?

The rule: **the earliest-dated baseline**. An undated baseline is dated 1 January of its year;
ties keep the one recorded first. The reference baseline feeds every figure: the engine's input,
the stored figures, the IPTT, the approvals queue and the exports (the SQL in
``rbm.queries.indicator_status.reference_baseline_id`` applies the same order).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, order=True)
class BaselineCandidate:
    """One recorded baseline, ordered as the rule orders them."""

    day: date  # its date, or 1 January of its year
    recorded: int  # the order it was recorded in (its id)
    value: float | None = None


def dated(baseline_date: date | None, year: int) -> date:
    """A baseline's date for the rule: its own, else 1 January of its year."""
    return baseline_date if baseline_date is not None else date(year, 1, 1)


def earliest_baseline(candidates: Sequence[BaselineCandidate]) -> BaselineCandidate | None:
    """The reference baseline: earliest day, then first recorded; None without any."""
    return min(candidates, default=None)
