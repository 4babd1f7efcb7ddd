"""Approvals: the queue of submitted values in the manager's scope (never their own), each with
baseline, target, earlier periods, breakdown, evidence and comments. Approve, return with a
required comment, or approve ticked rows at once. Reporting periods are locked here too."""

from __future__ import annotations

from typing import Literal

import pandas as pd
import streamlit as st

from rbm.i18n import N_, _
from rbm.queries import workflow
from rbm.services import measurements, periods
from rbm.ui.entry_labels import column_names, headed
from rbm.ui.session import cached_query, get_db, require_principal
from rbm.ui.widgets import number, reported, show_flash

#: The two decisions on one submission; the English word keys the button.
_DECISIONS = (("approve", N_("Approve")), ("return", N_("Return")))

principal = require_principal()
st.title(_("Approvals"))
queue = cached_query(workflow.approvals_queue, principal)
show_flash("ap_done")


def _act(action: str, ids: list[int], versions: dict[int, int], comment: str = "") -> None:
    with get_db().write() as session:
        for mid in ids:
            if action == "approve":
                measurements.approve(
                    session, principal=principal, measurement_id=mid, expected_version=versions[mid]
                )
            else:
                measurements.return_for_revision(
                    session,
                    principal=principal,
                    measurement_id=mid,
                    comment=comment,
                    expected_version=versions[mid],
                )
    st.session_state["ap_done"] = (
        _("Approved {n} value(s).", n=len(ids))
        if action == "approve"
        else _("Returned {n} value(s).", n=len(ids))
    )


def _context(detail: workflow.MeasurementDetail) -> None:
    sections = (
        (_("Earlier periods"), detail.previous),
        (_("Breakdown"), detail.breakdown),
        (_("Evidence"), detail.evidence.drop(columns=["measurement_id"], errors="ignore")),
        (_("Comments"), detail.comments),
    )
    for title, frame in sections:
        if not frame.empty:
            st.caption(title)
            st.dataframe(headed(frame, enums=("status",)), hide_index=True)


def _review(row: pd.Series) -> None:
    detail = cached_query(
        workflow.measurement_detail, principal, measurement_id=int(row["measurement_id"])
    )
    m = detail.measurement
    a, b, c = st.columns(3)
    a.metric(_("Submitted value"), number(m["value"]))
    b.metric(_("Baseline"), number(m["baseline"]))
    c.metric(_("Target this period"), number(m["target"]))
    if m["narrative"]:
        st.text(m["narrative"])
    _context(detail)
    st.page_link(
        "rbm/ui/pages/measurement.py",
        label=_("Full history and evidence downloads"),
        query_params={"id": str(m["id"])},
    )
    comment = st.text_area(_("Comment (required to return)"), key=f"ap_comment_{m['id']}")
    versions = {int(m["id"]): int(m["version"])}
    for column, (action, label) in zip(st.columns(2), _DECISIONS, strict=True):
        kind: Literal["primary", "secondary"] = "primary" if action == "approve" else "secondary"
        if column.button(_(label), key=f"ap_{action}", type=kind):
            with reported():
                _act(action, [int(m["id"])], versions, comment)
                st.rerun()


def _queue() -> None:
    st.caption(_("{n} submission(s) waiting, oldest first.", n=len(queue)))
    table = queue.drop(columns=["version"]).assign(approve=False)
    edited = st.data_editor(
        table,
        hide_index=True,
        key="ap_grid",
        disabled=[c for c in table.columns if c != "approve"],
        # Headers relabelled, not renamed: the ticked rows are read back by column name.
        column_config={c: st.column_config.Column(h) for c, h in column_names(table).items()},
    )
    ticked = edited.loc[edited["approve"], "measurement_id"].astype(int).tolist()
    versions = dict(
        zip(queue["measurement_id"].astype(int), queue["version"].astype(int), strict=True)
    )
    label = _("Approve {n} ticked", n=len(ticked))
    if st.button(label, key="ap_bulk", disabled=not ticked):
        with reported():
            _act("approve", ticked, versions)
            st.rerun()
    st.subheader(_("Review one submission"))
    asked = st.query_params.get("measurement", "")
    queued = queue["measurement_id"].astype(int).tolist()
    # One label per row, built column-wise: a queue can hold thousands of submissions.
    labels = (
        queue["project"].astype(str)
        + " "
        + queue["indicator"].astype(str)
        + " · "
        + queue["period"].astype(str)
        + " — "
        + queue["title"].astype(str)
    ).tolist()
    pick = st.selectbox(
        _("Submission"),
        range(len(queue)),
        index=queued.index(int(asked)) if asked.isdigit() and int(asked) in queued else 0,
        key="ap_pick",
        format_func=labels.__getitem__,
    )
    _review(queue.iloc[pick])


def _periods() -> None:
    st.subheader(_("Reporting periods"))
    lockable = cached_query(workflow.lockable_periods, principal)
    if lockable.empty:
        return
    project = st.selectbox(
        _("Project"), sorted(lockable["project"].unique()), key="ap_lock_project"
    )
    rows = lockable[lockable["project"] == project].set_index("period_id")
    period_id = st.selectbox(
        _("Period"),
        rows.index,
        key="ap_lock_period",
        format_func=lambda i: (
            _("{period} (locked)", period=rows.loc[i, "period"])
            if pd.notna(rows.loc[i, "locked_at"])
            else str(rows.loc[i, "period"])
        ),
    )
    locked = pd.notna(rows.loc[period_id, "locked_at"])
    reason = st.text_input(_("Reason"), key="ap_lock_reason")
    if st.button(_("Unlock period") if locked else _("Lock period"), key="ap_lock"):
        with reported():
            with get_db().write() as session:
                change = periods.unlock_period if locked else periods.lock_period
                change(session, principal=principal, period_id=int(period_id), reason=reason)
            st.session_state["ap_done"] = _("Period unlocked.") if locked else _("Period locked.")
            st.rerun()


if queue.empty:
    st.info(_("The queue is clear: no submitted value waits for your approval."))
else:
    _queue()
_periods()
