"""Project: the project lens. Header (provider, partners, donors, countries, priority areas,
dates, money), then the logframe tree from impact to activity, each result with its rolled-up
status and its indicators' baseline, target, to-date value, progress and status."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from rbm.errors import NotFound
from rbm.queries.project import ProjectView, project_view, visible_projects
from rbm.ui.session import cached_query, get_db, require_principal
from rbm.ui.widgets import money, number, plain, status_badge, status_label

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
    st.error(str(exc))
    st.stop()

p = view.project
st.title(f"{p['code']} · {p['title']}")
st.caption(
    f"Provider: {p['provider']} · {p['start_date']:%d %b %Y} to {p['end_date']:%d %b %Y}"
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


def _indicator_table(rows: pd.DataFrame) -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "Code": rows["code"],
            "Indicator": rows["title"],
            "Unit": rows["unit"],
            "Baseline": rows["baseline"],
            "Target": rows["target_value"],
            "To date": rows["actual"],
            "Progress": rows["progress"] * 100,
            "Status": rows["status"].map(status_label),
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
                },
            )
    children = view.nodes[view.nodes["parent_id"] == node["id"]]
    for _, child in children.iterrows():
        _show_node(child, depth + 1)


st.subheader("Logframe")
st.caption(
    "Status and progress count approved values only. Progress = (to date − baseline) / "
    "(target − baseline)."
)
for _, node in root.iterrows():
    _show_node(node, 0)
