"""IATI exchange: download the projects you can see as an IATI 2.03 file, as the long table of
measurements (CSV, Excel) or as the IPTT workbook; administrators and managers also import
IATI files, with a progress bar and a report of what was imported and skipped per activity."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from rbm.exchange import tables
from rbm.exchange.iati_export import export_iati
from rbm.exchange.iati_import import ImportReport, import_iati
from rbm.i18n import _
from rbm.models.enums import Role
from rbm.queries.project import visible_projects
from rbm.ui.session import get_db, require_principal
from rbm.ui.widgets import in_language, message, reported, show_table

REPORT = "iati_report"
XML, CSV = "application/xml", "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

principal = require_principal()
db = get_db()
st.title(_("IATI exchange"))

st.subheader(_("Export"))
with db.read() as session:
    choices = visible_projects(session, principal=principal)
if choices.empty:
    st.info(_("There is no project you can see yet."))
else:
    titles = dict(zip(choices["code"], choices["title"], strict=True))
    picked = st.multiselect(
        _("Projects (all you can see when none is chosen)"),
        list(titles),
        format_func=lambda c: f"{c} — {titles[c]}",
        key="iati_codes",
    )
    codes = tuple(picked) or None
    st.caption(
        _(
            "Approved values only in the IATI file and the IPTT; the long table also lists "
            "your team's values still in review, labelled by status."
        )
    )

    def _read(make: Callable[..., bytes]) -> Callable[[], bytes]:
        """Generate the file only when its button is clicked, in the reader's language."""

        def run() -> bytes:
            with db.read() as session:
                return make(session, principal=principal, project_codes=codes)

        return in_language(run)

    def _long(as_excel: bool) -> Callable[..., bytes]:
        def make(session: object, **kw: object) -> bytes:
            table = tables.long_table(session, **kw)  # type: ignore[arg-type]
            return tables.to_xlsx(table) if as_excel else tables.to_csv(table)

        return make

    downloads: tuple[tuple[str, Callable[..., bytes], str, str, str], ...] = (
        (_("IATI 2.03 XML"), export_iati, "rbm-iati-activities.xml", XML, "xml"),
        (_("Long table (CSV)"), _long(False), "rbm-measurements.csv", CSV, "csv"),
        (_("Long table (Excel)"), _long(True), "rbm-measurements.xlsx", XLSX, "xlsx"),
        (_("IPTT workbook"), tables.iptt_workbook, "rbm-iptt.xlsx", XLSX, "iptt"),
    )
    for column, (label, make, name, mime, key) in zip(
        st.columns(len(downloads)), downloads, strict=True
    ):
        column.download_button(
            label, _read(make), name, mime, key=f"iati_dl_{key}", icon=":material/download:"
        )

if principal.has_role(Role.ADMIN, Role.MANAGER):
    st.subheader(_("Import"))
    st.caption(
        _(
            "Creates or updates projects keyed by their iati-identifier; importing the same "
            "file again changes nothing. Imported values enter as approved by their publisher "
            "(not by you); schema messages on parts not read are warnings with their line."
        )
    )
    uploaded = st.file_uploader(_("IATI 2.03 activity file"), type=["xml"], key="iati_upload")
    if uploaded is not None and st.button(_("Import"), key="iati_import", type="primary"):
        bar = st.progress(0.0, text=_("Reading the file…"))

        def _progress(done: int, total: int) -> None:
            bar.progress(done / total, text=_("Activity {done} of {total}", done=done, total=total))

        # A failed import leaves no report behind: its named error is shown instead.
        st.session_state.pop(REPORT, None)
        with reported():
            with db.write() as session:
                report = import_iati(
                    session, principal=principal, data=uploaded.getvalue(), on_progress=_progress
                )
            # The report itself, not its text: it is written out in the reader's language on
            # every run, so it follows a change of language.
            st.session_state[REPORT] = report
    if REPORT in st.session_state:
        shown: ImportReport = st.session_state[REPORT]
        st.success(message(shown.summary()))
        for note in shown.file_notes():
            st.info(message(note))
        rows = shown.rows()
        show_table(
            pd.DataFrame(rows),
            column_config={
                "identifier": _("IATI identifier"),
                "title": st.column_config.TextColumn(_("Title"), width="medium"),
                "outcome": _("Outcome"),
                "skipped": st.column_config.TextColumn(_("Skipped, and why"), width="large"),
                "notes": st.column_config.TextColumn(_("Notes"), width="large"),
                "warnings": st.column_config.TextColumn(_("Schema warnings"), width="large"),
            },
        )
