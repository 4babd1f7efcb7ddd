"""The form that records a lesson learned (evaluators and admins): its text, what worked and
what did not, evidence, source evaluation or project, DAC criterion, result level, countries,
priority areas and tags. Labels are translated."""

from __future__ import annotations

import streamlit as st

from rbm.i18n import _, country_name
from rbm.models.enums import DacCriterion, ResultLevel
from rbm.principal import Principal
from rbm.queries import evaluations as qe
from rbm.services import evaluations as svc
from rbm.ui.labels import LEVEL_LABELS
from rbm.ui.session import get_db
from rbm.ui.widgets import reported


def record_form(principal: Principal, flash: str) -> None:
    """The form; on success the page shows a confirmation (session key `flash`) after the rerun."""
    with get_db().read() as session:
        choices = qe.form_choices(session, principal=principal)
    evaluations = dict(
        zip(choices["evaluation"]["id"].astype(int), choices["evaluation"]["title"], strict=True)
    )
    projects = {
        int(r["id"]): f"{r['code']} · {r['title']}" for r in choices["project"].to_dict("records")
    }
    countries = {
        str(c): country_name(str(c), str(n))
        for c, n in zip(choices["country"]["code"], choices["country"]["name"], strict=True)
    }
    areas = dict(
        zip(
            choices["priority_area"]["id"].astype(int),
            choices["priority_area"]["name"],
            strict=True,
        )
    )
    with st.form("ls_new_form"):
        title = st.text_input(_("Title"), key="ls_new_title")
        text = st.text_area(_("Lesson"), key="ls_new_text")
        c1, c2 = st.columns(2)
        worked = c1.text_area(_("What worked"), key="ls_new_worked")
        did_not = c2.text_area(_("What did not"), key="ls_new_did_not")
        evidence = st.text_input(_("Evidence"), key="ls_new_evidence")
        c1, c2 = st.columns(2)
        evaluation = c1.selectbox(
            _("From the evaluation"),
            [None, *evaluations],
            key="ls_new_evaluation",
            format_func=lambda i: "—" if i is None else evaluations[i],
        )
        project = c2.selectbox(
            _("About the project"),
            [None, *projects],
            key="ls_new_project",
            format_func=lambda i: "—" if i is None else projects[i],
        )
        criterion = c1.selectbox(
            _("DAC criterion"),
            [None, *DacCriterion],
            key="ls_new_dac",
            format_func=lambda c: "—" if c is None else _(qe.CRITERION_LABELS[c.value]),
        )
        level = c2.selectbox(
            _("Result level"),
            [None, *ResultLevel],
            key="ls_new_level",
            format_func=lambda lvl: "—" if lvl is None else _(LEVEL_LABELS[lvl.value]),
        )
        codes = c1.multiselect(
            _("Countries"),
            list(countries),
            key="ls_new_countries",
            format_func=countries.__getitem__,
        )
        area_ids = c2.multiselect(
            _("Priority areas"), list(areas), key="ls_new_areas", format_func=areas.__getitem__
        )
        tags = st.text_input(_("Tags (separated by commas)"), key="ls_new_tags")
        if st.form_submit_button(_("Record the lesson"), type="primary"):
            new = svc.NewLesson(
                title=title,
                text=text,
                what_worked=worked,
                what_did_not=did_not,
                evidence=evidence,
                evaluation_id=evaluation,
                project_id=project,
                dac_criterion=criterion,
                result_level=level,
                country_codes=codes,
                priority_area_ids=area_ids,
                tags=tags.split(","),
            )
            with reported():
                with get_db().write() as session:
                    svc.record_lesson(session, principal=principal, new=new)
                for key in [k for k in st.session_state if str(k).startswith("ls_new_")]:
                    del st.session_state[key]
                st.session_state[flash] = _("Lesson “{title}” recorded.", title=title.strip())
                st.rerun()
