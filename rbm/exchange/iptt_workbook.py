"""The IPTT as a formatted Excel workbook (openpyxl): two header rows, frozen panes, number
formats by measure, the date figures are judged at, and the data-quality flags."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from rbm.exchange.spreadsheet import neutralise
from rbm.queries.iptt import iptt_wide


def iptt_excel(
    long: pd.DataFrame,
    *,
    title: str,
    flags: pd.DataFrame | None = None,
    judged_at: date | None = None,
) -> bytes:
    """The IPTT as a formatted workbook: two header rows, frozen panes, number formats by
    measure (stored values keep full precision), a note of the date figures are judged at, and
    a "Data quality" sheet with each flag and its reason when `flags` are given."""
    wide = iptt_wide(long)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "IPTT"
    ws.append([neutralise(title)])
    ws["A1"].font = Font(bold=True, size=14)
    head = ["Level", "Code", "Indicator", "Unit"]
    ws.append(head + [neutralise(str(c[0])) for c in wide.columns])
    ws.append([""] * len(head) + [_FIGURE_LABELS[str(c[1])] for c in wide.columns])
    for key, row in zip(wide.index, wide.itertuples(index=False), strict=True):
        ws.append([*map(neutralise, key), *(None if pd.isna(v) else float(v) for v in row)])
    measures = long.drop_duplicates("code").set_index("code")
    _format(ws, n_head=len(head), n_cols=len(head) + len(wide.columns))
    _number_formats(ws, [measures.loc[k[1]] for k in wide.index], n_head=len(head))
    if judged_at is not None:
        ws.append([])
        ws.append([JUDGED_NOTE.format(day=f"{judged_at:%d %b %Y}")])
    if flags is not None:
        _flag_sheet(wb, flags)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


JUDGED_NOTE = (
    "To date and % achieved (life of project) are judged at {day}: the end of the latest "
    "reporting period that has ended. Values of periods still running count once they end."
)


def number_format(measure: str, accumulation: str) -> str:
    """Excel number format of a figure: percentages to one decimal, counts as integers with
    thousands separators, yes/no and scores as integers, levels to one decimal."""
    if measure == "percentage":
        return "0.0"
    if measure in ("yes_no", "ordinal"):
        return "0"
    return "#,##0" if accumulation in ("incremental", "cumulative") else "#,##0.0"


def _number_formats(ws: Worksheet, rows: list[pd.Series], *, n_head: int) -> None:
    for offset, described in enumerate(rows):
        fmt = number_format(str(described["measure"]), str(described["accumulation"]))
        for cell in ws[4 + offset][n_head:]:
            if cell.number_format != '0.0"%"':
                cell.number_format = fmt


def _flag_sheet(wb: Workbook, flags: pd.DataFrame) -> None:
    sheet = wb.create_sheet("Data quality")
    sheet.append(["Indicator", "Flag", "Reason", "Period end", "Detail"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    ends = pd.to_datetime(flags["period_end"]).dt.date.astype(object)
    ends = ends.where(flags["period_end"].notna(), None)
    for row, end in zip(flags.itertuples(index=False), ends, strict=True):
        sheet.append([str(row.code), str(row.flag), str(row.reason), end, str(row.detail)])
    if flags.empty:
        sheet.append(["", "", "No data-quality flag."])
    sheet.column_dimensions["C"].width = 45
    sheet.column_dimensions["E"].width = 70


_FIGURE_LABELS = {"target": "Target", "actual": "Actual", "achieved_pct": "% achieved"}
_HEADER = PatternFill("solid", fgColor="DDE4EE")


def _format(ws: Worksheet, *, n_head: int, n_cols: int) -> None:
    for row in ws.iter_rows(min_row=2, max_row=3, max_col=n_cols):
        for cell in row:
            cell.font = Font(bold=True)
            cell.fill = _HEADER
            cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for col in range(n_head + 1, n_cols + 1):
        pct = (col - n_head) % 3 == 0
        for (cell,) in ws.iter_rows(min_row=4, min_col=col, max_col=col):
            cell.number_format = '0.0"%"' if pct else "#,##0.##"
        ws.column_dimensions[get_column_letter(col)].width = 11
    ws.column_dimensions["C"].width = 60
    ws.freeze_panes = f"{get_column_letter(n_head + 1)}4"
