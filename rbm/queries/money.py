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
from sqlalchemy.orm import Session

from rbm.frames.sql import floats, frame
from rbm.models import Funding

#: The currency of every figure that adds up several projects' funding.
REPORTING_CURRENCY = "USD"


def funding_per_project(*, donor_id: int | None = None) -> Any:
    """Per project, the sum of its funding lines in the reporting currency (of one donor's
    lines, with `donor_id`): a subquery with `project_id` and `funding`."""
    stmt = select(Funding.project_id, func.sum(Funding.amount).label("funding")).where(
        Funding.currency == REPORTING_CURRENCY
    )
    if donor_id is not None:
        stmt = stmt.where(Funding.donor_id == donor_id)
    return stmt.group_by(Funding.project_id).subquery()


def other_funding(
    session: Session, ids: pd.Series, project_ids: Any, *, donor_id: int | None = None
) -> pd.Series:
    """For each project id of `ids` (`project_ids`: the same as a select, for the database),
    its funding lines with an amount in other currencies than the reporting one (a donor's
    lines only, with `donor_id`), summed per currency: a tuple of (currency, amount) pairs by
    currency, empty for a project without any. Aligned with `ids`."""
    stmt = (
        select(Funding.project_id, Funding.currency, func.sum(Funding.amount).label("amount"))
        .where(
            Funding.project_id.in_(project_ids),
            Funding.currency != REPORTING_CURRENCY,
            Funding.amount.is_not(None),
        )
        .group_by(Funding.project_id, Funding.currency)
        .order_by(Funding.project_id, Funding.currency)
    )
    if donor_id is not None:
        stmt = stmt.where(Funding.donor_id == donor_id)
    rows = floats(frame(session, stmt), "amount")
    found = {
        project_id: tuple(zip(part["currency"], part["amount"], strict=True))
        for project_id, part in rows.groupby("project_id", sort=False)
    }
    return pd.Series([found.get(i, ()) for i in ids], index=ids.index, dtype=object)
