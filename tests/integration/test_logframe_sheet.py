"""The logframe spreadsheet on SQLite and PostgreSQL: the example Firearms Protocol logframe
imports through the CLI and the service, a re-import changes nothing, an edited file updates by
code and says what changed, a bad file lists every problem and writes nothing, and the
pre-filled export imports back as the same logframe."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from rbm.db import Database
from rbm.errors import ValidationFailed
from rbm.exchange.logframe_sheet import Logframe, export_logframe, read_logframe, to_csv, to_excel
from rbm.exchange.logframe_sheet_import import import_logframe
from rbm.models import AuditEvent, Indicator, ResultNode, TargetPart
from rbm.models.enums import Measure, OrgType, Role, ScopeType
from rbm.principal import Principal
from rbm.queries import logframe_editor as q
from rbm.services import projects
from rbm.services.reference import create_dimension, create_library_indicator
from rbm.settings import get_settings
from tests.utils.builders import make_org, make_user

EXAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "logframe_firearms_protocol.csv"


@pytest.fixture
def world(db: Database) -> tuple[Principal, int]:
    """The regional programme (no logframe yet) and a manager of its provider."""
    with db.write() as session:
        admin = make_user(session, Role.ADMIN)
        provider = make_org(session, admin, "UNODC")
        donor = make_org(session, admin, "Norway", OrgType.GOVERNMENT)
        create_dimension(
            session,
            principal=admin,
            code="sex",
            name="Sex",
            exhaustive=True,
            values=[("female", "Female"), ("male", "Male")],
        )
        create_library_indicator(
            session,
            principal=admin,
            code="LIB-TRAINED",
            title="People trained",
            unit="people",
            measure=Measure.NUMBER,
        )
        manager = make_user(
            session,
            Role.MANAGER,
            scope={"scope_type": ScopeType.ORGANISATION, "organisation_id": provider},
            email="manager@fp.test",
        )
        project = projects.create_project(
            session,
            principal=manager,
            new=projects.NewProject(
                code="FP-CA",
                title="Firearms Protocol in Central America",
                provider_id=provider,
                start_date=date(2025, 1, 1),
                end_date=date(2027, 12, 31),
                countries={"HN": Decimal(40), "GT": Decimal(35), "SV": Decimal(25)},
                funding=[
                    projects.FundingLine(
                        donor_id=donor, amount=Decimal(2_400_000), date_from=date(2025, 1, 1)
                    )
                ],
            ),
        )
        return manager, project.id


def _example() -> Logframe:
    return read_logframe(EXAMPLE.name, EXAMPLE.read_bytes())


def _import(db: Database, manager: Principal, frame: Logframe) -> list[str]:
    with db.write() as session:
        return import_logframe(
            session, principal=manager, project_code="FP-CA", frame=frame, filename="x.csv"
        ).changes


def test_the_example_imports_through_the_cli_and_a_second_import_changes_nothing(
    db: Database, world: tuple[Principal, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from rbm.cli import main

    monkeypatch.setenv("RBM_DATABASE_URL", db.url)
    get_settings.cache_clear()
    args = ["import-logframe", str(EXAMPLE), "--project", "FP-CA", "--user", "manager@fp.test"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert "added result 2.2.1" in first.output
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(ResultNode)) == 11
        assert session.scalar(select(func.count()).select_from(Indicator)) == 6
        assert session.scalar(select(func.count()).select_from(TargetPart)) == 2
        events = session.scalar(select(func.count()).select_from(AuditEvent))
    second = CliRunner().invoke(main, args)
    assert second.exit_code == 0, second.output
    assert "Nothing changed" in second.output
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_an_edited_file_updates_in_place_by_code_and_reports_what_changed(
    db: Database, world: tuple[Principal, int]
) -> None:
    manager, pid = world
    _import(db, manager, _example())
    frame = _example()
    # Rows shuffled: matching is by code, never by position.
    results = frame.results.iloc[::-1].copy()
    results.loc[results["code"] == "1.2", "statement"] = "Parliaments briefed on the Protocol"
    indicators = frame.indicators.copy()
    indicators.loc[indicators["code"] == "2.1.a", "target_lop"] = "12"
    changes = _import(db, manager, Logframe(results, indicators, frame.targets))
    assert changes == ["updated result 1.2", "life-of-project target of 2.1.a: 12"]
    with db.read() as session:
        tree = q.logframe_tree(session, principal=manager, project_id=pid)
        history = q.target_history(
            session,
            principal=manager,
            indicator_id=int(
                q.logframe_indicators(session, principal=manager, project_id=pid)
                .set_index("code")
                .at["2.1.a", "indicator_id"]
            ),
        )
    assert tree.set_index("code").at["1.2", "statement"] == "Parliaments briefed on the Protocol"
    assert history.iloc[-1]["reason"].startswith("Logframe spreadsheet x.csv")


def test_a_bad_file_lists_every_problem_and_writes_nothing(
    db: Database, world: tuple[Principal, int]
) -> None:
    manager, _pid = world
    frame = _example()
    results, indicators = frame.results.copy(), frame.indicators.copy()
    results.loc[results["code"] == "1.1", "statement"] = None
    results.loc[results["code"] == "2.2.1", "level"] = "output"
    results.loc[results["code"] == "2.1", "code"] = "2.2"
    indicators.loc[indicators["code"] == "2.a", "denominator_rule"] = None
    indicators.loc[indicators["code"] == "1.2.a", "library_code"] = "LIB-NONE"
    indicators.loc[indicators["code"] == "I.a", "target_lop"] = "5"
    indicators.loc[indicators["code"] == "1.a", "baseline_date"] = "2028-01-31"
    with pytest.raises(ValidationFailed) as exc:
        _import(db, manager, Logframe(results, indicators, frame.targets))
    text = str(exc.value)
    assert "results row 4, column statement: a value is required" in text
    # Schema problems come first; fix them to see the rules across rows, all at once.
    results.loc[results["code"] == "1.1", "statement"] = "Drafts prepared"
    with pytest.raises(ValidationFailed) as exc:
        _import(db, manager, Logframe(results, indicators, frame.targets))
    text = str(exc.value)
    for expected in (
        "column code: '2.2' appears more than once",
        "column level: a output cannot sit under the output 2.2",
        "column denominator_rule: a percentage indicator",
        "column library_code: no library indicator 'LIB-NONE'",
        "column target_lop: 5 is below the baseline 12 of an increasing indicator",
        "column baseline_date: 2028-01-31 is after the project's end",
    ):
        assert expected in text
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(ResultNode)) == 0


def test_the_prefilled_export_imports_back_as_the_same_logframe(
    db: Database, world: tuple[Principal, int]
) -> None:
    manager, pid = world
    _import(db, manager, _example())
    with db.read() as session:
        xlsx = export_logframe(session, principal=manager, project_id=pid)
        csv = export_logframe(session, principal=manager, project_id=pid, fmt="csv")
    assert _import(db, manager, read_logframe("back.xlsx", xlsx)) == []
    assert _import(db, manager, read_logframe("back.csv", csv)) == []
    exported = read_logframe("back.xlsx", xlsx)
    assert sorted(exported.results["code"]) == sorted(_example().results["code"])
    assert (
        exported.targets.query("part == 'sex:female'")["value"].tolist()
        == _example().targets.query("part == 'sex:female'")["value"].tolist()
    )


def test_an_xlsx_and_a_csv_of_the_same_logframe_read_alike() -> None:
    frame = _example()
    from_xlsx = read_logframe("a.xlsx", to_excel(frame))
    from_csv = read_logframe("a.csv", to_csv(frame))
    pd.testing.assert_frame_equal(
        from_xlsx.indicators.reset_index(drop=True), from_csv.indicators.reset_index(drop=True)
    )
