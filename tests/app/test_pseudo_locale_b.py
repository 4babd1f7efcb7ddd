"""The evaluations, lessons, checklist and needs pages in the pseudo-locale: every label a
person reads comes from the catalogue (carries ⟦ ⟧), except data people entered and codes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st

from rbm.db import Database
from rbm.settings import get_settings
from tests.app.conftest import open_app
from tests.app.pseudo import shown_labels, unmarked
from tests.integration.test_evaluations import World as EvaluationWorld
from tests.integration.test_evaluations import build_world
from tests.utils.checklist_world import World, world_database

CODE = re.compile(r"^[A-Z]{2,5}( \(\d+/\d+\))?$|^\d{4}$")  # instrument codes, cycles


@pytest.fixture
def checklist_world(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Database, World]]:
    st.cache_data.clear()
    for db, world in world_database("sqlite", tmp_path):
        monkeypatch.setenv("RBM_DATABASE_URL", db.url)
        get_settings.cache_clear()
        yield db, world


@pytest.fixture
def evaluation_world(app_db: Database) -> EvaluationWorld:
    st.cache_data.clear()
    return build_world(app_db)


def _codes(kind: str, text: str) -> bool:
    return bool(CODE.match(text))


def test_every_label_of_a_started_checklist_is_from_the_catalogue(checklist_world) -> None:
    _, world = checklist_world
    at = open_app(world.focal_hn, "rbm/ui/pages/checklist.py", language="qps")
    assert not at.exception
    assert unmarked(at, data=lambda kind, text: _codes(kind, text) or text == "Honduras") == []
    at.button(key="cl_start").click().run()
    assert not at.exception
    assert [w.label for w in at.checkbox][:1] == ["⟦Technical assistance needed⟧"]
    assert unmarked(at, data=lambda kind, text: _codes(kind, text) or text == "Honduras") == []


def test_every_label_a_manager_sees_on_the_checklist_page_is_from_the_catalogue(
    checklist_world,
) -> None:
    _, world = checklist_world
    at = open_app(world.manager, "rbm/ui/pages/checklist.py", language="qps")
    assert not at.exception
    countries = {"Honduras", "Guatemala", "Nigeria"}
    assert unmarked(at, data=lambda kind, text: _codes(kind, text) or text in countries) == []


def test_every_label_of_the_needs_page_is_from_the_catalogue(checklist_world) -> None:
    _, world = checklist_world
    at = open_app(world.manager, "rbm/ui/pages/needs.py", language="qps")
    assert not at.exception
    needs = at.selectbox(key="nd_need")
    areas = set(at.selectbox(key="nd_a").options) | set(at.selectbox(key="nd_add_area").options)
    countries = set(at.selectbox(key="nd_add_country").options)
    people_entered = set(needs.options) | areas | countries
    assert unmarked(at, data=lambda kind, text: text in people_entered) == []


def test_every_label_of_the_evaluations_page_is_from_the_catalogue(
    evaluation_world: EvaluationWorld,
) -> None:
    at = open_app(
        evaluation_world.people["evaluator"], "rbm/ui/pages/evaluations.py", language="qps"
    )
    assert not at.exception
    data = set(at.selectbox(key="ev_pick").options)
    for key in ("ev_new_project", "ev_new_country", "ev_new_area", "ev_cmp_priority_area"):
        data |= set(at.selectbox(key=key).options)
    for key in ("ev_respond_rec", "ev_action_rec", "ev_update_action"):
        data |= {o for o in at.selectbox(key=key).options} if _has(at, key) else set()
    scores = {"1", "2", "3", "4"}
    assert unmarked(at, data=lambda kind, text: text in data or text in scores) == []


def test_every_label_of_the_lessons_page_is_from_the_catalogue(
    evaluation_world: EvaluationWorld,
) -> None:
    at = open_app(evaluation_world.people["evaluator"], "rbm/ui/pages/lessons.py", language="qps")
    assert not at.exception
    data: set[str] = set()
    for el in [*at.selectbox, *at.multiselect]:
        if el.key in ("ls_country", "ls_area", "ls_dg_priority_area", "ls_new_evaluation",
                      "ls_new_project", "ls_new_countries", "ls_new_areas", "ls_tags"):  # fmt: skip
            data |= set(map(str, el.options))
    assert unmarked(at, data=lambda kind, text: text in data) == []


def test_the_check_sees_the_labels_and_options_of_the_page(checklist_world) -> None:
    _, world = checklist_world
    at = open_app(world.focal_hn, "rbm/ui/pages/checklist.py", language="qps")
    at.button(key="cl_start").click().run()
    kinds = {kind for kind, _text in shown_labels(at)}
    assert {"title", "selectbox", "selectbox option", "radio", "text_area", "checkbox"} <= kinds
    assert ("selectbox option", "⟦Fully implemented⟧") in shown_labels(at)


def _has(at, key: str) -> bool:
    return any(el.key == key for el in at.selectbox)
