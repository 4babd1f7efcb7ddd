"""Needs and resources: the needs register (from States' checklists or entered directly) with
the projects that address each need and its coverage; adding a need; confirming suggested
projects (managers); the resource-mobilization table (estimated cost, funding of the covering
projects, gap) by country, region or priority area; uncovered needs by region and area; and,
for a donor, the unfunded needs where it already works. Donors and evaluators read only."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import altair as alt
import pandas as pd
import streamlit as st

from rbm.errors import RbmError
from rbm.exchange.checklist_guide import KIND_LABELS, PRIORITY_LABELS
from rbm.models.enums import AssistanceKind, Coverage, Priority, Role, ScopeType
from rbm.principal import focal_countries
from rbm.queries import needs as q
from rbm.queries.checklist import countries
from rbm.services import needs as svc
from rbm.ui.session import cached_query, get_db, require_principal
from rbm.ui.widgets import message, money, plain

COVERAGE = {c.value: c.label for c in Coverage}
GAP_BY = {"country": "Country", "region": "Region", "priority_area": "Priority area"}
FIGURES = {
    "needs": "Needs",
    "uncovered": "Uncovered",
    "costed": "Costed",
    "estimated_cost": "Estimated cost",
    "funding": "Funding",
    "gap": "Gap",
}
MONEY_COLUMNS = {
    c: st.column_config.NumberColumn(c, format="localized")
    for c in ("Estimated cost", "Funding", "Gap")
}
OPEN_COLUMNS = {
    "region": "Region",
    "area": "Priority area",
    "needs": "Uncovered needs",
    "countries": "Countries",
    "estimated_cost": "Estimated cost",
}
FLASH = "nd_flash"

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

st.title("Needs and resources")
st.caption(
    "Technical-assistance needs identified by States, from their self-assessment checklists or "
    "entered directly; the projects that address them; and what remains to be funded."
)
if flash := st.session_state.pop(FLASH, None):
    st.success(message(flash))

register = cached_query(q.needs_register, principal)
names = ["Register", "Resource mobilization", "Uncovered by region and area"]
tabs = st.tabs(names + (["Unfunded needs you could support"] if donor_orgs else []))


def _millions(values: pd.Series) -> str:
    return f"USD {float(values.sum()) / 1e6:,.2f} M"


def _table(df: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "#": df["id"],
            "Country": df["country"],
            "Priority area": df["area"].fillna("—"),
            "Provision": (df["instrument"].fillna("") + " " + df["article"].fillna("")).str.strip(),
            "Kind": df["kind"].map(KIND_LABELS),
            "Priority": df["priority"].map(PRIORITY_LABELS),
            "Need": df["description"],
            "From": df["cycle"],
            "Coverage": df["coverage"].map(COVERAGE),
            "Projects": df["projects"],
            "Estimated cost": df["estimated_cost"],
            "Funding": df["funding"],
            "Gap": df["gap"],
        }
    )


def _filtered(df: pd.DataFrame) -> pd.DataFrame:
    cols = st.columns(4)
    country_names = dict(zip(df["country_code"], df["country"], strict=True))
    pick = {
        "country_code": cols[0].selectbox(
            "Country",
            [None, *sorted(country_names)],
            key="nd_c",
            format_func=lambda c: country_names.get(c, "All"),
        ),
        "area": cols[1].selectbox(
            "Priority area",
            [None, *sorted(df["area"].dropna().unique())],
            key="nd_a",
            format_func=lambda a: a or "All",
        ),
        "coverage": cols[2].selectbox(
            "Coverage",
            [None, *COVERAGE],
            key="nd_cov",
            format_func=lambda c: COVERAGE.get(c, "All"),
        ),
        "priority": cols[3].selectbox(
            "Priority",
            [None, *PRIORITY_LABELS],
            key="nd_p",
            format_func=lambda p: PRIORITY_LABELS.get(p, "All"),
        ),
    }
    for column, value in pick.items():
        if value is not None:
            df = df[df[column] == value]
    return df


def _run(action: str, fn: Callable[..., object], **kwargs: object) -> None:
    try:
        with get_db().write() as session:
            fn(session, principal=principal, **kwargs)
        st.session_state[FLASH] = action
        st.rerun()
    except RbmError as exc:
        st.error(message(exc))


def _projects_of(need: pd.Series) -> None:
    nid = int(need["id"])
    linked = cached_query(q.linked_projects, principal, need_id=nid)
    st.markdown("**Projects confirmed as addressing this need**")
    if linked.empty:
        st.caption("None yet.")
    for _, p in linked.iterrows():
        a, b = st.columns([4, 1])
        a.markdown(
            f"{plain(p['code'])} · {plain(p['title'])} ({plain(p['provider'])}, "
            f"{p['status']}) · confirmed by {plain(p['confirmed_by'])}"
        )
        if manager and b.button("Unlink", key=f"nd_unlink_{nid}_{p['project_id']}"):
            _run(
                f"{p['code']} is no longer linked to need #{nid}.",
                svc.unlink_project,
                need_id=nid,
                project_id=int(p["project_id"]),
            )
    if not manager:
        return
    with get_db().read() as session:
        suggestions = svc.suggest_projects(session, principal=principal, need_id=nid)
    st.markdown("**Suggested projects** (same country; same priority area first)")
    if not suggestions:
        st.caption("No other project in progress works in this country.")
    for s in suggestions:
        a, b = st.columns([4, 1])
        area = "same priority area" if s.same_area else "other priority area"
        a.markdown(f"{plain(s.code)} · {plain(s.title)} ({plain(s.provider)}; {area})")
        if b.button("Confirm", key=f"nd_link_{nid}_{s.project_id}"):
            _run(
                f"{s.code} confirmed as addressing need #{nid}.",
                svc.link_project,
                need_id=nid,
                project_id=s.project_id,
            )


def _edit(need: pd.Series) -> None:
    nid = int(need["id"])
    with st.form(f"nd_edit_{nid}"):
        cost = st.number_input(
            "Estimated cost (USD)",
            min_value=0.0,
            step=10000.0,
            value=None if pd.isna(need["estimated_cost"]) else float(need["estimated_cost"]),
            key=f"nd_cost_{nid}",
        )
        priority = st.selectbox(
            "Priority",
            list(PRIORITY_LABELS),
            key=f"nd_prio_{nid}",
            index=list(PRIORITY_LABELS).index(need["priority"]),
            format_func=PRIORITY_LABELS.__getitem__,
        )
        text = st.text_area("Description", value=need["description"], key=f"nd_desc_{nid}")
        if st.form_submit_button("Save the need"):
            _run(
                f"Need #{nid} saved.",
                svc.update_need,
                need_id=nid,
                priority=Priority(priority),
                estimated_cost=None if cost is None else Decimal(str(cost)),
                description=text,
            )


def _detail(shown: pd.DataFrame) -> None:
    labels = {
        int(r["id"]): f"#{r['id']} {r['country']}: {r['description'][:80]}"
        for _, r in shown.iterrows()
    }
    nid = st.selectbox("Need", list(labels), format_func=labels.__getitem__, key="nd_need")
    need = shown[shown["id"] == nid].iloc[0]
    st.markdown(plain(need["description"]))
    st.caption(
        f"Coverage: {COVERAGE[need['coverage']]} · estimated cost "
        f"{money(need['estimated_cost'])} · funding {money(need['funding'])} · "
        f"gap {money(need['gap'])}"
    )
    _projects_of(need)
    if manager or need["country_code"] in own:
        with st.expander("Edit cost, priority and description"):
            _edit(need)


def _add() -> None:
    with get_db().read() as session:
        areas = q.priority_areas(session)
        every = countries(session)
    where = own if not manager else every["code"].tolist()
    country_names = dict(zip(every["code"], every["name"], strict=True))
    area_names = dict(zip(areas["id"], areas["name"], strict=True))
    with st.form("nd_add"):
        a, b = st.columns(2)
        country = a.selectbox(
            "Country", where, format_func=country_names.__getitem__, key="nd_add_country"
        )
        area = b.selectbox(
            "Priority area", list(area_names), format_func=area_names.__getitem__, key="nd_add_area"
        )
        kind = a.selectbox(
            "Kind of assistance",
            list(KIND_LABELS),
            key="nd_add_kind",
            format_func=KIND_LABELS.__getitem__,
        )
        priority = b.selectbox(
            "Priority",
            list(PRIORITY_LABELS),
            key="nd_add_prio",
            format_func=PRIORITY_LABELS.__getitem__,
        )
        text = st.text_area("Description of the need", key="nd_add_text")
        cost = st.number_input(
            "Estimated cost (USD, optional)",
            min_value=0.0,
            value=None,
            step=10000.0,
            key="nd_add_cost",
        )
        if st.form_submit_button("Add the need"):
            _run(
                "Need added.",
                svc.create_need,
                country_code=country,
                kind=AssistanceKind(kind),
                priority=Priority(priority),
                description=text,
                priority_area_id=int(area),
                estimated_cost=None if cost is None else Decimal(str(cost)),
            )


with tabs[0]:
    m = st.columns(5)
    m[0].metric("Needs", len(register))
    m[1].metric("Uncovered", int((register["coverage"] == "uncovered").sum()))
    m[2].metric("Several providers", int((register["coverage"] == "several").sum()))
    m[3].metric("Estimated cost", _millions(register["estimated_cost"]))
    m[4].metric("Gap", _millions(register["gap"]))
    shown = _filtered(register)
    if shown.empty:
        st.info("No need matches." if not register.empty else "No need is recorded yet.")
    else:
        st.dataframe(
            _table(shown),
            hide_index=True,
            width="stretch",
            column_config={"Need": st.column_config.TextColumn(width="large"), **MONEY_COLUMNS},
        )
        _detail(shown)
    if writer:
        with st.expander("Add a need"):
            _add()

with tabs[1]:
    by = st.radio(
        "By", list(GAP_BY), format_func=GAP_BY.__getitem__, horizontal=True, key="nd_gap_by"
    )
    gap = cached_query(q.resource_gap, principal, by=by)
    st.caption(
        "Estimated cost of the current needs, the funding of the projects covering them (the "
        "country's share of each project, split over the needs it covers) and the gap still "
        "to mobilize. Only needs with an estimated cost enter the money columns."
    )
    if gap.empty:
        st.info("No need is recorded yet.")
    else:
        shown = gap.drop(columns=gap.columns[0]).rename(columns=FIGURES)
        shown = shown.rename(columns={gap.columns[1]: GAP_BY[by], "currency": "Currency"})
        st.dataframe(shown, hide_index=True, width="stretch", column_config=MONEY_COLUMNS)
        name = GAP_BY[by]
        long = shown.melt(
            id_vars=[name],
            value_vars=["Estimated cost", "Funding", "Gap"],
            var_name="figure",
            value_name="USD",
        )
        st.altair_chart(
            alt.Chart(long)
            .mark_bar()
            .encode(
                y=alt.Y(f"{name}:N", title=name, sort="-x"),
                x=alt.X("USD:Q"),
                color=alt.Color("figure:N", title=None),
                yOffset="figure:N",
            ),
            width="stretch",
        )

with tabs[2]:
    st.caption(
        "Where States' needs are not yet addressed by any project: a basis for "
        "subregional programmes, where neighbours share needs and legal systems."
    )
    open_ = cached_query(q.uncovered_needs_by_region_area, principal)
    if open_.empty:
        st.success("Every recorded need is covered by at least one project.")
    else:
        shown = open_.drop(columns=["region_code", "area_code"]).rename(columns=OPEN_COLUMNS)
        st.dataframe(shown, hide_index=True, width="stretch", column_config=MONEY_COLUMNS)

if donor_orgs:
    with tabs[3]:
        st.caption(
            "Needs with a funding gap in the countries or priority areas of the "
            "projects you fund: those matching both first."
        )
        for org in donor_orgs:
            mine = cached_query(q.unfunded_needs_for_donor, principal, donor_id=org)
            if mine.empty:
                st.info("No unfunded need in the countries and areas you support.")
            else:
                st.dataframe(
                    _table(mine), hide_index=True, width="stretch", column_config=MONEY_COLUMNS
                )
