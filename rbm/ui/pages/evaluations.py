"""Evaluations: the evaluations in the principal's scope with their DAC ratings (a compact chart
each, and a comparison across the evaluations of a priority area or a country); for each, the
report, the recommendations with management responses, follow-up actions (overdue ones
highlighted) and their history. Evaluators and admins record evaluations, recommendations and
reports; managers and admins respond; both plan and update follow-up actions."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from datetime import date
from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from rbm.errors import RbmError
from rbm.models.enums import (
    ActionStatus,
    DacCriterion,
    EvaluationScope,
    EvaluationType,
    ResponseKind,
)
from rbm.queries import evaluations as q
from rbm.services import evaluations as svc
from rbm.services.evidence import ALLOWED
from rbm.ui.evaluation_charts import ratings_chart, ratings_heatmap
from rbm.ui.session import cached_query, get_db, require_principal
from rbm.ui.widgets import message, plain

FLASH = "ev_flash"
PICK = "ev_pick"
OPEN_NEXT = "ev_open_next"  # the evaluation to open after a rerun (set once the picker exists)
RESPONSE_BADGE = {"accepted": "green", "partially_accepted": "orange", "rejected": "red"}

principal = require_principal()
can_record = principal.has_role(*svc.RECORDERS)
can_respond = principal.has_role(*svc.RESPONDERS)
can_follow_up = can_record or can_respond
today = date.today()


def _write(use_case: Callable[..., Any], **kwargs: Any) -> Any:
    """Run one service call in its own transaction; show a domain error and return None."""
    try:
        with get_db().write() as session:
            return use_case(session, principal=principal, **kwargs)
    except RbmError as exc:
        st.error(message(exc))
        return None


def _done(message: str, *clear: str) -> None:
    """After a successful write: forget the form's inputs, show `message` after the rerun."""
    for key in [k for k in st.session_state if str(k).startswith(clear)] if clear else []:
        del st.session_state[key]
    st.session_state[FLASH] = message
    st.rerun()


st.title("Evaluations")
st.caption(
    "Evaluations of projects, countries, priority areas and themes, rated on the six OECD DAC "
    "criteria (1 unsatisfactory to 4 highly satisfactory), with their recommendations, the "
    "management responses and the follow-up actions."
)
if flash := st.session_state.pop(FLASH, None):
    st.success(message(flash))

table = cached_query(q.evaluations_table, principal, as_of=today)
overdue = cached_query(q.overdue_actions, principal, as_of=today)
m1, m2, m3 = st.columns(3)
m1.metric("Evaluations", len(table))
m2.metric("Recommendations awaiting a response", int(table["awaiting_response"].sum()))
m3.metric("Overdue follow-up actions", len(overdue))

if not overdue.empty:
    st.warning(
        f"{len(overdue)} follow-up action(s) are past their due date: see *Overdue actions*.",
        icon=":material/alarm:",
    )

tab_names = ["Evaluations"]
tab_names += [f"Overdue actions ({len(overdue)})"] if not overdue.empty else []
tab_names += ["Compare ratings"] + (["Record an evaluation"] if can_record else [])
tabs = dict(zip(tab_names, st.tabs(tab_names), strict=True))

if not overdue.empty:
    tabs[tab_names[1]].dataframe(
        pd.DataFrame(
            {
                "Days overdue": overdue["days_overdue"],
                "Due": overdue["due_date"],
                "Action": overdue["description"],
                "Owner": overdue["owner"],
                "Status": overdue["status"].map(q.ACTION_LABELS),
                "Recommendation": "R" + overdue["number"].astype(str),
                "Evaluation": overdue["evaluation"],
            }
        ),
        hide_index=True,
        width="stretch",
        key="ev_overdue",
    )


# --- One evaluation --------------------------------------------------------------------------


def _report_bytes(attachment_id: int) -> bytes:
    with get_db().read() as session:
        return (
            q.report_file(session, principal=principal, attachment_id=attachment_id).content or b""
        )


