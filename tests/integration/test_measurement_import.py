"""Measurements by spreadsheet: the template, row-level refusals that leave the database
unchanged, and a valid file saved whole."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy import func, select

from rbm.db import Database
from rbm.errors import PermissionDenied, ValidationFailed
from rbm.exchange import measurement_import as imp
from rbm.models import Measurement
from rbm.models.enums import Measure, MeasurementStatus, Role, ScopeType
from rbm.principal import Principal
from rbm.services import measurements
from tests.utils.builders import BuiltProject, LogframeBuilder, make_user


@pytest.fixture
def team(db: Database) -> tuple[BuiltProject, Principal]:
    with db.write() as session:
        admin = make_user(session, Role.ADMIN)
        built = (
            LogframeBuilder(code="IMP-1")
            .with_indicator("1.a")
            .with_indicator("1.b", measure=Measure.PERCENTAGE, baseline=20, target=60)
            .build(session, admin)
        )
        officer = make_user(
            session,
            Role.OFFICER,
            scope={"scope_type": ScopeType.PROJECT, "project_id": built.project_id},
        )
    return built, officer


def _template(db: Database, officer: Principal) -> pd.DataFrame:
    with db.read() as session:
        return imp.template(
            session, principal=officer, project_code="IMP-1", today=date(2024, 7, 15)
        )


def _upload(df: pd.DataFrame) -> pd.DataFrame:
    return imp.read_upload("filled.csv", imp.to_bytes(df, fmt="csv"))


def test_the_template_lists_each_indicator_for_each_started_period(db: Database, team) -> None:
    _built, officer = team
    df = _template(db, officer)
    assert list(df.columns) == imp.COLUMNS
    assert sorted(set(df["period"])) == ["2024-Q1", "2024-Q2", "2024-Q3"]
    assert len(df) == 6 and df["value"].isna().all()


def test_a_bad_file_is_refused_row_by_row_and_nothing_is_saved(db: Database, team) -> None:
    _built, officer = team
    df = _template(db, officer)
    df.loc[0, "value"] = "ten"
    df.loc[1, "numerator"] = "5"
    df.loc[2, "value"] = "7"
    df.loc[2, "indicator"] = "9.z"
    df.loc[3, ["numerator", "denominator"]] = ["1", "2"]
    with pytest.raises(ValidationFailed) as err, db.write() as session:
        imp.import_measurements(session, principal=officer, df=_upload(df))
    problems = err.value.problems
    assert "row 2, column value: 'ten' is not a number; write digits only, e.g. 12.5" in problems
    assert "row 3, column denominator: is required for a percentage indicator; fill it" in problems
    assert (
        "row 4, column indicator: '9.z' is not an indicator of this project; "
        "use the template's codes" in problems
    )
    assert not any(str(p).startswith("row 5") for p in problems)
    with db.read() as session:
        assert session.scalar(select(func.count(Measurement.id))) == 0


def test_a_valid_file_saves_and_submits_every_filled_row(db: Database, team) -> None:
    _built, officer = team
    df = _template(db, officer)
    df.loc[0, "value"] = "10"
    df.loc[1, ["numerator", "denominator"]] = ["3", "4"]
    seen: list[float] = []
    with db.write() as session:
        report = imp.import_measurements(
            session,
            principal=officer,
            df=_upload(df),
            submit=True,
            progress=lambda f, _: seen.append(f),
        )
    assert (report.saved, report.submitted, report.skipped_blank) == (2, 2, 4)
    assert seen and seen[-1] == 1.0
    with db.read() as session:
        rows = session.execute(
            select(Measurement.value, Measurement.status).order_by(Measurement.id)
        ).all()
    assert [(float(v), s) for v, s in rows] == [
        (10.0, MeasurementStatus.SUBMITTED),
        (75.0, MeasurementStatus.SUBMITTED),
    ]


def test_an_officer_of_another_project_cannot_import_into_this_one(db: Database, team) -> None:
    _built, _ = team
    with db.write() as session:
        outsider = make_user(
            session, Role.OFFICER, scope={"scope_type": ScopeType.COUNTRY, "country_code": "GT"}
        )
    df = pd.DataFrame(
        [
            {
                "project": "IMP-1",
                "indicator": "1.a",
                "period": "2024-Q1",
                "value": "3",
                "numerator": None,
                "denominator": None,
                "narrative": None,
            }
        ]
    )
    with pytest.raises(ValidationFailed) as err, db.write() as session:
        imp.import_measurements(session, principal=outsider, df=df)
    assert (
        "row 2, column project: 'IMP-1' is not a project you may log results for; "
        "use the template's code" in err.value.problems
    )


def test_the_command_exits_non_zero_with_the_row_report(
    db: Database, team, tmp_path: pytest.TempPathFactory
) -> None:
    import os
    import subprocess
    import sys

    _built, officer = team
    df = _template(db, officer)
    df.loc[0, "value"] = "lots"
    path = tmp_path / "filled.csv"  # type: ignore[operator]
    path.write_bytes(imp.to_bytes(df, fmt="csv"))
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from rbm.cli import run; run()",
            "import-measurements",
            str(path),
            "--user",
            officer.email,
        ],
        env={**os.environ, "RBM_DATABASE_URL": db.url},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "row 2, column value: 'lots' is not a number; write digits only" in result.stderr


def test_whoever_overwrote_a_draft_by_import_may_not_approve_it(db: Database, team) -> None:
    built, officer = team
    with db.write() as session:
        manager = make_user(
            session,
            Role.MANAGER,
            scope={"scope_type": ScopeType.PROJECT, "project_id": built.project_id},
        )
        draft = measurements.save_draft(
            session,
            principal=officer,
            indicator_id=built.indicator_ids["1.a"],
            period_id=built.period_ids["2024-Q1"],
            values=measurements.Values(value=Decimal(4)),
        )
    df = _template(db, manager)
    df.loc[(df["indicator"] == "1.a") & (df["period"] == "2024-Q1"), "value"] = "999"
    with db.write() as session:
        imp.import_measurements(session, principal=manager, df=_upload(df))
    with db.write() as session:
        measurements.submit(session, principal=officer, measurement_id=draft.id)
    with pytest.raises(PermissionDenied, match="you edited this value"), db.write() as session:
        measurements.approve(session, principal=manager, measurement_id=draft.id)
    with db.read() as session:
        assert session.get(Measurement, draft.id).value == Decimal(999)  # type: ignore[union-attr]
