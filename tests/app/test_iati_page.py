"""The IATI exchange page: everyone downloads what they see; admins and managers upload an IATI
file, watch a progress bar and read the per-activity report; a hostile file gets a message."""

from __future__ import annotations

from pathlib import Path

from rbm.db import Database
from rbm.models.enums import Role
from rbm.principal import Principal
from tests.app.conftest import open_app, unescaped
from tests.utils.builders import LogframeBuilder, make_user

PAGE = "rbm/ui/pages/iati.py"
DATA = Path(__file__).resolve().parents[1] / "data" / "iati"
EXAMPLE = DATA / "01_official_activity-standard-example-annotated_v2.03.xml"


def _people(db: Database) -> tuple[Principal, Principal]:
    with db.write() as session:
        admin = make_user(session, Role.ADMIN)
        LogframeBuilder(code="PAGE-1").with_indicator("1.a").build(session, admin)
        return make_user(session, Role.OFFICER), make_user(session, Role.MANAGER)


def test_an_officer_downloads_exports_but_sees_no_import(app_db: Database) -> None:
    officer, _ = _people(app_db)
    at = open_app(officer, PAGE)
    assert not at.exception
    assert unescaped(at.title[0].value) == "IATI exchange"
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["IATI 2.03 XML", "Long table (CSV)", "Long table (Excel)", "IPTT workbook"]
    assert not at.get("file_uploader")


def test_a_manager_imports_a_file_and_reads_the_report(app_db: Database) -> None:
    _, manager = _people(app_db)
    at = open_app(manager, PAGE)
    at.get("file_uploader")[0].set_value((EXAMPLE.name, EXAMPLE.read_bytes(), "text/xml"))
    at.run()
    at.button(key="iati_import").click().run()
    assert not at.exception
    assert (
        unescaped(at.success[0].value)
        == "1 activities: 1 created, 0 updated, 0 unchanged, 0 skipped."
    )
    assert at.get("progress"), "the import shows a progress bar"
    report = at.dataframe[0].value
    assert report.loc[0, "identifier"] == "AA-AAA-123456789-ABC123"
    assert "actual for a combination of dimensions" in report.loc[0, "skipped"]


def test_a_hostile_upload_is_refused_with_a_message(app_db: Database) -> None:
    _, manager = _people(app_db)
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "a">]><iati-activities/>'
    at = open_app(manager, PAGE)
    at.get("file_uploader")[0].set_value(("bomb.xml", bomb, "text/xml"))
    at.run()
    at.button(key="iati_import").click().run()
    assert "declares a DTD or entities" in unescaped(at.error[0].value)
    assert not at.success


def test_the_notes_on_the_whole_file_are_shown_above_its_report(app_db: Database) -> None:
    """A file declaring IATI 2.02 is read as 2.03: the page says so (it said nothing), as
    the command line does."""
    _, manager = _people(app_db)
    older = EXAMPLE.read_bytes().replace(b'version="2.03"', b'version="2.02"', 1)
    at = open_app(manager, PAGE)
    at.get("file_uploader")[0].set_value(("older.xml", older, "text/xml"))
    at.run()
    at.button(key="iati_import").click().run()
    assert not at.exception
    notes = [unescaped(i.value) for i in at.info]
    assert any(n.startswith("The file declares IATI 2.02; it is read as 2.03") for n in notes)
