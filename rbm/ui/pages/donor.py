"""Donor: the donor lens. The projects one donor funds, its money by country and priority
area, results on library indicators aggregated with the engine's rules, the projects off
track or at risk with the indicators that make them so, and exports."""

from __future__ import annotations

from datetime import date

import streamlit as st

from rbm.errors import NotFound
from rbm.exchange import spreadsheet
from rbm.models.enums import Role
from rbm.queries.donor import DonorView, donor_view
from rbm.queries.reference import filter_choices, optional_query
from rbm.reports.common import recent_periods
from rbm.ui import charts, reporting
from rbm.ui.session import cached_query, get_db, require_principal
from rbm.ui.widgets import message, plain, projects_judged_note, status_label

principal = require_principal()
with get_db().read() as session:
    choices = filter_choices(session, principal=principal)["donor"]
if principal.has_role(Role.DONOR) and not principal.has_role(
    Role.ADMIN, Role.MANAGER, Role.EVALUATOR
):
    own = {g.organisation_id for g in principal.grants_for(Role.DONOR)}
    choices = choices[choices["code"].isin(own)]
if choices.empty:
    st.title("Donor")
    st.info("There is no donor with projects you can see yet.")
    st.stop()

names = dict(zip(choices["code"].astype(int), choices["name"], strict=True))
ids = list(names)
carried = st.session_state.get("flt_donor")
donor_id = st.selectbox(
    "Donor",
    ids,
    index=ids.index(int(carried)) if carried and int(carried) in ids else 0,
    format_func=lambda i: names[i],
    key="dn_donor",
)
try:
    view: DonorView = cached_query(donor_view, principal, donor_id=donor_id)
except NotFound as exc:
    st.error(message(exc))
    st.stop()

st.title(f"Donor · {plain(view.name)}")
st.caption("What this donor funds and what it achieves (approved values only).")
p = view.projects
flagged = view.warnings["project"].nunique()
c1, c2, c3, c4 = st.columns(4)
c1.metric("Funded projects", len(p))
c2.metric("Contribution", f"USD {p['donor_amount'].sum() / 1e6:,.2f} M")
c3.metric("Recipient countries", len(view.by_country))
c4.metric("Projects with indicators off track or at risk", flagged)

left, right = st.columns(2)
with left:
    st.altair_chart(
        charts.money_bars(view.by_country, category="country", title="Contribution by country"),
        width="stretch",
    )
with right:
    st.altair_chart(
        charts.money_bars(view.by_area, category="area", title="Contribution by priority area"),
        width="stretch",
    )
st.caption("Money by country = contribution × the country's share of the project.")

st.subheader("Funded projects")
st.dataframe(
    p[
        [
            "code",
            "title",
            "provider",
            "countries",
            "status",
            "donor_amount",
            "funding",
            "on_track",
            "at_risk",
            "off_track",
            "overdue_reports",
            "quality_flags",
        ]
    ],
    hide_index=True,
    width="stretch",
    key="dn_projects",
    column_config={
        "code": "Code",
        "title": st.column_config.TextColumn("Title", width="large"),
        "provider": "Provider",
        "countries": "Recipient countries",
        "status": "Status",
        "donor_amount": st.column_config.NumberColumn("Contribution (USD)", format="localized"),
        "funding": st.column_config.NumberColumn("All funding (USD)", format="localized"),
        "on_track": "On track",
        "at_risk": "At risk",
        "off_track": "Off track",
        "overdue_reports": "Overdue reports",
        "quality_flags": "Data-quality flags",
    },
)
st.caption(projects_judged_note())

st.subheader("Results on library indicators")
st.caption(
    "Summed counts, pooled percentages (Σ numerator / Σ denominator), share of yes, "
    "median score: the engine's portfolio rules, same unit only."
)
st.dataframe(
    view.results,
    hide_index=True,
    width="stretch",
    key="dn_results",
    column_config={
        "library_code": "Code",
        "library_title": st.column_config.TextColumn("Library indicator", width="large"),
        "unit": "Unit",
        "aggregation": "Rule",
        "n_projects": "Projects",
        "count": "Reporting",
        "total": st.column_config.NumberColumn("Total", format="localized"),
        "percentage": st.column_config.NumberColumn("Pooled %", format="%.1f"),
        "share_yes": st.column_config.NumberColumn("Share yes", format="percent"),
        "median": "Median",
        "refused_reason": "Not aggregated because",
    },
)

st.subheader("Off track or at risk")
w = view.warnings
st.dataframe(
    w.assign(
        status=w["status"].map(status_label),
        progress=w["progress"] * 100,
        expected_progress=w["expected_progress"] * 100,
    ),
    hide_index=True,
    width="stretch",
    key="dn_warnings",
    column_config={
        "project": "Project",
        "code": "Code",
        "title": st.column_config.TextColumn("Indicator", width="large"),
        "status": "Status",
        "actual": "To date",
        "target_value": "Target",
        "progress": st.column_config.NumberColumn("Progress %", format="%.0f"),
        "expected_progress": st.column_config.NumberColumn("Expected %", format="%.0f"),
    },
)

unfunded_needs = optional_query("rbm.queries.needs", "unfunded_needs_for_donor")
if unfunded_needs is not None:
    st.subheader("Unfunded needs where this donor already works")
    st.dataframe(
        cached_query(unfunded_needs, principal, donor_id=donor_id),
        hide_index=True,
        width="stretch",
        key="dn_needs",
    )


e1, e2 = st.columns(2)
e1.download_button(
    "Download Excel",
    spreadsheet.xlsx_bytes(
        {
            "Projects": p,
            "By country": view.by_country,
            "By area": view.by_area,
            "Results": view.results,
            "Warnings": w,
        }
    ),
    file_name=f"donor-{donor_id}.xlsx",
    key="dn_xlsx",
)
e2.download_button(
    "Download projects (CSV)",
    spreadsheet.csv_bytes(p),
    file_name=f"donor-{donor_id}.csv",
    key="dn_csv",
)

st.subheader("Donor portfolio report")
_recent = recent_periods(date.today())
reporting.report_download(
    principal,
    kind="donor",
    subject=str(donor_id),
    periods=_recent,
    default=_recent[0],
    key="dn_report",
)
