"""Country: the recipient-State lens. Every project touching one country across providers
and donors, the outcome and impact indicators measured there, which priority areas are
covered by whom, and where providers work on the same area at the same time."""

from __future__ import annotations

from datetime import date

import streamlit as st

from rbm.errors import NotFound
from rbm.models.enums import Role
from rbm.queries.country import CountryView, country_view
from rbm.queries.reference import filter_choices, optional_query
from rbm.reports.common import recent_periods
from rbm.ui import charts, reporting
from rbm.ui.session import cached_query, get_db, require_principal
from rbm.ui.widgets import (
    flag_reasons,
    formatted,
    message,
    plain,
    projects_judged_note,
    status_label,
)

PROJECT_PAGE = "rbm/ui/pages/project.py"

principal = require_principal()
with get_db().read() as session:
    choices = filter_choices(session, principal=principal)["country"]
if principal.has_role(Role.STATE_FOCAL_POINT) and not principal.has_role(
    Role.ADMIN, Role.MANAGER, Role.EVALUATOR
):
    own = {g.country_code for g in principal.grants if g.country_code}
    choices = choices[choices["code"].isin(own)]
if choices.empty:
    st.title("Country")
    st.info("There is no country with projects you can see yet.")
    st.stop()

names = dict(zip(choices["code"], choices["name"], strict=True))
wanted = st.query_params.get("country") or st.session_state.get("flt_country")
codes = list(names)
code = st.selectbox(
    "Country",
    codes,
    index=codes.index(wanted) if wanted in codes else 0,
    format_func=lambda c: names[c],
    key="ct_country",
)
st.query_params["country"] = code
try:
    view: CountryView = cached_query(country_view, principal, country_code=code)
except NotFound as exc:
    st.error(message(exc))
    st.stop()

st.title(f"Country · {plain(view.name)}")
st.caption("Technical assistance to this State from every provider and donor (approved values).")
p = view.projects
c1, c2, c3, c4 = st.columns(4)
c1.metric("Projects", len(p))
c2.metric("Providers", p["provider"].nunique())
c3.metric("Money in the country", f"USD {p['money_in_country'].sum() / 1e6:,.2f} M")
c4.metric("Indicators at risk or off track", int(p["at_risk"].sum() + p["off_track"].sum()))

st.subheader("Projects")
picked = st.dataframe(
    p[
        [
            "code",
            "title",
            "provider",
            "donors",
            "start_date",
            "end_date",
            "status",
            "share",
            "money_in_country",
            "on_track",
            "at_risk",
            "off_track",
            "overdue_reports",
            "quality_flags",
        ]
    ],
    hide_index=True,
    width="stretch",
    on_select="rerun",
    selection_mode="single-row",
    key="ct_projects",
    column_config={
        "code": "Code",
        "title": st.column_config.TextColumn("Title", width="large"),
        "provider": "Provider",
        "donors": "Donors",
        "start_date": st.column_config.DateColumn("Start"),
        "end_date": st.column_config.DateColumn("End"),
        "status": "Status",
        "share": st.column_config.NumberColumn("Country share %", format="%.0f"),
        "money_in_country": st.column_config.NumberColumn("Money here (USD)", format="localized"),
        "on_track": "On track",
        "at_risk": "At risk",
        "off_track": "Off track",
        "overdue_reports": "Overdue reports",
        "quality_flags": "Data-quality flags",
    },
)
st.caption(projects_judged_note())
rows = picked.selection.rows if picked else []
if rows:
    st.switch_page(PROJECT_PAGE, query_params={"code": p.iloc[rows[0]]["code"]})

st.subheader("Outcomes and impact measured here")
st.caption(
    'Scope "this country": the project works only here. "project-wide": the figure covers '
    "all the project's countries."
)
o = view.outcomes
o = o.assign(
    baseline=formatted(o, "baseline"),
    target_value=formatted(o, "target_value"),
    actual=formatted(o, "actual"),
    flags=o["flags"].fillna("").map(flag_reasons),
)
st.dataframe(
    o.assign(status=o["status"].map(status_label), progress=o["progress"] * 100)[
        [
            "project",
            "level",
            "code",
            "title",
            "unit",
            "scope",
            "baseline",
            "target_value",
            "actual",
            "to_date_rule",
            "progress",
            "status",
            "judged_at",
            "flags",
        ]
    ],
    hide_index=True,
    width="stretch",
    key="ct_outcomes",
    column_config={
        "project": "Project",
        "level": "Level",
        "code": "Code",
        "title": st.column_config.TextColumn("Indicator", width="large"),
        "unit": "Unit",
        "scope": "Scope",
        "baseline": "Baseline",
        "target_value": "Target",
        "actual": "To date",
        "to_date_rule": "Counted as",
        "progress": st.column_config.ProgressColumn(
            "Progress", min_value=0, max_value=100, format="%.0f%%"
        ),
        "status": "Status",
        "judged_at": st.column_config.DateColumn("Judged at"),
        "flags": "Data quality",
    },
)

left, right = st.columns(2)
with left:
    st.subheader("Priority areas covered")
    st.altair_chart(
        charts.money_bars(
            view.coverage.groupby("area", as_index=False).agg(money=("money", "sum")),
            category="area",
            title="Money in the country by priority area (USD)",
        ),
        width="stretch",
    )
    st.dataframe(view.coverage, hide_index=True, width="stretch", key="ct_coverage")
with right:
    st.subheader("Providers working on the same area at the same time")
    if view.overlaps.empty:
        st.caption("None: no two providers share a priority area here in overlapping dates.")
    else:
        st.caption("For coordination: these projects could share plans, data and contacts.")
        st.dataframe(view.overlaps, hide_index=True, width="stretch", key="ct_overlaps")


needs_for_country = optional_query("rbm.queries.needs", "needs_for_country")
if needs_for_country is not None:
    st.subheader("Needs from the self-assessment")
    st.caption("The State's needs beside the projects that cover them.")
    st.dataframe(
        cached_query(needs_for_country, principal, country_code=code),
        hide_index=True,
        width="stretch",
        key="ct_needs",
    )
open_recommendations = optional_query("rbm.queries.evaluations", "open_recommendations")
if open_recommendations is not None:
    st.subheader("Open recommendations from evaluations")
    st.dataframe(
        cached_query(open_recommendations, principal, country_code=code),
        hide_index=True,
        width="stretch",
        key="ct_recommendations",
    )

st.subheader("Recipient-State report")
_recent = recent_periods(date.today())
reporting.report_download(
    principal,
    kind="country",
    subject=str(code),
    periods=_recent,
    default=_recent[0],
    key="ct_report",
)
