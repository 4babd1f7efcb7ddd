"""The command line: `rbm export-iati`, `rbm import-iati` and `rbm export-tables` call the same
services as the pages and report like them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result
from lxml import etree

from rbm.cli import main
from rbm.db import Database
from rbm.errors import PermissionDenied
from rbm.exchange.iati_xml import schema_errors
from rbm.models.enums import Role
from rbm.settings import get_settings
from tests.utils.builders import LogframeBuilder, make_user

DATA = Path(__file__).resolve().parents[1] / "data" / "iati"


@pytest.fixture
def cli_db(db: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    monkeypatch.setenv("RBM_DATABASE_URL", db.url)
    get_settings.cache_clear()
    with db.write() as session:
        admin = make_user(session, Role.ADMIN, email="admin@test.rbm")
        make_user(session, Role.OFFICER, email="officer@test.rbm")
        LogframeBuilder(code="CLI-1").with_indicator("1.a").build(session, admin)
    return db


def rbm(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def test_export_iati_writes_a_valid_file_of_the_selected_projects(
    cli_db: Database, tmp_path: Path
) -> None:
    out = tmp_path / "out.xml"
    result = rbm("export-iati", str(out), "--project", "CLI-1")
    assert result.exit_code == 0, result.output
    assert "Wrote 1 activities" in result.output
    assert schema_errors(etree.fromstring(out.read_bytes())) == []


def test_an_interrupted_export_leaves_no_file_behind(
    cli_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file is streamed beside the target and replaces it only when complete: a failure
    half-way leaves an earlier file as it was and no partial file."""
    import rbm.exchange.iati_export as iati_export

    real = iati_export.write_iati

    def fails_half_way(session: object, out: Callable[[bytes], object], **kw: object) -> int:
        real(session, out, **kw)  # type: ignore[arg-type]
        raise OSError("disk full")

    folder = tmp_path / "exports"
    folder.mkdir()
    out = folder / "out.xml"
    out.write_bytes(b"earlier")
    monkeypatch.setattr(iati_export, "write_iati", fails_half_way)
    result = rbm("export-iati", str(out))
    assert isinstance(result.exception, OSError)
    assert out.read_bytes() == b"earlier"
    assert [p.name for p in folder.iterdir()] == ["out.xml"]


def test_import_iati_prints_the_report_per_activity(cli_db: Database) -> None:
    path = DATA / "01_official_activity-standard-example-annotated_v2.03.xml"
    result = rbm("import-iati", str(path), "--user", "admin@test.rbm")
    assert result.exit_code == 0, result.output
    assert "created   AA-AAA-123456789-ABC123" in result.output
    assert "skipped: actual for a combination of dimensions" in result.output
    assert result.output.strip().endswith("1 created, 0 updated, 0 unchanged, 0 skipped.")


def test_import_iati_fails_when_nothing_could_be_imported(cli_db: Database, tmp_path: Path) -> None:
    path = tmp_path / "nameless.xml"
    path.write_text(
        '<iati-activities version="2.03"><iati-activity><title><narrative>x</narrative>'
        "</title></iati-activity></iati-activities>"
    )
    result = rbm("import-iati", str(path), "--user", "admin@test.rbm")
    assert result.exit_code != 0
    assert "the activity has no iati-identifier" in result.output
    assert "Nothing could be imported" in result.output


def test_import_iati_refuses_an_officer(cli_db: Database) -> None:
    path = DATA / "01_official_activity-standard-example-annotated_v2.03.xml"
    result = rbm("import-iati", str(path), "--user", "officer@test.rbm")
    assert isinstance(result.exception, PermissionDenied)


@pytest.mark.parametrize("name", ["t.csv", "t.xlsx"])
def test_export_tables_writes_the_long_table(cli_db: Database, tmp_path: Path, name: str) -> None:
    out = tmp_path / name
    assert rbm("export-tables", str(out)).exit_code == 0
    table = pd.read_csv(out) if name.endswith(".csv") else pd.read_excel(out)
    assert "breakdown" in table.columns


def test_export_tables_writes_the_iptt_and_refuses_other_suffixes(
    cli_db: Database, tmp_path: Path
) -> None:
    assert rbm("export-tables", str(tmp_path / "i.xlsx"), "--iptt").exit_code == 0
    assert list(pd.read_excel(tmp_path / "i.xlsx", sheet_name=None)) == ["CLI-1"]
    assert rbm("export-tables", str(tmp_path / "i.txt")).exit_code != 0


def test_import_iati_shows_its_progress(cli_db: Database) -> None:
    path = DATA / "01_official_activity-standard-example-annotated_v2.03.xml"
    result = rbm("import-iati", str(path), "--user", "admin@test.rbm")
    assert result.exit_code == 0, result.output
    assert "activity 1 of 1" in result.stderr
