"""Money across projects: funding is added up in one currency only.

There are no exchange rates here, so amounts in different currencies are never added. The
figures that add up several projects' funding (the portfolio's headline, map and priority
areas, a donor's and a country's money, coordination) count the funding lines in the
reporting currency; the pages name what is funded in other currencies beside them
(`rbm.queries.portfolio.other_currencies`), and a project's own page shows its funding in
every currency (`ProjectView.funding_totals`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import func, select

from rbm.models import Funding

#: The currency of every figure that adds up several projects' funding.
REPORTING_CURRENCY = "USD"


def funding_per_project() -> Any:
    """Per project, the sum of its funding lines in the reporting currency: a subquery with
    `project_id` and `funding`."""
    return (
        select(Funding.project_id, func.sum(Funding.amount).label("funding"))
        .where(Funding.currency == REPORTING_CURRENCY)
        .group_by(Funding.project_id)
        .subquery()
    )


def split_by_currency(lines: pd.DataFrame, ids: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Funding `lines` (`project_id`, `currency`, `amount`; a funder named without an amount
    adds nothing) per project of `ids`, aligned with it: the sum in the reporting currency
    (empty, not 0, where a project states none), and the other currencies' sums as a tuple of
    (currency, amount) pairs by currency (empty where there are none)."""
    stated = lines[lines["amount"].notna()]
    dollars = stated["currency"] == REPORTING_CURRENCY
    reporting = ids.map(stated[dollars].groupby("project_id")["amount"].sum())
    sums = stated[~dollars].groupby(["project_id", "currency"])["amount"].sum()
    others: dict[Any, tuple[tuple[str, float], ...]] = {}
    keys = zip(sums.index.get_level_values(0), sums.index.get_level_values(1), strict=True)
    for (project_id, currency), amount in zip(keys, sums.to_numpy(), strict=True):
        others[project_id] = (*others.get(project_id, ()), (currency, float(amount)))
    other = pd.Series([others.get(i, ()) for i in ids], index=ids.index, dtype=object)
    return reporting, other
