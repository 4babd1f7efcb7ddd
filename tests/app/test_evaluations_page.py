"""The evaluations page: an evaluator records an evaluation with ratings, a report and
recommendations; a manager responds; readers see no write controls; overdue follow-up actions
are highlighted; ratings are compared across the evaluations of an area."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from rbm.db import Database
from rbm.models.enums import ActionStatus, EvaluationScope, EvaluationType, ResponseKind
from rbm.services import evaluations as svc
from tests.app.conftest import open_app, unescaped
from tests.integration.test_evaluations import World, build_world

PAGE = "rbm/ui/pages/evaluations.py"


@pytest.fixture
def world(app_db: Database) -> World:
    # Each test has a fresh database whose data versions repeat those of the previous test;
    # the query cache (keyed on scope and data version, not on the database) must not carry
    # over from one test to the next.
    st.cache_data.clear()
    return build_world(app_db)


def _press(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click().run()
    return at


def _table(at: AppTest, column: str) -> pd.DataFrame:
    """The first table showing `column` (plain st.dataframe elements carry no key)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _open(at: AppTest, world: World, key: str) -> AppTest:
    at.selectbox(key="ev_pick").select(world.evaluations[key]).run()
    return at


def test_an_evaluator_records_an_evaluation_with_ratings_and_its_report(world: World) -> None:
    at = open_app(world.people["evaluator"], page=PAGE)
    assert [t.label for t in at.tabs] == ["Evaluations", "Compare ratings", "Record an evaluation"]
    at.text_input(key="ev_new_title").input("Mid-term evaluation of support to Guatemala")
    at.selectbox(key="ev_new_type").select(EvaluationType.MID_TERM)
    at.selectbox(key="ev_new_scope").select(EvaluationScope.COUNTRY)
    at.selectbox(key="ev_new_country").select("GT")
    at.selectbox(key="ev_new_score_relevance").select(4)
    at.text_input(key="ev_new_why_relevance").input("Requested by the Public Ministry")
    at.selectbox(key="ev_new_score_impact").select(2)
    at.text_input(key="ev_new_why_impact").input("Too early to tell")
    at.file_uploader(key="ev_new_report").set_value(
        ("mid-term.pdf", b"%PDF-1.7\nreport", "application/pdf")
    )
    _press(at, "Record the evaluation")
    assert not at.exception and not at.error
    # User text reaches Markdown escaped ("Mid\-term"); a person reads "Mid-term".
    title = "Mid-term evaluation of support to Guatemala"
    assert at.subheader[0].value == "Mid\\-term evaluation of support to Guatemala"
    assert unescaped(at.success[0].value) == f"Evaluation “{title}” recorded."
    assert unescaped(at.subheader[0].value) == title
    assert _table(at, "score_label")["score"].tolist() == [4, 2]
    assert [b.label for b in at.get("download_button")] == ["Download mid\\-term\\.pdf (0 MB)"]
    assert at.text_input(key="ev_new_title").value == ""


def test_invalid_ratings_are_refused_with_each_problem(world: World) -> None:
    at = open_app(world.people["evaluator"], page=PAGE)
    at.text_input(key="ev_new_title").input("Unrated")
    at.selectbox(key="ev_new_scope").select(EvaluationScope.THEME)
    at.selectbox(key="ev_new_score_efficiency").select(3)
    _press(at, "Record the evaluation")
    assert "scope: choose the theme evaluated" in unescaped(at.error[0].value)
    assert "efficiency: give a justification for the rating" in unescaped(at.error[0].value)


def test_an_evaluator_adds_two_recommendations(world: World) -> None:
    at = _open(open_app(world.people["evaluator"], page=PAGE), world, "HN")
    for text, addressee in (("Fund the protection unit", "Government"),
                            ("Train the judges", "Provider A")):  # fmt: skip
        at.text_area(key="ev_rec_text").input(text)
        at.text_input(key="ev_rec_addressee").input(addressee)
        _press(at, "Add the recommendation")
        assert not at.error
    assert unescaped(at.success[0].value) == "Recommendation R2 added."
    shown = [m.value for m in at.markdown if m.value.startswith(("**R1**", "**R2**"))]
    assert shown == ["**R1** · Fund the protection unit", "**R2** · Train the judges"]


