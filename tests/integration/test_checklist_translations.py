"""The checklist's content in Spanish and French, on SQLite and PostgreSQL: loaded from the
fixture with each wording marked unchecked, loaded again without change, following the cycle's
rewording, kept for answered questions, and shown in English where a language has none."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from rbm.db import Database
from rbm.demo_checklist import read_checklist_fixture
from rbm.models import (
    ChecklistCycle,
    InstrumentText,
    Provision,
    ProvisionText,
    Question,
    QuestionText,
)
from rbm.principal import Principal
from rbm.queries.checklist import checklist_form
from rbm.services import checklist as svc
from tests.conftest import require_postgres
from tests.utils.checklist_world import World, world_database


@pytest.fixture(params=["sqlite", "postgresql"])
def world_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Database, World]]:
    url = require_postgres() if request.param == "postgresql" else ""
    yield from world_database(request.param, tmp_path, url)


def _counts(db: Database) -> dict[str, int]:
    with db.read() as session:
        return {
            model.__tablename__: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (InstrumentText, ProvisionText, QuestionText)
        }


def _form(db: Database, who: Principal, language: str, cycle: str = "2026") -> dict[str, str]:
    with db.read() as session:
        form = checklist_form(
            session, principal=who, country_code="HN", cycle_code=cycle, language=language
        )
    assert form is not None
    row = form.questions.set_index("provision").loc["UNTOC-12"]
    return {k: str(row[k]) for k in ("instrument_title", "title", "text", "help_text", "checked")}


def test_every_question_title_and_instrument_is_loaded_in_spanish_and_french(
    world_db: tuple[Database, World],
) -> None:
    db, _ = world_db
    with db.read() as session:
        questions = int(session.scalar(select(func.count()).select_from(Question)) or 0)
        provisions = int(session.scalar(select(func.count()).select_from(Provision)) or 0)
        unchecked = session.scalar(
            select(func.count()).select_from(QuestionText).where(QuestionText.checked.is_(True))
        )
    assert _counts(db) == {
        "instrument_text": 4 * 2,
        "provision_text": provisions * 2,
        "question_text": questions * 2,
    }
    assert unchecked == 0


def _rows(db: Database) -> list[tuple[object, ...]]:
    with db.read() as session:
        return [
            tuple(row)
            for model in (InstrumentText, ProvisionText, QuestionText)
            for row in session.execute(select(model.__table__)).all()
        ]


def test_loading_the_content_again_changes_no_translation(world_db: tuple[Database, World]) -> None:
    db, world = world_db
    before = _rows(db)
    with db.write() as session:
        added = svc.load_content(session, principal=world.admin, spec=read_checklist_fixture())
    assert added == 0
    assert sorted(_rows(db), key=repr) == sorted(before, key=repr)


def test_the_form_shows_the_content_in_the_persons_language_with_each_cycles_wording(
    world_db: tuple[Database, World],
) -> None:
    db, world = world_db
    spanish, french = _form(db, world.focal_hn, "es"), _form(db, world.focal_hn, "fr")
    assert spanish["instrument_title"].startswith("Convención de las Naciones Unidas")
    assert spanish["title"] == "Decomiso e incautación"
    assert "administrar" in spanish["text"] and spanish["checked"] == "False"
    assert french["title"] == "Confiscation et saisie" and "gérer" in french["text"]
    assert "administrar" not in _form(db, world.focal_hn, "es", cycle="2024")["text"]


def test_a_language_without_a_translation_shows_the_english_wording(
    world_db: tuple[Database, World],
) -> None:
    db, world = world_db
    with db.write() as session:
        session.execute(QuestionText.__table__.delete().where(QuestionText.language == "fr"))
    french, english = _form(db, world.focal_hn, "fr"), _form(db, world.focal_hn, "en")
    assert french["text"] == english["text"] and "manage" in english["text"]
    assert french["title"] == "Confiscation et saisie"
    assert english["checked"] == "True"
    assert _form(db, world.focal_hn, "de")["title"] == "Confiscation and seizure"


def test_a_reworded_translation_reaches_unanswered_questions_only(
    world_db: tuple[Database, World],
) -> None:
    db, world = world_db
    spec = copy.deepcopy(read_checklist_fixture())
    untoc = spec["instruments"][0]["provisions"]
    for provision in untoc:
        provision["translations"]["es"]["question"] = "¿Pregunta nueva?"
        provision["translations"]["es"].pop("wording", None)
    with db.write() as session:
        svc.load_content(session, principal=world.admin, spec=spec)
    with db.read() as session:
        wording = dict(
            session.execute(
                select(ChecklistCycle.code, QuestionText.text)
                .join(Question, Question.id == QuestionText.question_id)
                .join(ChecklistCycle, ChecklistCycle.id == Question.cycle_id)
                .join(Provision, Provision.id == Question.provision_id)
                .where(Provision.code == "UNTOC-5", QuestionText.language == "es")
            ).all()
        )
    # The 2024 question of Honduras is answered: its Spanish wording stays as it was.
    assert wording["2024"] != "¿Pregunta nueva?"
    assert wording["2026"] == "¿Pregunta nueva?"
    assert _form(db, world.focal_hn, "es")["title"] == "Decomiso e incautación"
