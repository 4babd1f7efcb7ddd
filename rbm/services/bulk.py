"""Validated bulk loading of a whole portfolio from DataFrames, one per table.

For migrations from another system and for the benchmark's synthetic portfolios: projects,
logframes, indicators, periods, targets, measurements and breakdowns (and the reference rows
they point to) arrive as DataFrames keyed by table name. Each frame is checked with a pandera
schema derived from the table's columns (types, lengths, enum values, required columns), and
every foreign key is checked against the other frames or the database, before anything is
written. Then rows go in inside the caller's transaction, with one audit event (entity type
`bulk_load`) per batch of rows, converted column by column (SQLAlchemy's per-row parameter
processing cost more than twice the insert itself, see bench/RESULTS.md): on SQLite the Core
`insert()` compiled once per table and run as the driver's executemany, a batch at a time; on
PostgreSQL one `COPY` of CSV text per table (`rbm.frames.sql.copy_frame`), with the indexes of
the loaded tables built after their rows are in (`indexes_built_after`) and their statistics
gathered (`analyze`) before the stored figures read them back, and their foreign keys set aside
and checked once at the end (`foreign_keys_checked_after`). That holds those tables and the
tables they point to until the caller's transaction ends, and an index is built over the whole
table, old rows too: the path is for a migration or a benchmark, not for a working day's edits.

Frames carry their own integer ids so that rows can point at each other; take the first free
id of a table from `next_id`. Rows are numbered from 1 in the order of the frame.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
from psycopg.types.json import Json
from sqlalchemy import Column, Table, func, insert, select, text
from sqlalchemy import types as sqltypes
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from rbm import figures
from rbm.errors import PermissionDenied, ValidationFailed
from rbm.frames.sql import analyze, copy_frame, foreign_keys_checked_after, indexes_built_after
from rbm.models import Base
from rbm.models.enums import Role, ScopeType
from rbm.principal import Principal
from rbm.services import audit

#: Tables the bulk path accepts, in an order where every row's references come first.
BULK_TABLES: tuple[str, ...] = tuple(
    t.name
    for t in Base.metadata.sorted_tables
    if t.name
    in {
        "organisation",
        "priority_area",
        "library_indicator",
        "dimension",
        "dimension_value",
        "project",
        "project_country",
        "project_priority_area",
        "project_sector",
        "project_partner",
        "funding",
        "reporting_period",
        "result_node",
        "indicator",
        "indicator_dimension",
        "baseline",
        "target",
        "measurement",
        "measurement_breakdown",
        "evaluation",
        "lesson",
        "lesson_country",
        "lesson_priority_area",
    }
)
BATCH_ROWS = 20_000
_SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores DateTime on SQLite
_ISO_DATETIME = "%Y-%m-%d %H:%M:%S.%f%z"
MAX_PROBLEMS = 50

#: Domain rules the column types do not say (the database's CHECK constraints, early).
_EXTRA_CHECKS: dict[tuple[str, str], list[pa.Check]] = {
    ("measurement", "revision"): [pa.Check.ge(1)],
    ("measurement", "version"): [pa.Check.ge(1)],
    ("measurement", "denominator"): [pa.Check.ge(0)],
    ("project_country", "share"): [pa.Check.gt(0), pa.Check.le(100)],
    ("project_sector", "share"): [pa.Check.gt(0), pa.Check.le(100)],
    ("project_sector", "code"): [pa.Check.str_length(5, 5)],
    ("funding", "amount"): [pa.Check.ge(0)],
}


def load_portfolio(
    session: Session, *, principal: Principal, frames: Mapping[str, pd.DataFrame]
) -> dict[str, int]:
    """Validate every frame, then insert them all; returns rows written per table.

    Raises ValidationFailed listing each problem as `table row N, column C: ...` and writes
    nothing when any frame is invalid. Only a global administrator may bulk-load."""
    _require_global_admin(principal)
    unknown = sorted(set(frames) - set(BULK_TABLES))
    if unknown:
        raise ValidationFailed(
            "The bulk path does not load these tables: {unknown}.", unknown=", ".join(unknown)
        )
    ordered = {name: frames[name].reset_index(drop=True) for name in BULK_TABLES if name in frames}
    problems = [p for name, df in ordered.items() for p in _schema_problems(name, df)]
    if not problems:
        problems = _reference_problems(session, ordered)
    if problems:
        shown = problems[:MAX_PROBLEMS]
        more = len(problems) - len(shown)
        raise ValidationFailed(
            f"Bulk load refused: {len(problems)} problem(s); nothing was written."
            + (f" The first {len(shown)} are listed." if more else ""),
            shown,
        )
    touched = {
        int(i)
        for name in ("indicator", "baseline", "measurement")
        if name in ordered
        for i in ordered[name]["id" if name == "indicator" else "indicator_id"].unique()
    }
    # Every key was checked above; the database checks them again, once per key at the end
    # (on PostgreSQL), for the loaded tables and the stored figures the refresh writes.
    loaded = [_table(name) for name in ordered]
    with foreign_keys_checked_after(session, [*loaded, *figures.DERIVED_TABLES]):
        # The loaded tables' indexes are built once their rows are in, and their statistics
        # gathered, before the refresh reads them back; the stored figures' own indexes once
        # the refresh has written them (it reads those tables by their primary keys only).
        with indexes_built_after(session, loaded):
            written = {name: _insert(session, principal, name, df) for name, df in ordered.items()}
        analyze(session, loaded)
        _advance_sequences(session, ordered)
        # Core inserts pass the ORM by: the loaded indicators' figures are computed here.
        with indexes_built_after(session, figures.DERIVED_TABLES):
            figures.refresh(session, touched)
    return written


def next_id(session: Session, table: str) -> int:
    """The first id above every row of `table` (bulk frames number their rows from here)."""
    column = _table(table).c.id
    return int(session.scalar(select(func.coalesce(func.max(column), 0))) or 0) + 1


def _require_global_admin(principal: Principal) -> None:
    if not any(g.role is Role.ADMIN and g.scope_type is ScopeType.GLOBAL for g in principal.grants):
        raise PermissionDenied("Only an administrator with global scope may bulk-load data.")


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


# -- validation -------------------------------------------------------------------------------


def schema_for(name: str) -> pa.DataFrameSchema:
    """The pandera schema of one table's frame, derived from its columns."""
    table = _table(name)
    columns = {c.name: _column_schema(name, c) for c in table.columns}
    return pa.DataFrameSchema(columns, strict=True, name=name)


