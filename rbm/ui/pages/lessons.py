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

from rbm.errors import RbmError
from rbm.exchange.lessons_workbook import digest_excel
from rbm.models.enums import DacCriterion, ResultLevel
from rbm.queries import evaluations as qe
from rbm.queries import lessons as q
from rbm.queries.reference import filter_choices
from rbm.services import evaluations as svc
from rbm.ui import reporting
from rbm.ui.session import cached_query, get_db, require_principal
from rbm.ui.widgets import message, plain

FLASH = "ls_flash"
LEVEL_LABELS = {lvl.value: lvl.value.title() for lvl in ResultLevel}

principal = require_principal()
can_record = principal.has_role(*svc.RECORDERS)

st.title("Lessons learned")
st.caption(
    "What evaluations and projects taught us: what worked, what did not, and the evidence. "
    "Search in the text, filter by tag, or prepare a digest for a priority area or a country."
)
if flash := st.session_state.pop(FLASH, None):
    st.success(message(flash))

with get_db().read() as session:
    found_in = q.lesson_choices(session, principal=principal)
    visible = filter_choices(session, principal=principal)
tabs = st.tabs(["Search", "Digest"] + (["Record a lesson"] if can_record else []))


def _names(*frames: pd.DataFrame) -> dict[str, str]:
    """code -> name over several choice frames, sorted by name."""
    pairs = {str(c): str(n) for f in frames for c, n in zip(f["code"], f["name"], strict=True)}
    return dict(sorted(pairs.items(), key=lambda kv: kv[1]))


