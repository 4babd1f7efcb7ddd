"""Spreadsheets as people save them: French Excel CSV, breakdown columns, ten different bad rows
reported at once with their fixes, and one audit event per import."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sqlalchemy import func, select

from rbm.db import Database
from rbm.errors import ValidationFailed
from rbm.exchange import measurement_import as imp
from rbm.models import AuditEvent, IndicatorDimension, Measurement, MeasurementBreakdown
from rbm.models.enums import Measure, MeasurementStatus, Role, ScopeType
from rbm.principal import Principal
from rbm.services import reference
from tests.utils.builders import BuiltProject, LogframeBuilder, make_user

TODAY = date(2024, 7, 15)


@pytest.fixture
def sheet_team(db: Database) -> tuple[BuiltProject, Principal]:
    with db.write() as session:
        admin = make_user(session, Role.ADMIN)
        built = (
            LogframeBuilder(code="XLS-1")
            .with_indicator("1.a")
            .with_indicator("1.b", measure=Measure.PERCENTAGE, baseline=20, target=60)
            .with_indicator("1.c", measure=Measure.YES_NO, baseline=0, target=1)
            .with_indicator("1.d", measure=Measure.QUALITATIVE, baseline=None, target=None)
            .build(session, admin)
        )
        sex = reference.create_dimension(
            session,
            principal=admin,
            code="sex",
            name="Sex",
            exhaustive=True,
            values=[("f", "Female"), ("m", "Male")],
        )
        session.add(
            IndicatorDimension(indicator_id=built.indicator_ids["1.a"], dimension_id=sex.id)
        )
        officer = make_user(
            session,
            Role.OFFICER,
            scope={"scope_type": ScopeType.PROJECT, "project_id": built.project_id},
        )
    return built, officer


def _template(db: Database, officer: Principal) -> pd.DataFrame:
    with db.read() as session:
        return imp.template(session, principal=officer, project_code="XLS-1", today=TODAY)


def _row(df: pd.DataFrame, indicator: str, period: str = "2024-Q1") -> int:
    return int(df.index[(df["indicator"] == indicator) & (df["period"] == period)][0])


def test_the_template_has_a_column_per_breakdown_part(db: Database, sheet_team) -> None:
    df = _template(db, sheet_team[1])
    assert list(df.columns) == [*imp.COLUMNS, "Sex: Female", "Sex: Male"]


def test_a_french_excel_csv_is_read_and_what_was_detected_is_reported(
    db: Database, sheet_team
) -> None:
    _built, officer = sheet_team
    df = _template(db, officer)
    df.loc[_row(df, "1.a"), ["value", "Sex: Female", "Sex: Male"]] = ["12,5", "7,5", "5"]
    df.loc[_row(df, "1.b"), ["numerator", "denominator"]] = ["1,5", "3"]
    df.loc[_row(df, "1.c"), "value"] = "oui"
    df.loc[_row(df, "1.d"), "narrative"] = "Réunion tenue à León"
    content = df.to_csv(index=False, sep=";").encode("cp1252")
    upload = imp.read_upload("filled.csv", content)
    with db.write() as session:
        report = imp.import_measurements(session, principal=officer, df=upload, today=TODAY)
    assert report.saved == 4
    assert "encoding Windows-1252, separator semicolon, decimal comma" in str(report)
    with db.read() as session:
        values = sorted(
            float(v) for v in session.scalars(select(Measurement.value)) if v is not None
        )
        parts = sorted(float(v) for v in session.scalars(select(MeasurementBreakdown.value)))
        narrative = session.scalar(select(Measurement.narrative).where(Measurement.value.is_(None)))
    assert values == [1.0, 12.5, 50.0]
    assert parts == [5.0, 7.5]
    assert narrative == "Réunion tenue à León"


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        ("\ufeffa;b\n".encode(), "UTF-8 with BOM"),
        ("a\tb\n".encode("utf-16"), "UTF-16"),
        (b"a,b\n", "UTF-8"),
        ("é;b\n".encode("cp1252"), "Windows-1252"),
    ],
)
def test_the_encoding_is_detected(raw: bytes, encoding: str) -> None:
    from rbm.exchange.measurement_read import decode

    assert decode(raw)[1] == encoding


def test_ten_different_bad_rows_are_all_reported_at_once_and_nothing_is_saved(
    db: Database, sheet_team
) -> None:
    _built, officer = sheet_team
    df = _template(db, officer)
    q1, q2, q3 = "2024-Q1", "2024-Q2", "2024-Q3"
    df.loc[_row(df, "1.a", q1), "value"] = "yes"  # row 2: not a number
    df.loc[_row(df, "1.b", q1), ["numerator", "denominator"]] = ["9", "3"]  # 3: num > den
    df.loc[_row(df, "1.c", q1), "value"] = "maybe"  # 4: not yes/no
    df.loc[_row(df, "1.d", q1), "narrative"] = "x" * 5000  # 5: too long
    df.loc[_row(df, "1.a", q2), "value"] = "-3"  # 6: negative count
    df.loc[_row(df, "1.b", q2), ["numerator", "denominator"]] = ["inf", "4"]  # 7: not finite
    df.loc[_row(df, "1.c", q2), "value"] = "1\x00"  # 8: NUL byte
    df.loc[_row(df, "1.a", q3), "value"] = "1.23456"  # 10: beyond precision
    df.loc[_row(df, "1.b", q3), ["numerator", "denominator"]] = ["1", "0"]  # 11: den 0
    extra = df.loc[[_row(df, "1.a", q3)]].assign(value="4")  # 14: duplicate of row 10
    late = df.loc[[_row(df, "1.a", q3)]].assign(period="2024-Q4", value="4")  # 15: not started
    bad = pd.concat([df, extra, late], ignore_index=True)
    with pytest.raises(ValidationFailed) as err, db.write() as session:
        imp.import_measurements(
            session, principal=officer, df=imp.read_upload("bad.csv", imp.to_bytes(bad, fmt="csv")),
            today=TODAY,
        )  # fmt: skip
    problems = err.value.problems
    expected = [
        "row 2, column value: 'yes' is not a number",
        "row 3, column numerator: '9' is above the denominator",
        "row 4, column value: 'maybe' is not yes or no; use yes or no",
        "row 5, column narrative: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…' is too long",
        "row 6, column value: '-3' is negative",
        "row 7, column numerator: 'inf' is not a finite number",
        "row 8, column value: '1\\x00' holds a NUL character",
        "row 10, column value: '1.23456' has more digits than are stored",
        "row 11, column denominator: '0' must be greater than 0",
        "row 14, column period: '2024-Q3' repeats an earlier row",
        "row 15, column period: '2024-Q4' has not started yet",
    ]
    for start in expected:
        assert any(str(p).startswith(start) for p in problems), (start, problems)
    assert len(problems) == len(expected), "\n".join(problems)
    with db.read() as session:
        assert session.scalar(select(func.count(Measurement.id))) == 0


def test_an_import_writes_one_audit_event_with_counts_and_checksum(
    db: Database, sheet_team
) -> None:
    _built, officer = sheet_team
    df = _template(db, officer)
    df["value"] = df["measure"].map({"number": "3", "yes_no": "no"})
    df.loc[df["measure"] == "percentage", ["numerator", "denominator"]] = ["1", "2"]
    df.loc[df["measure"] == "qualitative", "narrative"] = "Done"
    df.loc[df["indicator"] == "1.a", ["Sex: Female", "Sex: Male"]] = ["1", "2"]
    content = imp.to_bytes(df, fmt="csv")
    with db.write() as session:
        before = session.scalar(select(func.max(AuditEvent.id)))
        imp.import_measurements(
            session, principal=officer, df=imp.read_upload("ok.csv", content), today=TODAY
        )
    with db.write() as session:  # the same file again: drafts are edited, not duplicated
        imp.import_measurements(
            session, principal=officer, df=imp.read_upload("ok.csv", content), submit=True,
            today=TODAY,
        )  # fmt: skip
    with db.read() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.id > before)).all()
        statuses = set(session.scalars(select(Measurement.status)))
        n = session.scalar(select(func.count(Measurement.id)))
        n_parts = session.scalar(select(func.count()).select_from(MeasurementBreakdown))
    imports = [e for e in events if e.entity_type == "measurement_import"]
    assert [e.after["created"] for e in imports] == [12, 0]
    assert [e.after["updated"] for e in imports] == [0, 12]
    assert imports[0].after["sha256"] and len(events) == 2
    assert n == 12 and statuses == {MeasurementStatus.SUBMITTED} and n_parts == 6


def test_a_value_awaiting_approval_is_refused_by_row(db: Database, sheet_team) -> None:
    _built, officer = sheet_team
    df = _template(db, officer)
    df.loc[_row(df, "1.a"), "value"] = "5"
    content = imp.to_bytes(df, fmt="csv")
    with db.write() as session:
        imp.import_measurements(
            session, principal=officer, df=imp.read_upload("a.csv", content), submit=True,
            today=TODAY,
        )  # fmt: skip
    with pytest.raises(ValidationFailed) as err, db.write() as session:
        imp.import_measurements(
            session, principal=officer, df=imp.read_upload("a.csv", content), today=TODAY
        )
    assert err.value.problems == [
        "row 2, column period: '2024-Q1' holds a value awaiting approval; "
        "it cannot change until it is reviewed"
    ]


def test_breakdown_parts_must_add_up_to_the_total(db: Database, sheet_team) -> None:
    _built, officer = sheet_team
    df = _template(db, officer)
    df.loc[_row(df, "1.a"), ["value", "Sex: Female", "Sex: Male"]] = ["10", "3", "4"]
    df.loc[_row(df, "1.b"), "Sex: Male"] = "1"
    upload = imp.read_upload("a.csv", imp.to_bytes(df, fmt="csv"))
    with pytest.raises(ValidationFailed) as err, db.write() as session:
        imp.import_measurements(session, principal=officer, df=upload, today=TODAY)
    assert err.value.problems == [
        "row 2, column sex: female: the Sex parts add up to 7, not the total 10; correct the parts",
        "row 3, column numerator: is required for a percentage indicator; fill it",
        "row 3, column denominator: is required for a percentage indicator; fill it",
        "row 3, column sex: male: '1' is not a breakdown of this indicator; leave the cell blank",
    ]


def test_formula_cells_and_values_on_another_sheet_are_refused_by_sheet_and_cell() -> None:
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "measurements"
    sheet.append(["project", "indicator", "period", "value", "numerator", "denominator"])
    sheet.append(["XLS-1", "1.a", "2024-Q1", "=2+3", None, None])
    book.create_sheet("Sheet2").append(["XLS-1", "1.a", "2024-Q2", 4])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(ValidationFailed) as err:
        imp.read_upload("filled.xlsx", buffer.getvalue())
    assert err.value.problems == [
        "sheet 'Sheet2' holds values: only sheet 'measurements' is read; move them there",
        "sheet 'measurements', cell D2: holds a formula; paste its value instead "
        "(only typed values are read)",
    ]
