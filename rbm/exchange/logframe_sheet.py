"""The logframe spreadsheet: the template (sheets `results`, `indicators` and `targets`, see
docs/logframe.md), reading it from Excel or CSV, checking every row with pandera (all
problems at once, by sheet, row and column), and writing any project's logframe back into the
same template. Importing it is `rbm.exchange.logframe_sheet_import`."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import PurePath

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors
from sqlalchemy.orm import Session

from rbm.errors import ValidationFailed
from rbm.i18n import Msg, Text
from rbm.models.enums import Accumulation, Direction, Frequency, Measure, ResultLevel
from rbm.models.logframe import INDICATOR_DEFINITION, INDICATOR_SOURCE
from rbm.principal import Principal
from rbm.queries import logframe_editor as q

RESULT_COLUMNS = (
    "code",
    "level",
    "parent_code",
    "statement",
    "assumptions",
    "risks",
    "description",
)
INDICATOR_COLUMNS = (
    "result_code",
    "code",
    *INDICATOR_DEFINITION,
    "ordinal_labels",
    *INDICATOR_SOURCE,
    "dimensions",
    "library_code",
    "baseline_value",
    "baseline_numerator",
    "baseline_denominator",
    "baseline_date",
    "target_lop",
)
TARGET_COLUMNS = ("indicator_code", "period", "part", "value")
SHEETS = {"results": RESULT_COLUMNS, "indicators": INDICATOR_COLUMNS, "targets": TARGET_COLUMNS}
REQUIRED = {
    "results": ("code", "level", "statement"),
    "indicators": ("result_code", "code", "title", "measure"),
    "targets": ("indicator_code", "period", "value"),
}


@dataclass(frozen=True)
class Logframe:
    """The three sheets as text cells (None where empty)."""

    results: pd.DataFrame
    indicators: pd.DataFrame
    targets: pd.DataFrame


def _clean(df: pd.DataFrame, sheet: str, filename: str) -> pd.DataFrame:
    df = df.copy()
    df.columns = [str(c).strip().lower() for c in df.columns]
    missing = [c for c in REQUIRED[sheet] if c not in df]
    if missing:
        raise ValidationFailed(
            "{filename}: sheet {sheet} lacks column(s) {missing}.",
            filename=filename,
            sheet=sheet,
            missing=", ".join(missing),
        )
    for col in SHEETS[sheet]:
        if col not in df:
            df[col] = ""
    cells = {c: [_cell(v) for v in df[c].tolist()] for c in SHEETS[sheet]}
    df = pd.DataFrame(cells, index=df.index, dtype=object)
    return df[df.notna().any(axis=1)]


def _cell(v: object) -> str | None:
    """A cell as stripped text, None when empty (never NaN)."""
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return None
    text = str(v).strip()
    return text or None


def read_logframe(filename: str, content: bytes) -> Logframe:
    """Read an .xlsx (sheets results, indicators, targets) or a .csv (one file with a first
    column `sheet` naming the sheet of each row). Raises ValidationFailed when unreadable."""
    ext = PurePath(filename).suffix.lower()
    try:
        if ext == ".xlsx":
            books = pd.read_excel(
                io.BytesIO(content), sheet_name=None, dtype=str, keep_default_na=False
            )
        elif ext == ".csv":
            flat = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False)
            if "sheet" not in flat:
                raise ValidationFailed(
                    "{filename}: a CSV logframe needs a `sheet` column.", filename=filename
                )
            books = {str(k): g.drop(columns="sheet") for k, g in flat.groupby("sheet")}
        else:
            raise ValidationFailed(
                "{filename}: upload a .xlsx or .csv file (not {ext}).",
                filename=filename,
                ext=ext or "none",
            )
    except (ValueError, OSError, UnicodeDecodeError, KeyError) as exc:
        raise ValidationFailed(
            "{filename}: the file cannot be read ({exc}).", filename=filename, exc=exc
        ) from exc
    books = {str(k).strip().lower(): v for k, v in books.items()}
    missing = [s for s in ("results", "indicators") if s not in books]
    if missing:
        raise ValidationFailed(
            "{filename}: missing sheet(s) {missing}.", filename=filename, missing=", ".join(missing)
        )
    empty = pd.DataFrame(columns=list(TARGET_COLUMNS))
    return Logframe(
        results=_clean(books["results"], "results", filename),
        indicators=_clean(books["indicators"], "indicators", filename),
        targets=_clean(books.get("targets", empty), "targets", filename),
    )


# --- checking -----------------------------------------------------------------------------


def to_decimal(v: object) -> Decimal | None:
    if v is None:
        return None
    try:
        d = Decimal(str(v).replace(",", ""))
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def to_date(v: object) -> date | None:
    try:
        return date.fromisoformat(str(v)[:10])
    except ValueError:
        return None


def _each(fn: Callable[[object], object]) -> Callable[[pd.Series], pd.Series]:
    return lambda s: s.map(lambda v: v is None or fn(v) is not None).astype(bool)


_NUMBER = pa.Check(_each(to_decimal), error="is not a number")
_DATE = pa.Check(_each(to_date), error="is not a date (YYYY-MM-DD)")


def _one_of(values: list[str]) -> pa.Check:
    return pa.Check(
        lambda s: s.map(lambda v: v is None or v in values).astype(bool),
        error="is not one of " + ", ".join(values),
    )


def _col(*checks: pa.Check, required: bool = False) -> pa.Column:
    return pa.Column(None, list(checks), nullable=not required)


def _schemas() -> dict[str, pa.DataFrameSchema]:
    text = {c: _col() for c in INDICATOR_COLUMNS}
    text.update(
        result_code=_col(required=True),
        code=_col(required=True),
        title=_col(required=True),
        measure=_col(_one_of([m.value for m in Measure]), required=True),
        direction=_col(_one_of([d.value for d in Direction])),
        accumulation=_col(_one_of([a.value for a in Accumulation])),
        frequency=_col(_one_of([f.value for f in Frequency])),
        baseline_value=_col(_NUMBER),
        baseline_numerator=_col(_NUMBER),
        baseline_denominator=_col(_NUMBER),
        baseline_date=_col(_DATE),
        target_lop=_col(_NUMBER),
    )
    results = {c: _col() for c in RESULT_COLUMNS}
    results.update(
        code=_col(required=True),
        level=_col(_one_of([lv.value for lv in ResultLevel]), required=True),
        statement=_col(required=True),
    )
    targets = {
        "indicator_code": _col(required=True),
        "period": _col(required=True),
        "part": _col(),
        "value": _col(_NUMBER, required=True),
    }
    return {
        "results": pa.DataFrameSchema(results),
        "indicators": pa.DataFrameSchema(text),
        "targets": pa.DataFrameSchema(targets),
    }


def where(sheet: str, index: object, column: str) -> str:
    """'results row 4, column level': spreadsheet rows count the header as row 1."""
    return f"{sheet} row {int(str(index)) + 2}, column {column}"


def schema_problems(frame: Logframe) -> list[Text]:
    """Every cell that breaks the template's rules (pandera, lazily: all at once)."""
    out: list[Text] = []
    for sheet, schema in _schemas().items():
        df: pd.DataFrame = getattr(frame, sheet)
        try:
            schema.validate(df, lazy=True)
        except SchemaErrors as exc:
            for _, case in exc.failure_cases.iterrows():
                check, value = str(case["check"]), case["failure_case"]
                if case["index"] is None or pd.isna(case["index"]):
                    out.append(
                        Msg(
                            "{sheet}, column {column}: {check}",
                            sheet=sheet,
                            column=case["column"],
                            check=check,
                        )
                    )
                elif check.startswith("not_nullable"):
                    out.append(
                        Msg(
                            "{value}: a value is required",
                            value=where(sheet, case["index"], case["column"]),
                        )
                    )
                else:
                    out.append(
                        Msg(
                            "{value}: {value2!r} {check}",
                            value=where(sheet, case["index"], case["column"]),
                            value2=value,
                            check=check,
                        )
                    )
    return out


