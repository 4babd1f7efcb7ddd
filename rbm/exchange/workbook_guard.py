"""The one door every uploaded workbook goes through before any parser sees it.

An .xlsx is a zip of XML parts, and a few kilobytes can declare a sheet of a million rows or
inflate to gigabytes. Before parsing, `read_workbook` checks the upload size, the zip (entry
count, declared uncompressed size, compression ratio), that it really is a workbook (not a
renamed Word file, zipped CSV or damaged file), and the sheet's declared dimension; it then
streams rows (openpyxl read-only) and stops at the row and column limits. Every refusal is a
ValidationFailed naming the file and the limit, never a traceback.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from xml.etree.ElementTree import ParseError

import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from rbm.errors import ValidationFailed
from rbm.settings import BYTES_PER_MB, get_settings

#: Zip limits: parts in the archive, their declared total size, and how far one part may
#: inflate (real sheets compress about 5-30 times; bombs a thousand and more).
MAX_ENTRIES = 1_000
MAX_UNCOMPRESSED_BYTES = 256 * BYTES_PER_MB
MAX_RATIO = 200
_RATIO_FROM_BYTES = BYTES_PER_MB  # small parts may compress well without harm


def check_size(filename: str, content: bytes) -> None:
    """Refuse an upload over RBM_MAX_UPLOAD_MB (the same limit in the app and the CLI)."""
    settings = get_settings()
    if len(content) > settings.max_upload_bytes:
        raise ValidationFailed(
            "{filename}: {count:.1f} MB is over the {max_upload_mb:g} MB upload "
            "limit (RBM_MAX_UPLOAD_MB).",
            filename=filename,
            count=len(content) / BYTES_PER_MB,
            max_upload_mb=settings.max_upload_mb,
        )


def read_workbook(filename: str, content: bytes) -> pd.DataFrame:
    """The first sheet of a checked workbook as text cells ("" when empty), the first row
    giving the column names; rows keep their sheet order (row N of the frame is sheet row
    N + 2). Raises ValidationFailed for anything unsafe or unreadable."""
    check_size(filename, content)
    check_zip(filename, content)
    rows = list(_rows(filename, content))
    if not rows:
        raise ValidationFailed("{filename}: the first sheet is empty.", filename=filename)
    cells = [[_text(c) for c in row] for row in rows]
    while len(cells) > 1 and not any(cells[-1]):
        cells.pop()  # trailing blank rows
    width = max((max((i + 1 for i, c in enumerate(r) if c), default=0) for r in cells), default=0)
    table = [(r + [""] * width)[:width] for r in cells]
    header = [name or f"unnamed: {i}" for i, name in enumerate(table[0])]
    return pd.DataFrame(table[1:], columns=header, dtype=str)


def check_zip(filename: str, content: bytes) -> None:
    """Refuse a file that is not a zip, not a workbook, or a zip bomb."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise ValidationFailed(
            "{filename}: this is not an Excel workbook (.xlsx): the file is damaged"
            " or of another kind. Save it from Excel or LibreOffice as .xlsx, or "
            "upload a .csv.",
            filename=filename,
        ) from None
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ENTRIES:
            raise ValidationFailed(
                "{filename}: {count} parts in the archive; a workbook here has at most "
                "{max_entries}.",
                filename=filename,
                count=len(entries),
                max_entries=MAX_ENTRIES,
            )
        total = sum(e.file_size for e in entries)
        if total > MAX_UNCOMPRESSED_BYTES:
            raise ValidationFailed(
                "{filename}: it would unpack to {total:.0f} MB; the limit is "
                "{max_uncompressed_bytes} MB.",
                filename=filename,
                total=total / BYTES_PER_MB,
                max_uncompressed_bytes=MAX_UNCOMPRESSED_BYTES // BYTES_PER_MB,
            )
        for e in entries:
            if e.file_size > _RATIO_FROM_BYTES and e.file_size > MAX_RATIO * e.compress_size:
                ratio = e.file_size // max(1, e.compress_size)
                raise ValidationFailed(
                    "{filename}: part {filename2} inflates {ratio} times; the limit is "
                    "{max_ratio} (this looks like a zip bomb).",
                    filename=filename,
                    filename2=e.filename,
                    ratio=ratio,
                    max_ratio=MAX_RATIO,
                )
        _check_kind(filename, {e.filename for e in entries})


def _check_kind(filename: str, names: set[str]) -> None:
    if "xl/workbook.xml" in names and "[Content_Types].xml" in names:
        return
    if "word/document.xml" in names:
        kind = "a Word document renamed .xlsx"
    elif "ppt/presentation.xml" in names:
        kind = "a PowerPoint file renamed .xlsx"
    elif "content.xml" in names:
        kind = "an OpenDocument file renamed .xlsx (save it as .xlsx)"
    else:
        kind = "a zip archive without a workbook in it"
    raise ValidationFailed(
        "{filename}: this is not an Excel workbook: it is {kind}.", filename=filename, kind=kind
    )


def _rows(filename: str, content: bytes) -> Iterator[tuple[Any, ...]]:
    settings = get_settings()
    max_rows, max_cols = settings.workbook_max_rows, settings.workbook_max_columns
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            check_dimension(filename, sheet.max_row, sheet.max_column)
            for n, row in enumerate(sheet.iter_rows(max_col=max_cols + 1, values_only=True)):
                if n > max_rows:  # the header row is not counted
                    raise ValidationFailed(
                        "{filename}: more than {max_rows} rows; split the file (the limit is "
                        "RBM_WORKBOOK_MAX_ROWS).",
                        filename=filename,
                        max_rows=max_rows,
                    )
                if len(row) > max_cols and row[max_cols] not in (None, ""):
                    raise ValidationFailed(
                        "{filename}: row {n} has a value beyond column {max_cols}; the limit is"
                        " RBM_WORKBOOK_MAX_COLUMNS.",
                        filename=filename,
                        n=n + 1,
                        max_cols=max_cols,
                    )
                yield row[:max_cols]
        finally:
            book.close()
    except ValidationFailed:
        raise
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, ParseError,
            OSError, IndexError, TypeError) as exc:  # fmt: skip
        raise ValidationFailed(
            "{filename}: the workbook is damaged and cannot be read ({name}).",
            filename=filename,
            name=type(exc).__name__,
        ) from exc


def check_dimension(filename: str, rows: int | None, columns: int | None) -> None:
    settings = get_settings()
    if (rows or 0) > settings.workbook_max_rows + 1 or (
        columns or 0
    ) > settings.workbook_max_columns:
        raise ValidationFailed(
            "{filename}: the sheet declares {rows} rows x {columns} columns; the "
            "limits are {workbook_max_rows} rows (plus the header) and "
            "{workbook_max_columns} columns.",
            filename=filename,
            rows=rows,
            columns=columns,
            workbook_max_rows=settings.workbook_max_rows,
            workbook_max_columns=settings.workbook_max_columns,
        )


def _text(value: object) -> str:
    """A cell as text, the way a person typed it (5 not 5.0)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return str(pd.Timestamp(value))
    return str(value)
