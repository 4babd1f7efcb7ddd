"""Earlier questionnaire answers imported into a draft checklist, on SQLite and PostgreSQL:
good CSV and Excel files, the template round trip, and bad files refused whole with every
problem named by row and column."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from rbm.db import Database
from rbm.errors import NotFound, ValidationFailed
from rbm.exchange import checklist_import as imp
from rbm.exchange.checklist_guide import guide_html
from rbm.models import Answer, Provision, Question, SelfAssessment
from rbm.models.enums import AssistanceKind, Implementation, Priority
from rbm.services import checklist
from tests.conftest import require_postgres
from tests.utils.checklist_world import World, world_database

HEADER = (
    "instrument,article,implementation,measure_cited,obstacles,assistance_needed,"
    "assistance_kind,priority,comments\n"
)


@pytest.fixture(params=["sqlite", "postgresql"])
def world_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Database, World]]:
    url = require_postgres() if request.param == "postgresql" else ""
    yield from world_database(request.param, tmp_path, url)


@pytest.fixture
def db(world_db: tuple[Database, World]) -> Database:
    return world_db[0]


@pytest.fixture
def world(world_db: tuple[Database, World]) -> World:
    return world_db[1]


@pytest.fixture
def draft(db: Database, world: World) -> int:
    """Honduras's 2026 checklist, started (prefilled from 2024)."""
    with db.write() as session:
        return checklist.start(
            session, principal=world.focal_hn, country_code="HN", cycle_code="2026"
        ).id


def _answers(db: Database, sa_id: int) -> dict[str, Answer]:
    with db.read() as session:
        rows = session.execute(
            select(Provision.code, Answer)
            .join(Question, Question.id == Answer.question_id)
            .join(Provision, Provision.id == Question.provision_id)
            .where(Answer.self_assessment_id == sa_id)
        ).all()
    return {code: answer for code, answer in rows}


def _version(db: Database, sa_id: int) -> int:
    with db.read() as session:
        sa = session.get(SelfAssessment, sa_id)
        assert sa is not None
        return sa.version


def _import(db: Database, world: World, sa_id: int, name: str, content: bytes) -> imp.ImportReport:
    with db.write() as session:
        return imp.import_answers(
            session,
            principal=world.focal_hn,
            self_assessment_id=sa_id,
            df=imp.read_upload(name, content),
        )


def test_a_csv_of_earlier_answers_replaces_the_answers_it_names(
    db: Database, world: World, draft: int
) -> None:
    csv = HEADER + (
        "UNTOC,Art. 20,Partly implemented,Code of Criminal Procedure art. 221,"
        "No rules on undercover agents,yes,legislative drafting,High,\n"
        "untoc,12,fully,Law on Asset Forfeiture 2025,,no,,,Asset office created in 2025\n"
        ",,,,,,,,\n"
    )
    report = _import(db, world, draft, "answers.csv", csv.encode())
    assert (report.saved, report.skipped_blank) == (2, 1)
    answers = _answers(db, draft)
    techniques = answers["UNTOC-20"]
    assert techniques.implementation is Implementation.PARTLY
    assert techniques.assistance_kind is AssistanceKind.LEGISLATIVE_DRAFTING
    assert techniques.priority is Priority.HIGH
    assert answers["UNTOC-12"].comments == "Asset office created in 2025"
    assert answers["UNTOC-12"].obstacles == ""  # a blank cell clears the field it names
    assert answers["UNTOC-24"].assistance_needed  # questions without a row keep their answers


def test_an_excel_file_made_from_the_template_imports_the_same_way(
    db: Database, world: World, draft: int
) -> None:
    with db.read() as session:
        sheet = imp.template(session, principal=world.focal_hn, self_assessment_id=draft)
    sheet.loc[sheet["provision"] == "FA-9", "implementation"] = "not applicable"
    sheet.loc[
        sheet["provision"] == "SOM-15",
        ["implementation", "assistance_needed", "assistance_kind", "priority"],
    ] = ["partly", "yes", "capacity_building", "medium"]
    report = _import(db, world, draft, "answers.xlsx", imp.to_bytes(sheet, fmt="xlsx"))
    assert report.saved == 30
    answers = _answers(db, draft)
    assert answers["FA-9"].implementation is Implementation.NOT_APPLICABLE
    assert answers["SOM-15"].assistance_kind is AssistanceKind.CAPACITY_BUILDING
    assert answers["UNTOC-24"].implementation is Implementation.PARTLY


def test_re_importing_the_unchanged_template_changes_nothing(
    db: Database, world: World, draft: int
) -> None:
    before = _version(db, draft)
    with db.read() as session:
        sheet = imp.template(session, principal=world.focal_hn, self_assessment_id=draft)
    _import(db, world, draft, "same.csv", imp.to_bytes(sheet, fmt="csv"))
    assert _version(db, draft) == before


