"""Lessons learned: ranked full-text search with filters by tag, country, priority area, DAC
criterion and result level; a digest per priority area or country to hand to a programme
designer (on the page, and as Markdown or Excel); and, for evaluators and admins, recording a
lesson with its tags and source."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from functools import partial
from typing import Any, cast

import pandas as pd
import streamlit as st

from rbm.exchange.lessons_workbook import digest_excel
from rbm.i18n import N_, _, country_name, ngettext
from rbm.queries import evaluations as qe
from rbm.queries import lessons as q
from rbm.queries.reference import filter_choices
from rbm.services import evaluations as svc
from rbm.ui import reporting
from rbm.ui.labels import LEVEL_LABELS, labelled
from rbm.ui.lesson_record import record_form
from rbm.ui.session import cached_query, get_db, require_principal
from rbm.ui.widgets import plain, show_flash, show_table

FLASH = "ls_flash"
DIGEST_FOR = {"priority_area": N_("Priority area"), "country": N_("Country")}
OPEN_RECOMMENDATIONS = {
    "evaluation": N_("Evaluation"),
    "number": "#",
    "text": N_("Recommendation"),
    "addressee": N_("Addressed to"),
    "state": N_("State"),
}

principal = require_principal()
can_record = principal.has_role(*svc.RECORDERS)

st.title(_("Lessons learned"))
st.caption(
    _(
        "What evaluations and projects taught us: what worked, what did not, and the evidence. "
        "Search in the text, filter by tag, or prepare a digest for a priority area or a "
        "country."
    )
)
show_flash(FLASH)

with get_db().read() as session:
    found_in = q.lesson_choices(session, principal=principal)
    visible = filter_choices(session, principal=principal)
tabs = st.tabs([_("Search"), _("Digest")] + ([_("Record a lesson")] if can_record else []))


def _names(*frames: pd.DataFrame) -> dict[str, str]:
    """code -> name over several choice frames, sorted by name."""
    pairs = {str(c): str(n) for f in frames for c, n in zip(f["code"], f["name"], strict=True)}
    return dict(sorted(pairs.items(), key=lambda kv: kv[1]))


def _countries(*frames: pd.DataFrame) -> dict[str, str]:
    """code -> country name in the person's language over several choice frames, by name."""
    pairs = {
        str(c): country_name(str(c), str(n))
        for f in frames
        for c, n in zip(f["code"], f["name"], strict=True)
    }
    return dict(sorted(pairs.items(), key=lambda kv: kv[1]))


def _pick(label: str, names: Mapping[str, str], key: str, container: Any = st) -> str | None:
    return cast(
        "str | None",
        container.selectbox(
            label,
            [None, *names],
            key=key,
            format_func=lambda c: _("All") if c is None else names[c],
        ),
    )


def _lesson(row: Mapping[Hashable, Any]) -> None:
    """One lesson as a card; user text is escaped before it reaches Markdown."""
    with st.container(border=True):
        st.markdown(f"**{plain(row['title'])}**")
        source = " · ".join(
            str(row[k]) for k in ("evaluation", "project") if isinstance(row[k], str)
        )
        tags = [
            labelled(qe.CRITERION_LABELS)(row["dac_criterion"]),
            labelled(LEVEL_LABELS)(row["result_level"]),
            row["countries"],
            row["priority_areas"],
            row["tags"],
        ]
        origin = _(
            "From: {source} · recorded by {person}",
            source=plain(source) or _("recorded directly"),
            person=plain(row["recorded_by"]),
        )
        st.caption(plain(" · ".join(t for t in tags if t)) + "  \n" + origin)
        st.markdown(plain(row["text"]))
        worked, did_not = st.columns(2)
        if row["what_worked"]:
            worked.markdown(f":green[**{_('What worked')}**]  \n{plain(row['what_worked'])}")
        if row["what_did_not"]:
            did_not.markdown(f":red[**{_('What did not')}**]  \n{plain(row['what_did_not'])}")
        if row["evidence"]:
            st.caption(_("Evidence: {evidence}", evidence=plain(row["evidence"])))


# --- Search ----------------------------------------------------------------------------------

