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

from sqlalchemy import func, select

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
