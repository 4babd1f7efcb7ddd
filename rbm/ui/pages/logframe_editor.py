"""Logframe editor: create a project for your own organisation, edit or close it, build its
logframe (results, indicators with their reference sheet, baselines, targets and targets per
disaggregation part), import or download the logframe spreadsheet, and apply officers'
proposed changes. Managers and admins change things directly; an officer's change is saved as
a proposal that a manager applies. Every rule lives in the services; each section is laid out
by its module in `rbm.ui.logframe`."""

from __future__ import annotations

import streamlit as st

from rbm.i18n import _
from rbm.models.enums import Role
from rbm.queries import logframe_editor as q
from rbm.ui.logframe.common import DONE, Editor, organisations
from rbm.ui.logframe.indicators import indicators_tab
from rbm.ui.logframe.new_project import new_project_form
from rbm.ui.logframe.project import project_tab
from rbm.ui.logframe.proposals import proposals_tab
from rbm.ui.logframe.results import results_tab
from rbm.ui.logframe.sheet import sheet_tab
from rbm.ui.logframe.targets import targets_tab
from rbm.ui.session import cached_query, require_principal

principal = require_principal()
is_manager = principal.has_role(Role.ADMIN, Role.MANAGER)
st.title(_("Logframe editor"))
# Always the same slot: an element that comes and goes would shift the tabs below it, and
# Streamlit would then reopen the first tab.
flash = st.empty()
if done := st.session_state.pop(DONE, None):
    flash.success(done)

orgs = organisations()
org_names = dict(zip(orgs["id"], orgs["name"], strict=True))
if is_manager:
    with st.expander(_("Create a project"), expanded=False):
        new_project_form(principal, org_names)

editable = cached_query(q.editable_projects, principal)
if editable.empty:
    st.info(
        _("There is no project you can edit or propose changes to yet. Create one above.")
        if is_manager
        else _(
            "There is no project you can edit or propose changes to yet. "
            "A manager creates projects."
        )
    )
    st.stop()

codes = editable["code"].tolist()
titles = dict(zip(editable["code"], editable["title"], strict=True))
wanted = st.query_params.get("code")
code = str(
    st.selectbox(
        _("Project"),
        codes,
        # The choice kept in the session (a project just created) wins over the URL.
        index=codes.index(wanted)
        if wanted in codes and "le_project" not in st.session_state
        else 0,
        format_func=lambda c: f"{c} — {titles[c]}",
        key="le_project",
    )
)
st.query_params["code"] = code
ids = dict(zip(editable["code"], editable["id"], strict=True))
editors = dict(zip(editable["code"], editable["can_edit"], strict=True))
pid, can_edit = int(ids[code]), bool(editors[code])
st.caption(
    _("You change this project directly.")
    if can_edit
    else _("You propose changes: a manager of the project applies or rejects them.")
)
editor = Editor(
    principal=principal,
    pid=pid,
    code=code,
    can_edit=can_edit,
    org_names=org_names,
    tree=cached_query(q.logframe_tree, principal, project_id=pid),
    inds=cached_query(q.logframe_indicators, principal, project_id=pid),
)
tabs = st.tabs(
    [
        _("Results"),
        _("Indicators"),
        _("Targets"),
        _("Project"),
        _("Spreadsheet"),
        _("Proposed changes"),
    ]
)
sections = (
    results_tab, indicators_tab, targets_tab, project_tab, sheet_tab, proposals_tab,
)  # fmt: skip
for tab, section in zip(tabs, sections, strict=True):
    with tab:
        section(editor)
