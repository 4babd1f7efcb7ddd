"""Running a select into a DataFrame."""

from __future__ import annotations

import pandas as pd
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable


def frame(session: Session, stmt: Executable) -> pd.DataFrame:
    result = session.execute(stmt)
    return pd.DataFrame(result.all(), columns=list(result.keys()))


def floats(df: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """Decimal columns (exact in the database) as floats for arithmetic and charts."""
    for col in columns:
        df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
    return df


def timestamps(df: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for col in columns:
        df[col] = pd.to_datetime(df[col]).astype("datetime64[ns]")
    return df
