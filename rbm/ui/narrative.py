"""The narrative tab of the project page: a period's approved narrative beside its figures
and, for the project team, the form to draft, submit, approve or return it. Rules live in
`rbm.services.narratives` and `rbm.queries.narratives`; this module only lays them out."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from rbm.i18n import N_, _
from rbm.models.enums import Role
from rbm.principal import Principal
from rbm.queries.narratives import (
    NarrativeView,
    outcome_nodes,
    period_narratives,
    photo_file,
    project_periods,
)
from rbm.reports.common import picture
from rbm.reports.text import records
from rbm.services import narratives as svc
from rbm.ui.labels import level_label
from rbm.ui.session import cached_query, get_db
from rbm.ui.widgets import plain, reported, show_table

PARTS = (
    ("summary", N_("Summary")),
    ("achievements", N_("Achievements")),
    ("challenges", N_("Challenges")),
    ("assumptions_risks", N_("Changes to assumptions and risks")),
)
#: A narrative revision's status (stored value) as people read it.
STATUS_NAMES = {
    "draft": N_("draft"),
    "submitted": N_("submitted"),
    "returned": N_("returned"),
    "approved": N_("approved"),
}


def _result_title(level: object, code: object, title: object) -> str:
    return _("{level} {code}: {title}", level=level_label(level), code=code, title=title)


def _show(principal: Principal, n: NarrativeView, nodes: pd.DataFrame) -> None:
    titles = {int(r.id): _result_title(r.level, r.code, r.title) for r in records(nodes)}
    for name, label in PARTS:
        body = getattr(n, name)
        if body:
            st.markdown(f"**{_(label)}**")
            st.text(body)  # user text is shown as typed: never Markdown or HTML
    for node_id, body in n.sections.items():
        title = titles.get(node_id) or _("Result #{id}", id=node_id)
        st.markdown(f"**{plain(title)}**")
        st.text(body)
    if n.story:
        st.markdown("**" + _("A human story") + "**")
        st.text(n.story)
    if n.photo_id is not None:
        with get_db().read() as session:
            photo = photo_file(session, principal=principal, photo_id=n.photo_id)
        image = picture(photo.content)
        if image is None:
            st.caption(_("The story's photo is not a readable image."))
        else:
            st.image(
                image, caption=_("Used with consent: {consent}", consent=photo.consent), width=320
            )


def _period_figures(figures: pd.DataFrame, label: str) -> None:
    """The period's approved values and targets (from the IPTT), beside its narrative."""
    rows = figures[figures["period"] == label]
    st.markdown(_("**Figures for {period}** (approved values)", period=plain(label)))
    if rows.empty or rows["actual"].isna().all():
        st.caption(_("No value has been approved for this period."))
    show_table(
        rows[["code", "title", "target", "actual", "achieved_pct"]],
        key="pj_nar_figures",
        column_config={
            "code": _("Code"),
            "title": _("Indicator"),
            "target": _("Target"),
            "actual": _("Actual"),
            "achieved_pct": st.column_config.NumberColumn(_("% achieved"), format="%.0f"),
        },
    )


def narrative_section(principal: Principal, *, project_id: int, figures: pd.DataFrame) -> None:
    """A period's narrative beside the period's figures (`figures`: the project's long IPTT):
    read it, and (team) draft, submit, approve or return it."""
    periods = cached_query(project_periods, principal, project_id=project_id)
    if periods.empty:
        st.caption(_("This project has no reporting periods yet."))
        return
    labels = dict(zip(periods["id"].astype(int), periods["label"], strict=True))
    approved = periods.set_index("id")["has_narrative"].astype(bool)
    ended = periods[pd.to_datetime(periods["end_date"]) <= pd.Timestamp.today()]
    default = int(ended["id"].iloc[-1]) if not ended.empty else int(periods["id"].iloc[0])
    ids = list(labels)
    period_id = st.selectbox(
        _("Reporting period"),
        ids,
        index=ids.index(default),
        format_func=lambda i: (
            _("{period} · narrative approved", period=labels[i]) if approved[i] else labels[i]
        ),
        key="pj_nar_period",
    )
    state = cached_query(period_narratives, principal, period_id=period_id)
    with get_db().read() as session:
        nodes = outcome_nodes(session, project_id=project_id)
    story, numbers = st.columns([3, 2])
    with numbers:
        _period_figures(figures, labels[period_id])
    with story:
        if state.approved is not None:
            st.caption(
                _(
                    "Approved narrative, revision {revision} (by {author}, approved by "
                    "{reviewer}).",
                    revision=state.approved.revision,
                    author=state.approved.created_by,
                    reviewer=state.approved.reviewed_by,
                )
            )
            _show(principal, state.approved, nodes)
        else:
            st.info(_("No narrative has been approved for this period yet."))
    if state.is_team:
        _team(principal, period_id, state.open, state.approved, nodes, state.locked)