with tabs[0]:
    text = st.text_input(
        _("Search the lessons"),
        key="ls_text",
        placeholder=_('e.g. mentoring, "model legislation", coordination -Nigeria'),
    )
    c1, c2, c3, c4, c5 = st.columns(5)
    tags = c1.multiselect(_("Tags"), found_in["tag"]["tag"].tolist(), key="ls_tags")
    country = _pick(_("Country"), _countries(found_in["country"]), "ls_country", c2)
    area = _pick(_("Priority area"), _names(found_in["priority_area"]), "ls_area", c3)
    criteria = {c: _(label) for c, label in qe.CRITERION_LABELS.items()}
    criterion = _pick(_("DAC criterion"), criteria, "ls_dac", c4)
    levels = {lvl: _(label) for lvl, label in LEVEL_LABELS.items()}
    level = _pick(_("Result level"), levels, "ls_level", c5)
    results = cached_query(
        q.search_lessons,
        principal,
        text=text.strip(),
        tags=tuple(tags),
        country=country,
        priority_area=area,
        dac_criterion=criterion,
        result_level=level,
    )
    if text.strip():
        found = ngettext(
            "{n} lesson(s), best match first.", "{n} lesson(s), best match first.", len(results)
        )
    else:
        found = ngettext(
            "{n} lesson(s), newest first.", "{n} lesson(s), newest first.", len(results)
        )
    st.caption(found)
    if results.empty:
        st.info(_("No lesson matches. Try another word, or fewer filters."))
    for row in results.to_dict("records"):
        _lesson(row)
    if text.strip():
        reporting.narrative_hits(principal, text=text.strip())


# --- Digest ----------------------------------------------------------------------------------


def _digest_excel(**filters: str | None) -> bytes:
    with get_db().read() as session:
        return digest_excel(q.lesson_digest(session, principal=principal, **filters))


with tabs[1]:
    kind = str(
        st.radio(
            _("Digest for"),
            list(DIGEST_FOR),
            horizontal=True,
            key="ls_dg_by",
            format_func=labelled(DIGEST_FOR),
        )
    )
    if kind == "country":
        names = _countries(found_in[kind], visible[kind])
    else:
        names = _names(found_in[kind], visible[kind])
    subject = st.selectbox(
        _(DIGEST_FOR[kind]), list(names), format_func=names.__getitem__, key=f"ls_dg_{kind}"
    )
    if subject is None:
        st.info(
            _("There is no priority area with lessons you can see yet.")
            if kind == "priority_area"
            else _("There is no country with lessons you can see yet.")
        )
    else:
        filters = {kind: subject}
        digest = cached_query(q.lesson_digest, principal, **filters)
        st.subheader(_("Lessons learned: {subject}", subject=plain(digest.subject)))
        m1, m2, m3 = st.columns(3)
        m1.metric(_("Lessons"), len(digest.lessons))
        m2.metric(_("Evaluations"), len(digest.evaluations))
        m3.metric(_("Recommendations still open"), len(digest.open_recommendations))
        d1, d2 = st.columns(2)
        d1.download_button(
            _("Download as Markdown"),
            data=q.digest_markdown(digest),
            file_name=f"lessons-{subject}.md",
            mime="text/markdown",
            on_click="ignore",
            icon=":material/description:",
            key="ls_dg_md",
        )
        d2.download_button(
            _("Download as Excel"),
            data=partial(_digest_excel, **filters),
            file_name=f"lessons-{subject}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            on_click="ignore",
            icon=":material/table:",
            key="ls_dg_xlsx",
        )
        if not digest.ratings.empty:
            st.markdown(_("**What evaluations found** (mean DAC rating, 1-4)"))
            st.dataframe(
                digest.ratings.assign(
                    criterion=digest.ratings["criterion"].map(labelled(qe.CRITERION_LABELS))
                ),
                hide_index=True,
                key="ls_dg_ratings",
                column_config={
                    "criterion": _("Criterion"),
                    "mean_score": st.column_config.NumberColumn(_("Mean rating"), format="%.1f"),
                    "evaluations": _("Evaluations"),
                },
            )
        for row in digest.lessons.to_dict("records"):
            _lesson(row)
        if not digest.open_recommendations.empty:
            st.markdown("**" + _("Recommendations still open") + "**")
            recs = digest.open_recommendations
            show_table(
                recs[list(OPEN_RECOMMENDATIONS)].assign(number="R" + recs["number"].astype(str)),
                column_config={c: _(n) if n != "#" else n for c, n in OPEN_RECOMMENDATIONS.items()},
                key="ls_dg_recs",
            )


if can_record:
    with tabs[-1]:
        record_form(principal, FLASH)
