"""Reading a filled measurement template the way people really save it.

CSV from any Excel: the encoding (UTF-8 with or without a byte-order mark, UTF-16, Windows-1252),
the separator (comma, semicolon, tab, pipe) and the decimal mark (point or comma) are detected,
and what was detected is said back in the import report. Workbooks: one sheet is read (the
`measurements` sheet, or the only one); values on another sheet and formula cells are refused,
naming the sheet and cell, so nobody believes a value was imported when it was not.

Every cell comes back as stripped text (or None); numbers are parsed by the validation.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import PurePath

import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from rbm.errors import ValidationFailed
from rbm.exchange import workbook_guard
from rbm.settings import get_settings

#: The sheet the Excel template writes and the import reads first.
SHEET = "measurements"
SEPARATORS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_COMMA_NUMBER = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+),\d+$")
_POINT_NUMBER = re.compile(r"^[+-]?\d+\.\d+$")
_THOUSANDS_POINT = re.compile(r"(?<=\d)\.(?=\d{3}(\D|$))")


@dataclass(frozen=True, kw_only=True)
class ReadInfo:
    """What was detected in a file, for the import report and the audit event."""

    filename: str
    sha256: str
    kind: str  # "csv" or "xlsx"
    encoding: str = ""
    separator: str = ""
    decimal: str = "point"
    sheet: str = ""

    def describe(self) -> str:
        if self.kind == "xlsx":
            return f"Read sheet '{self.sheet}' of the workbook."
        return (
            f"Read as CSV: encoding {self.encoding}, separator {SEPARATORS[self.separator]}, "
            f"decimal {self.decimal}."
        )


def decode(content: bytes) -> tuple[str, str]:
    """The text of a CSV file and the name of its encoding: a byte-order mark decides; then
    UTF-16 without one (every other byte zero); then UTF-8; else Windows-1252."""
    if content.startswith(codecs.BOM_UTF8):
        return content[len(codecs.BOM_UTF8) :].decode("utf-8"), "UTF-8 with BOM"
    for bom, name in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if content.startswith(bom):
            return content[len(bom) :].decode(name), "UTF-16"
    head = content[:4000]
    if len(head) >= 4 and head[1::2].count(0) > len(head) // 4:
        return content.decode("utf-16-le"), "UTF-16"
    if len(head) >= 4 and head[0::2].count(0) > len(head) // 4:
        return content.decode("utf-16-be"), "UTF-16"
    try:
        return content.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace"), "Windows-1252"


def separator(text: str) -> str:
    """The separator of the header line: the candidate that splits it into most columns."""
    header = text.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(header, delimiters="".join(SEPARATORS)).delimiter
    except csv.Error:
        return max(SEPARATORS, key=header.count)


def uses_decimal_comma(cells: pd.DataFrame) -> bool:
    """True when number cells are written with a decimal comma (`12,5`, `1.234,5`) and none
    with a decimal point."""
    flat = pd.Series(cells.to_numpy().ravel()).dropna().astype(str)
    return bool(flat.str.match(_COMMA_NUMBER).any()) and not flat.str.match(_POINT_NUMBER).any()


def to_point(cells: pd.DataFrame) -> pd.DataFrame:
    """Decimal-comma numbers as decimal-point text (`1.234,5` -> `1234.5`); other text kept."""

    def one(v: object) -> object:
        if isinstance(v, str) and _COMMA_NUMBER.match(v):
            return _THOUSANDS_POINT.sub("", v).replace(",", ".")
        return v

    return cells.map(one)


def read_csv(filename: str, content: bytes) -> tuple[pd.DataFrame, ReadInfo]:
    text, encoding = decode(content)
    sep = separator(text)
    try:
        df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, engine="c")
    except (ValueError, pd.errors.ParserError) as exc:
        raise ValidationFailed(
            "{filename}: the file cannot be read as CSV with {separators} separators ({value}).",
            filename=filename,
            separators=SEPARATORS[sep],
            value=str(exc)[:120],
        ) from exc
    info = ReadInfo(
        filename=filename, sha256=_sha(content), kind="csv", encoding=encoding, separator=sep
    )
    return df, info


def read_workbook(filename: str, content: bytes) -> tuple[pd.DataFrame, ReadInfo]:
    """The one place a workbook is opened: the `measurements` sheet (or the only sheet) as
    text; formula cells and values on other sheets are refused with their sheet and cell."""
    workbook_guard.check_zip(filename, content)  # bombs, damaged or renamed files
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise ValidationFailed(
            "{filename}: the workbook is damaged and cannot be read ({exc}).",
            filename=filename,
            exc=exc,
        ) from exc
    try:
        names = list(book.sheetnames)
        name = SHEET if SHEET in names else names[0]
        problems = [
            f"sheet '{other}' holds values: only sheet '{name}' is read; move them there"
            for other in names
            if other != name and _has_values(book[other])
        ]
        sheet = book[name]
        workbook_guard.check_dimension(filename, sheet.max_row, sheet.max_column)
        max_rows = get_settings().workbook_max_rows
        rows: list[list[object]] = []
        for r, row in enumerate(sheet.iter_rows(), start=1):
            if r > max_rows + 1:  # the header row is not counted
                raise ValidationFailed(
                    "{filename}: more than {max_rows} rows; split the file (the limit is "
                    "RBM_WORKBOOK_MAX_ROWS).",
                    filename=filename,
                    max_rows=max_rows,
                )
            cells: list[object] = []
            for cell in row:
                if cell.data_type == "f":
                    problems.append(
                        f"sheet '{name}', cell {cell.coordinate}: holds a formula; "
                        "paste its value instead (only typed values are read)"
                    )
                cells.append(cell.value)
            if r == 1 or any(c not in (None, "") for c in cells):
                rows.append(cells)
    finally:
        book.close()
    if problems:
        raise ValidationFailed(
            "{filename}: the workbook was not imported. Nothing was saved.",
            problems[:50],
            filename=filename,
        )
    header = [str(c if c is not None else "").strip() for c in (rows[0] if rows else [])]
    body = [[_text(c) for c in r[: len(header)]] for r in rows[1:]]
    df = pd.DataFrame(body, columns=header, dtype=object)
    return df, ReadInfo(filename=filename, sha256=_sha(content), kind="xlsx", sheet=name)


def _has_values(sheet: object) -> bool:
    return any(
        c not in (None, "")
        for row in sheet.iter_rows(values_only=True)  # type: ignore[attr-defined]
        for c in row
    )


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def read_file(filename: str, content: bytes) -> tuple[pd.DataFrame, ReadInfo]:
    """Every cell as stripped text or None, with what was detected."""
    ext = PurePath(filename).suffix.lower()
    workbook_guard.check_size(filename, content)
    if ext == ".csv":
        df, info = read_csv(filename, content)
    elif ext == ".xlsx":
        df, info = read_workbook(filename, content)
    else:
        raise ValidationFailed(
            "{filename}: upload a .csv or .xlsx file (not {ext}).",
            filename=filename,
            ext=ext or "none",
        )
    df.columns = [str(c).strip().lower() for c in df.columns]
    for col in df.columns:
        cells = df[col].astype(object)
        text = cells.where(cells.isna(), cells.astype(str).str.strip())
        df[col] = text.where(text.notna() & (text != ""), None)
    return df, info
