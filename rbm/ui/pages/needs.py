"""Needs and resources: the needs register (from States' checklists or entered directly) with
the projects that address each need and its coverage; adding a need; confirming suggested
projects (managers); the resource-mobilization table (estimated cost, funding of the covering
projects, gap) by country, region or priority area; uncovered needs by region and area; and,
for a donor, the unfunded needs where it already works. Donors and evaluators read only.
The register tab's parts are in `rbm.ui.needs_register`."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from rbm.i18n import N_, _, country_name, format_millions
from rbm.models.enums import Role, ScopeType
from rbm.principal import focal_countries
from rbm.queries import needs as q
from rbm.ui import needs_register as reg
from rbm.ui.labels import labelled
from rbm.ui.session import cached_query, require_principal
from rbm.ui.widgets import show_flash, show_table

GAP_BY = {"country": N_("Country"), "region": N_("Region"), "priority_area": N_("Priority area")}
FIGURES = {
    "needs": N_("Needs"),
    "uncovered": N_("Uncovered"),
    "costed": N_("Costed"),
    "estimated_cost": N_("Estimated cost"),
    "funding": N_("Funding"),
    "gap": N_("Gap"),
    "currency": N_("Currency"),
}
OPEN_COLUMNS = {
    "region": N_("Region"),
    "area": N_("Priority area"),
    "needs": N_("Uncovered needs"),
    "countries": N_("Countries"),
    "estimated_cost": N_("Estimated cost"),
}

principal = require_principal()
manager = principal.has_role(Role.ADMIN, Role.MANAGER)
own = sorted(focal_countries(principal))
writer = manager or bool(own)
donor_orgs = sorted(
    {
        g.organisation_id
        for g in principal.grants_for(Role.DONOR)
        if g.scope_type is ScopeType.ORGANISATION and g.organisation_id is not None
    }
)

st.title(_("Needs and resources"))
st.caption(
    _(
        "Technical-assistance needs identified by States, from their self-assessment "
        "checklists or entered directly; the projects that address them; and what remains to "
        "be funded."
    )
)
show_flash(reg.FLASH)

register = cached_query(q.needs_register, principal)
names = [_("Register"), _("Resource mobilization"), _("Uncovered by region and area")]
tabs = st.tabs(names + ([_("Unfunded needs you could support")] if donor_orgs else []))


def _millions(register: pd.DataFrame, column: str) -> str:
    """The needs' `column` in millions per currency, the largest first: needs are costed in
    their own currencies, which are never added."""
    sums = register.groupby("currency")[column].sum().sort_values(ascending=False)
    if sums.empty:
        return "—"
    return " + ".join(format_millions(v, str(c), digits=2) for c, v in sums.items())


def _named(frame: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    return frame.rename(columns={c: _(label) for c, label in labels.items()})


with tabs[0]:
    m = st.columns(5)
    m[0].metric(_("Needs"), len(register))
    m[1].metric(_("Uncovered"), int((register["coverage"] == "uncovered").sum()))
    m[2].metric(_("Several providers"), int((register["coverage"] == "several").sum()))
    m[3].metric(_("Estimated cost"), _millions(register, "estimated_cost"))
    m[4].metric(_("Gap"), _millions(register, "gap"))
    shown = reg.filtered(register)
    if shown.empty:
        st.info(_("No need matches.") if not register.empty else _("No need is recorded yet."))
    else:
        show_table(
            reg.table(shown),
            column_config={
                _("Need"): st.column_config.TextColumn(width="large"),
                **reg.money_columns(),
            },
        )
        reg.detail(principal, shown, manager=manager, own=own)
    if writer:
        with st.expander(_("Add a need")):
            reg.add_form(principal, manager=manager, own=own)

with tabs[1]:
    by = st.radio(
        _("By"), list(GAP_BY), format_func=labelled(GAP_BY), horizontal=True, key="nd_gap_by"
    )
    gap = cached_query(q.resource_gap, principal, by=by)
    st.caption(
        _(
            "Estimated cost of the current needs, the funding of the projects covering them (the "
            "country's share of each project, split over the needs it covers) and the gap still "
            "to mobilize. Only needs with an estimated cost enter the money columns."
        )
    )
    if gap.empty:
        st.info(_("No need is recorded yet."))
    else:
        key, name = gap.columns[1], _(GAP_BY[by])
        if by == "country":
            gap[key] = [
                country_name(c, n) for c, n in zip(gap[gap.columns[0]], gap[key], strict=True)
            ]
        figures = gap.drop(columns=gap.columns[0])
        show_table(
            _named(figures, FIGURES).rename(columns={key: name}),
            column_config=reg.money_columns(),
        )
        long = figures.melt(
            id_vars=[key], value_vars=list(reg.MONEY_FIELDS), var_name="figure", value_name="usd"
        )
        long["figure"] = long["figure"].map(labelled(FIGURES))
        st.altair_chart(
            alt.Chart(long)
            .mark_bar()
            .encode(
                y=alt.Y(f"{key}:N", title=name, sort="-x"),
                x=alt.X("usd:Q", title="USD"),
                color=alt.Color("figure:N", title=None),
                yOffset="figure:N",
                tooltip=[
                    alt.Tooltip(f"{key}:N", title=name),
                    alt.Tooltip("figure:N", title=_("Figure")),
                    alt.Tooltip("usd:Q", title="USD", format=",.0f"),
                ],
            ),
            width="stretch",
        )

with tabs[2]:
    st.caption(
        _(
            "Where States' needs are not yet addressed by any project: a basis for "
            "subregional programmes, where neighbours share needs and legal systems."
        )
    )
    open_ = cached_query(q.uncovered_needs_by_region_area, principal)
    if open_.empty:
        st.success(_("Every recorded need is covered by at least one project."))
    else:
        shown = _named(open_.drop(columns=["region_code", "area_code"]), OPEN_COLUMNS)
        show_table(shown, column_config=reg.money_columns())

if donor_orgs:
    with tabs[3]:
        st.caption(
            _(
                "Needs with a funding gap in the countries or priority areas of the "
                "projects you fund: those matching both first."
            )
        )
        for org in donor_orgs:
            mine = cached_query(q.unfunded_needs_for_donor, principal, donor_id=org)
            if mine.empty:
                st.info(_("No unfunded need in the countries and areas you support."))
            else:
                show_table(
                    reg.table(mine),
                    column_config=reg.money_columns(),
                )
