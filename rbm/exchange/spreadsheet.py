"""Spreadsheet output that cannot run anything: every export people open in Excel, LibreOffice
or Google Sheets (CSV and .xlsx) goes through here.

Following the OWASP guidance on CSV (formula) injection, a text cell that starts with `=`, `+`,
`-`, `@`, a tab or a carriage return is written with a leading apostrophe, so it shows as text
and is never evaluated; numbers, dates and empty cells are untouched, and so is text that is
only a number (`-3`, `+4.5`), which a spreadsheet reads as that number and nothing more.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+([.,][0-9]+)?")


def neutralise(value: Any) -> Any:
    """A text value that a spreadsheet would read as a formula, made plain text."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text cell and column name neutralised (a copy)."""
    out = df.copy()
    for col in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_bool_dtype(out[col])):
            out[col] = out[col].map(neutralise)
    out.columns = [neutralise(c) for c in out.columns]
    return out


def csv_bytes(df: pd.DataFrame, **options: Any) -> bytes:
    """UTF-8 CSV without the index, every text cell neutralised."""
    text: str = neutralise_frame(df).to_csv(index=False, **options)
    return text.encode("utf-8")


def xlsx_bytes(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """A workbook with one sheet per frame (without the index), every text cell neutralised."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, df in sheets.items():
            neutralise_frame(df).to_excel(writer, sheet_name=name, index=False)
    return buffer.getvalue()
