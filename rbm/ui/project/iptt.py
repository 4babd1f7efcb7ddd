"""The project page's IPTT tab: targets, approved actuals and % achieved per period, filtered
by level and period, with the Excel workbook and the IATI file to download."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from rbm.exchange.iati_export import export_iati
from rbm.exchange.iptt_workbook import iptt_excel
from rbm.i18n import N_, _
from rbm.principal import Principal
from rbm.queries.iptt import LOP, iptt_wide
from rbm.queries.project import ProjectView
from rbm.ui.labels import level_label
from rbm.ui.session import get_db
from rbm.ui.widgets import in_language, judged_note, show_table

#: The IPTT's figures per period, and the life-of-project columns' name, as people read them.
FIGURE_NAMES = {"target": N_("target"), "actual": N_("actual"), "achieved_pct": N_("% achieved")}
LOP_LABEL = N_("Life of project")


def _header(period: object, figure: object) -> str:
    shown = _(LOP_LABEL) if period == LOP else str(period)
    return f"{shown} · {_(FIGURE_NAMES[str(figure)])}"


def iptt_tab(principal: Principal, view: ProjectView, long: pd.DataFrame) -> None:
    """The IPTT filtered by level and period, and its downloads."""
    st.caption(
        _(
            "Targets, approved actuals and % achieved per period; the life-of-project columns "
            "show the to-date value and progress from the baseline."
        )
        + " "
        + judged_note(view.judged_at)
    )
    levels = list(dict.fromkeys(long["level"]))
    periods = [p for p in dict.fromkeys(long["period"]) if p != LOP]
    reported = [p for p in periods if p in set(long.loc[long["actual"].notna(), "period"])]
    f1, f2 = st.columns(2)
    chosen_levels = f1.multiselect(
        _("Levels"), levels, default=levels, format_func=level_label, key="pj_iptt_levels"
    )
    chosen_periods = f2.multiselect(
        _("Periods"), periods, default=reported[-4:] or periods[:4], key="pj_iptt_periods"
    )
    shown = long[long["level"].isin(chosen_levels) & long["period"].isin([*chosen_periods, LOP])]
    if shown.empty:
        st.caption(_("Nothing to show for these filters."))
        return
    wide = iptt_wide(shown)
    wide.columns = [_header(c[0], c[1]) for c in wide.columns]
    table = wide.round(1).reset_index()
    show_table(
        table.assign(level=table["level"].map(level_label)),
        key="pj_iptt",
        column_config={
            "level": _("Level"),
            "code": _("Code"),
            "title": _("Indicator"),
            "unit": _("Unit"),
        },
    )
    _downloads(principal, view, long)


def _downloads(principal: Principal, view: ProjectView, long: pd.DataFrame) -> None:
    p = view.project
    d1, d2 = st.columns(2)
    d1.download_button(
        _("Download the IPTT (Excel)"),
        # Made when the button is clicked (not on every rerun), in the reader's language.
        in_language(
            lambda: iptt_excel(
                long,
                title=f"IPTT · {p['code']} · {p['title']}",
                flags=view.flags,
                judged_at=view.judged_at,
            )
        ),
        file_name=f"iptt-{p['code']}.xlsx",
        key="pj_iptt_xlsx",
    )

    def iati_xml() -> bytes:
        """This project as an IATI activity (approved values only), made on click."""
        with get_db().read() as session:
            return export_iati(session, principal=principal, project_codes=[str(p["code"])])

    d2.download_button(
        _("Download as IATI 2.03 XML"),
        iati_xml,
        file_name=f"iati-{p['code']}.xml",
        mime="application/xml",
        key="pj_iati_xml",
        icon=":material/download:",
    )
