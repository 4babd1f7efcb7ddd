"""One evaluation on the evaluations page: its ratings, reports, recommendations with their
management responses and follow-up actions, the forms that add to them, and the history.
Labels are translated; titles, recommendations and justifications are data."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from datetime import date
from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from rbm.i18n import N_, _, format_date, format_number, ngettext
from rbm.principal import Principal
from rbm.queries import evaluations as q
from rbm.services import evaluations as svc
from rbm.services.evidence import ALLOWED
from rbm.ui import evaluation_forms as forms
from rbm.ui.evaluation_charts import ratings_chart
from rbm.ui.evaluation_forms import Writer, criterion, done
from rbm.ui.labels import labelled
from rbm.ui.session import cached_query, get_db
from rbm.ui.widgets import plain, show_table

RESPONSE_BADGE = {"accepted": "green", "partially_accepted": "orange", "rejected": "red"}
HISTORY = {
    "at": N_("When"),
    "by": N_("By"),
    "action": N_("Action"),
    "entity_type": N_("Item"),
    "entity_id": "#",
    "change": N_("Change"),
    "reason": N_("Reason"),
}


def _report_bytes(principal: Principal, attachment_id: int) -> bytes:
    with get_db().read() as session:
        found = q.report_file(session, principal=principal, attachment_id=attachment_id)
        return found.content or b""


def _reports(w: Writer, detail: q.EvaluationDetail, ev_id: int) -> None:
    for report in detail.reports.to_dict("records"):
        name = plain(report["filename"])
        if report["url"]:
            st.link_button(_("Open {name}", name=name), report["url"], icon=":material/link:")
            continue
        st.download_button(
            _("Download {name} ({size} MB)", name=name, size=format_number(report["size"] / 1e6)),
            data=partial(_report_bytes, w.principal, int(report["id"])),
            file_name=report["filename"],
            mime=report["content_type"] or None,
            on_click="ignore",
            icon=":material/download:",
            key=f"ev_report_{report['id']}",
        )
    if not w.can_record:
        return
    with (
        st.expander(_("Attach a report or an annex")),
        st.form("ev_report_form", clear_on_submit=True),
    ):
        upload = st.file_uploader(
            _("Attach the report (or an annex)"),
            type=[ext.lstrip(".") for ext in ALLOWED],
            key="ev_report_file",
        )
        link = st.text_input(_("… or a link to it"), key="ev_report_link")
        if st.form_submit_button(_("Attach")):
            kwargs: dict[str, Any] = (
                {"filename": upload.name, "content": upload.getvalue()}
                if upload
                else {"filename": link.rsplit("/", 1)[-1] or "report", "url": link.strip()}
            )
            if w.write(svc.attach_report, evaluation_id=ev_id, **kwargs):
                done(_("Report attached."))


def _actions_table(actions: pd.DataFrame) -> Any:
    shown = pd.DataFrame(
        {
            _("Action"): actions["description"],
            _("Owner"): actions["owner"],
            _("Due"): actions["due_date"].map(format_date),
            _("Status"): actions["status"].map(labelled(q.ACTION_LABELS)),
            _("Overdue"): [
                ngettext("{n} day", "{n} days", int(d)) if d else ""
                for d in actions["days_overdue"]
            ],
        }
    )
    late = actions["overdue"].tolist()
    return shown.style.apply(
        lambda row: ["background-color: #ffebe9" if late[row.name] else "" for _c in row], axis=1
    )


def _recommendation(rec: Mapping[Hashable, Any], actions: pd.DataFrame) -> None:
    with st.container(border=True):
        st.markdown(f"**R{rec['number']}** · {plain(rec['text'])}")
        st.caption(
            _("Addressed to {who} · {state}", who=plain(rec["addressee"]), state=rec["state"])
        )
        response = rec["response"] if isinstance(rec["response"], str) else None
        if response:
            st.badge(_(q.RESPONSE_LABELS[response]), color=RESPONSE_BADGE[response])  # type: ignore[arg-type]
            if rec["response_reason"]:
                st.text(rec["response_reason"])
        else:
            st.badge(_("Awaiting the management response"), color="gray")
        mine = actions[actions["recommendation_id"] == rec["recommendation_id"]]
        if not mine.empty:
            show_table(
                _actions_table(mine.reset_index(drop=True)),
                key=f"ev_actions_{rec['recommendation_id']}",
            )


def _ratings(ratings: pd.DataFrame) -> None:
    if ratings.empty:
        st.info(_("No DAC rating recorded."))
        return
    st.altair_chart(ratings_chart(ratings), width="content")
    with st.expander(_("Ratings and their justification")):
        show_table(
            ratings[["criterion", "score", "score_label", "justification"]].assign(
                criterion=ratings["criterion"].map(criterion),
                score_label=ratings["score_label"].map(_),
            ),
            key="ev_ratings",
            column_config={
                "criterion": _("Criterion"),
                "score": _("Score"),
                "score_label": _("Rating"),
                "justification": _("Justification"),
            },
        )


def _heading(ev: pd.Series) -> None:
    st.subheader(plain(ev["title"]))
    days = [format_date(d) for d in (ev["start_date"], ev["end_date"]) if d]
    dates = _("{start} to {end}", start=days[0], end=days[1]) if len(days) == 2 else ""
    st.caption(
        _(
            "{type} evaluation · {scope}: {covers} · {dates} · {evaluator}",
            type=_(q.TYPE_LABELS[ev["type"]]),
            scope=_(q.SCOPE_LABELS[ev["scope"]]),
            covers=plain(ev["covers"]),
            dates=dates or (days[0] if days else _("dates not set")),
            evaluator=plain(ev["evaluator"]) or _("evaluator not recorded"),
        )
    )
    if ev["summary"]:
        st.text(ev["summary"])


def detail(w: Writer, ev_id: int, today: date) -> None:
    """One evaluation with everything recorded about it and the forms its reader may use."""
    found = cached_query(q.evaluation_detail, w.principal, evaluation_id=ev_id, as_of=today)
    _heading(found.evaluation)
    _ratings(found.ratings)
    _reports(w, found, ev_id)
    st.markdown("#### " + _("Recommendations and management responses"))
    recs = found.recommendations
    if recs.empty:
        st.caption(_("No recommendation recorded."))
    for rec in recs.to_dict("records"):
        _recommendation(rec, found.actions)
    if w.can_respond and not recs.empty:
        forms.respond_form(w, recs)
    if w.can_follow_up and not recs.empty:
        forms.action_form(w, recs)
    if w.can_follow_up and not found.actions.empty:
        forms.update_form(w, found.actions)
    if w.can_record:
        forms.recommendation_form(w, ev_id)
    if not found.lessons.empty:
        st.markdown("#### " + _("Lessons recorded from this evaluation"))
        st.text("\n".join(f"• {t}" for t in found.lessons["title"]))
    with st.expander(_("History of responses and follow-up")):
        history = cached_query(q.recommendation_history, w.principal, evaluation_id=ev_id)
        show_table(
            history[list(HISTORY)],
            column_config={c: _(n) if n != "#" else n for c, n in HISTORY.items()},
            key="ev_history",
        )
