"""The indicators tab: a result's indicators, the reference sheet form (add or change one),
its baseline, archiving or removing it, and its target history."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from rbm.i18n import _, ngettext
from rbm.models.enums import Accumulation, Direction, Frequency, Measure
from rbm.queries import logframe_editor as q
from rbm.services import logframe_editor as svc
from rbm.ui import logframe_forms as forms
from rbm.ui.entry_labels import enum_format, headed
from rbm.ui.logframe.common import Editor, change, fmt, text, write
from rbm.ui.logframe.results import node_labeller
from rbm.ui.session import cached_query
from rbm.ui.widgets import show_table

_TABLE = [
    "code", "title", "unit", "measure", "direction", "accumulation",
    "baseline_value", "target_lop", "approved_values", "archived",
]  # fmt: skip
_LIFE_OF_PROJECT = "life of project"  # the target history's period of a life-of-project target


def dimension_parts(session: Session, *, principal: Any) -> pd.DataFrame:
    return q.dimension_parts(session)


def _library(session: Session, *, principal: Any) -> pd.DataFrame:
    return q.library_indicators(session)


def _enum_box(where: Any, label: str, options: list[Any], chosen: str, key: str) -> Any:
    values = [o.value for o in options]
    return where.selectbox(label, values, values.index(chosen), format_func=enum_format(), key=key)


def indicator_form(ed: Editor, key: str, current: pd.Series | None) -> dict[str, Any] | None:
    """The reference sheet form; the sheet as JSON-ready arguments when submitted."""

    def val(col: str, default: Any = "") -> Any:
        if current is None or current[col] is None:
            return default
        if isinstance(current[col], float) and pd.isna(current[col]):
            return default
        return current[col]

    parts = cached_query(dimension_parts, ed.principal)
    dims = parts.drop_duplicates("dimension_id")
    dim_names = dict(zip(dims["dimension_id"], dims["dimension"], strict=True))
    library = cached_query(_library, ed.principal)
    lib_names = dict(zip(library["id"], library["code"] + " — " + library["title"], strict=True))
    chosen_dims = [d for d, n in dim_names.items() if n in forms.labels(str(val("dimensions")))]
    with st.form(key):
        a, b = st.columns([1, 3])
        code_in = a.text_input(
            _("Code"), value=val("code"), disabled=current is not None, key=f"{key}_code"
        )
        title = b.text_input(_("Title"), value=val("title"), key=f"{key}_title")
        definition = st.text_area(_("Definition"), value=val("definition"), key=f"{key}_def")
        c, d, e, f = st.columns(4)
        measure = _enum_box(
            c, _("Measure"), list(Measure), val("measure", "number"), f"{key}_measure"
        )
        direction = _enum_box(
            d, _("Direction"), list(Direction), val("direction", "increase"), f"{key}_direction"
        )
        accumulation = _enum_box(
            e, _("Accumulation"), list(Accumulation), val("accumulation", "incremental"),
            f"{key}_acc",
        )  # fmt: skip
        unit = f.text_input(_("Unit"), value=val("unit"), key=f"{key}_unit")
        denominator_rule = st.text_input(
            _("Denominator rule (percentages)"), value=val("denominator_rule"), key=f"{key}_den"
        )
        labels = st.text_input(
            _("Scale labels (ordinal; separated by ;)"),
            value="; ".join(val("ordinal_labels", []) or []),
            key=f"{key}_labels",
        )
        g, h = st.columns(2)
        data_source = g.text_input(_("Data source"), value=val("data_source"), key=f"{key}_src")
        mov = h.text_input(
            _("Means of verification"), value=val("means_of_verification"), key=f"{key}_mov"
        )
        method = g.text_input(_("Collection method"), value=val("method"), key=f"{key}_method")
        responsible = h.text_input(
            _("Responsible person"), value=val("responsible"), key=f"{key}_resp"
        )
        frequency = _enum_box(
            g, _("Frequency"), list(Frequency), val("frequency", "quarterly"), f"{key}_freq"
        )
        dimensions = h.multiselect(
            _("Disaggregation dimensions"),
            list(dim_names),
            default=chosen_dims,
            format_func=fmt(dim_names),
            key=f"{key}_dims",
        )
        lib_code = val("library_code", None)
        lib_ids = [None, *lib_names]
        current_lib = next((i for i in lib_names if lib_names[i].split(" — ")[0] == lib_code), None)
        library_id = st.selectbox(
            _("Library indicator"),
            lib_ids,
            lib_ids.index(current_lib),
            format_func=lambda i: "—" if i is None else lib_names[i],
            key=f"{key}_lib",
        )
        if not st.form_submit_button(_("Save the indicator"), type="primary"):
            return None
    return {
        "code": str(code_in).strip(),
        "title": title,
        "definition": definition,
        "measure": measure,
        "direction": direction,
        "accumulation": accumulation,
        "unit": unit,
        "denominator_rule": denominator_rule,
        "ordinal_labels": forms.labels(labels) or None,
        "data_source": data_source,
        "means_of_verification": mov,
        "method": method,
        "responsible": responsible,
        "frequency": frequency,
        "dimension_ids": [int(x) for x in dimensions],
        "library_indicator_id": None if library_id is None else int(library_id),
    }


def indicators_tab(ed: Editor) -> None:
    tree = ed.tree
    live = tree[~tree["archived"]] if not tree.empty else tree
    if live.empty:
        st.info(_("Add a result first; indicators sit on results."))
        return
    node_id = st.selectbox(
        _("Result measured"),
        live["id"].tolist(),
        format_func=node_labeller(tree),
        key="le_ind_node",
    )
    mine = ed.inds[ed.inds["result_node_id"] == node_id]
    if not mine.empty:
        show_table(
            headed(mine[_TABLE], enums=("measure", "direction", "accumulation")),
            key="le_ind_table",
        )
    with st.expander(_("Add an indicator"), expanded=mine.empty):
        if (sheet := indicator_form(ed, f"le_new_ind_{node_id}", None)) is not None:
            summary = _("add indicator {code}", code=sheet["code"])
            change(ed, "add_indicator", {"result_node_id": int(node_id), "sheet": sheet}, summary)
    if not mine.empty:
        _edit_indicator(ed, mine)


def _edit_indicator(ed: Editor, mine: pd.DataFrame) -> None:
    st.subheader(_("Change an indicator"))
    pick = st.selectbox(_("Indicator to change"), mine["code"].tolist(), key="le_ind_pick")
    current = mine.set_index("code").loc[pick].copy()
    current["code"] = pick
    iid = int(current["indicator_id"])
    if approved := int(current["approved_values"]):
        st.caption(
            ngettext(
                "{code} has {n} approved value: its measure, accumulation, direction and unit "
                "can no longer change.",
                "{code} has {n} approved values: its measure, accumulation, direction and unit "
                "can no longer change.",
                approved,
                code=pick,
            )
        )
    if (sheet := indicator_form(ed, f"le_edit_ind_{iid}", current)) is not None:
        args = {"indicator_id": iid, "sheet": sheet}
        change(ed, "edit_indicator", args, _("edit indicator {code}", code=pick))
    _baseline_form(ed, iid, current)
    if ed.can_edit:
        _archive_indicator(ed, iid)
    st.markdown("**" + _("Target history") + "**")
    history = cached_query(q.target_history, ed.principal, indicator_id=iid)
    history = history.assign(
        period=history["period"].replace(_LIFE_OF_PROJECT, _("life of project"))
    )
    show_table(headed(history), key="le_history")


def _baseline_form(ed: Editor, iid: int, current: pd.Series) -> None:
    with st.form(f"le_baseline_{iid}"):
        st.markdown("**" + _("Baseline") + "**")
        a, b, c, d = st.columns(4)
        stored = current["baseline_date"]
        day = a.date_input(
            _("Date"),
            value=stored if isinstance(stored, date) else date.today(),
            key=f"le_b_date_{iid}",
        )
        value = b.text_input(
            _("Value"), value=text(current["baseline_value"]), key=f"le_b_value_{iid}"
        )
        num = c.text_input(
            _("Numerator"), value=text(current["baseline_numerator"]), key=f"le_b_num_{iid}"
        )
        den = d.text_input(
            _("Denominator"), value=text(current["baseline_denominator"]), key=f"le_b_den_{iid}"
        )
        if st.form_submit_button(_("Save the baseline")):
            args = {
                "indicator_id": iid,
                "baseline_date": day.isoformat(),
                "value": value or None,
                "numerator": num or None,
                "denominator": den or None,
            }
            change(ed, "set_baseline", args, _("baseline of {code}", code=current["code"]))


def _archive_indicator(ed: Editor, iid: int) -> None:
    a, b = st.columns([3, 1])
    reason = a.text_input(_("Why archive or remove it?"), key=f"le_ia_reason_{iid}")
    if b.button(_("Archive"), key=f"le_ia_{iid}"):
        write(
            lambda s: svc.archive_indicator(
                s, principal=ed.principal, indicator_id=iid, reason=reason
            ),
            _("Indicator archived."),
        )
    if b.button(_("Remove"), key=f"le_ir_{iid}"):
        write(
            lambda s: svc.remove_indicator(s, principal=ed.principal, indicator_id=iid),
            _("Indicator removed."),
        )
