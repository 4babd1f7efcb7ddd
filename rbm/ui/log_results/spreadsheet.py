"""The grid and spreadsheet tabs: many values at once, from a grid for one project and
period or from a filled template; a refusal lists its problems row by row."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from rbm.errors import ValidationFailed
from rbm.exchange import measurement_import as imp
from rbm.i18n import _
from rbm.principal import Principal
from rbm.ui.entry_labels import column_names
from rbm.ui.session import get_db
from rbm.ui.widgets import in_language, message, reported

_GRID = ["project", "indicator", "title", "measure", "period", "value"]
_TYPED = ("numerator", "denominator", "narrative")


def _refused(exc: ValidationFailed) -> None:
    st.error(message(exc.headline()))
    # The cells are echoed as plain text: never rendered as Markdown or HTML.
    if exc.problems:
        st.code("\n".join(map(str, exc.problems)), language=None, wrap_lines=True)


def _import(principal: Principal, df: pd.DataFrame, submit: bool) -> None:
    bar = st.progress(0.0, text=_("Checking the values"))

    def progress(fraction: float, text: str) -> None:
        bar.progress(fraction, text=text)

    with reported():
        try:
            with get_db().write() as session:
                report = imp.import_measurements(
                    session, principal=principal, df=df, submit=submit, progress=progress
                )
            st.success(message(report))
        except ValidationFailed as exc:
            _refused(exc)


def grid_tab(principal: Principal, due: pd.DataFrame, projects: list[str]) -> None:
    if not projects:
        st.info(_("No project has an open period."))
        return
    g_project = st.selectbox(_("Project"), projects, key="lr_g_project")
    periods = due.loc[due["project"] == g_project, "period"].unique().tolist()
    g_period = st.selectbox(_("Period"), periods, key="lr_g_period")
    rows = due[(due["project"] == g_project) & (due["period"] == g_period)]
    table = rows[_GRID].copy()
    for col in _TYPED:
        table[col] = None
    edited = st.data_editor(
        table,
        hide_index=True,
        key="lr_grid",
        disabled=_GRID[:-1],
        # Headers relabelled, not renamed: the edited grid is imported by its column names.
        column_config={c: st.column_config.Column(h) for c, h in column_names(table).items()},
    )
    if st.button(_("Save the grid as drafts"), key="lr_grid_save"):
        _import(principal, edited.astype(object).where(edited.notna(), None), submit=False)


def sheet_tab(principal: Principal, projects: list[str]) -> None:
    if projects:
        s_project = st.selectbox(_("Project"), projects, key="lr_s_project")

        def template(fmt: str) -> Callable[[], bytes]:
            """The project's blank template, made when its button is clicked (not on every
            rerun of the page)."""

            def make() -> bytes:
                with get_db().read() as session:
                    blank = imp.template(session, principal=principal, project_code=s_project)
                return imp.to_bytes(blank, fmt=fmt)

            return in_language(make)

        a, b = st.columns(2)
        a.download_button(
            _("Download CSV template"),
            template("csv"),
            f"{s_project}-measurements.csv",
            "text/csv",
        )
        b.download_button(
            _("Download Excel template"),
            template("xlsx"),
            f"{s_project}-measurements.xlsx",
        )
    upload = st.file_uploader(
        _("Filled template (.csv or .xlsx)"), type=["csv", "xlsx"], key="lr_up"
    )
    also_submit = st.checkbox(_("Submit the values for approval"), key="lr_up_submit")
    if upload is not None and st.button(_("Import"), key="lr_import", type="primary"):
        with reported():
            try:
                frame = imp.read_upload(upload.name, upload.getvalue())
            except ValidationFailed as exc:
                _refused(exc)
                return
            _import(principal, frame, submit=also_submit)
