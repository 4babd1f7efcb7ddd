"""Tables from other parts of the product shown beside a project, country, donor or the
coordination view: open recommendations from evaluations, lessons that bear on a project, and
needs from the self-assessment. Each shows its readable columns under headers in the person's
language (identifiers left out); the parts are optional, so a table whose query is absent is
not shown."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from rbm.i18n import N_, _
from rbm.principal import Principal
from rbm.queries.reference import optional_query
from rbm.ui.session import cached_query
from rbm.ui.widgets import show_table

#: Readable columns of each table, by internal name, with their headers (English, marked).
RECOMMENDATION_HEADERS = {
    "evaluation": N_("Evaluation"),
    "number": N_("No."),
    "text": N_("Recommendation"),
    "addressee": N_("Addressed to"),
    "response": N_("Management response"),
    "response_reason": N_("Reason"),
    "state": N_("State"),
    "actions": N_("Actions"),
    "open_actions": N_("Open actions"),
    "overdue_actions": N_("Overdue actions"),
    "next_due": N_("Next due"),
}
LESSON_HEADERS = {
    "title": N_("Lesson"),
    "text": N_("Lesson learned"),
    "reasons": N_("Why it is listed"),
    "project": N_("Project"),
    "dac_criterion": N_("DAC criterion"),
    "recorded_at": N_("Recorded"),
}
NEED_HEADERS = {
    "country": N_("Country"),
    "region": N_("Region"),
    "area": N_("Priority area"),
    "kind": N_("Kind of assistance"),
    "priority": N_("Priority"),
    "description": N_("Need"),
    "countries": N_("Countries"),
    "needs": N_("Needs"),
    "estimated_cost": N_("Estimated cost"),
    "currency": N_("Currency"),
    "projects": N_("Projects"),
    "provider_names": N_("Providers"),
    "funding": N_("Funding"),
    "gap": N_("Gap"),
    "coverage": N_("Coverage"),
}


def table(frame: pd.DataFrame, *, key: str, headers: dict[str, str] = NEED_HEADERS) -> None:
    """`frame`'s readable columns (those in `headers`) under translated headers."""
    shown = [c for c in frame.columns if c in headers]
    config: dict[str, Any] = {c: _(headers[c]) for c in shown}
    show_table(frame, key=key, column_order=shown, column_config=config)


def recommendations(principal: Principal, *, key: str, **where: object) -> None:
    """Open recommendations from evaluations of the project or country in `where`."""
    query = optional_query("rbm.queries.evaluations", "open_recommendations")
    if query is not None:
        st.subheader(_("Open recommendations from evaluations"))
        table(cached_query(query, principal, **where), key=key, headers=RECOMMENDATION_HEADERS)


def lessons(principal: Principal, *, key: str, project_id: int) -> None:
    """The five lessons that bear most on the project."""
    query = optional_query("rbm.queries.lessons", "relevant_lessons")
    if query is not None:
        st.subheader(_("Lessons that bear on this project"))
        lessons = cached_query(query, principal, project_id=project_id, limit=5)
        table(lessons, key=key, headers=LESSON_HEADERS)
