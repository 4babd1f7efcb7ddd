"""The parts of the checklist page that show one checklist's answers: the widgets of a question
(saved as they change), the session state they read, and the panel that imports earlier answers
from a file. Labels are translated; the questions come in the person's language from the query
(`rbm.queries.checklist.checklist_form`)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from rbm.errors import RbmError
from rbm.exchange import checklist_guide as guide
from rbm.exchange import checklist_import as imp
from rbm.i18n import _, language
from rbm.models.enums import AssistanceKind, Implementation, Priority
from rbm.principal import Principal
from rbm.services import checklist
from rbm.ui.labels import labelled
from rbm.ui.session import get_db
from rbm.ui.widgets import plain, reported

FLASH, LOADED = "cl_flash", "cl_loaded"
_TEXTS = ("measure_cited", "obstacles", "comments")


def keys(aid: int) -> dict[str, str]:
    """The session keys of one answer's widgets."""
    return {f: f"cl_{aid}_{f}" for f in imp.ANSWER_COLUMNS}


def load_answers(questions: pd.DataFrame, sa: dict[str, Any]) -> None:
    """Put the database's answers in the widgets whenever the checklist changed other than
    through them (first load, an import, someone else's save); otherwise keep what the person
    typed."""
    stale = st.session_state.get(LOADED) != (sa["id"], sa["version"])
    for _row, q in questions.iterrows():
        for field, key in keys(int(q["answer_id"])).items():
            value = q[field]
            value = (
                None if value is None or (isinstance(value, float) and pd.isna(value)) else value
            )
            if field in _TEXTS:
                value = value or ""
            if field == "assistance_needed":
                value = bool(value)
            if stale or key not in st.session_state:
                st.session_state[key] = value
    st.session_state[LOADED] = (sa["id"], sa["version"])


def _values(aid: int) -> checklist.AnswerValues:
    s, k = st.session_state, keys(aid)
    kind, priority, impl = s.get(k["assistance_kind"]), s.get(k["priority"]), s[k["implementation"]]
    return checklist.AnswerValues(
        implementation=Implementation(impl) if impl else None,
        measure_cited=s[k["measure_cited"]] or "",
        obstacles=s[k["obstacles"]] or "",
        assistance_needed=bool(s[k["assistance_needed"]]),
        assistance_kind=AssistanceKind(kind) if kind else None,
        priority=Priority(priority) if priority else None,
        comments=s[k["comments"]] or "",
    )


def _autosave(principal: Principal, aid: int) -> None:
    s = st.session_state
    try:
        with get_db().write() as session:
            saved = checklist.save_answer(
                session,
                principal=principal,
                answer_id=aid,
                values=_values(aid),
                expected_version=s[LOADED][1],
            )
        s[LOADED] = (saved.id, saved.version)
    except RbmError as exc:
        # A callback cannot show an element; the page shows the message after the rerun.
        s[FLASH] = ("error", str(exc))
        s[LOADED] = None  # show the database's answers again


def _labelled(labels: dict[str, str]) -> dict[str, Any]:
    return {
        "options": list(labels),
        "format_func": labelled(labels),
        "placeholder": _("Choose"),
    }


def _heading(q: pd.Series, previous_cycle: str | None) -> None:
    tags = " · :violet[" + _("new in this cycle") + "]" if q["new_question"] else ""
    if q["reworded"]:
        tags += " · :violet[" + _("reworded since {cycle}", cycle=previous_cycle) + "]"
    st.markdown(f"**{plain(q['article'])} · {plain(q['title'])}**{tags}")
    st.markdown(plain(q["text"]))
    if q["help_text"]:
        st.caption(plain(q["help_text"]))
    if language() != "en" and not q["checked"]:
        st.caption(_("Translation not yet checked against the United Nations text."))
    if previous_cycle and isinstance(q["previous_implementation"], str):
        was = _(guide.IMPLEMENTATION_LABELS[q["previous_implementation"]])
        if q["previous_assistance_needed"] in (True, 1):
            note = _("In {cycle}: {status} · assistance needed", cycle=previous_cycle, status=was)
        else:
            note = _("In {cycle}: {status}", cycle=previous_cycle, status=was)
        st.caption(note)


def question(
    principal: Principal, q: pd.Series, previous_cycle: str | None, editable: bool
) -> None:
    """One question with its answer's widgets; each change is saved at once."""
    aid = int(q["answer_id"])
    k, helps = keys(aid), guide.FIELD_HELP
    _heading(q, previous_cycle)
    common: dict[str, Any] = {
        "disabled": not editable,
        "on_change": _autosave,
        "args": (principal, aid),
    }
    a, b = st.columns([1, 2])
    a.selectbox(
        _("Implementation status"),
        **_labelled(guide.IMPLEMENTATION_LABELS),
        help=_(helps["implementation"]),
        key=k["implementation"],
        **common,
    )
    b.text_area(
        _("Legislation or measure cited"),
        height=68,
        key=k["measure_cited"],
        help=_(helps["measure_cited"]),
        **common,
    )
    st.text_area(
        _("Obstacles"), height=68, key=k["obstacles"], help=_(helps["obstacles"]), **common
    )
    st.checkbox(
        _("Technical assistance needed"),
        key=k["assistance_needed"],
        help=_(helps["assistance_needed"]),
        **common,
    )
    if st.session_state[k["assistance_needed"]]:
        c, d = st.columns(2)
        c.selectbox(
            _("Kind of assistance"),
            **_labelled(guide.KIND_LABELS),
            help=_(helps["assistance_kind"]),
            key=k["assistance_kind"],
            **common,
        )
        d.selectbox(
            _("Priority"),
            **_labelled(guide.PRIORITY_LABELS),
            help=_(helps["priority"]),
            key=k["priority"],
            **common,
        )
    st.text_area(_("Comments"), height=68, key=k["comments"], help=_(helps["comments"]), **common)


def import_panel(principal: Principal, sa: dict[str, Any], country: str, cycle: str) -> None:
    """Templates to download and the upload of a file of earlier answers."""
    with get_db().read() as session:
        blank = imp.template(session, principal=principal, self_assessment_id=sa["id"])
    st.caption(
        _(
            "A CSV or Excel file, one row per question (columns: instrument, article, "
            "implementation, measure_cited, obstacles, assistance_needed, assistance_kind, "
            "priority, comments). The guide describes them. Download the checklist as a "
            "template."
        )
    )
    a, b = st.columns(2)
    name = f"checklist-{country}-{cycle}"
    a.download_button(
        _("Template (CSV)"),
        imp.to_bytes(blank, fmt="csv"),
        file_name=f"{name}.csv",
        key="cl_tpl_csv",
    )
    b.download_button(
        _("Template (Excel)"),
        imp.to_bytes(blank, fmt="xlsx"),
        file_name=f"{name}.xlsx",
        key="cl_tpl_xlsx",
    )
    upload = st.file_uploader(_("File of earlier answers"), type=["csv", "xlsx"], key="cl_upload")
    if upload is not None and st.button(_("Import the answers"), key="cl_import"):
        with reported():
            df = imp.read_upload(upload.name, upload.getvalue())
            with get_db().write() as session:
                report = imp.import_answers(
                    session,
                    principal=principal,
                    self_assessment_id=sa["id"],
                    df=df,
                    expected_version=sa["version"],
                )
            st.session_state[FLASH] = ("ok", str(report))
            st.rerun()