def test_a_manager_responds_and_a_rejection_needs_reasons(world: World) -> None:
    at = _open(open_app(world.people["manager_a"], page=PAGE), world, "P-HN")
    assert "Record an evaluation" not in [t.label for t in at.tabs]
    at.selectbox(key="ev_respond_rec").select(world.recommendations["R2"])
    at.radio(key="ev_respond_kind").set_value(ResponseKind.REJECTED)
    _press(at, "Save the response")
    assert (
        unescaped(at.error[0].value) == "Give the reasons for a partial acceptance or a rejection."
    )
    at.text_area(key="ev_respond_reason").input("Outside the mandate of the project")
    _press(at, "Save the response")
    assert not at.error
    assert unescaped(at.success[0].value) == "Response to R2 saved."
    history = _table(at, "change")
    assert history[history["action"] == "respond"]["reason"].tolist() == [
        "Outside the mandate of the project"
    ]


def test_a_manager_plans_and_completes_a_follow_up_action(world: World) -> None:
    at = _open(open_app(world.people["manager_a"], page=PAGE), world, "P-HN")
    at.selectbox(key="ev_action_rec").select(world.recommendations["R1"])
    at.text_input(key="ev_action_text").input("Write the concept note")
    at.text_input(key="ev_action_owner").input("Provider A")
    at.date_input(key="ev_action_due").set_value(date(2030, 1, 31))
    _press(at, "Add the action")
    assert unescaped(at.success[0].value) == "Follow-up action added."
    actions = _table(at, "Overdue")
    assert actions["Status"].tolist() == ["Not started"]
    at.selectbox(key="ev_update_status").select(ActionStatus.COMPLETED)
    _press(at, "Update the action")
    actions = _table(at, "Overdue")
    assert actions["Status"].tolist() == ["Completed"]


def test_readers_see_evaluations_in_scope_without_write_controls(world: World) -> None:
    at = open_app(world.people["donor_n"], page=PAGE)
    assert not at.exception
    assert [t.label for t in at.tabs] == ["Evaluations", "Compare ratings"]
    assert at.get("form") == []
    assert sorted(_table(at, "Awaiting response")["Evaluation"]) == [
        "Coordination among providers",
        "Country evaluation HN",
        "Country evaluation SV",
        "Final evaluation of P-HN",
        "Thematic evaluation of witness protection",
    ]


def test_overdue_follow_up_actions_are_highlighted(world: World, app_db: Database) -> None:
    with app_db.write() as session:
        svc.add_action(session, principal=world.people["manager_a"],
                       recommendation_id=world.recommendations["R1"],
                       description="Sign the handover plan", owner="Provider A",
                       due_date=date(2020, 1, 31))  # fmt: skip
    at = open_app(world.people["officer_hn"], page=PAGE)
    assert unescaped(at.warning[0].value).startswith(
        "1 follow-up action(s) are past their due date"
    )
    assert "Overdue actions (1)" in [t.label for t in at.tabs]
    overdue = _table(at, "Days overdue")
    assert overdue["Action"].tolist() == ["Sign the handover plan"]
    assert {m.label: m.value for m in at.metric}["Overdue follow-up actions"] == "1"


def test_ratings_are_compared_across_the_evaluations_of_an_area(world: World) -> None:
    at = open_app(world.people["evaluator"], page=PAGE)
    at.radio(key="ev_cmp_by").set_value("priority_area").run()
    at.selectbox(key="ev_cmp_priority_area").select("witness-protection").run()
    assert any(c.value.startswith("2 evaluation(s)") for c in at.caption)
    means = _table(at, "mean")
    assert means["criterion"].tolist()[:2] == ["Relevance", "Coherence"]
    assert means["count"].tolist() == [2] * 6
