"""The checklist page as a State focal point and a manager use it: start prefilled from the
previous cycle, change answers (saved as they change), mark a need, submit, accept; the guide
for respondents; importing earlier answers; locked and read-only views."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from rbm.db import Database
from rbm.exchange.checklist_guide import FIELD_HELP
from rbm.models import Answer, ChecklistCycle, Provision, Question, SelfAssessment
from rbm.models.enums import AssistanceKind, Implementation, Priority, SelfAssessmentStatus
from rbm.queries.needs import needs_register
from rbm.settings import get_settings
from rbm.ui.registry import pages_for
from tests.app.conftest import open_app, unescaped
from tests.utils.checklist_world import World, world_database

CHECKLIST = "rbm/ui/pages/checklist.py"
NEEDS = "rbm/ui/pages/needs.py"


@pytest.fixture
def world_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Database, World]]:
    """The checklist world in a SQLite file that the app under test uses. Query caches are
    emptied first: they are keyed on the data version, which copies of the world share."""
    st.cache_data.clear()
    for db, world in world_database("sqlite", tmp_path):
        monkeypatch.setenv("RBM_DATABASE_URL", db.url)
        get_settings.cache_clear()
        yield db, world


def _answer_ids(db: Database, country: str, cycle_year: int) -> dict[str, int]:
    with db.read() as session:
        rows = session.execute(
            select(Provision.code, Answer.id)
            .join(Question, Question.id == Answer.question_id)
            .join(Provision, Provision.id == Question.provision_id)
            .join(SelfAssessment, SelfAssessment.id == Answer.self_assessment_id)
            .join(ChecklistCycle, ChecklistCycle.id == SelfAssessment.cycle_id)
            .where(SelfAssessment.country_code == country, ChecklistCycle.year == cycle_year)
        ).all()
    return {code: aid for code, aid in rows}


def _started(world_db: tuple[Database, World]) -> tuple[AppTest, dict[str, int]]:
    db, world = world_db
    at = open_app(world.focal_hn, CHECKLIST)
    at.button(key="cl_start").click().run()
    assert not at.exception
    return at, _answer_ids(db, "HN", 2026)


def _answer(db: Database, answer_id: int) -> Answer:
    with db.read() as session:
        answer = session.get(Answer, answer_id)
        assert answer is not None
        return answer


def test_a_focal_point_starts_the_new_cycle_prefilled_from_the_previous_one(world_db) -> None:
    db, world = world_db
    at = open_app(world.focal_hn, CHECKLIST)
    assert not at.exception
    assert at.selectbox(key="cl_country").options == ["Honduras"]
    assert unescaped(at.info[0].value) == "The 2026 checklist of Honduras is not started yet."
    assert any("from the 2024 checklist" in c.value for c in at.caption)
    at.button(key="cl_start").click().run()
    assert at.progress[0].proto.text == "27 of 30 answered"
    assert any("prefilled from 2024" in c.value for c in at.caption)
    assert [o for o in at.radio(key="cl_section").options] == [
        "UNTOC (13/14)",
        "TIP (5/5)",
        "SOM (4/5)",
        "FA (5/6)",
    ]
    ids = _answer_ids(db, "HN", 2026)
    assert at.selectbox(key=f"cl_{ids['UNTOC-24']}_implementation").value == "partly"
    assert at.checkbox(key=f"cl_{ids['UNTOC-24']}_assistance_needed").value
    assert at.selectbox(key=f"cl_{ids['UNTOC-20']}_implementation").value is None
    assert any("new in this cycle" in m.value for m in at.markdown)
    assert any("reworded since 2024" in m.value for m in at.markdown)


def test_the_walkthrough_change_three_answers_mark_a_need_submit_and_accept(world_db) -> None:
    db, world = world_db
    at, ids = _started(world_db)
    at.selectbox(key=f"cl_{ids['UNTOC-19']}_implementation").select("partly").run()
    at.text_area(key=f"cl_{ids['UNTOC-12']}_measure_cited").input("Asset Forfeiture Act 2025").run()
    at.text_area(key=f"cl_{ids['UNTOC-28']}_obstacles").input("Records now shared weekly.").run()
    at.selectbox(key=f"cl_{ids['UNTOC-20']}_implementation").select("not_implemented").run()
    at.checkbox(key=f"cl_{ids['UNTOC-20']}_assistance_needed").check().run()
    at.selectbox(key=f"cl_{ids['UNTOC-20']}_assistance_kind").select("legislative_drafting").run()
    at.selectbox(key=f"cl_{ids['UNTOC-20']}_priority").select("high").run()
    for section, code in (("SOM", "SOM-15"), ("FA", "FA-9")):
        at.radio(key="cl_section").set_value(section).run()
        at.selectbox(key=f"cl_{ids[code]}_implementation").select("fully").run()
    assert not at.exception and not at.error
    assert at.progress[0].proto.text == "30 of 30 answered"
    at.button(key="cl_submit").click().run()
    assert unescaped(at.success[0].value).startswith("Checklist submitted")
    assert _answer(db, ids["UNTOC-19"]).implementation is Implementation.PARTLY
    assert _answer(db, ids["UNTOC-12"]).measure_cited == "Asset Forfeiture Act 2025"
    assert _answer(db, ids["UNTOC-28"]).obstacles == "Records now shared weekly."
    marked = _answer(db, ids["UNTOC-20"])
    assert (marked.assistance_kind, marked.priority) == (
        AssistanceKind.LEGISLATIVE_DRAFTING,
        Priority.HIGH,
    )

    review = open_app(world.manager, CHECKLIST)
    review.selectbox(key="cl_country").select("HN").run()
    review.selectbox(key="cl_cycle").select("2026").run()
    assert review.selectbox(key=f"cl_{ids['UNTOC-5']}_implementation").disabled
    review.button(key="cl_accept").click().run()
    assert review.success[0].value.startswith("Checklist accepted")
    with db.read() as session:
        accepted = session.get(Answer, ids["UNTOC-20"])
        assert accepted is not None
        sa = session.get(SelfAssessment, accepted.self_assessment_id)
        hn = needs_register(session, principal=world.focal_hn, country_code="HN")
    assert sa is not None and sa.status is SelfAssessmentStatus.ACCEPTED
    assert sa.accepted_by_id == world.manager.user_id
    need = hn[hn["provision"] == "UNTOC-20"].iloc[0]
    assert (need["cycle"], need["coverage"]) == ("2026", "uncovered")

    register = open_app(world.focal_hn, NEEDS)
    table = register.dataframe[0].value
    shown = table[table["Provision"] == "UNTOC Art. 20"].iloc[0]
    assert (shown["Coverage"], shown["From"]) == ("Uncovered", "2026")
    witness = table[table["Provision"] == "UNTOC Art. 24"].iloc[0]
    assert (witness["Coverage"], witness["Projects"]) == ("Covered", "WP-HND")


def test_every_field_carries_its_help_and_the_guide_prints(world_db) -> None:
    at, ids = _started(world_db)
    assert (
        at.selectbox(key=f"cl_{ids['UNTOC-5']}_implementation").help == FIELD_HELP["implementation"]
    )
    assert (
        at.checkbox(key=f"cl_{ids['UNTOC-5']}_assistance_needed").help
        == FIELD_HELP["assistance_needed"]
    )
    assert any(c.value.startswith("Article 5 asks for one or both") for c in at.caption)
    assert "Printable guide (HTML)" in [b.label for b in at.get("download_button")]
    assert any("Every change is saved" in m.value for m in at.markdown)


def test_a_bad_file_of_earlier_answers_is_refused_with_its_rows_and_columns(world_db) -> None:
    db, _ = world_db
    at, ids = _started(world_db)
    bad = b"instrument,article,implementation\nUNTOC,5,perhaps\nUNTOC,99,fully\n"
    at.file_uploader(key="cl_upload").set_value(("old.csv", bad, "text/csv")).run()
    at.button(key="cl_import").click().run()
    message = unescaped(at.error[0].value)
    assert "Nothing was saved" in message
    assert "row 2, column implementation: 'perhaps'" in message
    assert "row 3, column article: '99' is not a question of this checklist" in message
    assert _answer(db, ids["UNTOC-5"]).implementation is Implementation.FULLY


def test_a_good_file_of_earlier_answers_fills_the_checklist(world_db) -> None:
    db, _ = world_db
    at, ids = _started(world_db)
    good = b"instrument,article,implementation,measure_cited\nUNTOC,20,partly,Code art. 221\n"
    at.file_uploader(key="cl_upload").set_value(("old.csv", good, "text/csv")).run()
    at.button(key="cl_import").click().run()
    assert unescaped(at.success[0].value) == "1 answers imported; 0 blank rows skipped."
    assert at.selectbox(key=f"cl_{ids['UNTOC-20']}_implementation").value == "partly"
    assert _answer(db, ids["UNTOC-20"]).measure_cited == "Code art. 221"


def test_an_accepted_checklist_is_shown_locked(world_db) -> None:
    db, world = world_db
    at = open_app(world.focal_hn, CHECKLIST)
    at.selectbox(key="cl_cycle").select("2024").run()
    ids = _answer_ids(db, "HN", 2024)
    assert at.selectbox(key=f"cl_{ids['UNTOC-5']}_implementation").disabled
    assert "cl_submit" not in [b.key for b in at.button]
    assert any(c.value.startswith("Accepted on") for c in at.caption)


def test_a_manager_sees_every_checklist_and_reviews_without_editing(world_db) -> None:
    _, world = world_db
    at = open_app(world.manager, CHECKLIST)
    listing = at.dataframe[0].value
    assert sorted(listing["Country"]) == ["Guatemala", "Honduras", "Nigeria"]
    at.selectbox(key="cl_cycle").select("2026").run()
    assert "cl_start" not in [b.key for b in at.button]  # the State starts its own checklist


@pytest.mark.parametrize(
    ("who", "checklist", "needs"),
    [
        ("focal_hn", True, True),
        ("manager", True, True),
        ("admin", True, True),
        ("donor_norway", False, True),
        ("evaluator", False, True),
        ("officer", False, False),
    ],
)
def test_the_pages_open_for_the_roles_that_use_them(
    world_db, who: str, checklist: bool, needs: bool
) -> None:
    files = {p.file for p in pages_for(getattr(world_db[1], who))}
    assert ("checklist.py" in files, "needs.py" in files) == (checklist, needs)
