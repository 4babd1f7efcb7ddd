"""Analysis-ready exports: the long table (one row per measurement, and one per breakdown part)
as CSV or Excel, and the IPTT workbook (indicator performance tracking table: per project, each
indicator's baseline, targets and approved actuals per period).

Everyone sees approved values of the projects they may open; the project team also sees its
values still in the workflow (draft, submitted, returned), labelled by their status. The IPTT
counts approved values only, like every figure shown outside the team.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

import pandas as pd
import pandera.pandas as pa
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from rbm.exchange import spreadsheet
from rbm.exchange._export_data import project_ids
from rbm.frames.columns import MEASURED
from rbm.frames.engine import approved_in, current_approved
from rbm.frames.joins import indicator_project, measurement_context, part_dimension
from rbm.frames.sql import floats, frame
from rbm.i18n import N_, _
from rbm.models import (
    Dimension,
    DimensionValue,
    Indicator,
    Measurement,
    MeasurementBreakdown,
    Project,
    ProjectCountry,
    ReportingPeriod,
    ResultNode,
)
from rbm.models.enums import MeasurementStatus
from rbm.principal import Principal, pending_condition
from rbm.queries import indicator_status

COLUMNS = [
    "project",
    "project_title",
    "country",
    "result",
    "result_level",
    "result_title",
    "indicator",
    "indicator_title",
    "measure",
    "unit",
    "period",
    "period_start",
    "period_end",
    "value",
    "numerator",
    "denominator",
    "breakdown",
    "status",
    "narrative",
]

LONG_TABLE = pa.DataFrameSchema(
    {
        "project": pa.Column(str),
        "country": pa.Column(str),
        "result": pa.Column(str),
        "indicator": pa.Column(str),
        "measure": pa.Column(
            str, pa.Check.isin(["number", "percentage", "yes_no", "ordinal", "qualitative"])
        ),
        "period_start": pa.Column("datetime64[ns]"),
        "period_end": pa.Column("datetime64[ns]"),
        "value": pa.Column(float, nullable=True),
        "numerator": pa.Column(float, nullable=True),
        "denominator": pa.Column(float, pa.Check.ge(0), nullable=True),
        "breakdown": pa.Column(str),
        "status": pa.Column(str, pa.Check.isin([s.value for s in MeasurementStatus])),
    },
    checks=pa.Check(lambda df: (df["period_end"] >= df["period_start"]).all()),
    strict=False,
)


def _enum(series: pd.Series) -> pd.Series:
    return series.map(lambda v: getattr(v, "value", v)).astype(str)


def _countries(session: Session, ids: Any) -> pd.Series:
    """Each project's recipient countries as one cell ("GT;HN"): a measurement of a
    multi-country project stays one row, never counted once per country."""
    df = frame(
        session,
        select(ProjectCountry.project_id, ProjectCountry.country_code)
        .where(ProjectCountry.project_id.in_(ids))
        .order_by(ProjectCountry.country_code),
    )
    return (
        df.groupby("project_id")["country_code"].agg(";".join)
        if not df.empty
        else pd.Series(dtype=str)
    )


#: An indicator as the exported tables name it: its project's code (as project), its result's
#: code (as result), its code (as indicator), title (as indicator_title), unit and measure.
_INDICATOR = (
    Project.code.label("project"),
    ResultNode.code.label("result"),
    Indicator.code.label("indicator"),
    Indicator.title.label("indicator_title"),
    Indicator.unit,
    Indicator.measure,
)


def long_table(
    session: Session, *, principal: Principal, project_codes: Sequence[str] | None = None
) -> pd.DataFrame:
    """One row per measurement (the total, breakdown ""), plus one per breakdown part
    ("sex=female"), in three statements. This is a read-only operation."""
    ids = project_ids(principal, project_codes).scalar_subquery()
    team = select(Project.id).where(pending_condition(principal))
    shown = or_(
        current_approved(),
        and_(
            Measurement.status != MeasurementStatus.APPROVED, ReportingPeriod.project_id.in_(team)
        ),
    )
    values = select(
        Measurement.id.label("measurement_id"),
        Project.id.label("project_id"),
        *_INDICATOR,
        Project.title.label("project_title"),
        ResultNode.level.label("result_level"),
        ResultNode.title.label("result_title"),
        ReportingPeriod.label.label("period"),
        ReportingPeriod.start_date.label("period_start"),
        ReportingPeriod.end_date.label("period_end"),
        *MEASURED,
        Measurement.status,
        Measurement.narrative,
    )
    rows = frame(
        session,
        measurement_context(values)
        .where(Project.id.in_(ids), shown)
        .order_by(
            Project.code,
            ResultNode.code,
            Indicator.code,
            ReportingPeriod.start_date,
            Measurement.revision,
        ),
    )
    split = select(
        MeasurementBreakdown.measurement_id,
        Dimension.code.label("dimension"),
        DimensionValue.code.label("dimension_value"),
        MeasurementBreakdown.value,
        MeasurementBreakdown.numerator,
        MeasurementBreakdown.denominator,
    )
    parts = frame(
        session,
        part_dimension(split)
        .where(MeasurementBreakdown.measurement_id.in_(rows["measurement_id"].tolist()))
        .order_by(Dimension.code, DimensionValue.position, DimensionValue.code),
    )
    return _assemble(rows, parts, _countries(session, ids))


def _assemble(rows: pd.DataFrame, parts: pd.DataFrame, countries: pd.Series) -> pd.DataFrame:
    rows = rows.assign(breakdown="", country=rows["project_id"].map(countries).fillna(""))
    for col in ("measure", "result_level", "status"):
        rows[col] = _enum(rows[col])
    if not parts.empty:
        heads = rows.drop(columns=["value", "numerator", "denominator", "breakdown", "narrative"])
        split = parts.merge(heads, on="measurement_id").assign(narrative="")
        split["breakdown"] = split["dimension"] + "=" + split["dimension_value"]
        rows = pd.concat([rows, split], ignore_index=True)
        order = rows["breakdown"].ne("")
        rows = rows.assign(_part=order).sort_values(
            [
                "project",
                "result",
                "indicator",
                "period_start",
                "measurement_id",
                "_part",
                "breakdown",
            ],
            kind="stable",
        )
    floats(rows, "value", "numerator", "denominator")
    for col in ("period_start", "period_end"):
        rows[col] = pd.to_datetime(rows[col]).astype("datetime64[ns]")
    table = rows.reindex(columns=COLUMNS).reset_index(drop=True)
    for col in ("project", "country", "result", "indicator", "breakdown", "status", "measure"):
        table[col] = table[col].fillna("").astype(str)
    return LONG_TABLE.validate(table, lazy=True)


def to_csv(table: pd.DataFrame) -> bytes:
    return spreadsheet.csv_bytes(table, date_format="%Y-%m-%d")


def to_xlsx(table: pd.DataFrame, sheet: str = "measurements") -> bytes:
    return spreadsheet.xlsx_bytes({sheet: table})


def _sheet_name(code: str, used: set[str]) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique."""
    base = re.sub(r"[\[\]:*?/\\]", "-", code)[:31] or "project"
    name, n = base, 1
    while name.casefold() in used:
        n += 1
        name = f"{base[:28]}~{n}"
    used.add(name.casefold())
    return name