def _column_schema(table: str, column: Column[Any]) -> pa.Column:
    optional = column.nullable or column.default is not None or column.server_default is not None
    checks = _type_checks(column.type) + _EXTRA_CHECKS.get((table, column.name), [])
    single_key = column.primary_key and len(column.table.primary_key.columns) == 1
    return pa.Column(
        None,
        checks=checks,
        nullable=bool(column.nullable),
        required=not optional or single_key,
        unique=single_key,
    )


def _type_checks(kind: Any) -> list[pa.Check]:
    if isinstance(kind, sqltypes.Enum):
        return [pa.Check.isin(list(kind.enums))]
    if isinstance(kind, sqltypes.Boolean):
        return [pa.Check.isin([True, False])]
    if isinstance(kind, sqltypes.Integer):
        return [pa.Check(_integers, name="integer")]
    if isinstance(kind, sqltypes.Numeric):
        return [pa.Check(_numbers, name="number")]
    if isinstance(kind, sqltypes.Date | sqltypes.DateTime):
        return [pa.Check(_dates, name="date")]
    if isinstance(kind, sqltypes.String) and kind.length:
        return [pa.Check.str_length(max_value=kind.length)]
    return []


def _integers(s: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(s, errors="coerce")
    return numbers.notna() & (numbers % 1 == 0)


def _numbers(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s, errors="coerce").notna()


def _dates(s: pd.Series) -> pd.Series:
    return pd.Series(pd.to_datetime(s, errors="coerce"), index=s.index).notna()


def _schema_problems(name: str, df: pd.DataFrame) -> list[str]:
    try:
        schema_for(name).validate(df, lazy=True)
    except pa.errors.SchemaErrors as err:
        return [_describe(name, row) for row in err.failure_cases.to_dict("records")]
    return []


def _describe(table: str, case: Mapping[str, Any]) -> str:
    where = f"{table}"
    if pd.notna(case.get("index")):
        where += f" row {int(case['index']) + 1}"
    if case.get("column") and pd.notna(case.get("column")):
        where += f", column {case['column']}"
    return f"{where}: {case['check']} failed for {case['failure_case']!r}"


def _reference_problems(session: Session, frames: Mapping[str, pd.DataFrame]) -> list[str]:
    """Every foreign key must point at a row of another frame or of the database."""
    problems: list[str] = []
    for name, df in frames.items():
        for fk in _table(name).foreign_keys:
            source, target = fk.parent.name, fk.column
            if source not in df.columns:
                continue
            values = df[source].dropna()
            known = frames.get(target.table.name, pd.DataFrame()).get(target.name)
            missing = values[~values.isin(known)] if known is not None else values
            absent = _absent_in_database(session, target, missing.unique().tolist())
            for row, value in missing[missing.isin(absent)].items():
                problems.append(
                    f"{name} row {int(str(row)) + 1}, column {source}: no {target.table.name} "
                    f"with {target.name} {value!r}"
                )
    return problems


def _absent_in_database(session: Session, target: Column[Any], values: list[Any]) -> set[Any]:
    absent: set[Any] = set()
    for start in range(0, len(values), 500):
        chunk = values[start : start + 500]
        found = set(session.scalars(select(target).where(target.in_(chunk))))
        absent.update(v for v in chunk if v not in found)
    return absent


# -- writing ----------------------------------------------------------------------------------


def _insert(session: Session, principal: Principal, name: str, df: pd.DataFrame) -> int:
    table = _table(name)
    full = with_defaults(table, df)
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        raw = connection.connection.driver_connection
        copy_frame(raw, name, copy_values(table, full), batch_rows=BATCH_ROWS)
    else:
        sql, positional = insert_sql(table, list(full.columns), connection.dialect)
        for start in range(0, len(full), BATCH_ROWS):
            rows = driver_rows(table, full.iloc[start : start + BATCH_ROWS], connection.dialect)
            connection.exec_driver_sql(sql, rows if positional else as_dicts(full.columns, rows))
    for number, start in enumerate(range(0, len(full), BATCH_ROWS), start=1):
        audit.record(
            session,
            principal=principal,
            action="create",
            entity_type="bulk_load",
            entity_id=None,
            after={"table": name, "batch": number, "rows": min(BATCH_ROWS, len(full) - start)},
        )
    return len(df)


def insert_sql(table: Table, columns: list[str], dialect: Dialect) -> tuple[str, bool]:
    """The Core `insert()` of these columns, compiled once for the dialect."""
    compiled = insert(table).compile(dialect=dialect, column_keys=columns)
    if compiled.positional and list(compiled.positiontup or []) != columns:
        raise RuntimeError(f"Unexpected parameter order for {table.name}.")
    return str(compiled), bool(compiled.positional)


def with_defaults(table: Table, df: pd.DataFrame) -> pd.DataFrame:
    """Absent columns that have a default get it, evaluated once for the whole load."""
    missing = {}
    for column in table.columns:
        default = column.default
        if column.name in df.columns or default is None or not hasattr(default, "arg"):
            continue
        arg = default.arg
        missing[column.name] = arg(None) if callable(arg) else arg
    full = df.assign(**missing) if missing else df
    return full[[c.name for c in table.columns if c.name in full.columns]]


def driver_rows(table: Table, part: pd.DataFrame, dialect: Dialect) -> list[tuple[Any, ...]]:
    """The rows as the database driver takes them, converted column by column (vectorised)
    the way SQLAlchemy's types would convert them one value at a time."""
    sqlite = dialect.name == "sqlite"
    columns = [_driver_values(table.c[c].type, part[c], sqlite) for c in part.columns]
    return list(zip(*columns, strict=True))


def copy_values(table: Table, part: pd.DataFrame) -> pd.DataFrame:
    """The rows as PostgreSQL's COPY reads them from text (`rbm.frames.sql.copy_frame`),
    converted column by column."""
    return pd.DataFrame(
        {c: _copy_values(table.c[c].type, part[c]) for c in part.columns}, index=part.index
    )


def _copy_values(kind: Any, series: pd.Series) -> pd.Series:
    # As ISO text, each distinct date or time formatted once: pandas' own CSV writing of
    # timestamps costs more than all the other columns together.
    if isinstance(kind, sqltypes.DateTime):
        return _each_distinct(pd.to_datetime(series, utc=True), True, _ISO_DATETIME)
    if isinstance(kind, sqltypes.Date):
        return _each_distinct(pd.to_datetime(series), True, "%Y-%m-%d")
    if isinstance(kind, sqltypes.JSON):
        return series.map(json.dumps).where(series.notna())
    if isinstance(kind, sqltypes.Enum):
        return series.map(str).where(series.notna())
    if isinstance(kind, sqltypes.Numeric):
        return pd.to_numeric(series).astype("float64")
    if isinstance(kind, sqltypes.Integer) and not pd.api.types.is_integer_dtype(series):
        return pd.to_numeric(series).astype("Int64")  # 3, not 3.0, beside a missing value
    return series


def _driver_values(kind: Any, series: pd.Series, sqlite: bool) -> list[Any]:
    present = series.notna()
    if isinstance(kind, sqltypes.DateTime):
        series = _each_distinct(pd.to_datetime(series, utc=True), sqlite, _SQLITE_DATETIME)
    elif isinstance(kind, sqltypes.Date):
        series = _each_distinct(pd.to_datetime(series), sqlite, "%Y-%m-%d")
    elif isinstance(kind, sqltypes.JSON):
        series = series.map(lambda v: json.dumps(v) if sqlite else Json(v))
    elif isinstance(kind, sqltypes.Enum):
        series = series.map(str)
    elif isinstance(kind, sqltypes.Numeric):
        series = pd.to_numeric(series).astype("float64")
    return series.astype(object).where(present, None).tolist()


def _each_distinct(stamps: pd.Series, as_text: bool, pattern: str) -> pd.Series:
    """Timestamps as text in `pattern` or as Python dates/datetimes, converting each distinct
    value once (a load repeats few dates many times)."""
    codes, uniques = pd.factorize(stamps)
    days = pd.DatetimeIndex(uniques)
    converted: list[Any]
    if as_text:
        converted = list(days.strftime(pattern))
    elif pattern == "%Y-%m-%d":
        converted = [u.date() for u in days]
    else:
        converted = [u.to_pydatetime() for u in days]
    # Code -1 (a missing stamp) picks the last slot: None.
    values = np.array([*converted, None], dtype=object)
    return pd.Series(values[codes], index=stamps.index, dtype=object)


def as_dicts(columns: Any, rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    names = list(columns)
    return [dict(zip(names, row, strict=True)) for row in rows]


def _advance_sequences(session: Session, frames: Mapping[str, pd.DataFrame]) -> None:
    """On PostgreSQL, move each id sequence past the ids the frames brought."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for name, df in frames.items():
        if "id" in df.columns and len(df):
            session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"(SELECT max(id) FROM {name}))"
                )
            )
