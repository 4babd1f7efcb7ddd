"""Reports read back as a person would: the .docx opened with python-docx, the PDF's text
extracted with pypdf. Their figures equal the engine's for the period and the reader's scope;
a donor's report holds no project it does not fund and no unapproved value; bad input (no
approved value, no logframe, a missing or broken logo, a broken photo, Markdown and HTML in
text) builds with a clear note.

One small world on SQLite is built once for the module (reports are slow to render); the
queries they read are tested on both backends elsewhere."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from pypdf import PdfReader
from sqlalchemy import update

from rbm import migrate
from rbm.cli import main
from rbm.db import Database
from rbm.errors import NotFound, PermissionDenied
from rbm.models import NarrativePhoto
from rbm.models.enums import Measure, Role, ScopeType
from rbm.principal import Principal
from rbm.queries.project import project_view
from rbm.reports import build
from rbm.reports.project_report import INDICATOR_COLUMNS
from rbm.reports.render import render
from rbm.reports.render_pdf import to_html
from rbm.reports.text import number, percent
from rbm.services import measurements, narratives, projects
from rbm.services.periods import lock_period
from rbm.settings import get_settings
from tests.integration.test_narratives import png_bytes
from tests.utils.builders import BuiltProject, LogframeBuilder, log_approved, make_org, make_user

HOSTILE = "**bold** <script>alert(1)</script> <b>x</b> [link](http://evil.example)"
UNAPPROVED = "777"


@dataclass
class World:
    db: Database
    a: BuiltProject
    b: BuiltProject
    admin: Principal
    donor_a: Principal
    focal: Principal


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    path = tmp_path_factory.mktemp("reports") / "rbm.sqlite3"
    db = Database(f"sqlite:///{path}")
    migrate.upgrade(db)
    with db.write() as session:
        admin = make_user(session, Role.ADMIN)
        a = (
            LogframeBuilder(code="REP-A", donor="Donor A")
            .with_indicator("1.a", baseline=5, target=105)
            .with_indicator("1.b", measure=Measure.PERCENTAGE, baseline=20, target=60)
            .build(session, admin)
        )
        b = (
            LogframeBuilder(code="REP-B", donor="Donor B", countries={"GT": 100})
            .with_indicator("1.a")
            .build(session, admin)
        )
        scope = {"scope_type": ScopeType.PROJECT, "project_id": a.project_id}
        officer = make_user(session, Role.OFFICER, scope=scope)
        manager = make_user(session, Role.MANAGER, scope=scope)
        for period, value, (num, den) in (("2024-Q1", 10, (3, 10)), ("2024-Q2", 15, (9, 20))):
            pid = a.period_ids[period]
            ind = a.indicator_ids
            log_approved(
                session,
                officer=officer,
                manager=manager,
                indicator_id=ind["1.a"],
                period_id=pid,
                value=value,
            )
            log_approved(
                session,
                officer=officer,
                manager=manager,
                indicator_id=ind["1.b"],
                period_id=pid,
                numerator=num,
                denominator=den,
            )
        measurements.save_draft(
            session,
            principal=officer,
            indicator_id=a.indicator_ids["1.a"],
            period_id=a.period_ids["2024-Q2"],
            values=measurements.Values(value=Decimal(UNAPPROVED)),
        )
        n = narratives.save_draft(
            session,
            principal=officer,
            period_id=a.period_ids["2024-Q2"],
            text=narratives.NarrativeText(
                achievements=HOSTILE,
                challenges="Staff turnover slowed the training.",
                story="Ana could testify safely.",
                photo=narratives.Photo(
                    filename="ana.png", content=png_bytes(), consent="Signed consent form"
                ),
            ),
        )
        narratives.submit(session, principal=officer, narrative_id=n.id)
        narratives.approve(session, principal=manager, narrative_id=n.id)
        lock_period(session, principal=manager, period_id=a.period_ids["2024-Q1"])
        projects.create_project(
            session,
            principal=admin,
            new=projects.NewProject(
                code="REP-C",
                title="No logframe yet",
                provider_id=make_org(session, admin, "Provider Org"),
                start_date=date(2024, 1, 1),
                end_date=date(2024, 12, 31),
                countries={"HN": Decimal(100)},
            ),
        )
        donor_a = make_user(
            session,
            Role.DONOR,
            scope={"scope_type": ScopeType.ORGANISATION, "organisation_id": a.donor_id},
        )
        focal = make_user(
            session,
            Role.STATE_FOCAL_POINT,
            scope={"scope_type": ScopeType.COUNTRY, "country_code": "HN"},
        )
    yield World(db, a, b, admin, donor_a, focal)
    db.dispose()


def _report(world: World, who: Principal, kind: str, subject: str, period: str) -> object:
    with world.db.read() as session:
        return build(session, principal=who, kind=kind, subject=subject, period=period)


def _docx_text(data: bytes) -> tuple[str, list[list[list[str]]]]:
    doc = Document(BytesIO(data))
    text = "\n".join(p.text for p in doc.paragraphs)
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    return text, tables


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(BytesIO(data)).pages)


@pytest.fixture(scope="module")
def project_files(world: World) -> dict[str, bytes]:
    report = _report(world, world.donor_a, "project", "REP-A", "2024-Q2")
    return {fmt: render(report, fmt) for fmt in ("docx", "pdf")}  # type: ignore[arg-type]


def _engine_rows(world: World, who: Principal) -> dict[str, list[str]]:
    with world.db.read() as session:
        view = project_view(session, principal=who, code="REP-A", as_of=date(2024, 6, 30))
    return {
        str(r["code"]): [
            number(r["baseline"]),
            number(r["target_value"]),
            number(r["actual"]),
            percent(r["progress"]),
        ]
        for _, r in view.indicators.iterrows()
    }


def test_the_word_report_shows_the_engines_figures_for_the_period(
    world: World, project_files: dict[str, bytes]
) -> None:
    _text, tables = _docx_text(project_files["docx"])
    indicator_tables = [t for t in tables if t[0] == list(INDICATOR_COLUMNS)]
    rows = {row[0]: row for t in indicator_tables for row in t[1:]}
    expected = _engine_rows(world, world.donor_a)
    assert set(rows) == set(expected) == {"1.a", "1.b"}
    col = {name: i for i, name in enumerate(INDICATOR_COLUMNS)}
    for code, (baseline, target, to_date, progress) in expected.items():
        row = rows[code]
        assert [row[col["Baseline"]], row[col["Target"]], row[col["To date"]]] == [
            baseline,
            target,
            to_date,
        ]
        assert row[col["Progress"]] == progress
    assert rows["1.a"][col["This period"]] == "15"  # the approved value, not the draft
    assert rows["1.a"][col["To date"]] == "25"  # 10 + 15: new results, baseline not added
    assert rows["1.b"][col["To date"]] == "40"  # (3 + 9) / (10 + 20), pooled


def test_the_pdf_report_shows_the_same_figures_and_no_unapproved_value(
    world: World, project_files: dict[str, bytes]
) -> None:
    text = _pdf_text(project_files["pdf"])
    for code, (baseline, target, to_date, progress) in _engine_rows(world, world.donor_a).items():
        line = next(ln for ln in text.splitlines() if ln.startswith(f"{code} "))
        assert f"{baseline} {target}" in line and progress in text
        assert to_date in line
    assert UNAPPROVED not in text
    assert "Indicators with an approved value for 2024-Q2: 2" in text


def test_an_unlocked_period_is_said_on_the_cover_and_a_locked_one_is_not(
    world: World, project_files: dict[str, bytes]
) -> None:
    text = _pdf_text(project_files["pdf"])
    assert "Reporting period 2024-Q2 is not locked" in text
    locked = _report(world, world.admin, "project", "REP-A", "2024-Q1")
    cover = locked.cover  # type: ignore[attr-defined]
    assert not any("not locked" in n for n in cover.notes)


def test_markdown_and_html_in_narratives_stay_literal_text(
    world: World, project_files: dict[str, bytes]
) -> None:
    docx_text, _ = _docx_text(project_files["docx"])
    assert HOSTILE in docx_text
    html = to_html(_report(world, world.admin, "project", "REP-A", "2024-Q2"))  # type: ignore[arg-type]
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>x</b>" not in html
    pdf_text = _pdf_text(project_files["pdf"])
    assert "**bold**" in pdf_text and "<script>alert(1)</script>" in pdf_text


def test_the_story_photo_is_shown_with_its_consent(
    world: World, project_files: dict[str, bytes]
) -> None:
    doc = Document(BytesIO(project_files["docx"]))
    assert len(doc.inline_shapes) >= 4  # logo, charts, results chain, photo
    assert "Photo used with consent: Signed consent form" in _pdf_text(project_files["pdf"])


def test_a_donors_report_holds_only_projects_it_funds_and_no_unapproved_value(
    world: World,
) -> None:
    report = _report(world, world.donor_a, "donor", "Donor A", "2024-Q2")
    text, tables = _docx_text(render(report, "docx"))  # type: ignore[arg-type]
    cells = "\n".join(c for t in tables for row in t for c in row)
    assert "REP-A" in cells and "REP-B" not in cells and "REP-B" not in text
    assert UNAPPROVED not in cells
    pdf = _pdf_text(render(report, "pdf"))  # type: ignore[arg-type]
    assert "REP-A" in pdf and "REP-B" not in pdf


def test_a_donor_cannot_read_another_donors_report(world: World) -> None:
    with pytest.raises(PermissionDenied):
        _report(world, world.donor_a, "donor", "Donor B", "2024")


def test_a_focal_point_reads_their_countrys_report_only(world: World) -> None:
    report = _report(world, world.focal, "country", "HN", "2024")
    text, tables = _docx_text(render(report, "docx"))  # type: ignore[arg-type]
    cells = "\n".join(c for t in tables for row in t for c in row)
    assert "REP-A" in cells and "REP-B" not in cells
    assert "Recipient-State report" in text
    with pytest.raises(PermissionDenied):
        _report(world, world.focal, "country", "GT", "2024")


def test_a_project_without_logframe_or_approved_values_builds_with_a_note(world: World) -> None:
    report = _report(world, world.admin, "project", "REP-C", "2024-Q2")
    text = _pdf_text(render(report, "pdf"))  # type: ignore[arg-type]
    assert "This project has no logframe yet" in text
    assert "No logframe: no results chain to draw." in text
    empty = _report(world, world.admin, "project", "REP-A", "2024-Q4")
    docx_text, _ = _docx_text(render(empty, "docx"))  # type: ignore[arg-type]
    assert "No value has been approved for 2024-Q4 yet" in docx_text
    assert "No narrative has been approved for this period." in docx_text


def test_a_missing_or_broken_logo_is_noted_on_the_cover(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RBM_REPORT_LOGO", str(tmp_path / "nowhere.png"))
    get_settings.cache_clear()
    missing = _report(world, world.admin, "project", "REP-A", "2024-Q2")
    assert any("was not found" in n for n in missing.cover.notes)  # type: ignore[attr-defined]
    fake = tmp_path / "logo.png"
    fake.write_text("<svg onload=alert(1)>not a picture</svg>")
    monkeypatch.setenv("RBM_REPORT_LOGO", str(fake))
    get_settings.cache_clear()
    broken = _report(world, world.admin, "project", "REP-A", "2024-Q2")
    assert broken.cover.logo is None  # type: ignore[attr-defined]
    docx_text, _ = _docx_text(render(broken, "docx"))  # type: ignore[arg-type]
    assert "logo.png is not a PNG or JPEG image" in docx_text


def test_a_stored_photo_that_is_not_an_image_is_left_out_with_a_note(world: World) -> None:
    with world.db.write() as session:
        session.execute(update(NarrativePhoto).values(content=b"garbage"))
    try:
        report = _report(world, world.admin, "project", "REP-A", "2024-Q2")
        docx_text, _ = _docx_text(render(report, "docx"))  # type: ignore[arg-type]
    finally:
        with world.db.write() as session:
            session.execute(update(NarrativePhoto).values(content=png_bytes()))
    assert "The story's photo is not a readable image; left out." in docx_text


def test_an_unknown_period_is_refused_with_the_periods_there_are(world: World) -> None:
    with pytest.raises(NotFound, match="2024-Q1, 2024-Q2"):
        _report(world, world.admin, "project", "REP-A", "1999-Q1")


def test_rbm_report_writes_a_word_file_for_a_user(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RBM_DATABASE_URL", world.db.url)
    get_settings.cache_clear()
    with world.db.read() as session:
        from sqlalchemy import select

        from rbm.models import User

        email = session.scalar(select(User.email).where(User.id == world.donor_a.user_id))
    out = tmp_path / "report.docx"
    result = CliRunner().invoke(
        main,
        [
            "report",
            "project",
            "REP-A",
            "--period",
            "2024-Q2",
            "--format",
            "docx",
            "--out",
            str(out),
            "--user",
            str(email),
        ],
    )
    assert result.exit_code == 0, result.output
    _text, tables = _docx_text(out.read_bytes())
    assert any(row[0] == "1.a" for t in tables for row in t)


def test_a_report_is_rendered_once_its_read_transaction_is_closed(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rbm.reports import render as rendering

    open_connections: list[int] = []
    real = rendering.render

    def watched(report: object, fmt: str) -> bytes:
        open_connections.append(world.db.engine.pool.checkedout())
        return real(report, fmt)  # type: ignore[arg-type]

    monkeypatch.setattr(rendering, "render", watched)
    request = rendering.ReportRequest("project", "REP-A", "2024-Q2", "docx")
    name, data = rendering.produce(world.db, principal=world.donor_a, request=request)
    assert open_connections == [0]  # rendering takes seconds and needs no database
    assert name.endswith("-2024-Q2.docx") and data.startswith(b"PK")
