"""Portfolio home: headline figures, a world map of assistance by country, the status of
indicators, money by priority area, early warnings and the project list. The filters are kept
in st.session_state under `flt_` keys, so the country, donor and coordination pages use them."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from rbm.exchange.iati_export import export_iati
from rbm.queries.coordination import area_coverage
from rbm.queries.indicator_status import STATUS_COLUMNS
from rbm.queries.portfolio import PortfolioFilters, home
from rbm.queries.reference import filter_choices
from rbm.settings import get_settings
from rbm.ui import charts
from rbm.ui.session import cached_query, get_db, require_principal
from rbm.ui.widgets import projects_judged_note

COUNTRY_PAGE = "rbm/ui/pages/country.py"
PROJECT_PAGE = "rbm/ui/pages/project.py"
FILTERS = (  # label, choice kind, widget key, session key read by other pages
    ("Country", "country", "pf_country", "flt_country"),
    ("Region", "region", "pf_region", "flt_region"),
    ("Priority area", "priority_area", "pf_area", "flt_area"),
    ("Provider", "provider", "pf_provider", "flt_provider"),
    ("Donor", "donor", "pf_donor", "flt_donor"),
    ("Year", "year", "pf_year", "flt_year"),
)

principal = require_principal()
st.title("Portfolio")
st.caption(
    "Technical assistance you can see: where it goes, what it achieves and what needs "
    "attention. Figures count approved values only."
)

with get_db().read() as session:
    options = filter_choices(session, principal=principal)


def _pick(label: str, kind: str, key: str, carried: str) -> None:
    frame = options[kind]
    names = dict(zip(frame["code"].astype(str), frame["name"], strict=True))
    keep = st.session_state.get(carried)
    choices = [None, *names]
    st.selectbox(
        label,
        choices,
        index=choices.index(str(keep)) if keep is not None and str(keep) in names else 0,
        format_func=lambda c: "All" if c is None else names[c],
        key=key,
    )
    st.session_state[carried] = st.session_state[key]


for column, spec in zip(st.columns(len(FILTERS)), FILTERS, strict=True):
    with column:
        _pick(*spec)
text = st.text_input("Search title or code", key="pf_text")
filters = PortfolioFilters.from_state(st.session_state)
data = cached_query(home, principal, filters=replace(filters, text=text))
table, warnings = data.table, data.warnings
coverage = cached_query(area_coverage, principal, filters=filters)

m1, m2, m3, m4, m5 = st.columns(5)
m1.metric("Projects", len(table))
m2.metric("Funding", f"USD {table['funding'].sum() / 1e6:,.1f} M")
m3.metric("Recipient countries", coverage["country_code"].nunique())
m4.metric("Indicators on track or achieved", int(table["on_track"].sum() + table["achieved"].sum()))
m5.metric("Indicators at risk or off track", int(table["at_risk"].sum() + table["off_track"].sum()))
st.caption(
    f"Data-quality flags: {int(table['quality_flags'].sum())} · overdue reports: "
    f"{int(table['overdue_reports'].sum())} (see the project list and each project's page)."
)

if table.empty:
    st.info("No project matches these filters.")
    st.stop()

by_country = (
    coverage.drop_duplicates(["project_id", "country_code"])
    .groupby(["country", "country_code", "country_numeric"], as_index=False)
    .agg(money=("money_in_country", "sum"), projects=("project_id", "nunique"))
)
left, right = st.columns([3, 2])
with left:
    event = st.vega_lite_chart(
        charts.choropleth_spec(by_country, title="Assistance by recipient country (USD)"),
        on_select="rerun",
        key="pf_map",
        width="stretch",
    )
    st.caption("Click a country to open its page. Money = funding × the country's share.")
with right:
    counts = table[STATUS_COLUMNS].sum().astype(int)
    st.altair_chart(charts.status_bars(counts, title="Indicators by status"), width="stretch")
    by_area = (
        coverage.drop_duplicates(["project_id", "area"])
        .groupby("area", as_index=False)
        .agg(money=("funding", "sum"))
    )
    st.altair_chart(
        charts.money_bars(by_area, category="area", title="Funding by priority area (USD)"),
        width="stretch",
    )

picked = (event.selection.get("country") if event else None) or []
if picked:
    name = picked[0].get("country")
    code = by_country.loc[by_country["country"] == name, "country_code"]
    if not code.empty:
        st.switch_page(COUNTRY_PAGE, query_params={"country": code.iloc[0]})

st.subheader("Early warnings")
if warnings.empty:
    st.success("No forecast misses and no overdue reports.")
else:
    st.caption(
        "Forecast misses: indicators whose trend of approved values ends short of the target. "
        f"Overdue: indicator-periods ended over {get_settings().overdue_grace_days} days ago "
        "with nothing submitted (locked periods excepted)."
    )
    st.dataframe(
        warnings[["code", "title", "forecast_misses", "overdue_reports"]],
        hide_index=True,
        width="stretch",
        key="pf_warnings",
        column_config={
            "code": "Project",
            "title": st.column_config.TextColumn("Title", width="large"),
            "forecast_misses": "Forecast misses",
            "overdue_reports": "Overdue reports",
        },
    )

st.subheader("Projects")
shown: pd.DataFrame = table[
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
        "overdue_reports",
        "quality_flags",
    ]
]
selected = st.dataframe(
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
        "overdue_reports": "Overdue reports",
        "quality_flags": "Data-quality flags",
    },
)
st.caption("Select a row to open the project. " + projects_judged_note())


def _iati_xml() -> bytes:
    """The listed projects as IATI activities (approved values only), made on click."""
    with get_db().read() as session:
        return export_iati(session, principal=principal, project_codes=list(shown["code"]))


st.download_button(
    f"Download these {len(shown)} projects as IATI 2.03 XML",
    _iati_xml,
    file_name="iati-activities.xml",
    mime="application/xml",
    key="pf_iati_xml",
    icon=":material/download:",
)
rows = selected.selection.rows if selected else []
if rows:
    st.switch_page(PROJECT_PAGE, query_params={"code": shown.iloc[rows[0]]["code"]})
