"""Measurements by spreadsheet: a CSV or Excel template pre-filled with a project's indicators
and open periods, and the import of a filled template. The upload is validated whole with
pandera (`lazy=True`); every problem is reported by row and column in plain words, and nothing
is written unless the whole file is valid (the caller's transaction holds every row)."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import PurePath

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors
from sqlalchemy import select
from sqlalchemy.orm import Session

from rbm.errors import RbmError, ValidationFailed
from rbm.exchange import spreadsheet, workbook_guard
from rbm.models import Indicator, Project, ReportingPeriod, ResultNode
from rbm.models.enums import Role
from rbm.principal import Principal, project_condition
from rbm.services import measurements

COLUMNS = ["project", "indicator", "title", "measure", "period", "value", "numerator",
           "denominator", "narrative"]  # fmt: skip
VALUE_COLUMNS = ["value", "numerator", "denominator", "narrative"]
_LOGGERS = (Role.ADMIN, Role.MANAGER, Role.OFFICER)
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class ImportReport:
    saved: int
    submitted: int
    skipped_blank: int

    def __str__(self) -> str:
        return (
            f"{self.saved} values saved ({self.submitted} submitted); "
            f"{self.skipped_blank} blank rows skipped."
        )


def _targets(session: Session, principal: Principal, project_codes: list[str]) -> pd.DataFrame:
    """Indicator x period pairs the principal may log, for the given projects."""
    stmt = (
        select(
            Project.code.label("project"),
            Indicator.id.label("indicator_id"),
            Indicator.code.label("indicator"),
            Indicator.title,
            Indicator.measure,
            Indicator.ordinal_labels,
            ReportingPeriod.id.label("period_id"),
            ReportingPeriod.label.label("period"),
            ReportingPeriod.start_date,
            ReportingPeriod.locked_at,
        )
        .join(ResultNode, ResultNode.id == Indicator.result_node_id)
        .join(Project, Project.id == ResultNode.project_id)
        .join(ReportingPeriod, ReportingPeriod.project_id == Project.id)
        .where(Project.code.in_(project_codes), project_condition(principal, *_LOGGERS))
        .order_by(Project.code, ReportingPeriod.start_date, Indicator.position, Indicator.id)
    )
    result = session.execute(stmt)
    df = pd.DataFrame(result.all(), columns=list(result.keys()))
    df["measure"] = df["measure"].map(lambda v: getattr(v, "value", v)).astype("object")
    return df


def template(
    session: Session, *, principal: Principal, project_code: str, today: date | None = None
) -> pd.DataFrame:
    """The blank template: one row per indicator and started, unlocked period."""
    df = _targets(session, principal, [project_code])
    if df.empty:
        raise ValidationFailed(f"You may not log results for project {project_code!r}.")
    open_ = df[(df["start_date"] <= (today or date.today())) & df["locked_at"].isna()].copy()
    for col in VALUE_COLUMNS:
        open_[col] = None
    return open_[COLUMNS].reset_index(drop=True)


def to_bytes(df: pd.DataFrame, *, fmt: str) -> bytes:
    """The template as CSV (UTF-8) or Excel bytes."""
    if fmt == "csv":
        return spreadsheet.csv_bytes(df)
    return spreadsheet.xlsx_bytes({"measurements": df})


def read_upload(filename: str, content: bytes) -> pd.DataFrame:
    """Read an uploaded CSV or Excel file as text cells; raises ValidationFailed when unreadable."""
    ext = PurePath(filename).suffix.lower()
    workbook_guard.check_size(filename, content)
    try:
        if ext == ".csv":
            df = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False)
        elif ext == ".xlsx":
            df = workbook_guard.read_workbook(filename, content)
        else:
            raise ValidationFailed(
                f"{filename}: upload a .csv or .xlsx file (not {ext or 'none'})."
            )
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise ValidationFailed(f"{filename}: the file cannot be read ({exc}).") from exc
    df.columns = [str(c).strip().lower() for c in df.columns]
    missing = [c for c in ("project", "indicator", "period", *VALUE_COLUMNS) if c not in df]
    if missing:
        raise ValidationFailed(f"{filename}: missing column(s) {', '.join(missing)}.")
    return df.map(lambda v: v.strip() if isinstance(v, str) else v).replace("", None)


def _is_number(s: pd.Series) -> pd.Series:
    return s.isna() | pd.to_numeric(s, errors="coerce").notna()


def _member(keys: set[tuple[str, str]], a: str, b: str) -> Callable[[pd.DataFrame], pd.Series]:
    """A row check: is the pair of cells (a, b) one of `keys`?"""
    return lambda df: pd.Series(
        [k in keys for k in zip(df[a], df[b], strict=True)], index=df.index, dtype=bool
    )


def _pairs(df: pd.DataFrame, a: str, b: str) -> set[tuple[str, str]]:
    return set(zip(df[a], df[b], strict=True))


def _schema(known: pd.DataFrame) -> pa.DataFrameSchema:
    keys = zip(known["project"], known["indicator"], strict=True)
    measure = dict(zip(keys, known["measure"], strict=True))
    open_periods = _pairs(known[known["locked_at"].isna()], "project", "period")

    def needs(kinds: set[str], col: str) -> Callable[[pd.DataFrame], pd.Series]:
        def check(df: pd.DataFrame) -> pd.Series:
            kind = pd.Series(
                [measure.get(k, "") for k in zip(df["project"], df["indicator"], strict=True)],
                index=df.index,
            )
            return ~kind.isin(kinds) | df[col].notna()

        return check

    number = pa.Check(_is_number, error="is not a number")
    projects = set(known["project"])
    return pa.DataFrameSchema(
        {
            "project": pa.Column(
                None, pa.Check.isin(projects, error="is not a project you may log results for")
            ),
            "indicator": pa.Column(None),
            "period": pa.Column(None),
            "value": pa.Column(None, number, nullable=True),
            "numerator": pa.Column(None, number, nullable=True),
            "denominator": pa.Column(None, number, nullable=True),
            "narrative": pa.Column(None, nullable=True),
        },
        checks=[
            _row_check(
                "indicator",
                "is not an indicator of this project",
                _member(_pairs(known, "project", "indicator"), "project", "indicator"),
            ),
            _row_check(
                "period",
                "is not an open (unlocked) reporting period of this project",
                _member(open_periods, "project", "period"),
            ),
            _row_check(
                "value",
                "is required for a number, yes/no or ordinal indicator",
                needs({"number", "yes_no", "ordinal"}, "value"),
            ),
            _row_check(
                "numerator",
                "is required for a percentage indicator",
                needs({"percentage"}, "numerator"),
            ),
            _row_check(
                "denominator",
                "is required for a percentage indicator",
                needs({"percentage"}, "denominator"),
            ),
            _row_check(
                "narrative",
                "is required for a qualitative indicator",
                needs({"qualitative"}, "narrative"),
            ),
        ],
    )


def _row_check(column: str, reason: str, fn: Callable[[pd.DataFrame], pd.Series]) -> pa.Check:
    """A row-wise check; its name carries the column so failures are reported there."""
    return pa.Check(fn, name=f"{column}|{reason}", error=f"{column}|{reason}")


def _problems(exc: SchemaErrors) -> list[str]:
    """One line per failing cell: 'row N, column C: reason' (spreadsheet row numbers)."""
    out = []
    cases = exc.failure_cases
    for _, case in cases.iterrows():
        check, column, index = str(case["check"]), case["column"], case["index"]
        value = case["failure_case"]
        if "|" in check:
            # A row check reports the non-empty cells of a failing row: name the cell it is
            # about, with its value when that cell is not empty.
            column, check = check.split("|", 1)
            same = cases[(cases["index"] == index) & (cases["column"] == column)]
            value = same["failure_case"].iloc[0] if len(same) else None
        if column is None or index is None or pd.isna(index):
            out.append(f"{column or 'file'}: {check}")
            continue
        out.append(f"row {int(index) + 2}, column {column}: {_reason(check, value)}")
    return sorted(set(out), key=_row_order)


def _reason(reason: str, value: object) -> str:
    if reason.startswith("<Check") or reason.startswith("not_nullable"):
        return "a value is required here"
    shown = "" if value is None or (isinstance(value, float) and pd.isna(value)) else value
    return f"{shown!r} {reason}" if shown not in ("", True, False) else reason


def _row_order(line: str) -> tuple[int, str]:
    try:
        return int(line.split(",", 1)[0].removeprefix("row ")), line
    except ValueError:
        return 0, line


def validate(session: Session, *, principal: Principal, df: pd.DataFrame) -> pd.DataFrame:
    """The rows to import (blank ones dropped), or ValidationFailed listing every problem."""
    filled = df[df[VALUE_COLUMNS].notna().any(axis=1)]
    if filled.empty:
        raise ValidationFailed("The file holds no values: fill value, numerator or narrative.")
    codes = [str(c) for c in filled["project"].dropna().unique()]
    known = _targets(session, principal, codes)
    try:
        _schema(known).validate(filled, lazy=True)
    except SchemaErrors as exc:
        raise ValidationFailed(
            f"The file was not imported: {len(_problems(exc))} problem(s). Nothing was saved.",
            _problems(exc),
        ) from exc
    ids = known.set_index(["project", "indicator", "period"])[["indicator_id", "period_id"]]
    return filled.join(ids, on=["project", "indicator", "period"])


def _values(row: pd.Series) -> measurements.Values:
    def dec(col: str) -> Decimal | None:
        v = row[col]
        return None if v is None or pd.isna(v) else Decimal(str(v))

    narrative = row["narrative"]
    return measurements.Values(
        value=dec("value"),
        numerator=dec("numerator"),
        denominator=dec("denominator"),
        narrative="" if narrative is None or pd.isna(narrative) else str(narrative),
    )


def import_measurements(
    session: Session,
    *,
    principal: Principal,
    df: pd.DataFrame,
    submit: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Validate the whole file, then save (and optionally submit) every filled row through the
    measurement services. Any refusal names its row and aborts the caller's transaction."""
    rows = validate(session, principal=principal, df=df)
    submitted = 0
    for n, (index, row) in enumerate(rows.iterrows(), start=1):
        where = f"row {int(str(index)) + 2} ({row['project']} {row['indicator']} {row['period']})"
        try:
            m = measurements.save_draft(
                session,
                principal=principal,
                indicator_id=int(row["indicator_id"]),
                period_id=int(row["period_id"]),
                values=_values(row),
            )
            if submit:
                measurements.submit(session, principal=principal, measurement_id=m.id)
                submitted += 1
        except RbmError as exc:
            raise ValidationFailed(f"The file was not imported: {where}: {exc}") from exc
        if progress is not None:
            progress(n / len(rows), f"Saved {n} of {len(rows)} values")
    return ImportReport(saved=len(rows), submitted=submitted, skipped_blank=len(df) - len(rows))
