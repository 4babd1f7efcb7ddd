"""Narratives and report downloads on the project, donor and country pages.

`narrative_section` shows a period's approved narrative beside its figures and, for the
project team, the form to draft, submit, approve or return it; `report_download` builds a
report with a progress bar and offers it as Word or PDF. Rules live in the services and
queries; this module only lays them out."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from rbm.errors import RbmError
from rbm.models.enums import Role
from rbm.principal import Principal
from rbm.queries.narratives import (
    NarrativeView,
    outcome_nodes,
    period_narratives,
    photo_file,
    project_periods,
    search_narratives,
)
from rbm.reports import build
from rbm.reports.common import picture
from rbm.reports.render import MIME, render
from rbm.reports.text import records
from rbm.services import narratives as svc
from rbm.services.evaluations import RECORDERS
from rbm.ui.session import cached_query, get_db
from rbm.ui.widgets import plain

PARTS = (
    ("summary", "Summary"),
    ("achievements", "Achievements"),
    ("challenges", "Challenges"),
    ("assumptions_risks", "Changes to assumptions and risks"),
)


def _show(principal: Principal, n: NarrativeView, nodes: pd.DataFrame) -> None:
    titles = {int(r.id): f"{str(r.level).title()} {r.code}: {r.title}" for r in records(nodes)}
    for name, label in PARTS:
        body = getattr(n, name)
        if body:
            st.markdown(f"**{label}**")
            st.text(body)  # user text is shown as typed: never Markdown or HTML
    for node_id, body in n.sections.items():
        st.markdown(f"**{plain(titles.get(node_id, f'Result #{node_id}'))}**")
        st.text(body)
    if n.story:
        st.markdown("**A human story**")
        st.text(n.story)
    if n.photo_id is not None:
        with get_db().read() as session:
            photo = photo_file(session, principal=principal, photo_id=n.photo_id)
        image = picture(photo.content)
        if image is None:
            st.caption("The story's photo is not a readable image.")
        else:
            st.image(image, caption=f"Used with consent: {photo.consent}", width=320)


def _period_figures(figures: pd.DataFrame, label: str) -> None:
    """The period's approved values and targets (from the IPTT), beside its narrative."""
    rows = figures[figures["period"] == label]
    st.markdown(f"**Figures for {plain(label)}** (approved values)")
    if rows.empty or rows["actual"].isna().all():
        st.caption("No value has been approved for this period.")
    st.dataframe(
        rows[["code", "title", "target", "actual", "achieved_pct"]],
        hide_index=True,
        width="stretch",
        key="pj_nar_figures",
        column_config={
            "code": "Code",
            "title": "Indicator",
            "target": "Target",
            "actual": "Actual",
            "achieved_pct": st.column_config.NumberColumn("% achieved", format="%.0f"),
        },
    )


