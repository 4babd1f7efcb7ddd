"""The portfolio home's project list (with its IATI download)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from rbm.exchange.iati_export import export_iati
from rbm.i18n import _, format_amounts, language, ngettext
from rbm.principal import Principal
from rbm.ui import charts
from rbm.ui.labels import project_status
from rbm.ui.session import get_db
from rbm.ui.widgets import money_column, projects_judged_note, show_table

#: The columns that judge a project's indicators, as the country and donor pages show them.
JUDGED_COLUMNS = ["on_track", "at_risk", "off_track", "overdue_reports", "quality_flags"]
LIST_COLUMNS = [
    "code",
    "title",
    "provider",
    "countries",
    "donors",
    "start_date",
    "end_date",
    "status",
    "funding",
    "other_funding",
    "achieved",
    "on_track",
    "at_risk",
    "off_track",
    "no_data",
    "overdue_reports",
    "quality_flags",
]


def map_spec(by_country: pd.DataFrame, *, title: str) -> dict[str, Any]:
    """The portfolio's world map (`charts.choropleth_spec`) for these figures, in the reader's
    language: built once and shared by every session showing the same figures."""
    return _map_spec(by_country, title, language())


@st.cache_data(show_spinner=False, max_entries=256)
def _map_spec(by_country: pd.DataFrame, title: str, language: str) -> dict[str, Any]:
    # Altair builds and checks the map once per figures, title and language (the key), rather
    # than on every rerun of every session.
    return charts.choropleth_spec(by_country, title=title)


def _headers() -> dict[str, Any]:
    return {
        "code": _("Code"),
        "title": st.column_config.TextColumn(_("Title"), width="large"),
        "provider": _("Provider"),
        "countries": _("Recipient countries"),
        "donors": _("Donors"),
        "start_date": st.column_config.DateColumn(_("Start")),
        "end_date": st.column_config.DateColumn(_("End")),
        "status": _("Status"),
        "funding": money_column(_("Funding (USD)")),
        "other_funding": _("Funding in other currencies"),
        "achieved": _("Achieved"),
        "on_track": _("On track"),
        "at_risk": _("At risk"),
        "off_track": _("Off track"),
        "no_data": _("No data"),
        "overdue_reports": _("Overdue reports"),
        "quality_flags": _("Data-quality flags"),
    }


def amounts_text(amounts: pd.Series) -> pd.Series:
    """Cells of (currency, amount) pairs as text in the reader's language ("EUR 300,000 +
    DKK 5,000"), blank where there are none."""
    return amounts.map(lambda pairs: format_amounts(list(pairs)) if pairs else "")


def project_headers(columns: list[str]) -> dict[str, Any]:
    """The headers of a projects table's `columns`, those the portfolio list also shows."""
    headers = _headers()
    return {c: headers[c] for c in columns if c in headers}


def _localised(names: str, countries: dict[str, str]) -> str:
    """Country names joined with ", " as `countries` (stored name -> shown name) has them."""
    return ", ".join(countries.get(n, n) for n in names.split(", ")) if names else names


def project_list(
    principal: Principal, table: pd.DataFrame, *, countries: dict[str, str]
) -> str | None:
    """The projects in `table` (one selectable row each; `countries`: each stored country name
    and the name shown) and their IATI download; the code of the project whose row was
    selected, if any."""
    shown = table[LIST_COLUMNS]
    selected = show_table(
        shown.assign(
            status=shown["status"].map(project_status),
            countries=shown["countries"].map(lambda n: _localised(n, countries)),
            other_funding=amounts_text(shown["other_funding"]),
        ),
        on_select="rerun",
        selection_mode="single-row",
        key="pf_table",
        column_config=_headers(),
    )
    st.caption(_("Select a row to open the project.") + " " + projects_judged_note())
    codes = list(shown["code"])

    def iati_xml() -> bytes:
        """The listed projects as IATI activities (approved values only), made on click."""
        with get_db().read() as session:
            return export_iati(session, principal=principal, project_codes=codes)

    st.download_button(
        ngettext(
            "Download this project as IATI 2.03 XML",
            "Download these {n} projects as IATI 2.03 XML",
            len(codes),
        ),
        iati_xml,
        file_name="iati-activities.xml",
        mime="application/xml",
        key="pf_iati_xml",
        icon=":material/download:",
    )
    rows = selected.selection.rows if selected else []
    return str(shown.iloc[rows[0]]["code"]) if rows else None
