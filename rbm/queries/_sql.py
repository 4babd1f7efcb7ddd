"""Running a select into a DataFrame."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable


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


def columns_frame(session: Session, stmt: Executable) -> pd.DataFrame:
    """Like `frame`, for a million rows: the driver's own tuples, without SQLAlchemy's per-row
    result processing, built into the frame column by column.

    So select only columns the driver returns ready to use: integers, text, floats (cast
    numerics with `cast(..., Float)`) and dates (`timestamps` parses SQLite's ISO text)."""
    result = session.connection().execute(stmt)
    names = list(result.keys())
    try:
        rows = result.cursor.fetchall()
    finally:
        result.close()
    if not rows:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in names})
    return pd.DataFrame(dict(zip(names, zip(*rows, strict=True), strict=True)))


def floats(df: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """Decimal columns (exact in the database) as floats for arithmetic and charts."""
    for col in columns:
        df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
    return df


def timestamps(df: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for col in columns:
        df[col] = pd.to_datetime(df[col]).astype("datetime64[ns]")
    return df
