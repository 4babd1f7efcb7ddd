"""Lessons learned: recording, full-text search with ranking in the database (SQLite FTS5,
PostgreSQL text search) through one interface, tag filters, scope, lessons relevant to a
project, and the digest with its exports; on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, text, update

from rbm import migrate
from rbm.db import Database
from rbm.errors import NotFound, PermissionDenied, ValidationFailed
from rbm.exchange.lessons_workbook import digest_excel
from rbm.models import AuditEvent, Lesson
from rbm.models.enums import DacCriterion, ResultLevel, Role, ScopeType
from rbm.principal import Grant, Principal
from rbm.queries import lessons as q
from rbm.services import evaluations as svc
from rbm.services import projects
from rbm.services.reference import create_priority_area
from tests.integration.test_evaluations import World, build_world
from tests.utils.builders import make_org


@dataclass
class Lessons:
    world: World
    ids: dict[str, int]

    def who(self, name: str) -> Principal:
        return self.world.people[name]


def _record(db: Database, who: Principal, **fields: object) -> int:
    with db.write() as session:
        return svc.record_lesson(session, principal=who, new=svc.NewLesson(**fields)).id  # type: ignore[arg-type]


@pytest.fixture
def lessons(db: Database) -> Lessons:
    w = build_world(db)
    ev = w.people["evaluator"]
    wp, data = w.areas["witness-protection"], w.areas["data-collection"]
    ids = {
        "hn": _record(
            db,
            ev,
            title="Mentoring works better than one-off workshops",
            text="Prosecutors who were mentored for six months changed their practice; "
            "one-off workshops did not.",
            what_worked="Embedded mentors.",
            evidence="Case files reviewed by the evaluators.",
            project_id=w.projects["P-HN"],
            evaluation_id=w.evaluations["P-HN"],
            country_codes=["HN"],
            priority_area_ids=[wp],
            tags=["Mentoring", " training ", ""],
            dac_criterion=DacCriterion.EFFECTIVENESS,
            result_level=ResultLevel.OUTCOME,
        ),
        "ke": _record(
            db,
            ev,
            title="Start data collection small",
            text="A short form with a few variables was used by police stations; training on "
            "the long form was wasted.",
            project_id=w.projects["P-KE"],
            country_codes=["KE"],
            priority_area_ids=[data],
            tags=["design"],
            dac_criterion=DacCriterion.RELEVANCE,
            result_level=ResultLevel.OUTPUT,
        ),
        "sv": _record(
            db,
            ev,
            title="Coordination groups reduce duplication",
            text="Training calendars shared between providers avoided duplicated training in "
            "El Salvador.",
            country_codes=["SV"],
            tags=["coordination"],
            dac_criterion=DacCriterion.COHERENCE,
        ),
        "general": _record(
            db,
            ev,
            title="Plan the exit from the start",
            text="Sustainability depends on budgeting maintenance before the project ends.",
            dac_criterion=DacCriterion.SUSTAINABILITY,
            result_level=ResultLevel.IMPACT,
        ),
        "wp": _record(
            db,
            ev,
            title="Relocation agreements are the weakest link",
            text="Witness relocation across borders needs agreements signed before they are "
            "needed.",
            evaluation_id=w.evaluations["WP"],
            country_codes=["GT"],
            priority_area_ids=[wp],
            dac_criterion=DacCriterion.EFFECTIVENESS,
        ),
    }
    return Lessons(w, ids)


def _search(db: Database, who: Principal, search: str = "", **filters: object) -> list[int]:
    with db.read() as session:
        found = q.search_lessons(session, principal=who, text=search, **filters)  # type: ignore[arg-type]
    return [int(i) for i in found["lesson_id"]]


# --- Recording -------------------------------------------------------------------------------


def test_a_lesson_keeps_its_tags_trimmed_in_lower_case_and_is_audited(
    db: Database, lessons: Lessons
) -> None:
    with db.read() as session:
        row = q.search_lessons(
            session,
            principal=lessons.who("evaluator"),
            evaluation_id=lessons.world.evaluations["P-HN"],
        ).iloc[0]
        event = (
            session.query(AuditEvent)
            .filter_by(entity_type="lesson", entity_id=lessons.ids["hn"])
            .one()
        )
    assert (row["tags"], row["countries"], row["priority_areas"]) == (
        "mentoring, training",
        "Honduras",
        "Witness Protection",
    )
    assert (row["project"], row["recorded_by"]) == ("P-HN", "evaluator")
    assert event.after is not None and event.after["tags"] == ["mentoring", "training"]


def test_a_lesson_needs_a_title_a_text_and_known_tags(db: Database, lessons: Lessons) -> None:
    with pytest.raises(ValidationFailed) as err:
        _record(
            db,
            lessons.who("evaluator"),
            title=" ",
            text="",
            country_codes=["XX"],
            priority_area_ids=[999],
        )
    assert err.value.problems == [
        "title: a lesson needs a title",
        "text: say what was learned",
        "countries: unknown country code 'XX'",
        "priority areas: no priority area #999",
    ]


def test_only_evaluators_and_admins_record_lessons(db: Database, lessons: Lessons) -> None:
    with pytest.raises(PermissionDenied, match="record lessons"):
        _record(db, lessons.who("manager_a"), title="A lesson", text="Learned something.")


# --- Search ----------------------------------------------------------------------------------


def test_a_word_finds_its_other_forms(db: Database, lessons: Lessons) -> None:
    ev = lessons.who("evaluator")
    assert _search(db, ev, "mentor") == [lessons.ids["hn"]]
    assert _search(db, ev, "MENTORING") == [lessons.ids["hn"]]
    assert _search(db, ev, "relocations") == [lessons.ids["wp"]]


def test_a_match_in_the_title_ranks_above_a_match_in_the_text(
    db: Database, lessons: Lessons
) -> None:
    ev = lessons.who("evaluator")
    in_title = _record(
        db, ev, title="Witness protection needs trust", text="Units earned it slowly."
    )
    with db.read() as session:
        found = q.search_lessons(session, principal=ev, text="witness")
    assert found["lesson_id"].tolist() == [in_title, lessons.ids["wp"]]
    assert found["rank"].is_monotonic_decreasing and found["rank"].iloc[0] > found["rank"].iloc[1]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ('"one-off workshops"', ["hn"]),
        ('"workshops one-off"', []),
        ("training -salvador", ["ke"]),
        ("relocation or sustainability", ["wp", "general"]),
        ("police training", ["ke"]),
        ("the and of", []),
        ("-training", []),
    ],
)
def test_search_text_follows_web_search_syntax(
    db: Database, lessons: Lessons, search: str, expected: list[str]
) -> None:
    found = _search(db, lessons.who("evaluator"), search)
    assert sorted(found) == sorted(lessons.ids[k] for k in expected)


@pytest.mark.parametrize(
    "search",
    [
        "training AND (",
        '"unclosed training',
        "col:training",
        "NEAR(training x)",
        "training*",
        "^training",
        "training OR",
        "'; DROP TABLE lesson; --",
    ],
)
def test_search_syntax_in_the_text_is_never_an_error(
    db: Database, lessons: Lessons, search: str
) -> None:
    found = _search(db, lessons.who("evaluator"), search)
    assert set(found) <= set(lessons.ids.values())
    assert _search(db, lessons.who("evaluator"), "sustainability") == [lessons.ids["general"]]


def test_filters_narrow_the_search_by_tag_country_area_criterion_and_level(
    db: Database, lessons: Lessons
) -> None:
    ev, ids = lessons.who("evaluator"), lessons.ids
    assert _search(db, ev, tags=["TRAINING "]) == [ids["hn"]]
    assert _search(db, ev, tags=["mentoring", "training"]) == [ids["hn"]]
    assert _search(db, ev, tags=["mentoring", "design"]) == []
    assert _search(db, ev, country="SV") == [ids["sv"]]
    assert sorted(_search(db, ev, priority_area="witness-protection")) == sorted(
        [ids["hn"], ids["wp"]]
    )
    assert _search(db, ev, "training", dac_criterion="relevance") == [ids["ke"]]
    assert _search(db, ev, result_level="impact") == [ids["general"]]


def test_without_text_the_newest_lessons_come_first(db: Database, lessons: Lessons) -> None:
    assert _search(db, lessons.who("evaluator")) == sorted(lessons.ids.values(), reverse=True)


@pytest.mark.parametrize(
    ("person_name", "reads"),
    [
        ("evaluator", {"hn", "ke", "sv", "general", "wp"}),
        # Provider A: its project's lesson, the witness-protection evaluation's, the general one.
        ("manager_a", {"hn", "wp", "general"}),
        # Provider B: P-KE's lesson and SV's (a country of its regional project).
        ("manager_b", {"ke", "sv", "general"}),
        # A focal point of HN does not reach SV through the regional project.
        ("focal_hn", {"hn", "wp", "general"}),
        ("donor_n", {"hn", "sv", "wp", "general"}),
    ],
)
def test_each_role_finds_only_the_lessons_it_may_read(
    db: Database, lessons: Lessons, person_name: str, reads: set[str]
) -> None:
    expected = {lessons.ids[k] for k in reads}
    assert set(_search(db, lessons.who(person_name))) == expected
    # "training" is in the text of ke and sv; hn has it only as a tag (a filter, not text).
    with_training = {lessons.ids[k] for k in ("ke", "sv")} & expected
    assert set(_search(db, lessons.who(person_name), "training")) == with_training


def test_the_index_follows_edits_and_deletions(db: Database, lessons: Lessons) -> None:
    ev, lesson_id = lessons.who("evaluator"), lessons.ids["general"]
    with db.write() as session:
        session.execute(
            update(Lesson)
            .where(Lesson.id == lesson_id)
            .values(text="Handover plans signed with each ministry.")
        )
    assert _search(db, ev, "handover") == [lesson_id]
    assert _search(db, ev, "budgeting") == []
    with db.write() as session:
        session.execute(delete(Lesson).where(Lesson.id == lesson_id))
    assert _search(db, ev, "handover") == []


def test_the_search_uses_the_index_of_revision_0002(db: Database, lessons: Lessons) -> None:
    with db.read() as session:
        dialect = session.get_bind().dialect
        stmt = q.ranked_statement(dialect.name, "mentoring", [], 10)
        assert stmt is not None
        sql = str(stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        if dialect.name == "sqlite":
            plan = " ".join(str(r[-1]) for r in session.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
            assert "lesson_fts VIRTUAL TABLE INDEX" in plan
        else:
            session.execute(text("SET LOCAL enable_seqscan = off"))
            plan = " ".join(r[0] for r in session.execute(text(f"EXPLAIN {sql}")))
            assert "ix_lesson_search" in plan


def test_lessons_recorded_before_the_search_migration_are_found(empty_db_url: str) -> None:
    db = Database(empty_db_url)
    migrate.upgrade(db, "0001")
    # Written as SQL against the 0001 schema: today's models have columns it does not have.
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO user_account (id, email, name, is_active, must_change_password, "
                "failed_logins, created_at) VALUES (1, 'early@test.rbm', 'Early', :t, :f, 0, :now)"
            ),
            {"t": True, "f": False, "now": datetime(2026, 1, 5, tzinfo=UTC)},
        )
        conn.execute(
            text(
                "INSERT INTO lesson (id, title, text, what_worked, what_did_not, evidence, "
                "recorded_by_id, recorded_at) VALUES (1, 'An early lesson', "
                "'Recorded before full-text search existed.', '', '', '', 1, :now)"
            ),
            {"now": datetime(2026, 1, 5, tzinfo=UTC)},
        )
    migrate.upgrade(db)
    evaluator = Principal(
        user_id=1,
        email="early@test.rbm",
        name="Early",
        grants=(Grant(role=Role.EVALUATOR, scope_type=ScopeType.GLOBAL),),
    )
    assert len(_search(db, evaluator, "existed")) == 1
    db.dispose()


# --- Lessons relevant to a project ---------------------------------------------------------------


def _relevant(
    db: Database, who: Principal, project_id: int, limit: int = 5
) -> list[tuple[int, str]]:
    with db.read() as session:
        found = q.relevant_lessons(session, principal=who, project_id=project_id, limit=limit)
    return list(zip(found["lesson_id"].astype(int), found["reasons"], strict=True))


def test_the_project_own_lessons_come_first_then_its_area_then_its_countries(
    db: Database, lessons: Lessons
) -> None:
    ids, ev = lessons.ids, lessons.who("evaluator")
    assert _relevant(db, ev, lessons.world.projects["P-HN"]) == [
        (ids["hn"], "this project, same priority area, same country"),
        (ids["wp"], "same priority area"),
    ]
    # P-REG: data collection in HN and SV.
    assert _relevant(db, ev, lessons.world.projects["P-REG"]) == [
        (ids["ke"], "same priority area"),
        (ids["hn"], "same country"),
        (ids["sv"], "same country"),
    ]
    assert len(_relevant(db, ev, lessons.world.projects["P-REG"], limit=1)) == 1


def test_a_project_with_similar_words_finds_lessons_from_elsewhere(
    db: Database, lessons: Lessons
) -> None:
    admin = lessons.who("admin")
    with db.write() as session:
        area = create_priority_area(session, principal=admin, code="cybercrime", name="Cybercrime")
        project = projects.create_project(
            session,
            principal=admin,
            new=projects.NewProject(
                code="P-PA",
                title="Mentoring prosecutors in Panama",
                description="Witness relocation and the protection of witnesses.",
                provider_id=make_org(session, admin, "Provider A"),
                start_date=date(2025, 1, 1),
                end_date=date(2026, 12, 31),
                priority_area_ids=[area.id],
                countries={"PA": Decimal(100)},
            ),
        )
    found = _relevant(db, lessons.who("evaluator"), project.id)
    assert {lesson for lesson, _ in found} == {lessons.ids["hn"], lessons.ids["wp"]}
    assert {reason for _, reason in found} == {"similar text"}


def test_relevant_lessons_of_a_project_out_of_sight_are_refused(
    db: Database, lessons: Lessons
) -> None:
    with pytest.raises(NotFound), db.read() as session:
        q.relevant_lessons(
            session, principal=lessons.who("manager_b"), project_id=lessons.world.projects["P-HN"]
        )


# --- Digest ----------------------------------------------------------------------------------


def test_the_digest_of_an_area_holds_its_lessons_ratings_and_open_recommendations(
    db: Database, lessons: Lessons
) -> None:
    with db.read() as session:
        digest = q.lesson_digest(
            session, principal=lessons.who("evaluator"), priority_area="witness-protection"
        )
    assert digest.subject == "Witness Protection"
    assert set(digest.lessons["lesson_id"]) == {lessons.ids["hn"], lessons.ids["wp"]}
    # The evaluation of P-HN (a project in the area) and the area's own evaluation.
    assert len(digest.evaluations) == 2
    assert digest.ratings["criterion"].tolist() == [c.value for c in DacCriterion]
    assert digest.ratings["mean_score"].tolist() == [3.0] * 6
    assert digest.open_recommendations["number"].tolist() == [1, 2]
    markdown = q.digest_markdown(digest)
    assert markdown.startswith("# Lessons learned: Witness Protection\n")
    assert "| Relevance | 3.0 | 2 |" in markdown
    assert "### Effectiveness" in markdown
    assert "#### Mentoring works better than one-off workshops" in markdown
    assert "- **What worked:** Embedded mentors." in markdown
    book = load_workbook(io.BytesIO(digest_excel(digest)))
    assert book.sheetnames == ["Lessons", "Ratings", "Open recommendations", "Evaluations"]
    assert book["Lessons"].max_row == 3


def test_the_digest_of_a_country_shows_only_what_the_reader_may_read(
    db: Database, lessons: Lessons
) -> None:
    with db.read() as session:
        digest = q.lesson_digest(session, principal=lessons.who("manager_b"), country="HN")
    assert digest.subject == "Honduras"
    assert digest.lessons.empty
    assert digest.evaluations["title"].tolist() == ["Country evaluation HN"]
    assert "0 lessons and 1 evaluation" in q.digest_markdown(digest)


def test_a_digest_of_an_unknown_area_is_refused(db: Database, lessons: Lessons) -> None:
    with pytest.raises(NotFound, match="priority area"), db.read() as session:
        q.lesson_digest(session, principal=lessons.who("evaluator"), priority_area="nowhere")