def _reports(detail: q.EvaluationDetail, ev_id: int) -> None:
    for report in detail.reports.to_dict("records"):
        if report["url"]:
            st.link_button(
                f"Open {plain(report['filename'])}", report["url"], icon=":material/link:"
            )
        else:
            st.download_button(
                f"Download {plain(report['filename'])} ({report['size'] / 1e6:.1f} MB)",
                data=partial(_report_bytes, int(report["id"])),
                file_name=report["filename"],
                mime=report["content_type"] or None,
                on_click="ignore",
                icon=":material/download:",
                key=f"ev_report_{report['id']}",
            )
    if not can_record:
        return
    with (
        st.expander("Attach a report or an annex"),
        st.form("ev_report_form", clear_on_submit=True),
    ):
        upload = st.file_uploader(
            "Attach the report (or an annex)",
            type=[ext.lstrip(".") for ext in ALLOWED],
            key="ev_report_file",
        )
        link = st.text_input("… or a link to it", key="ev_report_link")
        if st.form_submit_button("Attach"):
            kwargs: dict[str, Any] = (
                {"filename": upload.name, "content": upload.getvalue()}
                if upload
                else {"filename": link.rsplit("/", 1)[-1] or "report", "url": link.strip()}
            )
            if _write(svc.attach_report, evaluation_id=ev_id, **kwargs):
                _done("Report attached.")


def _actions_table(actions: pd.DataFrame) -> Any:
    shown = pd.DataFrame(
        {
            "Action": actions["description"],
            "Owner": actions["owner"],
            "Due": actions["due_date"],
            "Status": actions["status"].map(q.ACTION_LABELS),
            "Overdue": [f"{d} days" if d else "" for d in actions["days_overdue"]],
        }
    )
    late = actions["overdue"].tolist()
    return shown.style.apply(
        lambda row: ["background-color: #ffebe9" if late[row.name] else "" for _ in row], axis=1
    )


def _recommendation(rec: Mapping[Hashable, Any], actions: pd.DataFrame) -> None:
    with st.container(border=True):
        st.markdown(f"**R{rec['number']}** · {plain(rec['text'])}")
        st.caption(f"Addressed to {plain(rec['addressee'])} · {rec['state']}")
        response = rec["response"] if isinstance(rec["response"], str) else None
        if response:
            st.badge(q.RESPONSE_LABELS[response], color=RESPONSE_BADGE[response])  # type: ignore[arg-type]
            if rec["response_reason"]:
                st.text(rec["response_reason"])
        else:
            st.badge("Awaiting the management response", color="gray")
        mine = actions[actions["recommendation_id"] == rec["recommendation_id"]]
        if not mine.empty:
            st.dataframe(
                _actions_table(mine.reset_index(drop=True)),
                hide_index=True,
                width="stretch",
                key=f"ev_actions_{rec['recommendation_id']}",
            )


def _respond_form(recs: pd.DataFrame) -> None:
    labels = {
        r["recommendation_id"]: f"R{r['number']} · {r['text'][:90]}"
        for r in recs.to_dict("records")
    }
    with (
        st.expander("Respond to a recommendation", icon=":material/rate_review:"),
        st.form("ev_respond_form"),
    ):
        rec_id = st.selectbox(
            "Recommendation", list(labels), format_func=labels.__getitem__, key="ev_respond_rec"
        )
        kind = st.radio(
            "Response",
            list(ResponseKind),
            horizontal=True,
            key="ev_respond_kind",
            format_func=lambda k: q.RESPONSE_LABELS[k.value],
        )
        reason = st.text_area(
            "Reasons (required for a partial acceptance or a rejection)", key="ev_respond_reason"
        )
        if st.form_submit_button("Save the response") and _write(
            svc.respond, recommendation_id=rec_id, response=kind, reason=reason
        ):
            _done(
                f"Response to R{recs.set_index('recommendation_id').loc[rec_id, 'number']} saved.",
                "ev_respond_",
            )