def iptt_frames(
    session: Session,
    *,
    principal: Principal,
    project_codes: Sequence[str] | None = None,
    as_of: date | None = None,
) -> dict[str, pd.DataFrame]:
    """Per project code: one row per indicator with baseline, life-of-project target, then a
    target and an actual column per period, to date (how it was counted, the date it is judged
    at), progress, status and data-quality flags (approved only; `as_of` defaults to today)."""
    ids = project_ids(principal, project_codes)
    summary = indicator_status.summary(
        indicator_status.engine_inputs(session, principal=principal, project_ids=ids, as_of=as_of)
    )
    indicators = select(Indicator.id.label("indicator_id"), *_INDICATOR)
    described = frame(
        session,
        indicator_project(indicators)
        .where(Project.id.in_(ids))
        .order_by(Project.code, ResultNode.code, Indicator.position, Indicator.code),
    )
    values = _period_values(session, ids)
    out: dict[str, pd.DataFrame] = {}
    for code, block in described.groupby("project", sort=True):
        out[str(code)] = _iptt(block, summary, values)
    return out


def _period_values(session: Session, ids: Any) -> pd.DataFrame:
    """Per indicator and reporting period (joined by the period's id, never its dates): the
    period target and the approved actual (a percentage from numerator and denominator when it
    has both, else its value)."""
    from rbm.queries.iptt import labelled_periods, period_actual, period_targets

    values = select(
        Measurement.indicator_id, Measurement.reporting_period_id.label("period_id"), *MEASURED
    )
    approved = floats(frame(session, approved_in(values, ids)), "value", "numerator", "denominator")
    approved["actual"] = period_actual(approved)
    targets = frame(session, period_targets(ids))
    periods = labelled_periods(session, ids).drop(columns="label")
    merged = targets.merge(
        approved[["indicator_id", "period_id", "actual"]],
        on=["indicator_id", "period_id"],
        how="outer",
    ).merge(periods, on="period_id")
    merged = merged.sort_values(["start_date", "end_date", "period_id"], ignore_index=True)
    return floats(merged, "target", "actual")


