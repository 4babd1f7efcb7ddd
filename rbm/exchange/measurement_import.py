"""Measurements by spreadsheet: a CSV or Excel template pre-filled with a project's indicators,
open periods and breakdown columns, and the import of a filled template.

The upload is read as people save it (`measurement_read`), checked whole in one pass
(`measurement_checks`: every problem of every row, with its fix) and written set-based
(`measurement_write`: batches, one audit event, stored figures refreshed once per indicator).
Nothing is written unless the whole file is valid (the caller's transaction holds every row)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import String, select, type_coerce
from sqlalchemy.orm import Session

from rbm.errors import ValidationFailed
from rbm.exchange import measurement_checks as checks
from rbm.exchange import measurement_write as write
from rbm.exchange import spreadsheet
from rbm.exchange.measurement_read import SHEET, ReadInfo, read_file, to_point, uses_decimal_comma
from rbm.frames.joins import indicator_parts
from rbm.frames.sql import columns_frame, epoch_days
from rbm.i18n import Msg, Text
from rbm.models import (
    Indicator,
    IndicatorDimension,
    Project,
    ReportingPeriod,
)
from rbm.models.enums import MeasurementStatus
from rbm.principal import Principal
from rbm.queries.workflow import loggable

COLUMNS = ["project", "indicator", "title", "measure", "period", "value", "numerator",
           "denominator", "narrative"]  # fmt: skip
VALUE_COLUMNS = ["value", "numerator", "denominator", "narrative"]
KEY = ["project", "indicator", "period"]
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class ImportReport:
    saved: int
    submitted: int
    skipped_blank: int
    detected: str = ""

    def __str__(self) -> str:
        said = (
            f"{self.saved} values saved ({self.submitted} submitted); "
            f"{self.skipped_blank} blank rows skipped."
        )
        return f"{said} {self.detected}".strip()


def _targets(session: Session, principal: Principal, project_codes: list[str]) -> pd.DataFrame:
    """Indicator x period pairs the principal may log, for the given projects (read straight
    into columns: an import names thousands of them)."""
    stmt = (
        loggable(
            principal,
            type_coerce(Indicator.measure, String).label("measure"),
            type_coerce(Indicator.accumulation, String).label("accumulation"),
            epoch_days(ReportingPeriod.start_date).label("start_date"),
            (ReportingPeriod.locked_at.is_not(None)).label("locked"),
        )
        .where(Project.code.in_(project_codes))
        .order_by(Project.code, ReportingPeriod.start_date, Indicator.position, Indicator.id)
    )
    df = columns_frame(
        session,
        stmt,
        {"project_id": "int", "indicator_id": "int", "period_id": "int", "start_date": "day"},
    )
    df["locked"] = df["locked"].astype(bool)
    df["scale"] = df["indicator_id"].map(_scales(session, df)).fillna(0).astype("int64")
    return df


def _scales(session: Session, targets: pd.DataFrame) -> dict[int, int]:
    """How many scores each ordinal indicator among the targets has."""
    ids = targets.loc[targets["measure"] == "ordinal", "indicator_id"].unique().tolist()
    if not ids:
        return {}
    rows = session.execute(
        select(Indicator.id, Indicator.ordinal_labels).where(Indicator.id.in_(ids))
    ).all()
    return {int(i): len(labels or []) for i, labels in rows}


def _parts(session: Session, indicator_ids: list[int]) -> pd.DataFrame:
    """Breakdown parts of these indicators: indicator_id, dimension, exhaustive, part id, column."""
    result = session.execute(
        indicator_parts(IndicatorDimension.indicator_id).where(
            IndicatorDimension.indicator_id.in_(indicator_ids)
        )
    )
    df = pd.DataFrame(result.all(), columns=list(result.keys()))
    df["column"] = (df["dimension"] + ": " + df["label"]).str.lower() if len(df) else []
    return df


def template(
    session: Session, *, principal: Principal, project_code: str, today: date | None = None
) -> pd.DataFrame:
    """The blank template: one row per indicator and started, unlocked period, and a column per
    breakdown part (`Sex: Female`) of the project's indicators."""
    df = _targets(session, principal, [project_code])
    if df.empty:
        raise ValidationFailed(
            "You may not log results for project {project_code!r}.", project_code=project_code
        )
    started = df["start_date"] <= pd.Timestamp(today or date.today())
    open_ = df[started & ~df["locked"]].copy()
    parts = _parts(session, df["indicator_id"].unique().tolist())
    headers = list(dict.fromkeys(parts["dimension"] + ": " + parts["label"]))
    for col in [*VALUE_COLUMNS, *headers]:
        open_[col] = None
    return open_[COLUMNS + headers].reset_index(drop=True)


def to_bytes(df: pd.DataFrame, *, fmt: str) -> bytes:
    """The template as CSV (UTF-8) or Excel bytes."""
    if fmt == "csv":
        return spreadsheet.csv_bytes(df)
    return spreadsheet.xlsx_bytes({SHEET: df})


def read_upload(filename: str, content: bytes) -> pd.DataFrame:
    """Read an uploaded CSV or Excel file as text cells (decimal commas made points); what
    was detected rides along in `df.attrs["read"]`. Raises ValidationFailed when unreadable."""
    df, info = read_file(filename, content)
    missing = [c for c in ("project", "indicator", "period", *VALUE_COLUMNS) if c not in df]
    if missing:
        raise ValidationFailed(
            "{filename}: missing column(s) {missing}.",
            filename=filename,
            missing=", ".join(missing),
        )
    numeric = [c for c in df.columns if c in checks.NUMBER_COLUMNS or ": " in c]
    if info.kind == "csv" and uses_decimal_comma(df[numeric]):
        df[numeric] = to_point(df[numeric])
        info = ReadInfo(**{**info.__dict__, "decimal": "comma"})
    df.attrs["read"] = info
    return df


