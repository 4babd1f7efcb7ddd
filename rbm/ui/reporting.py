"""Report downloads on the project, donor and country pages, and narrative hits on the lessons
page.

`report_download` builds a report with a progress bar and offers it as Word or PDF;
`narrative_hits` lists approved narratives matching a search and lets those who record lessons
promote one. The narrative tab itself is `rbm.ui.narrative`. Rules live in the services and
queries; this module only lays them out."""

from __future__ import annotations

from datetime import date

import streamlit as st

from rbm.i18n import _
from rbm.principal import Principal
from rbm.queries.narratives import search_narratives
from rbm.reports.common import recent_periods
from rbm.reports.render import MIME, ReportRequest, produce
from rbm.reports.text import records
from rbm.services import narratives as svc
from rbm.services.evaluations import RECORDERS
from rbm.ui.session import cached_query, get_db
from rbm.ui.widgets import reported, show_table


def report_download(
    principal: Principal,
    *,
    kind: str,
    subject: str,
    key: str,
    periods: list[str] | None = None,
    default: str | None = None,
) -> None:
    """Pick a period and a format, build the report with a progress bar, download it. The
    periods offered are the recent calendar ones (`recent_periods`) unless given; the first is
    picked unless `default` is one of them."""
    periods = periods if periods is not None else recent_periods(date.today())
    c1, c2, c3 = st.columns([2, 1, 2])
    period = c1.selectbox(
        _("Report period"),
        periods,
        index=periods.index(default) if default in periods else 0,
        key=f"{key}_period",
    )
    fmt = c2.radio(
        _("Format"), ["pdf", "docx"], format_func=str.upper, horizontal=True, key=f"{key}_fmt"
    )
    slot = f"{key}_file_{subject}"
    if c3.button(_("Prepare the report"), key=f"{key}_build", icon=":material/description:"):
        made = _prepared(principal, ReportRequest(kind, subject, str(period), str(fmt)))
        if made is not None:
            st.session_state[slot] = made
    ready = st.session_state.get(slot)
    if ready:
        name, data, fmt_ready = ready
        st.download_button(
            _("Download {name}", name=name),
            data,
            file_name=name,
            mime=MIME[fmt_ready],
            key=f"{key}_download",
            icon=":material/download:",
            on_click="ignore",
        )


def _prepared(principal: Principal, request: ReportRequest) -> tuple[str, bytes, str] | None:
    """The report as (file name, bytes, format), with a progress bar; None (its named error
    shown) when it cannot be built."""
    bar = st.progress(0.0, text=_("Starting"))

    def progress(done: float, what: str) -> None:
        bar.progress(done, text=what)

    try:
        with reported():
            name, data = produce(get_db(), principal=principal, request=request, progress=progress)
            return (name, data, request.fmt)
        return None
    finally:
        bar.empty()


def narrative_hits(principal: Principal, *, text: str) -> None:
    """Approved project narratives matching the lesson search, and (for those who record
    lessons) promoting one to a lesson."""
    hits = cached_query(search_narratives, principal, text=text)
    st.subheader(_("Project narratives"))
    if hits.empty:
        st.caption(_("No approved project narrative matches."))
        return
    show_table(
        hits.drop(columns=["narrative_id"]),
        key="ls_narratives",
        column_config={
            "project": _("Project"),
            "period": _("Period"),
            "excerpt": _("Narrative"),
        },
    )
    if not principal.has_role(*RECORDERS):
        return
    with st.form("ls_promote"):
        labels = {int(r.narrative_id): f"{r.project} · {r.period}" for r in records(hits)}
        pick = st.selectbox(_("Narrative"), list(labels), format_func=labels.__getitem__)
        title = st.text_input(_("Lesson title"))
        if st.form_submit_button(_("Record this narrative as a lesson")):
            with reported():
                with get_db().write() as session:
                    svc.promote_to_lesson(
                        session, principal=principal, narrative_id=int(pick), title=title
                    )
                st.success(_("Recorded as a lesson learned."))
