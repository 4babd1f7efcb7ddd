"""No export writes a live formula: every text cell of every CSV and Excel export that starts
with =, +, -, @, tab or CR is neutralised (OWASP CSV injection), on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from rbm.db import Database
from rbm.exchange import measurement_import, tables
from rbm.exchange.iptt_workbook import iptt_excel
from rbm.exchange.spreadsheet import FORMULA_STARTS, neutralise
from rbm.models import Indicator, Project
from rbm.models.enums import Role
from rbm.queries.iptt import iptt
from rbm.services import measurements
from rbm.services.users import load_principal
from rbm.settings import get_settings
from tests.utils.builders import LogframeBuilder, make_user

TITLE = '=HYPERLINK("http://evil.example/x","Click")'
INDICATOR = "+1+cmd|' /C calc'!A0"
NARRATIVE = "@SUM(1+1)*cmd|' /C calc'!A0"


@pytest.fixture
def hostile(db: Database) -> Database:
    """A project whose title, indicator title and approved narrative are formula payloads."""
    with db.write() as session:
        admin = make_user(session, Role.ADMIN)
        built = LogframeBuilder(code="INJ-1").with_indicator("1.a").build(session, admin)
        officer = make_user(session, Role.OFFICER)
        session.execute(update(Project).values(title=TITLE))
        session.execute(update(Indicator).values(title=INDICATOR))
        m = measurements.save_draft(
            session,
            principal=officer,
            indicator_id=built.indicator_ids["1.a"],
            period_id=built.period_ids["2024-Q1"],
            values=measurements.Values(value=Decimal(5), narrative=NARRATIVE),
        )
        measurements.submit(session, principal=officer, measurement_id=m.id)
        measurements.approve(session, principal=admin, measurement_id=m.id)
    return db


def _csv_cells(data: bytes) -> list[str]:
    return [c for row in csv.reader(io.StringIO(data.decode("utf-8"))) for c in row]


def _xlsx_cells(data: bytes) -> list[tuple[str, object]]:
    book = load_workbook(io.BytesIO(data))
    return [(c.data_type, c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row]


def _assert_neutral_csv(data: bytes, *payloads: str) -> None:
    cells = _csv_cells(data)
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]
    for payload in payloads:
        assert "'" + payload in cells


def _assert_neutral_xlsx(data: bytes, *payloads: str) -> None:
    cells = _xlsx_cells(data)
    assert not [v for kind, v in cells if kind == "f"]  # no formula cell at all
    assert not [v for _, v in cells if isinstance(v, str) and v.startswith(FORMULA_STARTS)]
    values = {v for _, v in cells}
    for payload in payloads:
        assert "'" + payload in values


def test_the_long_table_exports_neutralise_every_text_cell(hostile: Database) -> None:
    with hostile.read() as session:
        admin = load_principal(session, user_id=1)
        table = tables.long_table(session, principal=admin)
    _assert_neutral_csv(tables.to_csv(table), TITLE, INDICATOR, NARRATIVE)
    _assert_neutral_xlsx(tables.to_xlsx(table), TITLE, INDICATOR, NARRATIVE)


def test_both_iptt_workbooks_neutralise_every_text_cell(hostile: Database) -> None:
    with hostile.read() as session:
        admin = load_principal(session, user_id=1)
        workbook = tables.iptt_workbook(session, principal=admin)
        long = iptt(session, principal=admin, code="INJ-1")
    _assert_neutral_xlsx(workbook, INDICATOR)
    _assert_neutral_xlsx(iptt_excel(long, title=f"{TITLE}"), TITLE, INDICATOR)


def test_the_entry_template_neutralises_every_text_cell(hostile: Database) -> None:
    from datetime import date

    with hostile.read() as session:
        admin = load_principal(session, user_id=1)
        blank = measurement_import.template(
            session, principal=admin, project_code="INJ-1", today=date(2025, 12, 31)
        )
    _assert_neutral_csv(measurement_import.to_bytes(blank, fmt="csv"), INDICATOR)
    _assert_neutral_xlsx(measurement_import.to_bytes(blank, fmt="xlsx"), INDICATOR)


@pytest.mark.parametrize("name", ["out.csv", "out.xlsx", "iptt.xlsx"])
def test_rbm_export_tables_writes_no_live_formula(
    hostile: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    from rbm import cli

    out = tmp_path / name
    args = ["rbm", "export-tables", str(out), *(["--iptt"] if name == "iptt.xlsx" else [])]
    monkeypatch.setenv("RBM_DATABASE_URL", hostile.url)
    monkeypatch.setattr("sys.argv", args)
    get_settings.cache_clear()
    cli.run()
    if name.endswith(".csv"):
        _assert_neutral_csv(out.read_bytes(), TITLE, NARRATIVE)
    else:
        _assert_neutral_xlsx(out.read_bytes(), INDICATOR)


@pytest.mark.parametrize("start", list(FORMULA_STARTS))
def test_every_formula_start_is_neutralised_and_numbers_are_not(start: str) -> None:
    assert neutralise(f"{start}1+1") == f"'{start}1+1"
    assert neutralise(-5) == -5 and neutralise("a-b") == "a-b"
