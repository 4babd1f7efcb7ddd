"""Approvals: the queue of submitted values in the manager's scope (never their own), each with
baseline, target, earlier periods, breakdown, evidence and comments. Approve, return with a
required comment, or approve ticked rows at once. Reporting periods are locked here too."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from rbm.errors import RbmError
from rbm.queries import workflow
from rbm.services import measurements, periods
from rbm.ui.session import cached_query, get_db, require_principal
from rbm.ui.widgets import message, number

principal = require_principal()
st.title("Approvals")
queue = cached_query(workflow.approvals_queue, principal)
if done := st.session_state.pop("ap_done", None):
    st.success(message(done))


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
    verb = "Approved" if action == "approve" else "Returned"
    st.session_state["ap_done"] = f"{verb} {len(ids)} value(s)."


def _review(row: pd.Series) -> None:
    detail = cached_query(
        workflow.measurement_detail, principal, measurement_id=int(row["measurement_id"])
    )
    m = detail.measurement
    a, b, c = st.columns(3)
    a.metric("Submitted value", number(m["value"]))
    b.metric("Baseline", number(m["baseline"]))
    c.metric("Target this period", number(m["target"]))
    if m["narrative"]:
        st.text(m["narrative"])
    for title, frame in (
        ("Earlier periods", detail.previous),
        ("Breakdown", detail.breakdown),
        ("Evidence", detail.evidence.drop(columns=["measurement_id"], errors="ignore")),
        ("Comments", detail.comments),
    ):
        if not frame.empty:
            st.caption(title)
            st.dataframe(frame, hide_index=True)
    st.page_link(
        "rbm/ui/pages/measurement.py",
        label="Full history and evidence downloads",
        query_params={"id": str(m["id"])},
    )
    comment = st.text_area("Comment (required to return)", key=f"ap_comment_{m['id']}")
    left, right = st.columns(2)
    versions = {int(m["id"]): int(m["version"])}
    for column, action, label in ((left, "approve", "Approve"), (right, "return", "Return")):
        if column.button(
            label, key=f"ap_{action}", type="primary" if action == "approve" else "secondary"
        ):
            try:
                _act(action, [int(m["id"])], versions, comment)
                st.rerun()
            except RbmError as exc:
                st.error(message(exc))


if queue.empty:
    st.info("The queue is clear: no submitted value waits for your approval.")
else:
    st.caption(f"{len(queue)} submission(s) waiting, oldest first.")
    table = queue.drop(columns=["version"]).assign(approve=False)
    edited = st.data_editor(
        table, hide_index=True, key="ap_grid", disabled=[c for c in table.columns if c != "approve"]
    )
    ticked = edited.loc[edited["approve"], "measurement_id"].astype(int).tolist()
    versions = dict(
        zip(queue["measurement_id"].astype(int), queue["version"].astype(int), strict=True)
    )
    if st.button(f"Approve {len(ticked)} ticked", key="ap_bulk", disabled=not ticked):
        try:
            _act("approve", ticked, versions)
            st.rerun()
        except RbmError as exc:
            st.error(message(exc))
    st.subheader("Review one submission")
    asked = st.query_params.get("measurement", "")
    queued = queue["measurement_id"].astype(int).tolist()
    pick = st.selectbox(
        "Submission",
        queue.index,
        index=queued.index(int(asked)) if asked.isdigit() and int(asked) in queued else 0,
        key="ap_pick",
        format_func=lambda i: (
            f"{queue.loc[i, 'project']} {queue.loc[i, 'indicator']} · "
            f"{queue.loc[i, 'period']} — {queue.loc[i, 'title']}"
        ),
    )
    _review(queue.loc[pick])

st.subheader("Reporting periods")
lockable = cached_query(workflow.lockable_periods, principal)
if not lockable.empty:
    project = st.selectbox("Project", sorted(lockable["project"].unique()), key="ap_lock_project")
    rows = lockable[lockable["project"] == project].set_index("period_id")
    period_id = st.selectbox(
        "Period",
        rows.index,
        key="ap_lock_period",
        format_func=lambda i: (
            f"{rows.loc[i, 'period']}" + (" (locked)" if pd.notna(rows.loc[i, "locked_at"]) else "")
        ),
    )
    locked = pd.notna(rows.loc[period_id, "locked_at"])
    reason = st.text_input("Reason", key="ap_lock_reason")
    if st.button("Unlock period" if locked else "Lock period", key="ap_lock"):
        try:
            with get_db().write() as session:
                if locked:
                    periods.unlock_period(
                        session, principal=principal, period_id=int(period_id), reason=reason
                    )
                else:
                    periods.lock_period(
                        session, principal=principal, period_id=int(period_id), reason=reason
                    )
            st.session_state["ap_done"] = "Period unlocked." if locked else "Period locked."
            st.rerun()
        except RbmError as exc:
            st.error(message(exc))
