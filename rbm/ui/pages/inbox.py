"""Inbox: what needs me now. Values returned to me with the reviewer's comment, reports due and
overdue for my projects, values waiting for my approval, follow-up actions assigned to me and
overdue, and recent comments on my values; each item opens the right form."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from rbm.i18n import _, format_date, ngettext
from rbm.queries.inbox import RECENT_DAYS, inbox
from rbm.ui.session import cached_query, require_principal
from rbm.ui.widgets import plain, shown

LOG = "rbm/ui/pages/log_results.py"
APPROVALS = "rbm/ui/pages/approvals.py"
HISTORY = "rbm/ui/pages/measurement.py"
EVALUATIONS = "rbm/ui/pages/evaluations.py"

principal = require_principal()
st.title(_("Inbox"))
box = cached_query(inbox, principal)
if box.count == 0 and box.due.empty:
    st.success(_("Nothing waits for you."))

a, b, c, d, e = st.columns(5)
a.metric(_("Returned to me"), len(box.returned))
b.metric(_("Reports overdue"), box.overdue_reports)
c.metric(_("Waiting for my approval"), len(box.approvals))
d.metric(_("My overdue actions"), len(box.actions))
e.metric(_("Recent comments"), len(box.comments))


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
    st.subheader(_("Returned to me"))
    for _i, row in box.returned.iterrows():
        with st.container(border=True):
            left, right = st.columns([3, 2])
            yes_no = row["measure"] == "yes_no"
            left.text(
                f"{row['project']} {row['indicator']} · {row['period']} — {row['title']}\n"
                + _("Value: {value}", value=shown(row["value"], yes_no))
            )
            reviewer = row["reviewer"] or _("Reviewer")
            right.text(f"{reviewer}: {row['comment'] or _('(no comment)')}")
            _log_link(row, _("Fix and resubmit"))

if not box.due.empty:
    overdue = box.due[box.due["due"] == "overdue"]
    st.subheader(_("Reports due"))
    st.caption(
        _(
            "{reports} report(s) overdue in your projects (the portfolio's early warnings count "
            "the same); {overdue} overdue and {open} open period(s) to fill.",
            reports=box.overdue_reports,
            overdue=len(overdue),
            open=len(box.due) - len(overdue),
        )
    )
    for _i, row in box.due.head(50).iterrows():
        late = (
            ngettext("overdue by {n} day", "overdue by {n} days", int(row["days_overdue"]))
            if row["due"] == "overdue"
            else _("open")
        )
        _log_link(
            row,
            f"{row['project']} {row['indicator']} · {row['period']} ({late}) — {row['title']}",
        )
    if len(box.due) > 50:
        st.caption(_("… and {n} more on Log results.", n=len(box.due) - 50))

if not box.approvals.empty:
    st.subheader(_("Waiting for my approval"))
    for _i, row in box.approvals.iterrows():
        st.page_link(
            APPROVALS,
            label=plain(
                f"{row['project']} {row['indicator']} · {row['period']} — "
                + _("submitted by {who}", who=row["submitted_by"])
            ),
            icon=":material/task_alt:",
            query_params={"measurement": str(int(row["measurement_id"]))},
        )

if not box.actions.empty:
    st.subheader(_("My overdue follow-up actions"))
    for _i, row in box.actions.iterrows():
        st.page_link(
            EVALUATIONS,
            label=plain(
                _(
                    "{action} — due {due}, {days} days late ({evaluation}, R{number})",
                    action=row["description"],
                    due=format_date(row["due_date"]),
                    days=row["days_overdue"],
                    evaluation=row["evaluation"],
                    number=row["number"],
                )
            ),
            icon=":material/fact_check:",
            query_params={"evaluation": str(int(row["evaluation_id"]))},
        )

if not box.comments.empty:
    st.subheader(_("Comments on my values (last {days} days)", days=RECENT_DAYS))
    for _i, row in box.comments.iterrows():
        with st.container(border=True):
            when = f"{format_date(row['created_at'])} {row['created_at']:%H:%M}"
            st.caption(f"{plain(str(row['author']))} · {when}")
            st.text(row["text"])
            st.page_link(
                HISTORY,
                label=plain(f"{row['project']} {row['indicator']} · {row['period']}"),
                icon=":material/history:",
                query_params={"id": str(int(row["measurement_id"]))},
            )
