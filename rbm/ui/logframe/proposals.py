"""The proposed changes tab: the project's proposals, and a manager applying or rejecting a
pending one with a note to the officer."""

from __future__ import annotations

import streamlit as st

from rbm.i18n import _
from rbm.queries import logframe_editor as q
from rbm.services import proposals
from rbm.ui.entry_labels import headed
from rbm.ui.logframe.common import Editor, fmt, write
from rbm.ui.session import cached_query
from rbm.ui.widgets import show_table


def proposals_tab(ed: Editor) -> None:
    listed = cached_query(q.proposals, ed.principal, project_id=ed.pid)
    if listed.empty:
        st.info(_("No change has been proposed for this project."))
        return
    show_table(
        headed(listed.drop(columns=["arguments"]), enums=("operation", "status")),
        key="le_prop_table",
    )
    pending = listed[listed["status"] == "pending"]
    if not ed.can_edit or pending.empty:
        return
    names = dict(
        zip(pending["id"], "#" + pending["id"].astype(str) + " " + pending["summary"], strict=True)
    )
    pick = st.selectbox(
        _("Proposed change"), pending["id"].tolist(), format_func=fmt(names), key="le_prop_pick"
    )
    note = st.text_input(_("Note to the officer"), key="le_prop_note")
    if pick is None:
        return
    proposal_id = int(pick)
    a, b = st.columns(2)
    if a.button(_("Apply"), key="le_prop_apply", type="primary"):
        write(
            lambda s: proposals.apply_proposal(
                s, principal=ed.principal, proposal_id=proposal_id, note=note
            ),
            _("Change applied."),
        )
    if b.button(_("Reject"), key="le_prop_reject"):
        write(
            lambda s: proposals.reject_proposal(
                s, principal=ed.principal, proposal_id=proposal_id, note=note
            ),
            _("Change rejected."),
        )