def test_a_bad_file_is_refused_whole_with_each_problem_by_row_and_column(
    db: Database, world: World, draft: int
) -> None:
    csv = (
        "instrument,article,implementation,assistance_needed,assistance_kind,priority,country\n"
        "UNTOC,5,partly,no,,,HN\n"
        "UNTOC,Art. 99,fully,no,,,HN\n"
        "TIP,6,maybe,yes,,,HN\n"
        "SOM,6,fully,perhaps,teleport,urgent,GT\n"
        "XYZ,1,fully,,,,\n"
        "UNTOC,Art. 5,fully,,,,\n"
    )
    before = _version(db, draft)
    with pytest.raises(ValidationFailed) as info:
        _import(db, world, draft, "bad.csv", csv.encode())
    assert "Nothing was saved" in str(info.value)
    assert info.value.problems == [
        "row 2, column article: '5' is answered more than once in the file",
        "row 3, column article: 'Art. 99' is not a question of this checklist",
        "row 4, column assistance_kind: is required when assistance is needed",
        "row 4, column implementation: 'maybe' is not fully, partly, not implemented or "
        "not applicable",
        "row 4, column priority: is required when assistance is needed",
        "row 5, column assistance_kind: 'teleport' is not one of legislative_drafting, "
        "capacity_building, equipment, institution_building, expert_advice, data_systems, other",
        "row 5, column assistance_needed: 'perhaps' is not yes or no",
        "row 5, column country: 'GT' is not HN, the country of this checklist",
        "row 5, column priority: 'urgent' is not high, medium or low",
        "row 6, column article: '1' is not a question of this checklist",
        "row 6, column instrument: 'XYZ' is not one of FA, SOM, TIP, UNTOC",
        "row 7, column article: 'Art. 5' is answered more than once in the file",
    ]
    assert _version(db, draft) == before
    assert _answers(db, draft)["UNTOC-5"].implementation is Implementation.FULLY


def test_a_file_without_the_required_columns_is_refused(
    db: Database, world: World, draft: int
) -> None:
    with pytest.raises(ValidationFailed, match=r"missing column\(s\) article, implementation"):
        _import(db, world, draft, "short.csv", b"instrument,status\nUNTOC,fully\n")


def test_only_csv_and_excel_files_are_read() -> None:
    with pytest.raises(ValidationFailed, match=r"upload a \.csv or \.xlsx file"):
        imp.read_upload("answers.pdf", b"%PDF-1.4")
    with pytest.raises(ValidationFailed, match="not an Excel workbook"):
        imp.read_upload("answers.xlsx", b"not a workbook")


def test_a_refusal_while_saving_undoes_the_rows_already_saved(
    db: Database, world: World, draft: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    real, calls = checklist.save_answer, []

    def refuse_the_second(*args: object, **kwargs: object) -> SelfAssessment:
        calls.append(1)
        if len(calls) == 2:
            raise ValidationFailed("the database refused it")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(checklist, "save_answer", refuse_the_second)
    csv = HEADER + "UNTOC,5,partly,,,,,,\nUNTOC,6,partly,,,,,,\n"
    with pytest.raises(ValidationFailed, match="row 3: the database refused it"):
        _import(db, world, draft, "a.csv", csv.encode())
    assert _answers(db, draft)["UNTOC-5"].implementation is Implementation.FULLY


def test_an_import_from_a_stale_page_is_refused(db: Database, world: World, draft: int) -> None:
    csv = HEADER + "UNTOC,5,partly,,,,,,\n"
    with (
        pytest.raises(ValidationFailed, match="row 2: Someone else changed"),
        db.write() as session,
    ):
        imp.import_answers(
            session,
            principal=world.focal_hn,
            self_assessment_id=draft,
            df=imp.read_upload("a.csv", csv.encode()),
            expected_version=99,
        )


def test_nobody_imports_into_another_countrys_checklist(
    db: Database, world: World, draft: int
) -> None:
    with pytest.raises(NotFound), db.write() as session:
        imp.import_answers(
            session,
            principal=world.focal_gt,
            self_assessment_id=draft,
            df=imp.read_upload("a.csv", (HEADER + "UNTOC,5,partly,,,,,,\n").encode()),
        )


def test_a_submitted_checklist_takes_no_import(db: Database, world: World) -> None:
    with db.read() as session:
        accepted = session.scalar(
            select(SelfAssessment.id).where(SelfAssessment.country_code == "HN")
        )
    with pytest.raises(ValidationFailed, match="row 2: This checklist is accepted"):
        _import(
            db, world, int(accepted or 0), "a.csv", (HEADER + "UNTOC,5,partly,,,,,,\n").encode()
        )


def test_the_printable_guide_lists_every_question_with_new_and_reworded_marks(
    db: Database,
) -> None:
    with db.read() as session:
        page = guide_html(session, cycle_code="2026")
    assert page.startswith("<!DOCTYPE html>") and "@media print" in page
    assert page.count("<span class='tag'>new</span>") == 3
    assert page.count("<span class='tag'>reworded</span>") == 3
    assert "Arts. 12-14" in page and "assistance_kind" in page


def test_every_import_column_is_documented() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "checklist.md").read_text("utf-8")
    for column in [*imp.COLUMNS, "country"]:
        assert f"`{column}`" in docs, column
