"""Donor: the donor lens. The projects one donor funds, its money by country and priority
area, results on library indicators aggregated with the engine's rules, the projects off
track or at risk with the indicators that make them so, and exports."""

from __future__ import annotations

import streamlit as st

from rbm.exchange import spreadsheet
from rbm.i18n import _, country_name, format_millions
from rbm.models.enums import Role
from rbm.queries.donor import DonorView, donor_view
from rbm.queries.portfolio import PortfolioFilters, other_currencies
from rbm.queries.reference import filter_choices, optional_query
from rbm.ui import related, reporting
from rbm.ui.labels import project_status
from rbm.ui.portfolio import JUDGED_COLUMNS, amounts_text, project_headers
from rbm.ui.session import cached_query, get_db, require_principal
from rbm.ui.widgets import (
    money_chart,
    money_column,
    other_currencies_note,
    plain,
    projects_judged_note,
    reported,
    show_table,
    status_label,
)

_PROJECT_COLUMNS = [
    "code",
    "title",
    "provider",
    "countries",
    "status",
    "donor_amount",
    "donor_other",
    "funding",
    "other_funding",
    *JUDGED_COLUMNS,
]

principal = require_principal()
with get_db().read() as session:
    options = filter_choices(session, principal=principal)
choices = options["donor"]
countries = {
    n: country_name(c, fallback=n)
    for c, n in zip(options["country"]["code"], options["country"]["name"], strict=True)
}
if principal.has_role(Role.DONOR) and not principal.has_role(
    Role.ADMIN, Role.MANAGER, Role.EVALUATOR
):
    own = {g.organisation_id for g in principal.grants_for(Role.DONOR)}
    choices = choices[choices["code"].isin(own)]
if choices.empty:
    st.title(_("Donor"))
    st.info(_("There is no donor with projects you can see yet."))
    st.stop()

names = dict(zip(choices["code"].astype(int), choices["name"], strict=True))
ids = list(names)
carried = st.session_state.get("flt_donor")
donor_id = st.selectbox(
    _("Donor"),
    ids,
    index=ids.index(int(carried)) if carried and int(carried) in ids else 0,
    format_func=lambda i: names[i],
    key="dn_donor",
)
view: DonorView | None = None
with reported():
    view = cached_query(donor_view, principal, donor_id=donor_id)
if view is None:
    st.stop()

st.title(_("Donor · {name}", name=plain(view.name)))
st.caption(_("What this donor funds and what it achieves (approved values only)."))
p = view.projects
flagged = view.warnings["project"].nunique()
c1, c2, c3, c4 = st.columns(4)
c1.metric(_("Funded projects"), len(p))
c2.metric(_("Contribution"), format_millions(p["donor_amount"].sum(min_count=1), digits=2))
c3.metric(_("Recipient countries"), len(view.by_country))
c4.metric(_("Projects with indicators off track or at risk"), flagged)

left, right = st.columns(2)
with left:
    by_country = view.by_country.assign(
        country=view.by_country["country"].map(lambda n: countries.get(n, n))
    )
    money_chart(
        by_country,
        category="country",
        title=_("Contribution by country"),
        label=_("Country"),
    )
with right:
    money_chart(
        view.by_area,
        category="area",
        title=_("Contribution by priority area"),
        label=_("Priority area"),
    )
st.caption(_("Money by country = contribution × the country's share of the project."))

st.subheader(_("Funded projects"))
show_table(
    p.assign(
        status=p["status"].map(project_status),
        donor_other=amounts_text(p["donor_other"]),
        other_funding=amounts_text(p["other_funding"]),
    )[_PROJECT_COLUMNS],
    key="dn_projects",
    column_config={
        **project_headers(_PROJECT_COLUMNS),
        "donor_amount": money_column(_("Contribution (USD)")),
        "donor_other": _("Contribution in other currencies"),
        "funding": money_column(_("All funding (USD)")),
        "other_funding": _("All funding in other currencies"),
    },
)
other_currencies_note(
    cached_query(other_currencies, principal, filters=PortfolioFilters(donor_id=donor_id))
)
st.caption(projects_judged_note())

st.subheader(_("Results on library indicators"))
st.caption(
    _(
        "Summed counts, pooled percentages (Σ numerator / Σ denominator), share of yes, "
        "median score: the engine's portfolio rules, same unit only."
    )
)
show_table(
    view.results,
    key="dn_results",
    column_config={
        "library_code": _("Code"),
        "library_title": st.column_config.TextColumn(_("Library indicator"), width="large"),
        "unit": _("Unit"),
        "aggregation": _("Rule"),
        "n_projects": _("Projects"),
        "count": _("Reporting"),
        "total": money_column(_("Total")),
        "percentage": st.column_config.NumberColumn(_("Pooled %"), format="%.1f"),
        "share_yes": st.column_config.NumberColumn(_("Share yes"), format="percent"),
        "median": _("Median"),
        "refused_reason": _("Not aggregated because"),
    },
)

st.subheader(_("Off track or at risk"))
w = view.warnings
show_table(
    w.assign(
        status=w["status"].map(status_label),
        progress=w["progress"] * 100,
        expected_progress=w["expected_progress"] * 100,
    ),
    key="dn_warnings",
    column_config={
        "project": _("Project"),
        "code": _("Code"),
        "title": st.column_config.TextColumn(_("Indicator"), width="large"),
        "status": _("Status"),
        "actual": _("To date"),
        "target_value": _("Target"),
        "progress": st.column_config.NumberColumn(_("Progress %"), format="%.0f"),
        "expected_progress": st.column_config.NumberColumn(_("Expected %"), format="%.0f"),
    },
)

unfunded_needs = optional_query("rbm.queries.needs", "unfunded_needs_for_donor")
if unfunded_needs is not None:
    st.subheader(_("Unfunded needs where this donor already works"))
    related.table(cached_query(unfunded_needs, principal, donor_id=donor_id), key="dn_needs")


e1, e2 = st.columns(2)
e1.download_button(
    _("Download Excel"),
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
    _("Download projects (CSV)"),
    spreadsheet.csv_bytes(p),
    file_name=f"donor-{donor_id}.csv",
    key="dn_csv",
)

st.subheader(_("Donor portfolio report"))
reporting.report_download(principal, kind="donor", subject=str(donor_id), key="dn_report")