def _prepare(
    session: Session, principal: Principal, df: pd.DataFrame, today: date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The filled rows joined to what they name, with the parsed numbers and the flags the
    checks read; and the breakdown parts of the indicators named."""
    df = df[[*KEY, *VALUE_COLUMNS, *_breakdown_columns(df)]].copy()
    for col in df.columns:
        df[col] = _text(df[col])
    codes = [str(c) for c in df["project"].dropna().unique()]
    known = _targets(session, principal, codes)
    parts = _parts(session, known["indicator_id"].unique().tolist())
    data = df.join(known.set_index(KEY).drop(columns=["title", "measure", "accumulation"]), on=KEY)
    data["_project_ok"] = data["project"].isin(set(known["project"]))
    kinds = known.drop_duplicates(["project", "indicator"]).set_index(["project", "indicator"])
    data = data.join(kinds[["measure", "accumulation"]], on=["project", "indicator"])
    data["_indicator_ok"] = data["measure"].notna()
    data["_locked"] = data["locked"].fillna(False).astype(bool)
    data["_not_started"] = (data["start_date"] > pd.Timestamp(today)).fillna(False).astype(bool)
    data["_duplicate"] = data["indicator_id"].notna() & data.duplicated(KEY, keep="first")
    data = write.with_latest(session, data)
    data["_awaiting"] = (data["old_status"] == MeasurementStatus.SUBMITTED.value).astype(bool)
    data["_yes_no"] = checks.yes_no(data["value"]).where(data["measure"] == "yes_no")
    number = checks.numbers(data["value"])
    data["_value"] = number.where(data["measure"] != "yes_no", data["_yes_no"].astype(float))
    data["_numerator"] = checks.numbers(data["numerator"])
    data["_denominator"] = checks.numbers(data["denominator"])
    for col in [*checks.NUMBER_COLUMNS, *_breakdown_columns(data)]:
        data[f"_n:{col}"] = number if col == "value" else checks.numbers(data[col])
    scale = data["scale"].fillna(0)
    data["_score_ok"] = (data["_value"] % 1 == 0) & data["_value"].between(0, scale - 1)
    for col in _breakdown_columns(data):
        ids = set(parts.loc[parts["column"] == col, "indicator_id"])
        data[f"_has:{col}"] = data["indicator_id"].isin(ids)
    return data, parts


def _text(s: pd.Series) -> pd.Series:
    """Cells as text or None, whatever the frame held (strings, numbers, NaN)."""
    s = s.astype(object)
    present = s.notna()
    return s.where(~present, s.astype(str)).where(present, None)


def _breakdown_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if ": " in c and not c.startswith("_")]


def validate(
    session: Session, *, principal: Principal, df: pd.DataFrame, today: date | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The filled rows ready to write (blank ones dropped) and the breakdown parts, or
    ValidationFailed listing every problem of every row at once."""
    cols = _breakdown_columns(df)
    filled = df[df[[*VALUE_COLUMNS, *cols]].notna().any(axis=1)]
    if filled.empty:
        raise ValidationFailed("The file holds no values: fill value, numerator or narrative.")
    data, parts = _prepare(session, principal, filled, today or date.today())
    groups = {
        str(dim): [c for c in dict.fromkeys(g["column"]) if c in cols]
        for dim, g in parts[parts["exhaustive"].astype(bool)].groupby("dimension")
    }
    found = checks.check(data, checks.rules(data, cols))
    bad_rows = {i for i, _, _ in found}
    sums = checks.sum_problems(data, {d: c for d, c in groups.items() if c})
    found += [p for p in sums if p[0] not in bad_rows]
    if found:
        found.sort(key=lambda f: (f[0], list(data.columns).index(f[1])))
        problems: list[Text] = [
            Msg("row {row}, column {column}: {problem}", row=i + 2, column=c, problem=msg)
            for i, c, msg in found
        ]
        raise ValidationFailed(
            "The file was not imported: {count} problem(s) in {count2} row(s). Nothing was saved.",
            problems,
            count=len(problems),
            count2=len({i for i, _, _ in found}),
        )
    data["_value"] = np.where(
        data["measure"] == "percentage",
        data["_numerator"] / data["_denominator"] * 100,
        data["_value"],
    )
    return data, parts


def import_measurements(
    session: Session,
    *,
    principal: Principal,
    df: pd.DataFrame,
    submit: bool = False,
    progress: Progress | None = None,
    today: date | None = None,
) -> ImportReport:
    """Validate the whole file, then save (and optionally submit) every filled row in batches,
    with one audit event for the import. Any refusal aborts the caller's transaction."""
    info = df.attrs.get("read")
    data, parts = validate(session, principal=principal, df=df, today=today)
    write.require_loggers(session, principal, data["project_id"].astype(int).unique().tolist())
    saved = write.write(
        session,
        principal=principal,
        data=data,
        parts=parts,
        submit=submit,
        info=info,
        progress=progress,
    )
    return ImportReport(
        saved=saved,
        submitted=saved if submit else 0,
        skipped_blank=len(df) - len(data),
        detected=info.describe() if isinstance(info, ReadInfo) else "",
    )