def _action_form(recs: pd.DataFrame) -> None:
    open_recs = recs[recs["response"] != ResponseKind.REJECTED.value]
    if open_recs.empty:
        return
    labels = {
        r["recommendation_id"]: f"R{r['number']} · {r['text'][:90]}"
        for r in open_recs.to_dict("records")
    }
    with (
        st.expander("Plan a follow-up action", icon=":material/add_task:"),
        st.form("ev_action_form"),
    ):
        rec_id = st.selectbox(
            "For recommendation", list(labels), format_func=labels.__getitem__, key="ev_action_rec"
        )
        description = st.text_input("Action", key="ev_action_text")
        c1, c2, c3 = st.columns(3)
        owner = c1.text_input("Owner", key="ev_action_owner")
        due = c2.date_input("Due date", value=None, key="ev_action_due")
        status = c3.selectbox(
            "Status",
            list(ActionStatus),
            key="ev_action_status",
            format_func=lambda s: q.ACTION_LABELS[s.value],
        )
        if st.form_submit_button("Add the action"):
            if due is None:
                st.error("Give the action a due date.")
            elif _write(
                svc.add_action,
                recommendation_id=rec_id,
                description=description,
                owner=owner,
                due_date=due,
                status=status,
            ):
                _done("Follow-up action added.", "ev_action_")


def _update_form(actions: pd.DataFrame) -> None:
    labels = {
        a["action_id"]: f"R{a['number']} · {a['description'][:80]} "
        f"({q.ACTION_LABELS[a['status']]}, due {a['due_date']})"
        for a in actions.to_dict("records")
    }
    with (
        st.expander("Update a follow-up action", icon=":material/update:"),
        st.form("ev_update_form"),
    ):
        action_id = st.selectbox(
            "Action", list(labels), format_func=labels.__getitem__, key="ev_update_action"
        )
        c1, c2 = st.columns(2)
        status = c1.selectbox(
            "New status",
            list(ActionStatus),
            key="ev_update_status",
            format_func=lambda s: q.ACTION_LABELS[s.value],
        )
        due = c2.date_input(
            "New due date (leave empty to keep it)", value=None, key="ev_update_due"
        )
        note = st.text_input("Note (why the due date changes)", key="ev_update_note")
        if st.form_submit_button("Update the action") and _write(
            svc.update_action, action_id=action_id, status=status, due_date=due, note=note
        ):
            _done("Follow-up action updated.", "ev_update_")


def _recommendation_form(ev_id: int) -> None:
    with st.expander("Add a recommendation", icon=":material/add_comment:"), st.form("ev_rec_form"):
        text = st.text_area("Recommendation", key="ev_rec_text")
        addressee = st.text_input("Addressed to", key="ev_rec_addressee")
        if st.form_submit_button("Add the recommendation") and (
            rec := _write(
                svc.add_recommendation, evaluation_id=ev_id, text=text, addressee=addressee
            )
        ):
            _done(f"Recommendation R{rec.number} added.", "ev_rec_")


