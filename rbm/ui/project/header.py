"""The project page's header: title, provider, dates and status, money, countries, and the
partners, donors, countries and priority areas behind an expander."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from rbm.i18n import (
    _,
    country_name,
    format_amounts,
    format_date,
    format_money,
    format_money_short,
)
from rbm.queries.project import ProjectView
from rbm.ui.labels import project_status
from rbm.ui.widgets import money_column, plain, show_table, status_badge


def header(view: ProjectView) -> None:
    """Title, caption, description and headline figures of the project."""
    p = view.project
    st.title(f"{plain(p['code'])} · {plain(p['title'])}")
    st.caption(
        _(
            "Provider: {provider} · {start} to {end} · status: {status}",
            provider=plain(p["provider"]),
            start=format_date(p["start_date"]),
            end=format_date(p["end_date"]),
            status=project_status(p["status"]),
        )
    )
    if p["description"]:
        st.text(p["description"])
    c1, c2, c3, c4 = st.columns([1, 1.4, 0.8, 0.8])
    # Headline figures in short (USD 200m), each in full in its help.
    c1.metric(
        _("Budget"),
        format_money_short(p["budget"], p["currency"]),
        help=format_money(p["budget"], p["currency"]),
    )
    funding = view.funding_totals()
    c2.metric(
        _("Funding"),
        format_amounts(funding, unstated=not view.funding.empty, short=True),
        help=format_amounts(funding, unstated=not view.funding.empty)
        + " · "
        + _("Per currency: amounts in different currencies are not added."),
    )
    c3.metric(_("Recipient countries"), len(view.countries))
    root = view.nodes[view.nodes["parent_id"].isna()]
    with c4:
        st.caption(_("Overall status"))
        if not root.empty:
            status_badge(root.iloc[0]["status"])
    with st.expander(_("Partners, donors, countries and priority areas")):
        _links(view)


def _country_names(countries: pd.DataFrame) -> list[str]:
    return [
        country_name(c, fallback=n)
        for c, n in zip(countries["code"], countries["name"], strict=True)
    ]


def _links(view: ProjectView) -> None:
    a, b = st.columns(2)
    with a:
        st.markdown("**" + _("Donors") + "**")
        show_table(
            view.funding,
            column_config={
                "donor": _("Donor"),
                "amount": money_column(_("Amount")),
                "currency": _("Currency"),
                "date_from": _("From"),
                "date_to": _("To"),
            },
        )
        st.markdown("**" + _("Implementing partners") + "**")
        st.text("\n".join(view.partners["name"]) or "—")
    with b:
        st.markdown("**" + _("Recipient countries (share %)") + "**")
        show_table(
            view.countries.assign(name=_country_names(view.countries))[["name", "share"]],
            column_config={"name": _("Country"), "share": _("Share %")},
        )
        st.markdown("**" + _("Priority areas") + "**")
        st.text("\n".join(view.areas["name"]) or "—")