def _team(
    principal: Principal,
    period_id: int,
    open_: NarrativeView | None,
    approved: NarrativeView | None,
    nodes: pd.DataFrame,
    locked: bool,
) -> None:
    if locked:
        st.caption(_("This period is locked: its narrative cannot change."))
        return
    if open_ is not None:
        status = _(STATUS_NAMES.get(open_.status, open_.status))
        st.markdown(
            "**"
            + _("Open revision {revision}: {status}", revision=open_.revision, status=status)
            + "**"
        )
        if open_.review_comment and open_.status == "returned":
            st.warning(_("Returned: {comment}", comment=open_.review_comment))
    if open_ is not None and open_.status == "submitted":
        _review(principal, open_)
        return
    _draft_form(principal, period_id, open_, approved, nodes)


def _draft_form(
    principal: Principal,
    period_id: int,
    open_: NarrativeView | None,
    approved: NarrativeView | None,
    nodes: pd.DataFrame,
) -> None:
    base = open_ or approved
    with st.form(f"pj_nar_form_{period_id}"):
        st.markdown(
            "**" + (_("Draft the narrative") if approved is None else _("Draft a revision")) + "**"
        )
        texts = {
            name: st.text_area(
                _(label), value=getattr(base, name) if base else "", key=f"pj_nar_{name}"
            )
            for name, label in PARTS
        }
        sections = {
            int(r.id): st.text_area(
                _("Progress: {level} {code}", level=level_label(r.level), code=r.code),
                value=base.sections.get(int(r.id), "") if base else "",
                key=f"pj_nar_sec_{int(r.id)}",
            )
            for r in records(nodes)
        }
        story = st.text_area(
            _("A human story"), value=base.story if base else "", key="pj_nar_story"
        )
        upload = st.file_uploader(
            _("Photo (PNG or JPEG)"), type=["png", "jpg", "jpeg"], key="pj_nar_photo"
        )
        consent = st.text_input(
            _("Consent of the people shown (who agreed, how, to what use)"), key="pj_nar_consent"
        )
        save = st.form_submit_button(_("Save draft"))
        send = st.form_submit_button(_("Save and submit for approval"))
    if not (save or send):
        return
    photo = (
        svc.Photo(filename=upload.name, content=upload.getvalue(), consent=consent)
        if upload is not None
        else None
    )
    text = svc.NarrativeText(
        summary=texts["summary"],
        achievements=texts["achievements"],
        challenges=texts["challenges"],
        assumptions_risks=texts["assumptions_risks"],
        story=story,
        sections=sections,
        photo=photo,
    )
    with reported():
        with get_db().write() as session:
            n = svc.save_draft(
                session,
                principal=principal,
                period_id=period_id,
                text=text,
                expected_version=open_.version if open_ else None,
            )
            if send:
                svc.submit(session, principal=principal, narrative_id=n.id)
        st.success(_("Submitted for approval.") if send else _("Draft saved."))
        st.rerun()


def _review(principal: Principal, n: NarrativeView) -> None:
    _show(principal, n, pd.DataFrame(columns=["id", "level", "code", "title"]))
    if not principal.has_role(Role.MANAGER, Role.ADMIN):
        st.caption(_("Awaiting a manager's approval."))
        return
    comment = st.text_input(_("Comment (required to return)"), key="pj_nar_comment")
    a, r = st.columns(2)
    with reported():
        if a.button(_("Approve narrative"), key="pj_nar_approve"):
            with get_db().write() as session:
                svc.approve(
                    session, principal=principal, narrative_id=n.id, expected_version=n.version
                )
            st.rerun()
        if r.button(_("Return for revision"), key="pj_nar_return"):
            with get_db().write() as session:
                svc.return_for_revision(
                    session,
                    principal=principal,
                    narrative_id=n.id,
                    comment=comment,
                    expected_version=n.version,
                )
            st.rerun()