def _detail(ev_id: int) -> None:
    detail = cached_query(q.evaluation_detail, principal, evaluation_id=ev_id, as_of=today)
    ev = detail.evaluation
    st.subheader(plain(ev["title"]))
    dates = " to ".join(str(d) for d in (ev["start_date"], ev["end_date"]) if d) or "dates not set"
    st.caption(
        f"{q.TYPE_LABELS[ev['type']]} evaluation · {q.SCOPE_LABELS[ev['scope']]}: "
        f"{plain(ev['covers'])} · {dates} · {plain(ev['evaluator']) or 'evaluator not recorded'}"
    )
    if ev["summary"]:
        st.text(ev["summary"])
    if detail.ratings.empty:
        st.info("No DAC rating recorded.")
    else:
        st.altair_chart(ratings_chart(detail.ratings), width="content")
        with st.expander("Ratings and their justification"):
            st.dataframe(
                detail.ratings[["criterion", "score", "score_label", "justification"]].assign(
                    criterion=detail.ratings["criterion"].str.title()
                ),
                hide_index=True,
                width="stretch",
                key="ev_ratings",
                column_config={
                    "criterion": "Criterion",
                    "score": "Score",
                    "score_label": "Rating",
                    "justification": "Justification",
                },
            )
    _reports(detail, ev_id)
    st.markdown("#### Recommendations and management responses")
    recs = detail.recommendations
    if recs.empty:
        st.caption("No recommendation recorded.")
    for rec in recs.to_dict("records"):
        _recommendation(rec, detail.actions)
    if can_respond and not recs.empty:
        _respond_form(recs)
    if can_follow_up and not recs.empty:
        _action_form(recs)
    if can_follow_up and not detail.actions.empty:
        _update_form(detail.actions)
    if can_record:
        _recommendation_form(ev_id)
    if not detail.lessons.empty:
        st.markdown("#### Lessons recorded from this evaluation")
        st.text("\n".join(f"• {t}" for t in detail.lessons["title"]))
    with st.expander("History of responses and follow-up"):
        st.dataframe(
            cached_query(q.recommendation_history, principal, evaluation_id=ev_id)[
                ["at", "by", "action", "entity_type", "entity_id", "change", "reason"]
            ],
            hide_index=True,
            width="stretch",
            key="ev_history",
        )


with tabs["Evaluations"]:
    if table.empty:
        st.info("There is no evaluation you can see yet.")
    else:
        st.dataframe(
            pd.DataFrame(
                {
                    "Evaluation": table["title"],
                    "Type": table["type"].map(q.TYPE_LABELS),
                    "Covers": table["covers"],
                    "Ended": table["end_date"],
                    "Recommendations": table["recommendations"],
                    "Awaiting response": table["awaiting_response"],
                    "Overdue actions": table["overdue_actions"],
                }
            ),
            hide_index=True,
            width="stretch",
            key="ev_table",
        )
        titles = dict(zip(table["id"].astype(int), table["title"], strict=True))
        wanted = st.query_params.get("evaluation")
        ids = list(titles)
        if (chosen := st.session_state.pop(OPEN_NEXT, None)) in titles:
            st.session_state[PICK] = chosen
        elif PICK not in st.session_state and wanted and wanted.isdigit() and int(wanted) in titles:
            st.session_state[PICK] = int(wanted)
        ev_id = st.selectbox("Open an evaluation", ids, format_func=titles.__getitem__, key=PICK)
        st.query_params["evaluation"] = str(ev_id)
        _detail(int(ev_id))


# --- Comparison ------------------------------------------------------------------------------

with tabs["Compare ratings"]:
    with get_db().read() as session:
        choices = q.comparison_choices(session, principal=principal)
    by = st.radio(
        "Compare the evaluations of", ["Priority area", "Country"], horizontal=True, key="ev_cmp_by"
    )
    kind = "priority_area" if by == "Priority area" else "country"
    names = {
        str(r["code"]): f"{r['name']} ({r['evaluations']} rated)"
        for r in choices[kind].to_dict("records")
    }
    pick = st.selectbox(by, list(names), format_func=names.__getitem__, key=f"ev_cmp_{kind}")
    scores = cached_query(q.ratings, principal, **{kind: pick}) if pick else pd.DataFrame()
    if scores.empty:
        st.info(f"No rated evaluation of a {by.lower()} that you can see yet.")
    else:
        st.caption(
            f"{scores['evaluation_id'].nunique()} evaluation(s): of the {by.lower()} itself and "
            f"of projects {'working in it' if kind == 'priority_area' else 'in it'}."
        )
        st.altair_chart(ratings_heatmap(scores), width="stretch")
        means = scores.groupby("criterion", sort=False)["score"].agg(["mean", "count"])
        st.dataframe(
            means.reindex([c for c in q.CRITERIA if c in means.index])
            .rename(index=str.title)
            .reset_index(),
            hide_index=True,
            key="ev_cmp_means",
            column_config={
                "criterion": "Criterion",
                "mean": st.column_config.NumberColumn("Mean rating", format="%.1f"),
                "count": "Evaluations",
            },
        )


