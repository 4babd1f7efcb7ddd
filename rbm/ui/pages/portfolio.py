"""Portfolio: the projects the principal may see, filterable, with their indicators' status
from the engine. Selecting a row opens the project."""

from __future__ import annotations

import streamlit as st

from rbm.queries.portfolio import PortfolioFilters, projects_table
from rbm.queries.reference import filter_choices
from rbm.ui.session import cached_query, get_db, require_principal

principal = require_principal()
st.title("Portfolio")
st.caption(
    "Technical-assistance projects you can see, with the status of their indicators "
    "(approved values only)."
)

with get_db().read() as session:
    options = filter_choices(session, principal=principal)


def _pick(label: str, kind: str, key: str) -> str | None:
    frame = options[kind]
    names = dict(zip(frame["code"].astype(str), frame["name"], strict=True))
    return st.selectbox(
        label, [None, *names], format_func=lambda c: "All" if c is None else names[c], key=key
    )


cols = st.columns(5)
with cols[0]:
    country = _pick("Country", "country", "pf_country")
with cols[1]:
    area = _pick("Priority area", "priority_area", "pf_area")
with cols[2]:
    provider = _pick("Provider", "provider", "pf_provider")
with cols[3]:
    donor = _pick("Donor", "donor", "pf_donor")
with cols[4]:
    text = st.text_input("Search title or code", key="pf_text")

filters = PortfolioFilters(
    country=country,
    priority_area=area,
    provider_id=int(provider) if provider else None,
    donor_id=int(donor) if donor else None,
    text=text.strip(),
)
table = cached_query(projects_table, principal, filters=filters)

m1, m2, m3, m4 = st.columns(4)
m1.metric("Projects", len(table))
m2.metric("Funding", f"USD {table['funding'].sum() / 1e6:,.1f} M")
m3.metric("Indicators on track or achieved", int(table["on_track"].sum() + table["achieved"].sum()))
m4.metric("Indicators at risk or off track", int(table["at_risk"].sum() + table["off_track"].sum()))

if table.empty:
    st.info("No project matches these filters.")
    st.stop()

shown = table[
    [
        "code",
        "title",
        "provider",
        "countries",
        "donors",
        "start_date",
        "end_date",
        "status",
        "funding",
        "achieved",
        "on_track",
        "at_risk",
        "off_track",
        "no_data",
    ]
]
event = st.dataframe(
    shown,
    hide_index=True,
    width="stretch",
    on_select="rerun",
    selection_mode="single-row",
    key="pf_table",
    column_config={
        "code": "Code",
        "title": st.column_config.TextColumn("Title", width="large"),
        "provider": "Provider",
        "countries": "Recipient countries",
        "donors": "Donors",
        "start_date": st.column_config.DateColumn("Start"),
        "end_date": st.column_config.DateColumn("End"),
        "status": "Status",
        "funding": st.column_config.NumberColumn("Funding (USD)", format="localized"),
        "achieved": "Achieved",
        "on_track": "On track",
        "at_risk": "At risk",
        "off_track": "Off track",
        "no_data": "No data",
    },
)
st.caption("Select a row to open the project.")
rows = event.selection.rows if event else []
if rows:
    code = shown.iloc[rows[0]]["code"]
    st.switch_page("rbm/ui/pages/project.py", query_params={"code": code})
