"""The forms under one evaluation on the evaluations page: respond to a recommendation
(managers, admins), plan and update follow-up actions (both), add a recommendation (evaluators,
admins). Each runs one service call and shows its named error, if any; `Writer` and `done`
are what every form of the page writes with."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from rbm.i18n import _, format_date
from rbm.models.enums import ActionStatus, ResponseKind
from rbm.principal import Principal
from rbm.queries import evaluations as q
from rbm.services import evaluations as svc
from rbm.ui.labels import labelled
from rbm.ui.session import get_db
from rbm.ui.widgets import reported

FLASH = "ev_flash"


@dataclass(frozen=True)
class Writer:
    """Who is looking, what they may do, and how their writes run."""

    principal: Principal
    can_record: bool
    can_respond: bool

    @property
    def can_follow_up(self) -> bool:
        return self.can_record or self.can_respond

    def write(self, use_case: Callable[..., Any], **kwargs: Any) -> Any:
        """Run one service call in its own transaction; a named error is shown, giving None."""
        with reported(), get_db().write() as session:
            return use_case(session, principal=self.principal, **kwargs)
        return None


def done(message: str, *clear: str) -> None:
    """After a successful write: forget the form's inputs, show `message` after the rerun."""
    for key in [k for k in st.session_state if str(k).startswith(clear)] if clear else []:
        del st.session_state[key]
    st.session_state[FLASH] = message
    st.rerun()


def criterion(value: str) -> str:
    return _(q.CRITERION_LABELS[value])


def _rec_labels(recs: pd.DataFrame) -> dict[int, str]:
    return {
        r["recommendation_id"]: f"R{r['number']} · {r['text'][:90]}"
        for r in recs.to_dict("records")
    }


def respond_form(w: Writer, recs: pd.DataFrame) -> None:
    labels = _rec_labels(recs)
    with (
        st.expander(_("Respond to a recommendation"), icon=":material/rate_review:"),
        st.form("ev_respond_form"),
    ):
        rec_id = st.selectbox(
            _("Recommendation"), list(labels), format_func=labels.__getitem__, key="ev_respond_rec"
        )
        kind = st.radio(
            _("Response"),
            list(ResponseKind),
            horizontal=True,
            key="ev_respond_kind",
            format_func=labelled(q.RESPONSE_LABELS),
        )
        reason = st.text_area(
            _("Reasons (required for a partial acceptance or a rejection)"),
            key="ev_respond_reason",
        )
        if st.form_submit_button(_("Save the response")) and w.write(
            svc.respond, recommendation_id=rec_id, response=kind, reason=reason
        ):
            number = recs.set_index("recommendation_id").loc[rec_id, "number"]
            done(_("Response to R{number} saved.", number=number), "ev_respond_")


def action_form(w: Writer, recs: pd.DataFrame) -> None:
    open_recs = recs[recs["response"] != ResponseKind.REJECTED.value]
    if open_recs.empty:
        return
    labels = _rec_labels(open_recs)
    with (
        st.expander(_("Plan a follow-up action"), icon=":material/add_task:"),
        st.form("ev_action_form"),
    ):
        rec_id = st.selectbox(
            _("For recommendation"),
            list(labels),
            format_func=labels.__getitem__,
            key="ev_action_rec",
        )
        description = st.text_input(_("Action"), key="ev_action_text")
        c1, c2, c3 = st.columns(3)
        owner = c1.text_input(_("Owner"), key="ev_action_owner")
        due = c2.date_input(_("Due date"), value=None, key="ev_action_due")
        status = c3.selectbox(
            _("Status"),
            list(ActionStatus),
            key="ev_action_status",
            format_func=labelled(q.ACTION_LABELS),
        )
        if st.form_submit_button(_("Add the action")):
            if due is None:
                st.error(_("Give the action a due date."))
            elif w.write(
                svc.add_action,
                recommendation_id=rec_id,
                description=description,
                owner=owner,
                due_date=due,
                status=status,
            ):
                done(_("Follow-up action added."), "ev_action_")


def update_form(w: Writer, actions: pd.DataFrame) -> None:
    labels = {
        a["action_id"]: _(
            "R{number} · {action} ({status}, due {day})",
            number=a["number"],
            action=a["description"][:80],
            status=_(q.ACTION_LABELS[a["status"]]),
            day=format_date(a["due_date"]),
        )
        for a in actions.to_dict("records")
    }
    with (
        st.expander(_("Update a follow-up action"), icon=":material/update:"),
        st.form("ev_update_form"),
    ):
        action_id = st.selectbox(
            _("Action"), list(labels), format_func=labels.__getitem__, key="ev_update_action"
        )
        c1, c2 = st.columns(2)
        status = c1.selectbox(
            _("New status"),
            list(ActionStatus),
            key="ev_update_status",
            format_func=labelled(q.ACTION_LABELS),
        )
        due = c2.date_input(
            _("New due date (leave empty to keep it)"), value=None, key="ev_update_due"
        )
        note = st.text_input(_("Note (why the due date changes)"), key="ev_update_note")
        if st.form_submit_button(_("Update the action")) and w.write(
            svc.update_action, action_id=action_id, status=status, due_date=due, note=note
        ):
            done(_("Follow-up action updated."), "ev_update_")


def recommendation_form(w: Writer, ev_id: int) -> None:
    with (
        st.expander(_("Add a recommendation"), icon=":material/add_comment:"),
        st.form("ev_rec_form"),
    ):
        text = st.text_area(_("Recommendation"), key="ev_rec_text")
        addressee = st.text_input(_("Addressed to"), key="ev_rec_addressee")
        if st.form_submit_button(_("Add the recommendation")) and (
            rec := w.write(
                svc.add_recommendation, evaluation_id=ev_id, text=text, addressee=addressee
            )
        ):
            done(_("Recommendation R{number} added.", number=rec.number), "ev_rec_")
