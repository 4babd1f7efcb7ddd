"""Country: the recipient-State lens. Every project touching one country across providers
and donors, the outcome and impact indicators measured there, which priority areas are
covered by whom, and where providers work on the same area at the same time."""

from __future__ import annotations

import streamlit as st

from rbm.i18n import N_, _, country_name, format_millions
from rbm.models.enums import Role
from rbm.queries.country import OUTCOME_FIGURES, CountryView, country_view
from rbm.queries.portfolio import PortfolioFilters, other_currencies
from rbm.queries.reference import filter_choices, optional_query
from rbm.ui import related, reporting
from rbm.ui.labels import labelled, level_label, project_status, to_date_rule
from rbm.ui.portfolio import JUDGED_COLUMNS, amounts_text, project_headers
from rbm.ui.session import cached_query, get_db, require_principal
from rbm.ui.widgets import (
    flag_reasons,
    formatted,
    money_chart,
    money_column,
    other_currencies_note,
    overlap_headers,
    plain,
    progress_column,
    projects_judged_note,
    reported,
    show_table,
    status_label,
)

PROJECT_PAGE = "rbm/ui/pages/project.py"
#: Whether an indicator's figure covers this country only or all the project's countries.
SCOPES = {"this country": N_("this country"), "project-wide": N_("project-wide")}

_PROJECT_COLUMNS = [
    "code",
    "title",
    "provider",
    "donors",
    "start_date",
    "end_date",
    "status",
    "share",
    "money_in_country",
    "other_funding",
    *JUDGED_COLUMNS,
]

principal = require_principal()
with get_db().read() as session:
    choices = filter_choices(session, principal=principal)["country"]
if principal.has_role(Role.STATE_FOCAL_POINT) and not principal.has_role(
    Role.ADMIN, Role.MANAGER, Role.EVALUATOR
):
    own = {g.country_code for g in principal.grants if g.country_code}
    choices = choices[choices["code"].isin(own)]
if choices.empty:
    st.title(_("Country"))
    st.info(_("There is no country with projects you can see yet."))
    st.stop()

names = {
    c: country_name(c, fallback=n) for c, n in zip(choices["code"], choices["name"], strict=True)
}
wanted = st.query_params.get("country") or st.session_state.get("flt_country")
codes = list(names)
code = st.selectbox(
    _("Country"),
    codes,
    index=codes.index(wanted) if wanted in codes else 0,
    format_func=lambda c: names[c],
    key="ct_country",
)
st.query_params["country"] = code
view: CountryView | None = None
with reported():
    view = cached_query(country_view, principal, country_code=code)
if view is None:
    st.stop()

st.title(_("Country · {name}", name=plain(country_name(code, fallback=view.name))))
st.caption(_("Technical assistance to this State from every provider and donor (approved values)."))
p = view.projects
c1, c2, c3, c4 = st.columns(4)
c1.metric(_("Projects"), len(p))
c2.metric(_("Providers"), p["provider"].nunique())
c3.metric(
    _("Money in the country"), format_millions(p["money_in_country"].sum(min_count=1), digits=2)
)
c4.metric(_("Indicators at risk or off track"), int(p["at_risk"].sum() + p["off_track"].sum()))
other_currencies_note(
    cached_query(other_currencies, principal, filters=PortfolioFilters(country=code))
)

st.subheader(_("Projects"))
picked = show_table(
    p.assign(
        status=p["status"].map(project_status), other_funding=amounts_text(p["other_funding"])
    )[_PROJECT_COLUMNS],
    on_select="rerun",
    selection_mode="single-row",
    key="ct_projects",
    column_config={
        **project_headers(_PROJECT_COLUMNS),
        "share": st.column_config.NumberColumn(_("Country share %"), format="%.0f"),
        "money_in_country": money_column(_("Money here (USD)")),
        "other_funding": _("Project funding in other currencies"),
    },
)
st.caption(projects_judged_note())
rows = picked.selection.rows if picked else []
if rows:
    st.switch_page(PROJECT_PAGE, query_params={"code": p.iloc[rows[0]]["code"]})

st.subheader(_("Outcomes and impact measured here"))
st.caption(
    _(
        'Scope "this country": the project works only here. "project-wide": the figure '
        "covers all the project's countries."
    )
)
o = view.outcomes
o = o.assign(
    baseline=formatted(o, "baseline"),
    target_value=formatted(o, "target_value"),
    actual=formatted(o, "actual"),
    flags=o["flags"].fillna("").map(flag_reasons),
    level=o["level"].map(level_label),
    scope=o["scope"].map(labelled(SCOPES)),
    to_date_rule=o["to_date_rule"].map(to_date_rule),
)
show_table(
    o.assign(status=o["status"].map(status_label), progress=o["progress"] * 100)[
        ["project", "level", "code", "title", "unit", "scope", *OUTCOME_FIGURES]
    ],
    key="ct_outcomes",
    column_config={
        "project": _("Project"),
        "level": _("Level"),
        "code": _("Code"),
        "title": st.column_config.TextColumn(_("Indicator"), width="large"),
        "unit": _("Unit"),
        "scope": _("Scope"),
        "baseline": _("Baseline"),
        "target_value": _("Target"),
        "actual": _("To date"),
        "to_date_rule": _("Counted as"),
        "progress": progress_column(),
        "status": _("Status"),
        "judged_at": st.column_config.DateColumn(_("Judged at")),
        "flags": _("Data quality"),
    },
)

left, right = st.columns(2)
with left:
    st.subheader(_("Priority areas covered"))
    money_chart(
        view.coverage.groupby("area")["money"].sum(min_count=1).reset_index(),
        category="area",
        title=_("Money in the country by priority area (USD)"),
        label=_("Priority area"),
    )
    show_table(
        view.coverage,
        key="ct_coverage",
        column_config={
            "area": _("Priority area"),
            "provider": _("Provider"),
            "projects": _("Projects"),
            "money": money_column(_("Money here (USD)")),
        },
    )
with right:
    st.subheader(_("Providers working on the same area at the same time"))
    if view.overlaps.empty:
        st.caption(_("None: no two providers share a priority area here in overlapping dates."))
    else:
        st.caption(_("For coordination: these projects could share plans, data and contacts."))
        show_table(
            view.overlaps,
            key="ct_overlaps",
            column_order=[c for c in view.overlaps.columns if c != "country"],
            column_config=overlap_headers(),
        )


needs_for_country = optional_query("rbm.queries.needs", "needs_for_country")
if needs_for_country is not None:
    st.subheader(_("Needs from the self-assessment"))
    st.caption(_("The State's needs beside the projects that cover them."))
    related.table(cached_query(needs_for_country, principal, country_code=code), key="ct_needs")
related.recommendations(principal, key="ct_recommendations", country_code=code)

st.subheader(_("Recipient-State report"))
reporting.report_download(principal, kind="country", subject=str(code), key="ct_report")
