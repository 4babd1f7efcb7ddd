"""The form that records an evaluation (evaluators and admins): title, type, scope and what it
covers, dates, evaluator, summary, the six DAC ratings with their justifications, and the
report. Labels are translated."""

from __future__ import annotations

from typing import Any

import streamlit as st

from rbm.i18n import _
from rbm.models.enums import DacCriterion, EvaluationScope, EvaluationType
from rbm.queries import evaluations as q
from rbm.services import evaluations as svc
from rbm.services.evidence import ALLOWED
from rbm.ui.evaluation_forms import Writer, criterion, done
from rbm.ui.labels import labelled
from rbm.ui.session import get_db
from rbm.ui.widgets import reported

OPEN_NEXT = "ev_open_next"  # the evaluation to open after a rerun (set once the picker exists)


def _none_or(names: dict[Any, str]) -> Any:
    return lambda v: "—" if v is None else names[v]


def _target_inputs(w: Writer) -> dict[str, Any]:
    with get_db().read() as session:
        choices = q.form_choices(session, principal=w.principal)
    projects = {
        int(r["id"]): f"{r['code']} · {r['title']}" for r in choices["project"].to_dict("records")
    }
    countries = dict(zip(choices["country"]["code"], choices["country"]["name"], strict=True))
    area_ids = choices["priority_area"]["id"].astype(int)
    areas = dict(zip(area_ids, choices["priority_area"]["name"], strict=True))
    st.caption(_("What the evaluation covers: fill in the one that matches the scope."))
    c1, c2 = st.columns(2)
    return {
        "project_id": c1.selectbox(
            _("Project"), [None, *projects], key="ev_new_project", format_func=_none_or(projects)
        ),
        "country_code": c2.selectbox(
            _("Country"), [None, *countries], key="ev_new_country", format_func=_none_or(countries)
        ),
        "priority_area_id": c1.selectbox(
            _("Priority area"), [None, *areas], key="ev_new_area", format_func=_none_or(areas)
        ),
        "theme": c2.text_input(_("Theme"), key="ev_new_theme"),
    }


def _rating_inputs() -> dict[DacCriterion, tuple[int, str]]:
    st.markdown(
        _(
            "**Ratings** (1 unsatisfactory, 2 partly satisfactory, 3 satisfactory, "
            "4 highly satisfactory); leave a criterion unrated to skip it."
        )
    )
    ratings: dict[DacCriterion, tuple[int, str]] = {}
    for each in DacCriterion:
        c1, c2 = st.columns([1, 4])
        score = c1.selectbox(
            criterion(each.value),
            [None, 1, 2, 3, 4],
            key=f"ev_new_score_{each.value}",
            format_func=lambda s: _("not rated") if s is None else str(s),
        )
        why = c2.text_input(
            _("Justification ({criterion})", criterion=criterion(each.value)),
            key=f"ev_new_why_{each.value}",
        )
        if score is not None:
            ratings[each] = (int(score), why)
    return ratings


def _record(w: Writer, new: svc.NewEvaluation, report: Any) -> int | None:
    """Record the evaluation and attach its report in one transaction; None after showing a
    named error."""
    with reported(), get_db().write() as session:
        ev = svc.create_evaluation(session, principal=w.principal, new=new)
        if report is not None:
            svc.attach_report(
                session,
                principal=w.principal,
                evaluation_id=ev.id,
                filename=report.name,
                content=report.getvalue(),
            )
        return ev.id
    return None


def record_form(w: Writer) -> None:
    """The form; on success the new evaluation opens after the rerun."""
    with st.form("ev_new_form"):
        title = st.text_input(_("Title"), key="ev_new_title")
        c1, c2 = st.columns(2)
        ev_type = c1.selectbox(
            _("Type"),
            list(EvaluationType),
            key="ev_new_type",
            format_func=labelled(q.TYPE_LABELS),
        )
        scope = c2.selectbox(
            _("Scope"),
            list(EvaluationScope),
            key="ev_new_scope",
            format_func=labelled(q.SCOPE_LABELS),
        )
        target = _target_inputs(w)
        c1, c2, c3 = st.columns(3)
        start = c1.date_input(_("Start"), value=None, key="ev_new_start")
        end = c2.date_input(_("End"), value=None, key="ev_new_end")
        evaluator = c3.text_input(_("Evaluator"), key="ev_new_evaluator")
        summary = st.text_area(_("Summary of findings"), key="ev_new_summary")
        ratings = _rating_inputs()
        report = st.file_uploader(
            _("Report"), type=[e.lstrip(".") for e in ALLOWED], key="ev_new_report"
        )
        if not st.form_submit_button(_("Record the evaluation"), type="primary"):
            return
        assert ev_type is not None and scope is not None
        new = svc.NewEvaluation(
            title=title,
            type=ev_type,
            scope=scope,
            start_date=start,
            end_date=end,
            evaluator=evaluator,
            summary=summary,
            ratings=ratings,
            **target,
        )
        new_id = _record(w, new, report)
        if new_id is not None:
            st.session_state[OPEN_NEXT] = new_id
            done(_("Evaluation “{title}” recorded.", title=title.strip()), "ev_new_")
