"""Portfolio home: headline figures, a world map of assistance by country, the status of
indicators, money by priority area, early warnings and the project list. The filters are kept
in st.session_state under `flt_` keys, so the country, donor and coordination pages use them."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from rbm.i18n import N_, _, country_name, format_millions
from rbm.queries.indicator_status import STATUS_COLUMNS
from rbm.queries.portfolio import (
    PortfolioFilters,
    funding_by_area,
    home,
    money_by_country,
    other_currencies,
)
from rbm.queries.reference import filter_choices
from rbm.settings import get_settings
from rbm.ui import charts
from rbm.ui.portfolio import map_spec, project_list
from rbm.ui.session import cached_query, get_db, require_principal
from rbm.ui.widgets import money_chart, other_currencies_note, show_table

COUNTRY_PAGE = "rbm/ui/pages/country.py"
PROJECT_PAGE = "rbm/ui/pages/project.py"
FILTERS = (  # label, choice kind, widget key, session key read by other pages
    (N_("Country"), "country", "pf_country", "flt_country"),
    (N_("Region"), "region", "pf_region", "flt_region"),
    (N_("Priority area"), "priority_area", "pf_area", "flt_area"),
    (N_("Provider"), "provider", "pf_provider", "flt_provider"),
    (N_("Donor"), "donor", "pf_donor", "flt_donor"),
    (N_("Year"), "year", "pf_year", "flt_year"),
)

principal = require_principal()
st.title(_("Portfolio"))
st.caption(
    _(
        "Technical assistance you can see: where it goes, what it achieves and what needs "
        "attention. Figures count approved values only."
    )
)

with get_db().read() as session:
    options = filter_choices(session, principal=principal)


def _pick(label: str, kind: str, key: str, carried: str) -> None:
    frame = options[kind]
    names = dict(zip(frame["code"].astype(str), frame["name"], strict=True))
    if kind == "country":
        names = {c: country_name(c, fallback=n) for c, n in names.items()}
    keep = st.session_state.get(carried)
    choices = [None, *names]
    st.selectbox(
        _(label),
        choices,
        index=choices.index(str(keep)) if keep is not None and str(keep) in names else 0,
        format_func=lambda c: _("All") if c is None else names[c],
        key=key,
    )
    st.session_state[carried] = st.session_state[key]


for column, spec in zip(st.columns(len(FILTERS)), FILTERS, strict=True):
    with column:
        _pick(*spec)
text = st.text_input(_("Search title or code"), key="pf_text")
filters = PortfolioFilters.from_state(st.session_state)
data = cached_query(home, principal, filters=replace(filters, text=text))
table, warnings = data.table, data.warnings
by_country = cached_query(money_by_country, principal, filters=filters)

# The funding figure is the widest ("USD 1.68 bn"), then the indicator labels in French.
m1, m2, m3, m4, m5 = st.columns([0.7, 1.5, 0.9, 1.2, 1.2])
m1.metric(_("Projects"), len(table))
m2.metric(_("Funding"), format_millions(table["funding"].sum(min_count=1), digits=1))
m3.metric(_("Recipient countries"), len(by_country))
# Short labels: five figures share the width (the indicators' own words are in the help).
m4.metric(
    _("On track or achieved"),
    int(table["on_track"].sum() + table["achieved"].sum()),
    help=_("Indicators on track or achieved"),
)
m5.metric(
    _("At risk or off track"),
    int(table["at_risk"].sum() + table["off_track"].sum()),
    help=_("Indicators at risk or off track"),
)
other_currencies_note(
    cached_query(other_currencies, principal, filters=replace(filters, text=text))
)
st.caption(
    _(
        "Data-quality flags: {flags} · overdue reports: {overdue} (see the project list and "
        "each project's page).",
        flags=int(table["quality_flags"].sum()),
        overdue=int(table["overdue_reports"].sum()),
    )
)

if table.empty:
    st.info(_("No project matches these filters."))
    st.stop()

left, right = st.columns([3, 2])
with left:
    event = st.vega_lite_chart(
        map_spec(by_country, title=_("Assistance by recipient country (USD)")),
        on_select="rerun",
        key="pf_map",
        width="stretch",
    )
    st.caption(_("Click a country to open its page. Money = funding × the country's share."))
with right:
    counts = table[STATUS_COLUMNS].sum().astype(int)
    st.altair_chart(charts.status_bars(counts, title=_("Indicators by status")), width="stretch")
    by_area = cached_query(funding_by_area, principal, filters=filters)
    money_chart(
        by_area.assign(area=by_area["area"].fillna(_("(no priority area)"))),
        category="area",
        title=_("Funding by priority area (USD)"),
        label=_("Priority area"),
    )

picked = (event.selection.get("country") if event else None) or []
if picked and picked[0].get("country_code"):
    st.switch_page(COUNTRY_PAGE, query_params={"country": picked[0]["country_code"]})

st.subheader(_("Early warnings"))
if warnings.empty:
    st.success(_("No forecast misses and no overdue reports."))
else:
    st.caption(
        _(
            "Forecast misses: indicators whose trend of approved values ends short of the "
            "target. Overdue: indicator-periods ended over {days} days ago with nothing "
            "submitted (locked periods excepted).",
            days=get_settings().overdue_grace_days,
        )
    )
    show_table(
        warnings[["code", "title", "forecast_misses", "overdue_reports"]],
        key="pf_warnings",
        column_config={
            "code": _("Project"),
            "title": st.column_config.TextColumn(_("Title"), width="large"),
            "forecast_misses": _("Forecast misses"),
            "overdue_reports": _("Overdue reports"),
        },
    )

st.subheader(_("Projects"))
shown_names = {
    name: country_name(code, fallback=name)
    for code, name in zip(options["country"]["code"], options["country"]["name"], strict=True)
}
opened = project_list(principal, table, countries=shown_names)
if opened is not None:
    st.switch_page(PROJECT_PAGE, query_params={"code": opened})
