"""The needs register tab of the needs page: the table of needs with its filters, one need's
detail (the projects confirmed as addressing it, suggested projects, editing) and the form to
add a need. Labels are translated; descriptions, project titles and names are data."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pandas as pd
import streamlit as st

from rbm.exchange.checklist_guide import KIND_LABELS, PRIORITY_LABELS
from rbm.i18n import N_, _, country_name
from rbm.models.enums import AssistanceKind, Coverage, Priority, labels_of
from rbm.principal import Principal
from rbm.queries import needs as q
from rbm.queries.checklist import countries
from rbm.services import needs as svc
from rbm.ui.labels import labelled, project_status
from rbm.ui.session import cached_query, get_db
from rbm.ui.widgets import money, money_column, plain, reported

FLASH = "nd_flash"
COVERAGE = labels_of(Coverage)
MONEY = (N_("Estimated cost"), N_("Funding"), N_("Gap"))
MONEY_FIELDS = ("estimated_cost", "funding", "gap")
DIRECT = N_("entered directly")  # what the register's `cycle` says of a need not from a checklist


def money_columns() -> dict[str, Any]:
    """Column settings of the money columns, under their translated names."""
    return {_(c): money_column(_(c)) for c in MONEY}


def _label(labels: dict[str, str]) -> Callable[[object], str]:
    return lambda v: _(labels[str(v)]) if v is not None else _("All")


def table(df: pd.DataFrame) -> pd.DataFrame:
    """The needs as people read them, one row each."""
    return pd.DataFrame(
        {
            "#": df["id"],
            _("Country"): [
                country_name(c, n) for c, n in zip(df["country_code"], df["country"], strict=True)
            ],
            _("Priority area"): df["area"].fillna("—"),
            _("Provision"): (
                df["instrument"].fillna("") + " " + df["article"].fillna("")
            ).str.strip(),
            _("Kind"): df["kind"].map(labelled(KIND_LABELS)),
            _("Priority"): df["priority"].map(labelled(PRIORITY_LABELS)),
            _("Need"): df["description"],
            _("From"): df["cycle"].map(lambda c: _(DIRECT) if c == q.DIRECT else c),
            _("Coverage"): df["coverage"].map(labelled(COVERAGE)),
            _("Projects"): df["projects"],
            _("Estimated cost"): df["estimated_cost"],
            _("Funding"): df["funding"],
            _("Gap"): df["gap"],
            _("Currency"): df["currency"],
        }
    )


def filtered(df: pd.DataFrame) -> pd.DataFrame:
    """The needs that match the filters shown above the table."""
    cols = st.columns(4)
    names = {c: country_name(c, n) for c, n in zip(df["country_code"], df["country"], strict=True)}
    pick = {
        "country_code": cols[0].selectbox(
            _("Country"),
            [None, *sorted(names, key=names.__getitem__)],
            key="nd_c",
            format_func=lambda c: names[c] if c else _("All"),
        ),
        "area": cols[1].selectbox(
            _("Priority area"),
            [None, *sorted(df["area"].dropna().unique())],
            key="nd_a",
            format_func=lambda a: a or _("All"),
        ),
        "coverage": cols[2].selectbox(
            _("Coverage"), [None, *COVERAGE], key="nd_cov", format_func=_label(COVERAGE)
        ),
        "priority": cols[3].selectbox(
            _("Priority"), [None, *PRIORITY_LABELS], key="nd_p", format_func=_label(PRIORITY_LABELS)
        ),
    }
    for column, value in pick.items():
        if value is not None:
            df = df[df[column] == value]
    return df


def _run(principal: Principal, done: str, fn: Callable[..., object], **kwargs: object) -> None:
    """Run one service call; on success show `done` after the rerun, else the named error."""
    with reported():
        with get_db().write() as session:
            fn(session, principal=principal, **kwargs)
        st.session_state[FLASH] = done
        st.rerun()


def _linked(principal: Principal, nid: int, manager: bool) -> None:
    linked = cached_query(q.linked_projects, principal, need_id=nid)
    st.markdown("**" + _("Projects confirmed as addressing this need") + "**")
    if linked.empty:
        st.caption(_("None yet."))
    for _row, p in linked.iterrows():
        a, b = st.columns([4, 1])
        a.markdown(
            _(
                "{code} · {title} ({provider}, {status}) · confirmed by {person}",
                code=plain(p["code"]),
                title=plain(p["title"]),
                provider=plain(p["provider"]),
                status=project_status(p["status"]),
                person=plain(p["confirmed_by"]),
            )
        )
        if manager and b.button(_("Unlink"), key=f"nd_unlink_{nid}_{p['project_id']}"):
            done = _("{code} is no longer linked to need #{need}.", code=p["code"], need=nid)
            _run(principal, done, svc.unlink_project, need_id=nid, project_id=int(p["project_id"]))


def _suggested(principal: Principal, nid: int) -> None:
    with get_db().read() as session:
        suggestions = svc.suggest_projects(session, principal=principal, need_id=nid)
    st.markdown(_("**Suggested projects** (same country; same priority area first)"))
    if not suggestions:
        st.caption(_("No other project in progress works in this country."))
    for s in suggestions:
        a, b = st.columns([4, 1])
        area = _("same priority area") if s.same_area else _("other priority area")
        a.markdown(f"{plain(s.code)} · {plain(s.title)} ({plain(s.provider)}; {area})")
        if b.button(_("Confirm"), key=f"nd_link_{nid}_{s.project_id}"):
            done = _("{code} confirmed as addressing need #{need}.", code=s.code, need=nid)
            _run(principal, done, svc.link_project, need_id=nid, project_id=s.project_id)


def _edit(principal: Principal, need: pd.Series) -> None:
    nid = int(need["id"])
    with st.form(f"nd_edit_{nid}"):
        cost = st.number_input(
            _("Estimated cost ({currency})", currency=need["currency"]),
            min_value=0.0,
            step=10000.0,
            value=None if pd.isna(need["estimated_cost"]) else float(need["estimated_cost"]),
            key=f"nd_cost_{nid}",
        )
        priority = st.selectbox(
            _("Priority"),
            list(PRIORITY_LABELS),
            key=f"nd_prio_{nid}",
            index=list(PRIORITY_LABELS).index(need["priority"]),
            format_func=_label(PRIORITY_LABELS),
        )
        text = st.text_area(_("Description"), value=need["description"], key=f"nd_desc_{nid}")
        if st.form_submit_button(_("Save the need")):
            _run(
                principal,
                _("Need #{need} saved.", need=nid),
                svc.update_need,
                need_id=nid,
                priority=Priority(priority),
                estimated_cost=None if cost is None else Decimal(str(cost)),
                description=text,
            )


def detail(principal: Principal, shown: pd.DataFrame, *, manager: bool, own: list[str]) -> None:
    """One need chosen from `shown`: its figures, projects and, for those who may, editing."""
    labels = {
        int(r["id"]): f"#{r['id']} {country_name(r['country_code'], r['country'])}: "
        f"{r['description'][:80]}"
        for _row, r in shown.iterrows()
    }
    nid = st.selectbox(_("Need"), list(labels), format_func=labels.__getitem__, key="nd_need")
    need = shown[shown["id"] == nid].iloc[0]
    st.markdown(plain(need["description"]))
    st.caption(
        _(
            "Coverage: {coverage} · estimated cost {cost} · funding {funding} · gap {gap}",
            coverage=_(COVERAGE[need["coverage"]]),
            cost=money(need["estimated_cost"], need["currency"]),
            funding=money(need["funding"], need["currency"]),
            gap=money(need["gap"], need["currency"]),
        )
    )
    _linked(principal, int(nid), manager)
    if manager:
        _suggested(principal, int(nid))
    if manager or need["country_code"] in own:
        with st.expander(_("Edit cost, priority and description")):
            _edit(principal, need)


def add_form(principal: Principal, *, manager: bool, own: list[str]) -> None:
    """The form to enter a need directly (not from a checklist)."""
    with get_db().read() as session:
        areas = q.priority_areas(session)
        every = countries(session)
    where = own if not manager else every["code"].tolist()
    names = {c: country_name(c, n) for c, n in zip(every["code"], every["name"], strict=True)}
    area_names = dict(zip(areas["id"], areas["name"], strict=True))
    with st.form("nd_add"):
        a, b = st.columns(2)
        country = a.selectbox(
            _("Country"), where, format_func=names.__getitem__, key="nd_add_country"
        )
        area = b.selectbox(
            _("Priority area"),
            list(area_names),
            format_func=area_names.__getitem__,
            key="nd_add_area",
        )
        kind = a.selectbox(
            _("Kind of assistance"),
            list(KIND_LABELS),
            key="nd_add_kind",
            format_func=_label(KIND_LABELS),
        )
        priority = b.selectbox(
            _("Priority"),
            list(PRIORITY_LABELS),
            key="nd_add_prio",
            format_func=_label(PRIORITY_LABELS),
        )
        text = st.text_area(_("Description of the need"), key="nd_add_text")
        cost = st.number_input(
            _("Estimated cost (USD, optional)"),
            min_value=0.0,
            value=None,
            step=10000.0,
            key="nd_add_cost",
        )
        if st.form_submit_button(_("Add the need")):
            _run(
                principal,
                _("Need added."),
                svc.create_need,
                country_code=country,
                kind=AssistanceKind(kind),
                priority=Priority(priority),
                description=text,
                priority_area_id=int(area),
                estimated_cost=None if cost is None else Decimal(str(cost)),
            )
