"""The project page's logframe tab (the tree from impact to activity, each result with its
rolled-up status and its indicators' figures) and results-chain tab (the live diagram, and a
result's indicators on demand)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from rbm.i18n import _, format_number, ngettext
from rbm.queries.iptt import LOP
from rbm.queries.project import ProjectView
from rbm.ui.labels import level_label, to_date_rule
from rbm.ui.results_chain import results_chain_dot
from rbm.ui.widgets import (
    formatted,
    judged_note,
    plain,
    progress_column,
    show_table,
    status_badge,
    status_label,
)

#: Internal column names of the indicator table (English; shown through `_column_config`).
_PENDING = "Pending (not approved)"


def _flag_reasons(view: ProjectView) -> pd.Series:
    """Per indicator: its data-quality flags as short reasons (distinct, in order)."""
    if view.flags.empty:
        return pd.Series(dtype=object)
    reasons = view.flags["reason"].map(_)
    return reasons.groupby(view.flags["indicator_id"]).agg(lambda r: "; ".join(dict.fromkeys(r)))


def _sparklines(long: pd.DataFrame) -> pd.Series:
    """Per indicator: its approved per-period values, oldest first (for LineChartColumn)."""
    per_period = long[(long["period"] != LOP) & long["actual"].notna()]
    return per_period.groupby("indicator_id")["actual"].agg(list)


def _pending(view: ProjectView, rows: pd.DataFrame) -> pd.Series:
    """Per indicator row: its value in review, with its status and period."""
    pending = view.pending.set_index("indicator_id").apply(
        lambda r: _(
            "{value} ({status}, {period})",
            value=format_number(r["value"]),
            status=_(str(r["status"])),
            period=r["period"],
        ),
        axis=1,
    )
    return rows["indicator_id"].map(pending).fillna("")


def indicator_table(view: ProjectView, long: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """The indicators of `rows` with their figures, status, flags and per-period values."""
    table = pd.DataFrame(
        {
            "Code": rows["code"],
            "Indicator": rows["title"],
            "Unit": rows["unit"],
            "Baseline": formatted(rows, "baseline"),
            "Target": formatted(rows, "target_value"),
            "To date": formatted(rows, "to_date"),
            "Counted as": rows["to_date_rule"].map(to_date_rule).fillna(""),
            "Progress": rows["progress"] * 100,
            "Status": rows["status"].map(status_label),
            "Data quality": rows["indicator_id"].map(_flag_reasons(view)).fillna(""),
            "Trend": rows["indicator_id"].map(_sparklines(long)),
        }
    )
    if view.is_team and not view.pending.empty:
        table[_PENDING] = _pending(view, rows)
    return table


def _column_config() -> dict[str, Any]:
    """The indicator table's headers in the current language."""
    return {
        "Code": _("Code"),
        "Indicator": st.column_config.TextColumn(_("Indicator"), width="large"),
        "Unit": _("Unit"),
        "Baseline": _("Baseline"),
        "Target": _("Target"),
        "To date": _("To date"),
        "Counted as": _("Counted as"),
        "Progress": progress_column(),
        "Status": _("Status"),
        "Data quality": _("Data quality"),
        "Trend": st.column_config.LineChartColumn(_("Values per period")),
        _PENDING: _("Pending (not approved)"),
    }


def _show_node(view: ProjectView, long: pd.DataFrame, node: pd.Series, depth: int) -> None:
    with st.container(border=True):
        head, badge = st.columns([6, 1])
        level = level_label(node["level"])
        head.markdown(
            f"{'— ' * depth}**{level} {plain(str(node['code']))}** · {plain(node['title'])}"
        )
        with badge:
            status_badge(node["status"])
        if node["assumptions"] or node["risks"]:
            st.caption(
                _("Assumptions: {assumptions}", assumptions=plain(node["assumptions"]) or "—")
                + "  \n"
                + _("Risks: {risks}", risks=plain(node["risks"]) or "—")
            )
        rows = view.indicators[view.indicators["result_node_id"] == node["id"]]
        if not rows.empty:
            show_table(
                indicator_table(view, long, rows),
                column_config=_column_config(),
            )
    children = view.nodes[view.nodes["parent_id"] == node["id"]]
    for _i, child in children.iterrows():
        _show_node(view, long, child, depth + 1)


def logframe_tab(view: ProjectView, long: pd.DataFrame) -> None:
    """The tree from impact to activity, with the data-quality flags above it."""
    st.caption(
        _(
            "Status and progress count approved values only. Progress = (to date − baseline) / "
            "(target − baseline); an incremental count's target is new results, so its "
            "progress is to date / target."
        )
        + " "
        + judged_note(view.judged_at)
    )
    if not view.flags.empty:
        _flags(view)
    root = view.nodes[view.nodes["parent_id"].isna()]
    for _i, node in root.iterrows():
        _show_node(view, long, node, 0)


def _flags(view: ProjectView) -> None:
    count = len(view.flags)
    with st.expander(ngettext("{n} data-quality flag", "{n} data-quality flags", count)):
        show_table(
            view.flags[["code", "reason", "period_end", "detail"]].assign(
                reason=view.flags["reason"].map(_)
            ),
            key="pj_flags",
            column_config={
                "code": _("Indicator"),
                "reason": _("Flag"),
                "period_end": st.column_config.DateColumn(_("Period end")),
                "detail": st.column_config.TextColumn(_("Detail"), width="large"),
            },
        )


def chain_tab(view: ProjectView, long: pd.DataFrame) -> None:
    """The live results chain, and the indicators of a chosen result."""
    st.caption(
        _(
            "The theory of change with live status: each result is coloured by its rolled-up "
            "status (approved values only). Choose a result to open its indicators."
        )
    )
    st.graphviz_chart(results_chain_dot(view.nodes), width="stretch")
    node_codes = view.nodes["code"].astype(str).tolist()
    opened = st.selectbox(
        _("Open a result"),
        node_codes,
        index=None,
        placeholder=_("Choose a result"),
        key="pj_chain",
    )
    if opened is None:
        return
    node = view.nodes[view.nodes["code"].astype(str) == opened].iloc[0]
    st.markdown(f"**{plain(opened)}** · {plain(str(node['title']))}")
    rows = view.indicators[view.indicators["result_node_id"] == node["id"]]
    if rows.empty:
        st.caption(_("This result has no indicators."))
        return
    show_table(
        indicator_table(view, long, rows),
        key="pj_chain_ind",
        column_config=_column_config(),
    )
