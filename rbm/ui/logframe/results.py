"""The results tab: the logframe's results as an indented tree, a form to add one under its
parent level, and a form to change, move, re-parent, remove or archive one."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from rbm.i18n import _
from rbm.models.enums import ResultLevel
from rbm.services import logframe_editor as svc
from rbm.ui.entry_labels import enum_label, headed
from rbm.ui.logframe.common import Editor, change, write
from rbm.ui.widgets import show_table

LEVELS = list(ResultLevel)


def node_labeller(tree: pd.DataFrame) -> Any:
    """A `format_func` naming a result by its level, code and statement."""
    nodes = tree.set_index("id")

    def label(node_id: Any) -> str:
        n = nodes.loc[node_id]
        return f"{enum_label(n['level'])} {n['code']} — {n['statement']}"

    return label


def results_tab(ed: Editor) -> None:
    tree = ed.tree
    if tree.empty:
        st.info(_("This logframe has no results yet: start with its impact below."))
    else:
        indented = [
            "\u2003" * int(d) + str(c) for d, c in zip(tree["depth"], tree["code"], strict=True)
        ]
        shown = tree.assign(result=indented)
        show_table(
            headed(
                shown[["result", "level", "statement", "assumptions", "risks", "archived"]],
                enums=("level",),
            ),
            key="le_tree",
        )
    _add_result_form(ed)
    if not tree.empty:
        _edit_result_form(ed)


def _add_result_form(ed: Editor) -> None:
    tree = ed.tree
    st.subheader(_("Add a result"))
    live = tree[~tree["archived"]] if not tree.empty else tree
    levels = [ResultLevel.IMPACT] if tree.empty else LEVELS[1:]
    level = st.selectbox(_("Level"), levels, format_func=enum_label, key="le_ar_level")
    parents = (
        [] if tree.empty else live[live["level"] == LEVELS[level.rank - 1].value]["id"].tolist()
    )
    with st.form("le_add_result", clear_on_submit=True):
        parent = (
            st.selectbox(_("Under"), parents, format_func=node_labeller(tree), key="le_ar_parent")
            if level is not ResultLevel.IMPACT
            else None
        )
        a, b = st.columns([1, 3])
        code_in = a.text_input(_("Code"), key="le_ar_code")
        statement = b.text_input(_("Statement"), key="le_ar_statement")
        assumptions = st.text_area(_("Assumptions"), key="le_ar_assumptions")
        risks = st.text_area(_("Risks"), key="le_ar_risks")
        if st.form_submit_button(_("Add the result"), type="primary"):
            args = {
                "level": level.value,
                "code": code_in,
                "statement": statement,
                "parent_id": None if parent is None else int(parent),
                "assumptions": assumptions,
                "risks": risks,
            }
            summary = _("add {level} {code}", level=enum_label(level).lower(), code=code_in)
            change(ed, "add_result", args, summary)


def _edit_result_form(ed: Editor) -> None:
    tree = ed.tree
    st.subheader(_("Change a result"))
    node_id = st.selectbox(
        _("Result to change"),
        tree["id"].tolist(),
        format_func=node_labeller(tree),
        key="le_er_node",
    )
    node = tree.set_index("id").loc[node_id]
    with st.form(f"le_edit_result_{node_id}"):
        statement = st.text_input(_("Statement"), value=node["statement"], key=f"le_er_s_{node_id}")
        assumptions = st.text_area(
            _("Assumptions"), value=node["assumptions"], key=f"le_er_a_{node_id}"
        )
        risks = st.text_area(_("Risks"), value=node["risks"], key=f"le_er_r_{node_id}")
        if st.form_submit_button(_("Save the result")):
            args = {
                "node_id": int(node_id),
                "statement": statement,
                "assumptions": assumptions,
                "risks": risks,
                "description": node["description"],
            }
            change(ed, "edit_result", args, _("edit result {code}", code=node["code"]))
    if ed.can_edit:
        _move_controls(ed, int(node_id))
        _parent_control(ed, int(node_id), node)
        _archive_control(ed, int(node_id))


def _move_controls(ed: Editor, node_id: int) -> None:
    who = ed.principal
    up, down, remove = st.columns(3)
    if up.button(_("Move up"), key="le_up"):
        write(
            lambda s: svc.move_result(s, principal=who, node_id=node_id, offset=-1), _("Moved up.")
        )
    if down.button(_("Move down"), key="le_down"):
        write(
            lambda s: svc.move_result(s, principal=who, node_id=node_id, offset=1),
            _("Moved down."),
        )
    if remove.button(_("Remove"), key="le_remove"):
        write(lambda s: svc.remove_result(s, principal=who, node_id=node_id), _("Removed."))


def _parent_control(ed: Editor, node_id: int, node: pd.Series) -> None:
    tree = ed.tree
    rank = ResultLevel(node["level"]).rank
    if rank == 0:
        return
    options = tree[(tree["level"] == LEVELS[rank - 1].value) & (tree["id"] != node["parent_id"])]
    if options.empty:
        return
    new_parent = st.selectbox(
        _("Move under"), options["id"].tolist(), format_func=node_labeller(tree), key="le_parent"
    )
    if st.button(_("Change parent"), key="le_change_parent"):
        write(
            lambda s: svc.change_parent(
                s, principal=ed.principal, node_id=node_id, parent_id=int(new_parent)
            ),
            _("Parent changed."),
        )


def _archive_control(ed: Editor, node_id: int) -> None:
    reason = st.text_input(_("Why archive it?"), key="le_archive_reason")
    if st.button(_("Archive (hide from entry, keep history)"), key="le_archive"):
        write(
            lambda s: svc.archive_result(s, principal=ed.principal, node_id=node_id, reason=reason),
            _("Archived."),
        )