def narrative_section(principal: Principal, *, project_id: int, figures: pd.DataFrame) -> None:
    """A period's narrative beside the period's figures (`figures`: the project's long IPTT):
    read it, and (team) draft, submit, approve or return it."""
    periods = cached_query(project_periods, principal, project_id=project_id)
    if periods.empty:
        st.caption("This project has no reporting periods yet.")
        return
    labels = dict(zip(periods["id"].astype(int), periods["label"], strict=True))
    ended = periods[pd.to_datetime(periods["end_date"]) <= pd.Timestamp.today()]
    default = int(ended["id"].iloc[-1]) if not ended.empty else int(periods["id"].iloc[0])
    ids = list(labels)
    period_id = st.selectbox(
        "Reporting period",
        ids,
        index=ids.index(default),
        format_func=lambda i: (
            labels[i]
            + (
                " · narrative approved"
                if bool(periods.set_index("id").at[i, "has_narrative"])
                else ""
            )
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
                f"Approved narrative, revision {state.approved.revision} (by "
                f"{state.approved.created_by}, approved by {state.approved.reviewed_by})."
            )
            _show(principal, state.approved, nodes)
        else:
            st.info("No narrative has been approved for this period yet.")
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
        st.caption("This period is locked: its narrative cannot change.")
        return
    if open_ is not None:
        st.markdown(f"**Open revision {open_.revision}: {open_.status}**")
        if open_.review_comment and open_.status == "returned":
            st.warning(f"Returned: {open_.review_comment}")
    if open_ is not None and open_.status == "submitted":
        _review(principal, open_)
        return
    base = open_ or approved
    with st.form(f"pj_nar_form_{period_id}"):
        st.markdown("**Draft the narrative**" if approved is None else "**Draft a revision**")
        texts = {
            name: st.text_area(
                label, value=getattr(base, name) if base else "", key=f"pj_nar_{name}"
            )
            for name, label in PARTS
        }
        sections = {
            int(r.id): st.text_area(
                f"Progress: {str(r.level).title()} {r.code}",
                value=base.sections.get(int(r.id), "") if base else "",
                key=f"pj_nar_sec_{int(r.id)}",
            )
            for r in records(nodes)
        }
        story = st.text_area("A human story", value=base.story if base else "", key="pj_nar_story")
        upload = st.file_uploader(
            "Photo (PNG or JPEG)", type=["png", "jpg", "jpeg"], key="pj_nar_photo"
        )
        consent = st.text_input(
            "Consent of the people shown (who agreed, how, to what use)", key="pj_nar_consent"
        )
        save = st.form_submit_button("Save draft")
        send = st.form_submit_button("Save and submit for approval")
    if save or send:
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
        try:
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
        except RbmError as exc:
            st.error(str(exc))
            return
        st.success("Submitted for approval." if send else "Draft saved.")
        st.rerun()


def _review(principal: Principal, n: NarrativeView) -> None:
    _show(principal, n, pd.DataFrame(columns=["id", "level", "code", "title"]))
    if not principal.has_role(Role.MANAGER, Role.ADMIN):
        st.caption("Awaiting a manager's approval.")
        return
    comment = st.text_input("Comment (required to return)", key="pj_nar_comment")
    a, r = st.columns(2)
    try:
        if a.button("Approve narrative", key="pj_nar_approve"):
            with get_db().write() as session:
                svc.approve(
                    session, principal=principal, narrative_id=n.id, expected_version=n.version
                )
            st.rerun()
        if r.button("Return for revision", key="pj_nar_return"):
            with get_db().write() as session:
                svc.return_for_revision(
                    session,
                    principal=principal,
                    narrative_id=n.id,
                    comment=comment,
                    expected_version=n.version,
                )
            st.rerun()
    except RbmError as exc:
        st.error(str(exc))


def report_download(
    principal: Principal,
    *,
    kind: str,
    subject: str,
    periods: list[str],
    default: str | None,
    key: str,
) -> None:
    """Pick a period and a format, build the report with a progress bar, download it."""
    c1, c2, c3 = st.columns([2, 1, 2])
    period = c1.selectbox(
        "Report period",
        periods,
        index=periods.index(default) if default in periods else 0,
        key=f"{key}_period",
    )
    fmt = c2.radio(
        "Format", ["pdf", "docx"], format_func=str.upper, horizontal=True, key=f"{key}_fmt"
    )
    slot = f"{key}_file_{subject}"
    ready = st.session_state.get(slot)
    if c3.button("Prepare the report", key=f"{key}_build", icon=":material/description:"):
        bar = st.progress(0.0, text="Starting")

        def progress(done: float, what: str) -> None:
            bar.progress(min(done * 0.9, 1.0), text=what)

        try:
            with get_db().read() as session:
                report = build(
                    session,
                    principal=principal,
                    kind=kind,
                    subject=subject,
                    period=str(period),
                    progress=progress,
                )
            bar.progress(0.95, text="Rendering")
            data = render(report, str(fmt))
        except RbmError as exc:
            bar.empty()
            st.error(str(exc))
            return
        bar.empty()
        ready = (f"{report.name}.{fmt}", data, str(fmt))
        st.session_state[slot] = ready
    if ready:
        name, data, fmt_ready = ready
        st.download_button(
            f"Download {name}",
            data,
            file_name=name,
            mime=MIME[fmt_ready],
            key=f"{key}_download",
            icon=":material/download:",
            on_click="ignore",
        )


def narrative_hits(principal: Principal, *, text: str) -> None:
    """Approved project narratives matching the lesson search, and (for those who record
    lessons) promoting one to a lesson."""
    hits = cached_query(search_narratives, principal, text=text)
    st.subheader("Project narratives")
    if hits.empty:
        st.caption("No approved project narrative matches.")
        return
    st.dataframe(
        hits.drop(columns=["narrative_id"]),
        hide_index=True,
        width="stretch",
        key="ls_narratives",
        column_config={"project": "Project", "period": "Period", "excerpt": "Narrative"},
    )
    if not principal.has_role(*RECORDERS):
        return
    with st.form("ls_promote"):
        labels = {int(r.narrative_id): f"{r.project} · {r.period}" for r in records(hits)}
        pick = st.selectbox("Narrative", list(labels), format_func=labels.__getitem__)
        title = st.text_input("Lesson title")
        if st.form_submit_button("Record this narrative as a lesson"):
            try:
                with get_db().write() as session:
                    svc.promote_to_lesson(
                        session, principal=principal, narrative_id=int(pick), title=title
                    )
            except RbmError as exc:
                st.error(str(exc))
            else:
                st.success("Recorded as a lesson learned.")
