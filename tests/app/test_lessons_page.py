"""The lessons page: an evaluator records a lesson and finds it again by a word of its text and
by its tag; readers cannot record; search stays in the reader's scope; the digest of an area
is shown with its Markdown and Excel downloads."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from rbm.db import Database
from rbm.models.enums import DacCriterion
from rbm.services import evaluations as svc
from tests.app.conftest import open_app, unescaped
from tests.integration.test_evaluations import World, build_world

PAGE = "rbm/ui/pages/lessons.py"


@pytest.fixture
def world(app_db: Database) -> World:
    st.cache_data.clear()  # fresh database, repeating data versions: see the evaluations test
    w = build_world(app_db)
    with app_db.write() as session:
        for title, text, project in (
            ("Mentoring beats one-off workshops", "Mentored prosecutors changed practice.",
             "P-HN"),
            ("Keep forms short", "Police stations filled in the short form; training on the "
             "long form was wasted.", "P-KE"),
        ):  # fmt: skip
            svc.record_lesson(session, principal=w.people["evaluator"], new=svc.NewLesson(
                title=title, text=text, project_id=w.projects[project],
                dac_criterion=DacCriterion.EFFECTIVENESS,
                priority_area_ids=[w.areas["witness-protection" if project == "P-HN"
                                           else "data-collection"]]))  # fmt: skip
    return w


def _titles(at: AppTest) -> list[str]:
    """Titles of the lesson cards in the search tab (their bold first lines)."""
    return [m.value.strip("*").replace("\\", "") for m in at.tabs[0].markdown
            if m.value.startswith("**") and m.value.endswith("**")]  # fmt: skip


def test_an_evaluator_records_a_lesson_and_finds_it_by_a_word_and_by_its_tag(
    world: World,
) -> None:
    at = open_app(world.people["evaluator"], page=PAGE)
    assert [t.label for t in at.tabs] == ["Search", "Digest", "Record a lesson"]
    at.text_input(key="ls_new_title").input("Judges need their own curriculum")
    at.text_area(key="ls_new_text").input("Judicial training worked when judges designed it.")
    at.text_area(key="ls_new_worked").input("Peer-designed modules.")
    at.multiselect(key="ls_new_countries").select("HN")
    at.text_input(key="ls_new_tags").input("Courts, curriculum")
    next(b for b in at.button if b.label == "Record the lesson").click().run()
    assert not at.error and not at.exception
    assert unescaped(at.success[0].value) == "Lesson “Judges need their own curriculum” recorded."

    at.text_input(key="ls_text").input("judicial").run()
    assert _titles(at) == ["Judges need their own curriculum"]
    assert "1 lesson(s), best match first." in [c.value for c in at.caption]

    at.text_input(key="ls_text").input("").run()
    at.multiselect(key="ls_tags").select("courts").run()
    assert _titles(at) == ["Judges need their own curriculum"]


def test_an_incomplete_lesson_is_refused_with_its_problems(world: World) -> None:
    at = open_app(world.people["evaluator"], page=PAGE)
    at.text_input(key="ls_new_title").input("No text")
    next(b for b in at.button if b.label == "Record the lesson").click().run()
    assert "text: say what was learned" in unescaped(at.error[0].value)


def test_search_ranks_in_the_reader_scope_and_readers_cannot_record(world: World) -> None:
    at = open_app(world.people["manager_b"], page=PAGE)
    assert [t.label for t in at.tabs] == ["Search", "Digest"]
    assert at.get("form") == []
    assert _titles(at) == ["Keep forms short"]
    at = open_app(world.people["evaluator"], page=PAGE)
    at.text_input(key="ls_text").input("workshops or forms").run()
    assert sorted(_titles(at)) == ["Keep forms short", "Mentoring beats one-off workshops"]


def test_the_digest_of_an_area_can_be_downloaded(world: World) -> None:
    at = open_app(world.people["evaluator"], page=PAGE)
    at.radio(key="ls_dg_by").set_value("priority_area").run()
    at.selectbox(key="ls_dg_priority_area").select("witness-protection").run()
    assert not at.exception
    assert "Lessons learned: Witness Protection" in [h.value for h in at.subheader]
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Lessons"], metrics["Evaluations"]) == ("1", "2")
    assert [b.label for b in at.get("download_button")] == [
        "Download as Markdown",
        "Download as Excel",
    ]
