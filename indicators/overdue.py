"""The one overdue rule: when is a report late?

An indicator's report for a reporting period is **overdue** on ``as_of`` when

1. the period ended more than ``grace_days`` days before ``as_of``
   (``period_end + grace_days < as_of``, i.e. ``period_end < as_of - grace_days``);
2. no submitted or approved value is held for that indicator and period (a draft or a
   returned value does not count as a report); and
3. the period is not locked (locking closes reporting for the period: a missing value is then
   a gap in the figures, no longer a report someone can still send).

``grace_days`` is always passed in: the application reads it from ``RBM_OVERDUE_GRACE_DAYS``;
there is no default here, so no page can fall back to a literal.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from indicators.arrays import Bools


def overdue_cutoff(as_of: date, *, grace_days: int) -> date:
    """Periods ending strictly before this day are late if unreported."""
    if grace_days < 0:
        raise ValueError("grace_days must be 0 or more")
    return as_of - timedelta(days=grace_days)


def is_overdue(
    period_end: date, *, reported: bool, as_of: date, grace_days: int, locked: bool = False
) -> bool:
    """The rule of the module docstring for one indicator and period."""
    late = period_end < overdue_cutoff(as_of, grace_days=grace_days)
    return late and not reported and not locked


def days_overdue(period_end: date, *, as_of: date, grace_days: int) -> int:
    """How many days past its deadline (period end + grace) a report is; 0 when not late."""
    return max(0, (as_of - (period_end + timedelta(days=grace_days))).days)


def overdue_mask(
    period_end: pd.Series,
    *,
    reported: pd.Series,
    as_of: date,
    grace_days: int,
    locked: pd.Series | None = None,
) -> Bools:
    """:func:`is_overdue` over aligned columns (period ends as dates or timestamps)."""
    cutoff = pd.Timestamp(overdue_cutoff(as_of, grace_days=grace_days))
    ends = pd.to_datetime(period_end)
    late = (ends < cutoff).to_numpy(dtype=bool, na_value=False)
    done = reported.to_numpy(dtype=bool, na_value=False)
    closed = (
        locked.to_numpy(dtype=bool, na_value=False)
        if locked is not None
        else np.zeros(len(late), dtype=bool)
    )
    return np.asarray(late & ~done & ~closed, dtype=bool)