def _iptt(block: pd.DataFrame, summary: pd.DataFrame, values: pd.DataFrame) -> pd.DataFrame:
    figures = summary.set_index("indicator_id")
    table = pd.DataFrame(
        {
            _("Result"): block["result"].to_numpy(),
            _("Indicator"): block["indicator"].to_numpy(),
            _("Title"): block["indicator_title"].to_numpy(),
            _("Unit"): block["unit"].to_numpy(),
            _("Measure"): _enum(block["measure"]).to_numpy(),
        }
    )
    ids = block["indicator_id"].to_numpy()
    pick = figures.reindex(ids)
    table[_("Baseline")] = pick["baseline"].to_numpy()
    table[_("Life-of-project target")] = pick["target_value"].to_numpy()
    mine = values[values["indicator_id"].isin(ids)]
    periods = list(dict.fromkeys(mine["period"]))
    wide = mine.pivot_table(
        index="indicator_id",
        columns="period",
        values=["target", "actual"],
        aggfunc="first",
        dropna=False,
    ).reindex(ids)
    heads = {"target": N_("{period} target"), "actual": N_("{period} actual")}
    columns = {
        _(heads[kind], period=period): wide[(kind, period)].to_numpy()
        if (kind, period) in wide.columns
        else [float("nan")] * len(ids)
        for period in periods
        for kind in ("target", "actual")
    }
    tail = {
        _("To date"): pick["to_date"].to_numpy(),
        _("To date counted as"): pick["to_date_rule"].to_numpy(),
        _("Judged at"): pd.to_datetime(pick["judged_at"]).dt.date.to_numpy(),
        _("Progress %"): (pick["progress"] * 100).to_numpy(),
        _("Status"): pick["status"].to_numpy(),
        _("Data-quality flags"): pick["flags"].fillna("").to_numpy(),
    }
    return pd.concat([table, pd.DataFrame({**columns, **tail})], axis=1)


def iptt_workbook(
    session: Session,
    *,
    principal: Principal,
    project_codes: Sequence[str] | None = None,
    as_of: date | None = None,
) -> bytes:
    """The IPTT as an Excel workbook, one sheet per project, its headers in the reader's
    language (values stay as stored: codes, engine statuses and flag names)."""
    frames = iptt_frames(session, principal=principal, project_codes=project_codes, as_of=as_of)
    if not frames:
        empty = pd.DataFrame({_("Note"): [_("No project to show.")]})
        return spreadsheet.xlsx_bytes({"Sheet1": empty})
    used: set[str] = set()
    return spreadsheet.xlsx_bytes(
        {_sheet_name(code, used): table for code, table in frames.items()}
    )