# --- writing the template -----------------------------------------------------------------


def logframe_frames(session: Session, *, principal: Principal, project_id: int) -> Logframe:
    """A project's logframe in the template's shape (archived rows included)."""
    tree = q.logframe_tree(session, principal=principal, project_id=project_id)
    codes = dict(zip(tree["id"], tree["code"], strict=True))
    results = pd.DataFrame(
        {
            "code": tree["code"],
            "level": tree["level"],
            "parent_code": tree["parent_id"].map(lambda p: codes.get(p)),
            "statement": tree["statement"],
            "assumptions": tree["assumptions"],
            "risks": tree["risks"],
            "description": tree["description"],
        },
        columns=list(RESULT_COLUMNS),
    )
    inds = q.logframe_indicators(session, principal=principal, project_id=project_id)
    indicators = inds.reindex(columns=list(INDICATOR_COLUMNS)).copy()
    indicators["ordinal_labels"] = inds["ordinal_labels"].map(
        lambda v: "; ".join(v) if isinstance(v, list) else None
    )
    indicators["baseline_date"] = inds["baseline_date"].map(
        lambda v: v.isoformat() if isinstance(v, date) else None
    )
    targets = q.period_targets(session, principal=principal, project_id=project_id)
    parts = q.target_parts(session, principal=principal, project_id=project_id)
    rows = pd.concat(
        [
            targets.assign(part=None)[["indicator", "period", "part", "value"]],
            parts[["indicator", "period", "part", "value"]],
        ]
    ).rename(columns={"indicator": "indicator_code"})
    return Logframe(results, indicators, rows.sort_values(["indicator_code", "period"]))


def _number_text(v: object) -> object:
    if isinstance(v, float) and not pd.isna(v):
        return int(v) if v.is_integer() else v
    return v


def to_excel(frame: Logframe) -> bytes:
    """The three sheets as an .xlsx workbook."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for sheet in SHEETS:
            df: pd.DataFrame = getattr(frame, sheet)
            df.map(_number_text).to_excel(writer, sheet_name=sheet, index=False)
    return buffer.getvalue()


def to_csv(frame: Logframe) -> bytes:
    """The three sheets as one CSV with a first column `sheet`."""
    parts = [getattr(frame, s).assign(sheet=s) for s in SHEETS]
    flat = pd.concat(parts, ignore_index=True)
    columns = ["sheet", *dict.fromkeys(c for s in SHEETS.values() for c in s)]
    text: str = flat.reindex(columns=columns).map(_number_text).to_csv(index=False)
    return text.encode("utf-8")


def export_logframe(
    session: Session, *, principal: Principal, project_id: int, fmt: str = "xlsx"
) -> bytes:
    """The project's logframe as the template (pre-filled), .xlsx or .csv."""
    frame = logframe_frames(session, principal=principal, project_id=project_id)
    return to_excel(frame) if fmt == "xlsx" else to_csv(frame)
