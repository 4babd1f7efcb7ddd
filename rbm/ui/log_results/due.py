"""The "What's due" tab: the items due, most urgent first, and the form for the one picked,
saved as a draft or submitted with its evidence in one transaction."""

from __future__ import annotations

from typing import Literal

import pandas as pd
import streamlit as st

from rbm.i18n import N_, _, ngettext
from rbm.principal import Principal
from rbm.services import evidence, measurements
from rbm.services.results_log import Evidence, log_value
from rbm.ui.log_results.values import breakdown, context, old, value_inputs
from rbm.ui.session import get_db
from rbm.ui.widgets import reported, show_flash, shown

DUE_LABELS = {
    "returned": N_("Returned"),
    "overdue": N_("Overdue"),
    "draft": N_("Draft"),
    "open": N_("Open"),
}
#: The two ways out of the form; the English word keys the button (tests find it by key).
_ACTIONS = ((False, "Save draft", N_("Save draft")), (True, "Submit", N_("Submit")))


def _item(row: pd.Series) -> str:
    return f"{row['project']} {row['indicator']} · {row['period']}"


def _label(row: pd.Series) -> str:
    if row["due"] == "overdue":
        n = int(row["days_overdue"])
        state = ngettext("Overdue, {n} day late", "Overdue, {n} days late", n)
    else:
        state = _(DUE_LABELS[row["due"]])
    return f"{state} · {_item(row)} — {row['title']}"


def _key_of(row: pd.Series) -> str:
    return f"{int(row['indicator_id'])}:{int(row['period_id'])}"


def _wanted(keys: list[str]) -> None:
    """Point the picker at the item asked for (a link's query string, or the item just saved)
    and never at a key that is no longer due."""
    asked = st.session_state.pop("lr_goto", None)
    params = st.query_params
    if asked is None and "indicator" in params and "period" in params:
        asked = f"{params['indicator']}:{params['period']}"
        st.session_state.pop("lr_pick", None)
    if asked in keys:
        st.session_state["lr_pick"] = asked
    elif st.session_state.get("lr_pick") not in keys:
        st.session_state.pop("lr_pick", None)


def due_tab(principal: Principal, due: pd.DataFrame) -> None:
    show_flash("lr_done")
    if due.empty:
        st.info(
            _("Nothing is due: every open period of your projects has a value in the workflow.")
        )
        return
    counts = due["due"].value_counts()
    # Overdue by the one rule (drafts and returned values of late periods included), the
    # same count the portfolio, country and donor pages show.
    counts["overdue"] = int(due["overdue"].sum())
    st.caption(" · ".join(f"{_(label)}: {counts.get(k, 0)}" for k, label in DUE_LABELS.items()))
    by_key = {_key_of(r): r for _i, r in due.iterrows()}
    _wanted(list(by_key))
    pick = st.selectbox(
        _("Indicator and period"),
        list(by_key),
        format_func=lambda k: _label(by_key[k]),
        key="lr_pick",
    )
    _value_form(principal, by_key[pick], pick)


def _value_form(principal: Principal, row: pd.Series, pick: str) -> None:
    # Every widget of the form is keyed on the item and the version of its stored value:
    # another item, or the same one after a save, starts from what is stored.
    version = 0 if pd.isna(row["version"]) else int(row["version"])
    key = f"lr_{pick.replace(':', '_')}_v{version}"
    detail = context(principal, row)
    stored = detail.measurement if detail is not None else None
    parts_stored = detail.breakdown if detail is not None else pd.DataFrame()
    values = value_inputs(row, stored, key)
    total = values.value if values.numerator is None else values.numerator
    parts = breakdown(principal, row, total, parts_stored, key)
    narrative = values.narrative
    if row["measure"] != "qualitative":
        narrative = st.text_area(
            _("Note (optional)"), value=old(stored, "narrative") or "", key=f"{key}_note"
        )
    values = measurements.Values(
        value=values.value,
        numerator=values.numerator,
        denominator=values.denominator,
        narrative=narrative,
        breakdown=parts,
    )
    files = st.file_uploader(
        _("Evidence files"),
        accept_multiple_files=True,
        key=f"{key}_files",
        type=[e.lstrip(".") for e in evidence.ALLOWED],
    )
    link = st.text_input(_("Or a link to the evidence"), key=f"{key}_link")
    items = [Evidence(f.name, content=f.getvalue()) for f in files or []]
    if link.strip():
        items.append(Evidence(link.strip(), url=link.strip()))
    for column, (submit, name, label) in zip(st.columns(2), _ACTIONS, strict=True):
        kind: Literal["primary", "secondary"] = "primary" if submit else "secondary"
        if column.button(_(label), key=f"lr_{name}", type=kind):
            with reported():
                st.session_state["lr_done"] = _save(principal, row, values, items, submit)
                st.session_state["lr_goto"] = pick
                st.query_params.clear()
                st.rerun()


def _save(
    principal: Principal,
    row: pd.Series,
    values: measurements.Values,
    items: list[Evidence],
    submit: bool,
) -> str:
    with get_db().write() as session:
        log_value(
            session,
            principal=principal,
            indicator_id=int(row["indicator_id"]),
            period_id=int(row["period_id"]),
            values=values,
            evidence_items=items,
            submit=submit,
            expected_version=None if pd.isna(row["version"]) else int(row["version"]),
        )
    item, value = _item(row), _saved_value(row, values)
    if submit:
        return _("Submitted for approval: {item} ({value}).", item=item, value=value)
    return _("Draft saved: {item} ({value}).", item=item, value=value)


def _saved_value(row: pd.Series, values: measurements.Values) -> str:
    if row["measure"] == "percentage":
        return _(
            "{numerator} of {denominator}",
            numerator=values.numerator,
            denominator=values.denominator,
        )
    if row["measure"] == "qualitative":
        return _("narrative")
    return shown(values.value, row["measure"] == "yes_no")
