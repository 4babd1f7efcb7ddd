"""Inbox: what needs me now. Values returned to me with the reviewer's comment, reports due and
overdue for my projects, values waiting for my approval, follow-up actions assigned to me and
overdue, and recent comments on my values; each item opens the right form."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from rbm.queries.inbox import RECENT_DAYS, inbox
from rbm.ui.session import cached_query, require_principal
from rbm.ui.widgets import plain, shown

LOG = "rbm/ui/pages/log_results.py"
APPROVALS = "rbm/ui/pages/approvals.py"
HISTORY = "rbm/ui/pages/measurement.py"
EVALUATIONS = "rbm/ui/pages/evaluations.py"

principal = require_principal()
st.title("Inbox")
box = cached_query(inbox, principal)
if box.count == 0 and box.due.empty:
    st.success("Nothing waits for you.")

a, b, c, d, e = st.columns(5)
a.metric("Returned to me", len(box.returned))
b.metric("Reports overdue", box.overdue_reports)
c.metric("Waiting for my approval", len(box.approvals))
d.metric("My overdue actions", len(box.actions))
e.metric("Recent comments", len(box.comments))


def _log_link(row: pd.Series, label: str) -> None:
    st.page_link(
        LOG,
        label=plain(label),
        icon=":material/edit_note:",
        query_params={
            "indicator": str(int(row["indicator_id"])),
            "period": str(int(row["period_id"])),
        },
    )


if not box.returned.empty:
    st.subheader("Returned to me")
    for _, row in box.returned.iterrows():
        with st.container(border=True):
            left, right = st.columns([3, 2])
            yes_no = row["measure"] == "yes_no"
            left.text(
                f"{row['project']} {row['indicator']} · {row['period']} — {row['title']}\n"
                f"Value: {shown(row['value'], yes_no)}"
            )
            right.text(f"{row['reviewer'] or 'Reviewer'}: {row['comment'] or '(no comment)'}")
            _log_link(row, "Fix and resubmit")

if not box.due.empty:
    overdue = box.due[box.due["due"] == "overdue"]
    st.subheader("Reports due")
    st.caption(
        f"{box.overdue_reports} report(s) overdue in your projects (the portfolio's early "
        f"warnings count the same); {len(overdue)} overdue and {len(box.due) - len(overdue)} "
        "open period(s) to fill."
    )
    for _, row in box.due.head(50).iterrows():
        late = f"overdue by {row['days_overdue']} days" if row["due"] == "overdue" else "open"
        _log_link(
            row,
            f"{row['project']} {row['indicator']} · {row['period']} ({late}) — {row['title']}",
        )
    if len(box.due) > 50:
        st.caption(f"… and {len(box.due) - 50} more on Log results.")

if not box.approvals.empty:
    st.subheader("Waiting for my approval")
    for _, row in box.approvals.iterrows():
        st.page_link(
            APPROVALS,
            label=plain(
                f"{row['project']} {row['indicator']} · {row['period']} — submitted by "
                f"{row['submitted_by']}"
            ),
            icon=":material/task_alt:",
            query_params={"measurement": str(int(row["measurement_id"]))},
        )

if not box.actions.empty:
    st.subheader("My overdue follow-up actions")
    for _, row in box.actions.iterrows():
        st.page_link(
            EVALUATIONS,
            label=plain(
                f"{row['description']} — due {row['due_date']}, {row['days_overdue']} days "
                f"late ({row['evaluation']}, R{row['number']})"
            ),
            icon=":material/fact_check:",
            query_params={"evaluation": str(int(row["evaluation_id"]))},
        )

if not box.comments.empty:
    st.subheader(f"Comments on my values (last {RECENT_DAYS} days)")
    for _, row in box.comments.iterrows():
        with st.container(border=True):
            st.caption(f"{row['author']} · {row['created_at']:%d %b %Y %H:%M}")
            st.text(row["text"])
            st.page_link(
                HISTORY,
                label=plain(f"{row['project']} {row['indicator']} · {row['period']}"),
                icon=":material/history:",
                query_params={"id": str(int(row["measurement_id"]))},
            )
