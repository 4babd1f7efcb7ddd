"""Creating a project for one's own organisation, with its countries, sectors, priority
areas, partners and first funding line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from rbm.errors import ValidationFailed
from rbm.i18n import _
from rbm.models.enums import Frequency, PartnerRole, Role, ScopeType
from rbm.principal import Principal
from rbm.queries import logframe_editor as q
from rbm.services import projects
from rbm.ui import logframe_forms as forms
from rbm.ui.entry_labels import enum_format
from rbm.ui.logframe.common import fmt, write
from rbm.ui.session import cached_query


@dataclass(frozen=True)
class _Form:
    code: str
    title: str
    description: str
    provider: int | None
    start: date
    end: date
    frequency: Frequency | None
    countries: str
    sectors: str
    area_ids: list[int]
    partners: list[int]
    donor: int | None
    amount: str
    currency: str


def own_organisations(principal: Principal, org_names: dict[int, str]) -> list[int]:
    """The organisations `principal` may create projects for (all of them for an admin)."""
    if principal.has_role(Role.ADMIN):
        return list(org_names)
    return [
        g.organisation_id
        for g in principal.grants_for(Role.MANAGER)
        if g.scope_type is ScopeType.ORGANISATION
        and g.organisation_id is not None
        and g.organisation_id in org_names
    ]


def new_project_form(principal: Principal, org_names: dict[int, str]) -> None:
    own = own_organisations(principal, org_names)
    if not own:
        st.info(_("You create projects for your own organisation; you manage none."))
        return
    with st.form("le_new_project"):
        form = _fields(principal, own, org_names)
        if st.form_submit_button(_("Create the project"), type="primary"):
            write(lambda s: _create(s, principal, form), _("Project created."))


def _fields(principal: Principal, own: list[int], org_names: dict[int, str]) -> _Form:
    a, b = st.columns(2)
    code = a.text_input(_("Code"), key="le_np_code")
    provider = b.selectbox(
        _("Provider (your organisation)"), own, format_func=fmt(org_names), key="le_np_provider"
    )
    title = st.text_input(_("Title"), key="le_np_title")
    description = st.text_area(_("Description"), key="le_np_description")
    c, d, e = st.columns(3)
    start = c.date_input(_("Start date"), value=date.today(), key="le_np_start")
    end = d.date_input(_("End date"), value=date(date.today().year + 2, 12, 31), key="le_np_end")
    frequency = e.selectbox(
        _("Reporting frequency"), list(Frequency), 1, format_func=enum_format(), key="le_np_freq"
    )
    countries = st.text_input(
        _("Recipient countries and shares (%)"), placeholder="HN 50; GT 30; SV 20", key="le_np_c"
    )
    sectors = st.text_input(_("DAC sectors and shares (%)"), placeholder="15130 100", key="le_np_s")
    areas = cached_query(_areas, principal)
    area_ids = st.multiselect(
        _("Priority areas"),
        areas["id"].tolist(),
        format_func=fmt(dict(zip(areas["id"], areas["name"], strict=True))),
        key="le_np_areas",
    )
    partners = st.multiselect(
        _("Implementing partners"), list(org_names), format_func=fmt(org_names), key="le_np_p"
    )
    f1, f2, f3 = st.columns(3)
    donor = f1.selectbox(
        _("Donor"),
        [None, *org_names],
        format_func=lambda o: "—" if o is None else org_names[o],
        key="le_np_donor",
    )
    amount = f2.text_input(_("Funding amount"), key="le_np_amount")
    currency = f3.text_input(_("Currency"), value="USD", key="le_np_currency")
    return _Form(
        code, title, description, provider, start, end, frequency, countries, sectors,
        area_ids, partners, donor, amount, currency,
    )  # fmt: skip


def _areas(session: Session, *, principal: Any) -> pd.DataFrame:
    return q.priority_areas(session)


def _create(session: Session, principal: Principal, form: _Form) -> str:
    if form.provider is None or form.frequency is None:
        raise ValidationFailed("provider and frequency: choose both.")
    currency = form.currency.strip().upper() or "USD"
    funding = []
    if form.donor is not None:
        funding.append(
            projects.FundingLine(
                donor_id=form.donor,
                amount=forms.number(form.amount or "0", field=_("funding amount")),
                currency=currency,
                date_from=form.start,
                date_to=form.end,
            )
        )
    new = projects.NewProject(
        code=form.code.strip(),
        title=form.title.strip(),
        description=form.description,
        provider_id=form.provider,
        start_date=form.start,
        end_date=form.end,
        frequency=form.frequency,
        currency=currency,
        countries=forms.shares(form.countries, field=_("recipient countries")),
        sectors=forms.shares(form.sectors, field=_("sectors")),
        priority_area_ids=form.area_ids,
        partners=[(o, PartnerRole.IMPLEMENTING) for o in form.partners],
        funding=funding,
    )
    project = projects.create_project(session, principal=principal, new=new)
    st.session_state["le_project"] = project.code  # open the new project after the rerun
    return _(
        "Project {code} created with its reporting periods. Now add its results.",
        code=project.code,
    )
