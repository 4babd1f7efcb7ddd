"""The spreadsheet tab: download the logframe (Excel or CSV) and, for a manager, import one."""

from __future__ import annotations

import streamlit as st
from sqlalchemy.orm import Session

from rbm.exchange.logframe_sheet import export_logframe, read_logframe
from rbm.exchange.logframe_sheet_import import import_logframe
from rbm.i18n import _
from rbm.ui.logframe.common import Editor, write
from rbm.ui.session import get_db


def sheet_tab(ed: Editor) -> None:
    st.caption(
        _(
            "One sheet for results, one for indicators with baselines and life-of-project "
            "targets, one for period targets (columns in docs/logframe.md). Rows match by code: "
            "importing the same file again changes nothing."
        )
    )
    a, b = st.columns(2)
    with get_db().read() as session:
        xlsx = export_logframe(session, principal=ed.principal, project_id=ed.pid)
        csv = export_logframe(session, principal=ed.principal, project_id=ed.pid, fmt="csv")
    a.download_button(
        _("Download the logframe (Excel)"),
        xlsx,
        file_name=f"logframe-{ed.code}.xlsx",
        key="le_dl_xlsx",
    )
    b.download_button(
        _("Download the logframe (CSV)"), csv, file_name=f"logframe-{ed.code}.csv", key="le_dl_csv"
    )
    if not ed.can_edit:
        return
    upload = st.file_uploader(
        _("Import a logframe spreadsheet"), type=["xlsx", "csv"], key="le_upload"
    )
    if upload is not None and st.button(_("Import"), key="le_import", type="primary"):

        def run(s: Session) -> str:
            frame = read_logframe(upload.name, upload.getvalue())
            report = import_logframe(
                s, principal=ed.principal, project_code=ed.code, frame=frame, filename=upload.name
            )
            return f"{upload.name}: {report.summary()}"

        write(run, _("Imported."))
