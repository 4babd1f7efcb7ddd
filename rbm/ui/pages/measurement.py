"""Measurement history: one value's revisions, audit trail (who, when, what, before, after,
reason), comments and evidence downloads. Values outside the principal's scope, and values not
yet approved for roles outside the project team, are not shown."""

from __future__ import annotations

import json

import streamlit as st

from rbm.errors import RbmError
from rbm.queries import workflow
from rbm.services import measurements
from rbm.ui.session import cached_query, get_db, require_principal
from rbm.ui.widgets import message, plain, shown

principal = require_principal()
st.title("Measurement history")
wanted = st.query_params.get("id", "")
mid = st.number_input(
    "Measurement number",
    min_value=1,
    step=1,
    key="ms_id",
    value=int(wanted) if wanted.isdigit() else None,
)
if mid is None:
    st.info("Open a measurement from the approvals queue, or type its number.")
    st.stop()
st.query_params["id"] = str(mid)
try:
    detail = cached_query(workflow.measurement_detail, principal, measurement_id=int(mid))
except RbmError as exc:
    st.error(message(exc))
    st.stop()

m = detail.measurement
st.markdown(f"**{plain(m['project'])} {plain(m['indicator'])}** · {plain(m['title'])}")
st.caption(f"Period {plain(m['period'])} · revision {m['revision']} · status {m['status']}")
a, b, c = st.columns(3)
yes_no = m["measure"] == "yes_no"
a.metric("Value", shown(m["value"], yes_no))
b.metric("Baseline", shown(m["baseline"], yes_no))
c.metric("Target this period", shown(m["target"], yes_no))
if m["narrative"]:
    st.text(m["narrative"])

st.subheader("Revisions")
revisions = detail.revisions
if yes_no:  # a yes/no value reads as yes or no, never 1 or 0
    revisions = revisions.assign(value=revisions["value"].map(lambda v: shown(v, True)))
st.dataframe(revisions, hide_index=True)
if not detail.breakdown.empty:
    st.subheader("Breakdown")
    st.dataframe(detail.breakdown, hide_index=True)

st.subheader("Evidence")
if detail.evidence.empty:
    st.caption("No evidence attached.")
for _, ev in detail.evidence.iterrows():
    if ev["url"]:
        st.text(f"Link: {ev['url']} (added by {ev['uploaded_by']})")
        continue
    with get_db().read() as session:
        name, ctype, data = workflow.attachment_file(
            session, principal=principal, attachment_id=int(ev["id"])
        )
    st.download_button(
        f"Download {plain(name)} ({ev['size']:,} bytes)", data, name, ctype, key=f"ms_dl_{ev['id']}"
    )

if detail.is_team:
    st.subheader("Comments")
    for _, cm in detail.comments.iterrows():
        st.caption(f"{plain(cm['author'])} · {cm['created_at']:%d %b %Y %H:%M}")
        st.text(cm["text"])
    text = st.text_area("Add a comment", key="ms_comment")
    if st.button("Comment", key="ms_comment_btn"):
        try:
            with get_db().write() as session:
                measurements.add_comment(
                    session, principal=principal, measurement_id=int(mid), text=text
                )
            st.rerun()
        except RbmError as exc:
            st.error(message(exc))

st.subheader("Audit trail")
trail = detail.audit.copy()
for col in ("before", "after"):
    trail[col] = trail[col].map(lambda v: json.dumps(v, sort_keys=True) if v else "")
st.dataframe(trail, hide_index=True)