def _pick(label: str, names: Mapping[str, str], key: str, container: Any = st) -> str | None:
    return cast(
        "str | None",
        container.selectbox(
            label, [None, *names], key=key, format_func=lambda c: "All" if c is None else names[c]
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
            str(row["dac_criterion"]).title() if row["dac_criterion"] else "",
            LEVEL_LABELS.get(str(row["result_level"]), ""),
            row["countries"],
            row["priority_areas"],
            row["tags"],
        ]
        st.caption(
            plain(" · ".join(t for t in tags if t))
            + f"  \nFrom: {plain(source) or 'recorded directly'} · recorded by "
            f"{plain(row['recorded_by'])}"
        )
        st.markdown(plain(row["text"]))
        worked, did_not = st.columns(2)
        if row["what_worked"]:
            worked.markdown(f":green[**What worked**]  \n{plain(row['what_worked'])}")
        if row["what_did_not"]:
            did_not.markdown(f":red[**What did not**]  \n{plain(row['what_did_not'])}")
        if row["evidence"]:
            st.caption(f"Evidence: {plain(row['evidence'])}")


# --- Search ----------------------------------------------------------------------------------

with tabs[0]:
    text = st.text_input(
        "Search the lessons",
        key="ls_text",
        placeholder='e.g. mentoring, "model legislation", coordination -Nigeria',
    )
    c1, c2, c3, c4, c5 = st.columns(5)
    tags = c1.multiselect("Tags", found_in["tag"]["tag"].tolist(), key="ls_tags")
    country = _pick("Country", _names(found_in["country"]), "ls_country", c2)
    area = _pick("Priority area", _names(found_in["priority_area"]), "ls_area", c3)
    criteria = {c.value: c.value.title() for c in DacCriterion}
    criterion = _pick("DAC criterion", criteria, "ls_dac", c4)
    level = _pick("Result level", LEVEL_LABELS, "ls_level", c5)
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
    order = "best match first" if text.strip() else "newest first"
    st.caption(f"{len(results)} lesson(s), {order}.")
    if results.empty:
        st.info("No lesson matches. Try another word, or fewer filters.")
    for row in results.to_dict("records"):
        _lesson(row)
    if text.strip():
        reporting.narrative_hits(principal, text=text.strip())


# --- Digest ----------------------------------------------------------------------------------


def _digest_excel(**filters: str | None) -> bytes:
    with get_db().read() as session:
        return digest_excel(q.lesson_digest(session, principal=principal, **filters))


with tabs[1]:
    by = st.radio("Digest for", ["Priority area", "Country"], horizontal=True, key="ls_dg_by")
    kind = "priority_area" if by == "Priority area" else "country"
    names = _names(found_in[kind], visible[kind])
    subject = st.selectbox(by, list(names), format_func=names.__getitem__, key=f"ls_dg_{kind}")
    if subject is None:
        st.info(f"There is no {by.lower()} with lessons you can see yet.")
    else:
        filters = {kind: subject}
        digest = cached_query(q.lesson_digest, principal, **filters)
        st.subheader(f"Lessons learned: {plain(digest.subject)}")
        m1, m2, m3 = st.columns(3)
        m1.metric("Lessons", len(digest.lessons))
        m2.metric("Evaluations", len(digest.evaluations))
        m3.metric("Recommendations still open", len(digest.open_recommendations))
        d1, d2 = st.columns(2)
        d1.download_button(
            "Download as Markdown",
            data=q.digest_markdown(digest),
            file_name=f"lessons-{subject}.md",
            mime="text/markdown",
            on_click="ignore",
            icon=":material/description:",
            key="ls_dg_md",
        )
        d2.download_button(
            "Download as Excel",
            data=partial(_digest_excel, **filters),
            file_name=f"lessons-{subject}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            on_click="ignore",
            icon=":material/table:",
            key="ls_dg_xlsx",
        )
        if not digest.ratings.empty:
            st.markdown("**What evaluations found** (mean DAC rating, 1-4)")
            st.dataframe(
                digest.ratings.assign(criterion=digest.ratings["criterion"].str.title()),
                hide_index=True,
                key="ls_dg_ratings",
                column_config={
                    "criterion": "Criterion",
                    "mean_score": st.column_config.NumberColumn("Mean rating", format="%.1f"),
                    "evaluations": "Evaluations",
                },
            )
        for row in digest.lessons.to_dict("records"):
            _lesson(row)
        if not digest.open_recommendations.empty:
            st.markdown("**Recommendations still open**")
            recs = digest.open_recommendations
            st.dataframe(
                pd.DataFrame(
                    {
                        "Evaluation": recs["evaluation"],
                        "#": "R" + recs["number"].astype(str),
                        "Recommendation": recs["text"],
                        "Addressed to": recs["addressee"],
                        "State": recs["state"],
                    }
                ),
                hide_index=True,
                width="stretch",
                key="ls_dg_recs",
            )


# --- Record a lesson -------------------------------------------------------------------------


def _record_form() -> None:
    with get_db().read() as session:
        choices = qe.form_choices(session, principal=principal)
    evaluations = dict(
        zip(choices["evaluation"]["id"].astype(int), choices["evaluation"]["title"], strict=True)
    )
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
    with st.form("ls_new_form"):
        title = st.text_input("Title", key="ls_new_title")
        text = st.text_area("Lesson", key="ls_new_text")
        c1, c2 = st.columns(2)
        worked = c1.text_area("What worked", key="ls_new_worked")
        did_not = c2.text_area("What did not", key="ls_new_did_not")
        evidence = st.text_input("Evidence", key="ls_new_evidence")
        c1, c2 = st.columns(2)
        evaluation = c1.selectbox(
            "From the evaluation",
            [None, *evaluations],
            key="ls_new_evaluation",
            format_func=lambda i: "—" if i is None else evaluations[i],
        )
        project = c2.selectbox(
            "About the project",
            [None, *projects],
            key="ls_new_project",
            format_func=lambda i: "—" if i is None else projects[i],
        )
        criterion = c1.selectbox(
            "DAC criterion",
            [None, *DacCriterion],
            key="ls_new_dac",
            format_func=lambda c: "—" if c is None else c.value.title(),
        )
        level = c2.selectbox(
            "Result level",
            [None, *ResultLevel],
            key="ls_new_level",
            format_func=lambda lvl: "—" if lvl is None else lvl.value.title(),
        )
        codes = c1.multiselect(
            "Countries", list(countries), key="ls_new_countries", format_func=countries.__getitem__
        )
        area_ids = c2.multiselect(
            "Priority areas", list(areas), key="ls_new_areas", format_func=areas.__getitem__
        )
        tags = st.text_input("Tags (separated by commas)", key="ls_new_tags")
        if st.form_submit_button("Record the lesson", type="primary"):
            new = svc.NewLesson(
                title=title,
                text=text,
                what_worked=worked,
                what_did_not=did_not,
                evidence=evidence,
                evaluation_id=evaluation,
                project_id=project,
                dac_criterion=criterion,
                result_level=level,
                country_codes=codes,
                priority_area_ids=area_ids,
                tags=tags.split(","),
            )
            try:
                with get_db().write() as session:
                    svc.record_lesson(session, principal=principal, new=new)
            except RbmError as exc:
                st.error(message(exc))
            else:
                for key in [k for k in st.session_state if str(k).startswith("ls_new_")]:
                    del st.session_state[key]
                st.session_state[FLASH] = f"Lesson “{title.strip()}” recorded."
                st.rerun()


if can_record:
    with tabs[-1]:
        _record_form()
