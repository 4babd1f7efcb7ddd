"""The project page's indicator tab: one indicator's figures, flags, trend against its target
trajectory, breakdowns, and its approved values with links to their evidence and comments."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from rbm.i18n import _
from rbm.principal import Principal
from rbm.queries.iptt import LOP, breakdowns, trajectory
from rbm.queries.project import ProjectView
from rbm.ui import charts
from rbm.ui.labels import to_date_rule
from rbm.ui.session import cached_query
from rbm.ui.widgets import figure, judged_note, plain, show_table, status_label


def indicator_tab(principal: Principal, view: ProjectView, long: pd.DataFrame) -> None:
    """Pick an indicator (the `indicator` query parameter first) and show it in detail."""
    inds = view.indicators
    if inds.empty:
        st.caption(_("This project has no indicators yet."))
        return
    labels = dict(zip(inds["code"], inds["title"], strict=True))
    asked = st.query_params.get("indicator")
    pick = st.selectbox(
        _("Indicator"),
        list(labels),
        index=list(labels).index(asked) if asked in labels else 0,
        format_func=lambda c: f"{c} — {labels[c]}",
        key="pj_indicator",
    )
    row = inds[inds["code"] == pick].iloc[0]
    _figures(view, row)
    _charts(principal, view, long, row)
    _values(long, pick)


def _figures(view: ProjectView, row: pd.Series) -> None:
    measure, accumulation = row["measure"], row["accumulation"]
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(_("Baseline"), figure(row["baseline"], measure, accumulation))
    m2.metric(_("Target"), figure(row["target_value"], measure, accumulation))
    m3.metric(
        _("To date"),
        figure(row["to_date"], measure, accumulation),
        help=_("Counted as: {rule}.", rule=to_date_rule(row["to_date_rule"]) or "—")
        + " "
        + judged_note(view.judged_at),
    )
    m4.metric(_("Status"), status_label(row["status"]))
    st.caption(judged_note(view.judged_at))
    if measure == "number" and accumulation == "incremental":
        st.caption(
            _(
                "Reference sheet: the life-of-project target counts new results since the "
                "baseline; the baseline is context and is not added to the values to date."
            )
        )
    mine = view.flags[view.flags["indicator_id"] == row["indicator_id"]]
    for flag in mine.itertuples(index=False):
        st.warning(f"{_(str(flag.reason))}: {plain(str(flag.detail))}", icon=":material/flag:")


def _charts(principal: Principal, view: ProjectView, long: pd.DataFrame, row: pd.Series) -> None:
    code, unit = str(row["code"]), str(row["unit"] or "")
    points = trajectory(long, code=code)
    if points.empty:
        st.caption(_("No approved value and no target to chart yet."))
    else:
        title = _("{code}: actual against target", code=code)
        st.altair_chart(charts.trend(points, title=title, unit=unit), width="stretch")
    parts = cached_query(breakdowns, principal, code=str(view.project["code"]))
    mine = parts[parts["indicator_id"] == row["indicator_id"]]
    for dimension, group in mine.groupby("dimension"):
        title = _("{code} by {dimension}", code=code, dimension=str(dimension).lower())
        st.altair_chart(charts.breakdown(group, title=title, unit=unit), width="stretch")


def _values(long: pd.DataFrame, code: str) -> None:
    values = long[(long["code"] == code) & (long["period"] != LOP) & long["actual"].notna()]
    links = "/measurement?id=" + values["measurement_id"].astype("Int64").astype(str)
    show_table(
        values.assign(link=links)[
            ["period", "target", "actual", "achieved_pct", "evidence", "comments", "link"]
        ],
        key="pj_values",
        column_config={
            "period": _("Period"),
            "target": _("Target"),
            "actual": _("Actual"),
            "achieved_pct": st.column_config.NumberColumn(_("% achieved"), format="%.0f"),
            "evidence": _("Evidence files"),
            "comments": _("Comments"),
            "link": st.column_config.LinkColumn(
                _("Value"), display_text=_("Open evidence and comments")
            ),
        },
    )
