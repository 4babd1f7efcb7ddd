"""Measurement history: one value's revisions, audit trail (who, when, what, before, after,
reason), comments and evidence downloads. Values outside the principal's scope, and values not
yet approved for roles outside the project team, are not shown."""

from __future__ import annotations

import json

import streamlit as st

from rbm.i18n import _, format_date, format_number
from rbm.queries import workflow
from rbm.services import measurements
from rbm.ui.entry_labels import enum_label, headed
from rbm.ui.session import cached_query, get_db, require_principal
from rbm.ui.widgets import plain, reported, shown

principal = require_principal()
st.title(_("Measurement history"))
wanted = st.query_params.get("id", "")
mid = st.number_input(
    _("Measurement number"),
    min_value=1,
    step=1,
    key="ms_id",
    value=int(wanted) if wanted.isdigit() else None,
)
if mid is None:
    st.info(_("Open a measurement from the approvals queue, or type its number."))
    st.stop()
st.query_params["id"] = str(mid)
detail = None
with reported():
    detail = cached_query(workflow.measurement_detail, principal, measurement_id=int(mid))
if detail is None:
    st.stop()

m = detail.measurement
st.markdown(f"**{plain(m['project'])} {plain(m['indicator'])}** · {plain(m['title'])}")
st.caption(
    _(
        "Period {period} · revision {revision} · status {status}",
        period=plain(m["period"]),
        revision=m["revision"],
        status=enum_label(m["status"]),
    )
)
a, b, c = st.columns(3)
yes_no = m["measure"] == "yes_no"
a.metric(_("Value"), shown(m["value"], yes_no))
b.metric(_("Baseline"), shown(m["baseline"], yes_no))
c.metric(_("Target this period"), shown(m["target"], yes_no))
if m["narrative"]:
    st.text(m["narrative"])

st.subheader(_("Revisions"))
revisions = detail.revisions
if yes_no:  # a yes/no value reads as yes or no, never 1 or 0
    revisions = revisions.assign(value=revisions["value"].map(lambda v: shown(v, True)))
st.dataframe(headed(revisions, enums=("status",)), hide_index=True)
if not detail.breakdown.empty:
    st.subheader(_("Breakdown"))
    st.dataframe(headed(detail.breakdown), hide_index=True)

st.subheader(_("Evidence"))
if detail.evidence.empty:
    st.caption(_("No evidence attached."))
for _i, ev in detail.evidence.iterrows():
    if ev["url"]:
        st.text(_("Link: {url} (added by {who})", url=ev["url"], who=ev["uploaded_by"]))
        continue
    with get_db().read() as session:
        name, ctype, data = workflow.attachment_file(
            session, principal=principal, attachment_id=int(ev["id"])
        )
    st.download_button(
        _(
            "Download {name} ({size} bytes)",
            name=plain(name),
            size=format_number(ev["size"], digits=0),
        ),
        data,
        name,
        ctype,
        key=f"ms_dl_{ev['id']}",
    )

if detail.is_team:
    st.subheader(_("Comments"))
    for _i, cm in detail.comments.iterrows():
        st.caption(
            f"{plain(cm['author'])} · {format_date(cm['created_at'])} {cm['created_at']:%H:%M}"
        )
        st.text(cm["text"])
    text = st.text_area(_("Add a comment"), key="ms_comment")
    if st.button(_("Post the comment"), key="ms_comment_btn"):
        with reported():
            with get_db().write() as session:
                measurements.add_comment(
                    session, principal=principal, measurement_id=int(mid), text=text
                )
            st.rerun()

st.subheader(_("Audit trail"))
trail = detail.audit.copy()
for col in ("before", "after"):
    trail[col] = trail[col].map(lambda v: json.dumps(v, sort_keys=True) if v else "")
st.dataframe(headed(trail, enums=("action",)), hide_index=True)
