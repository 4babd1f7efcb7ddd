"""The targets tab: an indicator's life-of-project target and its targets per period (a
manager saves them, an officer proposes them), and a manager's targets per disaggregation
part of one period."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from rbm.i18n import _
from rbm.queries import logframe_editor as q
from rbm.services import logframe_editor as svc
from rbm.services import proposals
from rbm.ui import logframe_forms as forms
from rbm.ui.logframe.common import Editor, fmt, text, write
from rbm.ui.logframe.indicators import dimension_parts
from rbm.ui.session import cached_query


def targets_tab(ed: Editor) -> None:
    live = ed.inds[~ed.inds["archived"]]
    if live.empty:
        st.info(_("Add an indicator first."))
        return
    labels = dict(zip(live["indicator_id"], live["code"] + " — " + live["title"], strict=True))
    iid = st.selectbox(
        _("Indicator to set targets for"), list(labels), format_func=fmt(labels), key="le_t_ind"
    )
    current = live.set_index("indicator_id").loc[iid]
    periods = cached_query(q.periods, ed.principal, project_id=ed.pid)
    targets = cached_query(q.period_targets, ed.principal, project_id=ed.pid)
    mine = targets[targets["indicator_id"] == iid].set_index("period_id")["value"]
    # The table is shown with translated headers; its columns are read back by position.
    table = pd.DataFrame(
        {_("Period"): periods["label"], _("Target"): periods["id"].map(mine).astype(float)}
    )
    st.caption(
        _(
            "Baseline: {baseline}. Leave a period empty for no target.",
            baseline=text(current["baseline_value"]) or "—",
        )
    )
    with st.form(f"le_targets_{iid}"):
        lop = st.text_input(
            _("Life-of-project target"), value=text(current["target_lop"]), key=f"le_lop_{iid}"
        )
        edited = st.data_editor(
            table,
            hide_index=True,
            disabled=[table.columns[0]],
            key=f"le_t_table_{iid}",
            width="stretch",
        )
        reason = st.text_input(
            _("Reason (required once the project has started)"), key=f"le_t_reason_{iid}"
        )
        if st.form_submit_button(_("Save the targets"), type="primary"):
            before, after = table.iloc[:, 1], edited.iloc[:, 1]
            _save_targets(ed, int(iid), lop, current, before, after, periods, reason)
    _parts_form(ed, int(iid), current, periods)


def _save_targets(
    ed: Editor,
    iid: int,
    lop: str,
    current: pd.Series,
    before: pd.Series,
    after: pd.Series,
    periods: pd.DataFrame,
    reason: str,
) -> None:
    changes: list[dict[str, Any]] = []
    if lop.strip() != text(current["target_lop"]):
        changes.append(
            {"indicator_id": iid, "period_id": None, "value": lop.strip() or None, "reason": reason}
        )
    for old, new, period_id in zip(before, after, periods["id"], strict=True):
        if text(old) != text(new):
            value = None if pd.isna(new) else str(new)
            changes.append(
                {"indicator_id": iid, "period_id": int(period_id), "value": value, "reason": reason}
            )
    if not changes:
        st.info(_("No target changed."))
        return
    n = len(changes)
    if ed.can_edit:
        write(
            lambda s: _apply_all(ed, s, changes),
            _("Saved {n} target(s).", n=n),
        )
    else:
        write(
            lambda s: _propose_all(ed, s, changes),
            _("Proposed {n} target change(s).", n=n),
        )


def _apply_all(ed: Editor, session: Session, changes: list[dict[str, Any]]) -> None:
    for args in changes:
        proposals.OPERATIONS["revise_target"](session, ed.principal, ed.pid, args)


def _propose_all(ed: Editor, session: Session, changes: list[dict[str, Any]]) -> None:
    for args in changes:
        proposals.propose(
            session,
            principal=ed.principal,
            project_id=ed.pid,
            operation="revise_target",
            arguments=args,
            summary=_(
                "target {value} ({reason})",
                value=args["value"],
                reason=args["reason"] or _("no reason given"),
            ),
        )


def _parts_form(ed: Editor, iid: int, current: pd.Series, periods: pd.DataFrame) -> None:
    dims = forms.labels(str(current["dimensions"] or ""))
    if not dims or not ed.can_edit:
        return
    parts = cached_query(dimension_parts, ed.principal)
    mine = parts[parts["dimension"].isin(dims)]
    st.markdown("**" + _("Targets per disaggregation part") + "**")
    with st.form(f"le_parts_{iid}"):
        period = st.selectbox(
            _("Period"),
            periods["id"].tolist(),
            format_func=fmt(dict(zip(periods["id"], periods["label"], strict=True))),
            key=f"le_p_period_{iid}",
        )
        total = st.text_input(_("Total target of the period"), key=f"le_p_total_{iid}")
        values = {
            int(i): st.text_input(f"{dim}: {label}", key=f"le_p_{iid}_{i}")
            for i, dim, label in mine[["id", "dimension", "label"]].itertuples(index=False)
        }
        reason = st.text_input(
            _("Reason (required once the project has started)"), key=f"le_p_reason_{iid}"
        )
        if st.form_submit_button(_("Save the parts")):

            def run(s: Session) -> None:
                svc.revise_target(
                    s,
                    principal=ed.principal,
                    indicator_id=iid,
                    period_id=int(period),
                    value=forms.number(total, field=_("total target")),
                    parts={
                        k: forms.number(v, field=_("target part"))
                        for k, v in values.items()
                        if v.strip()
                    },
                    reason=reason,
                )

            write(run, _("Targets per part saved."))
