"""Evaluations: the evaluations in the principal's scope with their DAC ratings (a compact chart
each, and a comparison across the evaluations of a priority area or a country); for each, the
report, the recommendations with management responses, follow-up actions (overdue ones
highlighted) and their history. Evaluators and admins record evaluations, recommendations and
reports; managers and admins respond; both plan and update follow-up actions. One evaluation is
laid out by `rbm.ui.evaluation_detail`, the recording form by `rbm.ui.evaluation_record`."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from rbm.i18n import N_, _, format_date, ngettext
from rbm.queries import evaluations as q
from rbm.services import evaluations as svc
from rbm.ui.evaluation_charts import ratings_heatmap
from rbm.ui.evaluation_detail import detail
from rbm.ui.evaluation_forms import FLASH, Writer, criterion
from rbm.ui.evaluation_record import OPEN_NEXT, record_form
from rbm.ui.labels import labelled
from rbm.ui.session import cached_query, get_db, require_principal
from rbm.ui.widgets import show_flash, show_table

PICK = "ev_pick"
COMPARE = {"priority_area": N_("Priority area"), "country": N_("Country")}

principal = require_principal()
writer = Writer(
    principal=principal,
    can_record=principal.has_role(*svc.RECORDERS),
    can_respond=principal.has_role(*svc.RESPONDERS),
)
today = date.today()

st.title(_("Evaluations"))
st.caption(
    _(
        "Evaluations of projects, countries, priority areas and themes, rated on the six OECD "
        "DAC criteria (1 unsatisfactory to 4 highly satisfactory), with their recommendations, "
        "the management responses and the follow-up actions."
    )
)
show_flash(FLASH)

table = cached_query(q.evaluations_table, principal, as_of=today)
overdue = cached_query(q.overdue_actions, principal, as_of=today)
m1, m2, m3 = st.columns(3)
m1.metric(_("Evaluations"), len(table))
m2.metric(_("Recommendations awaiting a response"), int(table["awaiting_response"].sum()))
m3.metric(_("Overdue follow-up actions"), len(overdue))

if not overdue.empty:
    st.warning(
        _(
            "{n} follow-up action(s) are past their due date: see *Overdue actions*.",
            n=len(overdue),
        ),
        icon=":material/alarm:",
    )

tab_keys = ["list"] + (["overdue"] if not overdue.empty else []) + ["compare"]
tab_keys += ["record"] if writer.can_record else []
tab_labels = {
    "list": _("Evaluations"),
    "overdue": _("Overdue actions ({n})", n=len(overdue)),
    "compare": _("Compare ratings"),
    "record": _("Record an evaluation"),
}
tabs = dict(zip(tab_keys, st.tabs([tab_labels[k] for k in tab_keys]), strict=True))

if not overdue.empty:
    tabs["overdue"].dataframe(
        pd.DataFrame(
            {
                _("Days overdue"): overdue["days_overdue"],
                _("Due"): overdue["due_date"].map(format_date),
                _("Action"): overdue["description"],
                _("Owner"): overdue["owner"],
                _("Status"): overdue["status"].map(labelled(q.ACTION_LABELS)),
                _("Recommendation"): "R" + overdue["number"].astype(str),
                _("Evaluation"): overdue["evaluation"],
            }
        ),
        hide_index=True,
        width="stretch",
        key="ev_overdue",
    )

with tabs["list"]:
    if table.empty:
        st.info(_("There is no evaluation you can see yet."))
    else:
        show_table(
            pd.DataFrame(
                {
                    _("Evaluation"): table["title"],
                    _("Type"): table["type"].map(labelled(q.TYPE_LABELS)),
                    _("Covers"): table["covers"],
                    _("Ended"): table["end_date"].map(format_date),
                    _("Recommendations"): table["recommendations"],
                    _("Awaiting response"): table["awaiting_response"],
                    _("Overdue actions"): table["overdue_actions"],
                }
            ),
            key="ev_table",
        )
        titles = dict(zip(table["id"].astype(int), table["title"], strict=True))
        wanted = st.query_params.get("evaluation")
        if (chosen := st.session_state.pop(OPEN_NEXT, None)) in titles:
            st.session_state[PICK] = chosen
        elif PICK not in st.session_state and wanted and wanted.isdigit() and int(wanted) in titles:
            st.session_state[PICK] = int(wanted)
        ev_id = st.selectbox(
            _("Open an evaluation"), list(titles), format_func=titles.__getitem__, key=PICK
        )
        st.query_params["evaluation"] = str(ev_id)
        detail(writer, int(ev_id), today)

with tabs["compare"]:
    with get_db().read() as session:
        choices = q.comparison_choices(session, principal=principal)
    kind = str(
        st.radio(
            _("Compare the evaluations of"),
            list(COMPARE),
            horizontal=True,
            key="ev_cmp_by",
            format_func=labelled(COMPARE),
        )
    )
    names = {
        str(r["code"]): _("{name} ({n} rated)", name=r["name"], n=r["evaluations"])
        for r in choices[kind].to_dict("records")
    }
    pick = st.selectbox(
        _(COMPARE[kind]), list(names), format_func=names.__getitem__, key=f"ev_cmp_{kind}"
    )
    scores = cached_query(q.ratings, principal, **{kind: pick}) if pick else pd.DataFrame()
    if scores.empty:
        st.info(
            _("No rated evaluation of a priority area that you can see yet.")
            if kind == "priority_area"
            else _("No rated evaluation of a country that you can see yet.")
        )
    else:
        n = int(scores["evaluation_id"].nunique())
        st.caption(
            ngettext(
                "{n} evaluation(s): of the priority area itself and of projects working in it.",
                "{n} evaluation(s): of the priority area itself and of projects working in it.",
                n,
            )
            if kind == "priority_area"
            else ngettext(
                "{n} evaluation(s): of the country itself and of projects in it.",
                "{n} evaluation(s): of the country itself and of projects in it.",
                n,
            )
        )
        st.altair_chart(ratings_heatmap(scores), width="stretch")
        means = q.criterion_means(scores)
        st.dataframe(
            means.assign(criterion=means["criterion"].map(criterion)),
            hide_index=True,
            key="ev_cmp_means",
            column_config={
                "criterion": _("Criterion"),
                "mean": st.column_config.NumberColumn(_("Mean rating"), format="%.1f"),
                "count": _("Evaluations"),
            },
        )

if writer.can_record:
    with tabs["record"]:
        record_form(writer)