# --- Record an evaluation --------------------------------------------------------------------


def _target_inputs() -> dict[str, Any]:
    with get_db().read() as session:
        choices = q.form_choices(session, principal=principal)
    projects = {
        int(r["id"]): f"{r['code']} · {r['title']}" for r in choices["project"].to_dict("records")
    }
    countries = dict(zip(choices["country"]["code"], choices["country"]["name"], strict=True))
    areas = dict(
        zip(
            choices["priority_area"]["id"].astype(int),
            choices["priority_area"]["name"],
            strict=True,
        )
    )
    st.caption("What the evaluation covers: fill in the one that matches the scope.")
    c1, c2 = st.columns(2)
    return {
        "project_id": c1.selectbox(
            "Project",
            [None, *projects],
            key="ev_new_project",
            format_func=lambda i: "—" if i is None else projects[i],
        ),
        "country_code": c2.selectbox(
            "Country",
            [None, *countries],
            key="ev_new_country",
            format_func=lambda c: "—" if c is None else countries[c],
        ),
        "priority_area_id": c1.selectbox(
            "Priority area",
            [None, *areas],
            key="ev_new_area",
            format_func=lambda a: "—" if a is None else areas[a],
        ),
        "theme": c2.text_input("Theme", key="ev_new_theme"),
    }


def _rating_inputs() -> dict[DacCriterion, tuple[int, str]]:
    st.markdown(
        "**Ratings** (1 unsatisfactory, 2 partly satisfactory, 3 satisfactory, "
        "4 highly satisfactory); leave a criterion unrated to skip it."
    )
    ratings: dict[DacCriterion, tuple[int, str]] = {}
    for criterion in DacCriterion:
        c1, c2 = st.columns([1, 4])
        score = c1.selectbox(
            criterion.value.title(),
            [None, 1, 2, 3, 4],
            key=f"ev_new_score_{criterion.value}",
            format_func=lambda s: "not rated" if s is None else str(s),
        )
        why = c2.text_input(
            f"Justification ({criterion.value})", key=f"ev_new_why_{criterion.value}"
        )
        if score is not None:
            ratings[criterion] = (int(score), why)
    return ratings


def _record(new: svc.NewEvaluation, report: Any) -> int | None:
    try:
        with get_db().write() as session:
            ev = svc.create_evaluation(session, principal=principal, new=new)
            if report is not None:
                svc.attach_report(
                    session,
                    principal=principal,
                    evaluation_id=ev.id,
                    filename=report.name,
                    content=report.getvalue(),
                )
            return ev.id
    except RbmError as exc:
        st.error(message(exc))
        return None


if can_record:
    with tabs["Record an evaluation"], st.form("ev_new_form"):
        title = st.text_input("Title", key="ev_new_title")
        c1, c2 = st.columns(2)
        ev_type = c1.selectbox(
            "Type",
            list(EvaluationType),
            key="ev_new_type",
            format_func=lambda t: q.TYPE_LABELS[t.value],
        )
        scope = c2.selectbox(
            "Scope",
            list(EvaluationScope),
            key="ev_new_scope",
            format_func=lambda s: q.SCOPE_LABELS[s.value],
        )
        target = _target_inputs()
        c1, c2, c3 = st.columns(3)
        start = c1.date_input("Start", value=None, key="ev_new_start")
        end = c2.date_input("End", value=None, key="ev_new_end")
        evaluator = c3.text_input("Evaluator", key="ev_new_evaluator")
        summary = st.text_area("Summary of findings", key="ev_new_summary")
        ratings = _rating_inputs()
        report = st.file_uploader(
            "Report", type=[e.lstrip(".") for e in ALLOWED], key="ev_new_report"
        )
        if st.form_submit_button("Record the evaluation", type="primary"):
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
            if (new_id := _record(new, report)) is not None:
                st.session_state[OPEN_NEXT] = new_id
                _done(f"Evaluation “{title.strip()}” recorded.", "ev_new_")
