"""The project tab: a manager edits the project's details, countries, sectors and funding,
or closes it."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from rbm.i18n import N_, _
from rbm.models.enums import Frequency, PartnerRole, ProjectStatus
from rbm.queries import logframe_editor as q
from rbm.services import project_editor, projects
from rbm.ui import logframe_forms as forms
from rbm.ui.entry_labels import enum_format
from rbm.ui.logframe.common import Editor, write
from rbm.ui.session import get_db

#: Headers of the funding table (edited in place, so relabelled, not renamed).
_FUNDING_COLUMNS = {
    "donor_id": N_("Donor"), "amount": N_("Amount"), "currency": N_("Currency"),
    "date_from": N_("From"), "date_to": N_("To"),
}  # fmt: skip


def project_tab(ed: Editor) -> None:
    if not ed.can_edit:
        st.info(_("Managers of the project edit its details."))
        return
    with get_db().read() as session:
        setup = q.project_setup(session, principal=ed.principal, project_id=ed.pid)
    with st.form("le_project_form"):
        run = _project_form(ed, setup)
        if st.form_submit_button(_("Save the project"), type="primary"):
            write(run, _("Project saved."))
    reason = st.text_input(_("Why close the project?"), key="le_close_reason")
    if st.button(_("Close the project"), key="le_close"):
        write(
            lambda s: project_editor.close_project(
                s, principal=ed.principal, project_id=ed.pid, reason=reason
            ),
            _("Project closed."),
        )


def _shares(stored: dict[str, Any]) -> str:
    return "; ".join(f"{k} {v.normalize():f}" for k, v in stored.items())


def _project_form(ed: Editor, setup: dict[str, Any]) -> Any:
    """The form's fields; the change they describe, as a function of the session."""
    p = setup["project"]
    title = st.text_input(_("Title"), value=p["title"], key="le_pf_title")
    description = st.text_area(_("Description"), value=p["description"], key="le_pf_desc")
    a, b, c, d = st.columns(4)
    statuses, frequencies = [s.value for s in ProjectStatus], [f.value for f in Frequency]
    status = a.selectbox(
        _("Status"), statuses, statuses.index(p["status"]), format_func=enum_format(),
        key="le_pf_status",
    )  # fmt: skip
    start = b.date_input(_("Start date"), value=p["start_date"], key="le_pf_start")
    end = c.date_input(_("End date"), value=p["end_date"], key="le_pf_end")
    frequency = d.selectbox(
        _("Reporting frequency"), frequencies, frequencies.index(p["reporting_frequency"]),
        format_func=enum_format(), key="le_pf_freq",
    )  # fmt: skip
    countries = st.text_input(
        _("Recipient countries and shares (%)"),
        value=_shares(setup["countries"]),
        key="le_pf_countries",
    )
    sectors = st.text_input(
        _("DAC sectors and shares (%)"), value=_shares(setup["sectors"]), key="le_pf_sectors"
    )
    config: dict[str, Any] = {c: st.column_config.Column(_(h)) for c, h in _FUNDING_COLUMNS.items()}
    config["donor_id"] = st.column_config.SelectboxColumn(
        _("Donor"),
        options=list(ed.org_names),
        format_func=lambda o: ed.org_names.get(int(o), str(o)),
    )
    funding = st.data_editor(
        setup["funding"],
        num_rows="dynamic",
        hide_index=True,
        key="le_pf_funding",
        column_config=config,
    )

    def run(s: Session) -> str:
        new = projects.NewProject(
            code=p["code"],
            title=title,
            description=description,
            provider_id=p["provider_id"],
            start_date=start,
            end_date=end,
            status=ProjectStatus(status),
            budget=p["budget"],
            currency=p["currency"],
            frequency=Frequency(frequency),
            iati_identifier=p["iati_identifier"],
            countries=forms.shares(countries, field=_("recipient countries")),
            sectors=forms.shares(sectors, field=_("sectors")),
            priority_area_ids=setup["areas"],
            partners=[(o, PartnerRole(r)) for o, r in setup["partners"]],
            funding=[
                _funding_line(r) for r in funding.dropna(subset=["donor_id"]).to_dict("records")
            ],
        )
        change = project_editor.edit_project(s, principal=ed.principal, project_id=ed.pid, new=new)
        return _("Project saved.") + " " + change.describe()

    return run


def _funding_line(r: dict[str, Any]) -> projects.FundingLine:
    to = r.get("date_to")
    return projects.FundingLine(
        donor_id=int(r["donor_id"]),
        amount=forms.number(r["amount"], field=_("funding amount")),
        currency=str(r.get("currency") or "USD"),
        date_from=pd.Timestamp(r["date_from"]).date(),
        date_to=None if to is None or pd.isna(to) else pd.Timestamp(to).date(),
    )
