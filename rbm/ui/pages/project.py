"""Project: the project lens. Header (provider, partners, donors, countries, priority areas,
dates, money), then three tabs: the logframe tree from impact to activity (each result with its
rolled-up status, its indicators' figures and a sparkline), one indicator in detail (trend
against the target trajectory, breakdowns, values with their evidence and comments), and the
IPTT with its Excel export."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from rbm.errors import NotFound
from rbm.exchange.iati_export import export_iati
from rbm.exchange.iptt_workbook import iptt_excel
from rbm.queries.iptt import LOP, breakdowns, iptt, iptt_wide, trajectory
from rbm.queries.narratives import project_periods
from rbm.queries.project import ProjectView, project_view, visible_projects
from rbm.queries.reference import optional_query
from rbm.ui import charts, reporting
from rbm.ui.results_chain import results_chain_dot
from rbm.ui.session import cached_query, get_db, require_principal
from rbm.ui.widgets import (
    figure,
    judged_note,
    message,
    money,
    number,
    plain,
    status_badge,
    status_label,
)

LEVEL_LABELS = {
    "impact": "Impact",
    "outcome": "Outcome",
    "output": "Output",
    "activity": "Activity",
}

principal = require_principal()
with get_db().read() as session:
    choices = visible_projects(session, principal=principal)
if choices.empty:
    st.title("Project")
    st.info("There is no project you can see yet.")
    st.stop()

codes = choices["code"].tolist()
titles = dict(zip(choices["code"], choices["title"], strict=True))
wanted = st.query_params.get("code")
code = st.selectbox(
    "Project",
    codes,
    index=codes.index(wanted) if wanted in codes else 0,
    format_func=lambda c: f"{c} — {titles[c]}",
    key="pj_code",
)
st.query_params["code"] = code
try:
    view: ProjectView = cached_query(project_view, principal, code=code)
except NotFound as exc:
    st.error(message(exc))
    st.stop()

p = view.project
st.title(f"{plain(p['code'])} · {plain(p['title'])}")
st.caption(
    f"Provider: {plain(p['provider'])} · {p['start_date']:%d %b %Y} to {p['end_date']:%d %b %Y}"
    f" · status: {getattr(p['status'], 'value', p['status'])}"
)
if p["description"]:
    st.text(p["description"])

c1, c2, c3, c4 = st.columns(4)
c1.metric("Budget", money(p["budget"], p["currency"]))
c2.metric("Funding", money(float(view.funding["amount"].sum()), p["currency"]))
c3.metric("Recipient countries", len(view.countries))
root = view.nodes[view.nodes["parent_id"].isna()]
with c4:
    st.caption("Overall status")
    if not root.empty:
        status_badge(root.iloc[0]["status"])

with st.expander("Partners, donors, countries and priority areas"):
    a, b = st.columns(2)
    with a:
        st.markdown("**Donors**")
        st.dataframe(
            view.funding,
            hide_index=True,
            width="stretch",
            column_config={
                "donor": "Donor",
                "amount": st.column_config.NumberColumn("Amount", format="localized"),
                "currency": "Currency",
                "date_from": "From",
                "date_to": "To",
            },
        )
        st.markdown("**Implementing partners**")
        st.text("\n".join(view.partners["name"]) or "—")
    with b:
        st.markdown("**Recipient countries (share %)**")
        st.dataframe(
            view.countries[["name", "share"]],
            hide_index=True,
            width="stretch",
            column_config={"name": "Country", "share": "Share %"},
        )
        st.markdown("**Priority areas**")
        st.text("\n".join(view.areas["name"]) or "—")


def _figures(rows: pd.DataFrame, column: str) -> list[str]:
    return [
        figure(v, m, a)
        for v, m, a in zip(rows[column], rows["measure"], rows["accumulation"], strict=True)
    ]


def _flag_reasons() -> pd.Series:
    """Per indicator: its data-quality flags as short reasons (distinct, in order)."""
    if view.flags.empty:
        return pd.Series(dtype=object)
    return view.flags.groupby("indicator_id")["reason"].agg(lambda r: "; ".join(dict.fromkeys(r)))


def _indicator_table(rows: pd.DataFrame) -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "Code": rows["code"],
            "Indicator": rows["title"],
            "Unit": rows["unit"],
            "Baseline": _figures(rows, "baseline"),
            "Target": _figures(rows, "target_value"),
            "To date": _figures(rows, "to_date"),
            "Counted as": rows["to_date_rule"].fillna(""),
            "Progress": rows["progress"] * 100,
            "Status": rows["status"].map(status_label),
            "Data quality": rows["indicator_id"].map(_flag_reasons()).fillna(""),
            "Trend": rows["indicator_id"].map(_sparklines()),
        }
    )
    if view.is_team and not view.pending.empty:
        pending = rows["indicator_id"].map(
            view.pending.set_index("indicator_id").apply(
                lambda r: f"{number(r['value'])} ({r['status']}, {r['period']})", axis=1
            )
        )
        table["Pending (not approved)"] = pending.fillna("")
    return table


def _sparklines() -> pd.Series:
    """Per indicator: its approved per-period values, oldest first (for LineChartColumn)."""
    per_period = long[(long["period"] != LOP) & long["actual"].notna()]
    return per_period.groupby("indicator_id")["actual"].agg(list)


def _show_node(node: pd.Series, depth: int) -> None:
    level = LEVEL_LABELS.get(node["level"], node["level"])
    with st.container(border=True):
        head, badge = st.columns([6, 1])
        head.markdown(
            f"{'— ' * depth}**{level} {plain(str(node['code']))}** · {plain(node['title'])}"
        )
        with badge:
            status_badge(node["status"])
        if node["assumptions"] or node["risks"]:
            st.caption(
                f"Assumptions: {plain(node['assumptions']) or '—'}  \n"
                f"Risks: {plain(node['risks']) or '—'}"
            )
        rows = view.indicators[view.indicators["result_node_id"] == node["id"]]
        if not rows.empty:
            st.dataframe(
                _indicator_table(rows),
                hide_index=True,
                width="stretch",
                column_config={
                    "Indicator": st.column_config.TextColumn(width="large"),
                    "Progress": st.column_config.ProgressColumn(
                        "Progress", min_value=0, max_value=100, format="%.0f%%"
                    ),
                    "Trend": st.column_config.LineChartColumn("Values per period"),
                },
            )
    children = view.nodes[view.nodes["parent_id"] == node["id"]]
    for _, child in children.iterrows():
        _show_node(child, depth + 1)


if view.nodes.empty:
    st.info(
        "This project has no results yet. Its logframe is built on the Logframe editor page "
        "(results, indicators, baselines and targets, or an imported logframe spreadsheet); "
        "officers propose changes there and a manager applies them. Figures, the results "
        "chain and the IPTT appear here once it has results."
    )
    st.stop()

long = cached_query(iptt, principal, code=code)
tree, chain, detail, table, story = st.tabs(
    ["Logframe", "Results chain", "Indicator detail", "IPTT", "Narrative"]
)
with tree:
    st.caption(
        "Status and progress count approved values only. Progress = (to date − baseline) / "
        "(target − baseline); an incremental count's target is new results, so its progress "
        "is to date / target. " + judged_note(view.judged_at)
    )
    if not view.flags.empty:
        with st.expander(f"Data-quality flags ({len(view.flags)})"):
            st.dataframe(
                view.flags[["code", "reason", "period_end", "detail"]],
                hide_index=True,
                width="stretch",
                key="pj_flags",
                column_config={
                    "code": "Indicator",
                    "reason": "Flag",
                    "period_end": st.column_config.DateColumn("Period end"),
                    "detail": st.column_config.TextColumn("Detail", width="large"),
                },
            )
    for _, node in root.iterrows():
        _show_node(node, 0)

with chain:
    st.caption(
        "The theory of change with live status: each result is coloured by its rolled-up "
        "status (approved values only). Choose a result to open its indicators."
    )
    st.graphviz_chart(results_chain_dot(view.nodes), width="stretch")
    node_codes = view.nodes["code"].astype(str).tolist()
    opened = st.selectbox(
        "Open a result", node_codes, index=None, placeholder="Choose a result", key="pj_chain"
    )
    if opened is not None:
        opened_node = view.nodes[view.nodes["code"].astype(str) == opened].iloc[0]
        st.markdown(f"**{plain(opened)}** · {plain(str(opened_node['title']))}")
        opened_rows = view.indicators[view.indicators["result_node_id"] == opened_node["id"]]
        if opened_rows.empty:
            st.caption("This result has no indicators.")
        else:
            st.dataframe(
                _indicator_table(opened_rows), hide_index=True, width="stretch", key="pj_chain_ind"
            )


def _indicator_detail() -> None:
    inds = view.indicators
    labels = dict(zip(inds["code"], inds["title"], strict=True))
    asked = st.query_params.get("indicator")
    pick = st.selectbox(
        "Indicator",
        list(labels),
        index=list(labels).index(asked) if asked in labels else 0,
        format_func=lambda c: f"{c} — {labels[c]}",
        key="pj_indicator",
    )
    row = inds[inds["code"] == pick].iloc[0]
    unit = str(row["unit"] or "")
    measure, accumulation = row["measure"], row["accumulation"]
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Baseline", figure(row["baseline"], measure, accumulation))
    m2.metric("Target", figure(row["target_value"], measure, accumulation))
    m3.metric(
        "To date",
        figure(row["to_date"], measure, accumulation),
        help=f"Counted as: {row['to_date_rule'] or '—'}. {judged_note(view.judged_at)}",
    )
    m4.metric("Status", status_label(row["status"]))
    st.caption(judged_note(view.judged_at))
    if measure == "number" and accumulation == "incremental":
        st.caption(
            "Reference sheet: the life-of-project target counts new results since the "
            "baseline; the baseline is context and is not added to the values to date."
        )
    mine_flags = view.flags[view.flags["indicator_id"] == row["indicator_id"]]
    for flag in mine_flags.itertuples(index=False):
        st.warning(f"{flag.reason}: {plain(str(flag.detail))}", icon=":material/flag:")
    points = trajectory(long, code=pick)
    if points.empty:
        st.caption("No approved value and no target to chart yet.")
    else:
        st.altair_chart(
            charts.trend(points, title=f"{pick}: actual against target", unit=unit),
            width="stretch",
        )
    parts = cached_query(breakdowns, principal, code=code)
    mine = parts[parts["indicator_id"] == row["indicator_id"]]
    for dimension, group in mine.groupby("dimension"):
        st.altair_chart(
            charts.breakdown(group, title=f"{pick} by {str(dimension).lower()}", unit=unit),
            width="stretch",
        )
    values = long[(long["code"] == pick) & (long["period"] != LOP) & long["actual"].notna()]
    st.dataframe(
        values.assign(
            link="/measurement?id=" + values["measurement_id"].astype("Int64").astype(str)
        )[["period", "target", "actual", "achieved_pct", "evidence", "comments", "link"]],
        hide_index=True,
        width="stretch",
        key="pj_values",
        column_config={
            "period": "Period",
            "target": "Target",
            "actual": "Actual",
            "achieved_pct": st.column_config.NumberColumn("% achieved", format="%.0f"),
            "evidence": "Evidence files",
            "comments": "Comments",
            "link": st.column_config.LinkColumn("Value", display_text="Open evidence and comments"),
        },
    )


def _iptt_table() -> None:
    levels = list(dict.fromkeys(long["level"]))
    periods = [p for p in dict.fromkeys(long["period"]) if p != LOP]
    reported = [p for p in periods if p in set(long.loc[long["actual"].notna(), "period"])]
    f1, f2 = st.columns(2)
    chosen_levels = f1.multiselect(
        "Levels",
        levels,
        default=levels,
        format_func=lambda v: LEVEL_LABELS.get(v, v),
        key="pj_iptt_levels",
    )
    chosen_periods = f2.multiselect(
        "Periods", periods, default=reported[-4:] or periods[:4], key="pj_iptt_periods"
    )
    shown = long[long["level"].isin(chosen_levels) & long["period"].isin([*chosen_periods, LOP])]
    if shown.empty:
        st.caption("Nothing to show for these filters.")
        return
    wide = iptt_wide(shown)
    wide.columns = [f"{c[0]} · {FIGURE_NAMES[str(c[1])]}" for c in wide.columns]
    st.dataframe(wide.round(1).reset_index(), hide_index=True, width="stretch", key="pj_iptt")
    d1, d2 = st.columns(2)
    d1.download_button(
        "Download the IPTT (Excel)",
        iptt_excel(
            long,
            title=f"IPTT · {p['code']} · {p['title']}",
            flags=view.flags,
            judged_at=view.judged_at,
        ),
        file_name=f"iptt-{p['code']}.xlsx",
        key="pj_iptt_xlsx",
    )
    d2.download_button(
        "Download as IATI 2.03 XML",
        _iati_xml,
        file_name=f"iati-{p['code']}.xml",
        mime="application/xml",
        key="pj_iati_xml",
        icon=":material/download:",
    )


def _iati_xml() -> bytes:
    """This project as an IATI activity (approved values only), made when the button is clicked."""
    with get_db().read() as session:
        return export_iati(session, principal=principal, project_codes=[str(view.project["code"])])


FIGURE_NAMES = {"target": "target", "actual": "actual", "achieved_pct": "% achieved"}
with detail:
    if view.indicators.empty:
        st.caption("This project has no indicators yet.")
    else:
        _indicator_detail()
with table:
    st.caption(
        "Targets, approved actuals and % achieved per period; the life-of-project columns "
        "show the to-date value and progress from the baseline. " + judged_note(view.judged_at)
    )
    _iptt_table()

with story:
    reporting.narrative_section(principal, project_id=int(p["id"]), figures=long)

st.subheader("Progress report")
_periods = cached_query(project_periods, principal, project_id=int(p["id"]))
_ended = _periods[pd.to_datetime(_periods["end_date"]) <= pd.Timestamp.today()]
reporting.report_download(
    principal,
    kind="project",
    subject=str(p["code"]),
    periods=_periods["label"].tolist(),
    default=str(_ended["label"].iloc[-1]) if not _ended.empty else None,
    key="pj_report",
)

open_recommendations = optional_query("rbm.queries.evaluations", "open_recommendations")
if open_recommendations is not None:
    st.subheader("Open recommendations from evaluations")
    st.dataframe(
        cached_query(open_recommendations, principal, project_id=int(p["id"])),
        hide_index=True,
        width="stretch",
        key="pj_recommendations",
    )
relevant_lessons = optional_query("rbm.queries.lessons", "relevant_lessons")
if relevant_lessons is not None:
    st.subheader("Lessons that bear on this project")
    st.dataframe(
        cached_query(relevant_lessons, principal, project_id=int(p["id"]), limit=5),
        hide_index=True,
        width="stretch",
        key="pj_lessons",
    )
