"""Running a select into a DataFrame, and many rows into a table at once."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
from psycopg.copy import QueuedLibpqWriter
from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Table,
    UniqueConstraint,
    bindparam,
    insert,
    text,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import QueryableAttribute, Session
from sqlalchemy.schema import AddConstraint, CreateIndex, DropConstraint, DropIndex
from sqlalchemy.sql import Executable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

Kind = Literal["int", "float", "day", "text"]


def frame(session: Session, stmt: Executable) -> pd.DataFrame:
    result = session.execute(stmt)
    # Plain tuples: pandas probes Row objects attribute by attribute, which costs more than
    # the query on a table of thousands of rows.
    return pd.DataFrame([tuple(row) for row in result.all()], columns=list(result.keys()))


def joined_per_key(keys: pd.Series, names: pd.Series, *, distinct: bool = False) -> dict[Any, str]:
    """Per key, its names joined with ", " (in order, or sorted and distinct): one pass over the
    rows, where a groupby with a Python aggregation costs a call per group."""
    out: dict[Any, list[str]] = {}
    for key, name in zip(keys.tolist(), names.tolist(), strict=True):
        out.setdefault(key, []).append(name)
    return {k: ", ".join(sorted(set(v)) if distinct else v) for k, v in out.items()}


class epoch_days(FunctionElement[int]):
    """A date column as days since 1970-01-01 (an integer; NULL stays NULL): the driver hands
    back a small int instead of a date or ISO text to parse (see `columns_frame`'s "day")."""

    type = Integer()
    inherit_cache = True


@compiles(epoch_days, "sqlite")
def _epoch_days_sqlite(element: epoch_days, compiler: SQLCompiler, **kw: Any) -> str:
    # julianday of a date is N.5 exactly, so the difference is an exact integer.
    return f"CAST(julianday({compiler.process(element.clauses, **kw)}) - 2440587.5 AS INTEGER)"


@compiles(epoch_days)
def _epoch_days(element: epoch_days, compiler: SQLCompiler, **kw: Any) -> str:
    return f"({compiler.process(element.clauses, **kw)} - DATE '1970-01-01')"


class year_start(FunctionElement[Any]):
    """1 January of an integer year, as a date."""

    type = Date()
    inherit_cache = True


@compiles(year_start, "sqlite")
def _year_start_sqlite(element: year_start, compiler: SQLCompiler, **kw: Any) -> str:
    return f"printf('%04d-01-01', {compiler.process(element.clauses, **kw)})"


@compiles(year_start)
def _year_start(element: year_start, compiler: SQLCompiler, **kw: Any) -> str:
    return f"make_date({compiler.process(element.clauses, **kw)}, 1, 1)"


def _column(values: npt.NDArray[np.object_], kind: Kind | None) -> Any:
    if kind == "int":
        return values.astype(np.int64)
    if kind == "float":
        return values.astype(np.float64)  # None becomes NaN
    if kind == "day":
        days = values.astype(np.float64)
        missing = np.isnan(days)
        out = np.where(missing, 0, days).astype(np.int64).astype("datetime64[D]")
        out = out.astype("datetime64[ns]")
        out[missing] = np.datetime64("NaT")
        return out
    if kind == "text":
        return pd.Series(values, dtype=object, copy=True)
    return values.tolist()  # left to pandas' inference, as a tuple would be


_EMPTY: dict[Kind, Any] = {
    "int": "int64",
    "float": "float64",
    "day": "datetime64[ns]",
    "text": object,
}


def columns_frame(
    session: Session, stmt: Executable, types: Mapping[str, Kind] | None = None
) -> pd.DataFrame:
    """Like `frame`, for a million rows: the driver's own tuples, without SQLAlchemy's per-row
    result processing, built into the frame column by column.

    So select only columns the driver returns ready to use: integers, text, floats (cast
    numerics with `cast(..., Float)`) and dates (`timestamps` parses SQLite's ISO text, or
    select `epoch_days(...)` and type the column "day"). `types` builds the named columns
    straight into numpy arrays: "int" (no nulls) and "float" (null: NaN) as int64 and float64,
    "day" (epoch days) as datetime64[ns] (null: NaT), "text" as object (str or None); the
    others are left to pandas' inference."""
    types = types or {}
    result = session.connection().execute(stmt)
    names = list(result.keys())
    try:
        rows = result.cursor.fetchall()
    finally:
        result.close()
    if not rows:
        return pd.DataFrame(
            {
                name: pd.Series(dtype=_EMPTY[types[name]] if name in types else object)
                for name in names
            }
        )
    if not types:
        return pd.DataFrame(dict(zip(names, zip(*rows, strict=True), strict=True)))
    # One object matrix, then a numpy cast per column: cheaper than transposing the tuples.
    cells = np.empty((len(rows), len(names)), dtype=object)
    cells[:] = rows
    return pd.DataFrame(
        {name: _column(cells[:, j], types.get(name)) for j, name in enumerate(names)},
        copy=False,
    )


def id_in(
    column: ColumnElement[int] | QueryableAttribute[int], ids: Collection[int]
) -> ColumnElement[bool]:
    """`column IN (ids)` with the ids written into the statement's text when it runs, rather
    than bound one parameter each: binding thousands of ids cost SQLAlchemy and the driver more
    than the query took in the database (the stored figures read 5,000 indicators at a time).
    For integer ids only."""
    values = [int(i) for i in ids]
    return column.in_(bindparam("ids", values, expanding=True, literal_execute=True, unique=True))


def floats(df: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """Decimal columns (exact in the database) as floats for arithmetic and charts."""
    for col in columns:
        df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
    return df


def enum_values(df: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """Enumeration columns (read as members) as their values, for display, charts and
    exports; a missing one stays None."""
    for col in columns:
        df[col] = df[col].map(_value_of).astype(object)
    return df


def _value_of(member: Any) -> Any:
    return getattr(member, "value", member)


def timestamps(df: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for col in columns:
        df[col] = pd.to_datetime(df[col]).astype("datetime64[ns]")
    return df


def copy_rows(raw: Any, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Rows into a PostgreSQL table with COPY (psycopg 3, `raw` its connection), in that
    connection's transaction. COPY takes the same driver values as an INSERT but skips the
    per-statement work of executemany: several times faster on a large load
    (bench/RESULTS.md)."""
    names = ", ".join(f'"{c}"' for c in columns)
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)


def copy_frame(raw: Any, table: str, frame: pd.DataFrame, *, batch_rows: int = 20_000) -> None:
    """A frame's rows into a PostgreSQL table with one `COPY ... (FORMAT csv)` (psycopg 3, `raw`
    its connection), in that connection's transaction. Arrow's CSV writer makes the text (in
    C++, ten times faster than pandas' `to_csv`, which went through Python's csv module a row
    at a time); `copy_rows` hands the driver one Python tuple per row, which cost more than the
    server's work on a large load (bench/RESULTS.md). The text is written `batch_rows` rows at
    a time and sent by a thread of psycopg's (`QueuedLibpqWriter`), so the server reads one
    batch while the next is written.

    The frame's columns are named as the table's and hold what PostgreSQL reads from text:
    numbers (integers with a missing value as pandas' Int64, not as floats), ISO dates and
    timestamps as text, booleans, strings. Arrow quotes every string, the empty one too, and
    writes a missing value as nothing at all: what COPY's CSV format reads as NULL."""
    names = ", ".join(f'"{c}"' for c in frame.columns)
    sql = f'COPY "{table}" ({names}) FROM STDIN (FORMAT csv)'
    rows = pa.Table.from_pandas(frame, preserve_index=False)
    options = pa_csv.WriteOptions(include_header=False, quoting_style="needed")
    with raw.cursor() as cursor, cursor.copy(sql, writer=QueuedLibpqWriter(cursor)) as copy:
        for batch in rows.to_batches(max_chunksize=batch_rows):
            csv = pa.BufferOutputStream()
            pa_csv.write_csv(batch, csv, options)
            copy.write(csv.getvalue().to_pybytes())


def _on_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


@contextmanager
def _set_aside(session: Session, drops: list[Any], builds: list[Any]) -> Iterator[None]:
    """On PostgreSQL, the `drops` statements before the block and the `builds` after it, in the
    session's transaction (a no-op on other databases). A block that fails leaves the drops in
    place until the transaction rolls back, which undoes them too."""
    if not _on_postgresql(session):
        yield
        return
    for statement in drops:
        session.execute(statement)
    yield
    for statement in builds:
        session.execute(statement)


def foreign_keys_checked_after(
    session: Session, tables: Iterable[Table]
) -> AbstractContextManager[None]:
    """On PostgreSQL, the foreign keys of these tables are dropped for the block and added back
    after it: adding a key checks every row in one pass (as pg_restore does), where the key's
    trigger would check each inserted row on its own, which is most of the server's time on a
    large COPY. A row that points nowhere fails the block. Dropping a key locks its table and
    the table it points to until the transaction ends, so use this for loads that may hold
    them (a no-op on other databases)."""
    keys = [key for table in tables for key in table.foreign_key_constraints]
    return _set_aside(
        session, [DropConstraint(key) for key in keys], [AddConstraint(key) for key in keys]
    )


def indexes_built_after(session: Session, tables: Iterable[Table]) -> AbstractContextManager[None]:
    """On PostgreSQL, the indexes and unique constraints of these tables, all but their primary
    keys (which other tables' keys point at), are dropped for the block and built again after
    it: building an index sorts its rows once (as pg_restore does), where an index kept through
    a large insert takes each row on its own (a million measurements: 2.6 s against 4.6 s). So
    reads in the block go without these indexes, and a duplicate fails the block when its
    unique constraint is built. Building sorts the whole table, not only the new rows, and
    locks it until the transaction ends: for loads that make up much of their tables (a no-op
    on other databases)."""
    tables = list(tables)
    uniques = [
        c
        for table in tables
        for c in table.constraints
        if isinstance(c, UniqueConstraint) and c.columns
    ]
    indexes = [index for table in tables for index in table.indexes]
    return _set_aside(
        session,
        [*map(DropConstraint, uniques), *map(DropIndex, indexes)],
        [*map(CreateIndex, indexes), *map(AddConstraint, uniques)],
    )


def analyze(session: Session, tables: Iterable[Table]) -> None:
    """On PostgreSQL, fresh statistics for these tables in the session's transaction (a no-op
    on other databases), so that reads of rows just loaded are planned on what is there: after
    a large load the planner guesses from a table's size alone, and at a million measurements a
    guess read each breakdown's measurement by its primary key, 200,000 probes, where one hash
    join does."""
    names = ", ".join(f'"{table.name}"' for table in tables)
    if names and _on_postgresql(session):
        session.execute(text(f"ANALYZE {names}"))


def insert_rows(
    session: Session, table: Table, columns: list[str], rows: list[tuple[Any, ...]]
) -> None:
    """Rows (Python values, in `columns` order) into `table` in the session's transaction:
    COPY on PostgreSQL, one executemany elsewhere."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        copy_rows(connection.connection.driver_connection, table.name, columns, rows)
    else:
        session.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])
