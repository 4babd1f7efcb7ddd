"""The IATI import in a real browser: an administrator uploads a file that declares IATI 2.02, reads
the note on the file and the report, then switches the page to Spanish and reads the same
report in Spanish, reasons with their values included."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rbm.i18n import _, using
from tests.e2e.conftest import sign_in, wait_idle
from tests.e2e.test_log_and_approve import open_page
from tests.e2e.test_logframe_editor import choose

ADMIN, PASSWORD = "admin@demo.rbm", "Demo-admin-2026"
EXAMPLE = (
    Path(__file__).resolve().parents[1]
    / "data"
    / "iati"
    / "01_official_activity-standard-example-annotated_v2.03.xml"
)
VERSION_NOTE = (
    "The file declares IATI {version}; it is read as {current}, whose elements read here are "
    "the same (schema messages are given as warnings)."
)


def es(message: str, **params: object) -> str:
    with using("es"):
        return _(message, **params)


def _alerts(page: Any) -> list[str]:
    return [str(a.inner_text()) for a in page.locator("[data-testid='stAlert']").all()]


def test_an_import_report_is_read_in_the_language_chosen_after_the_import(
    live_app: str, browser_page: Any
) -> None:
    page = browser_page
    sign_in(page, live_app, ADMIN, PASSWORD)
    open_page(page, "IATI exchange")
    older = EXAMPLE.read_bytes().replace(b'version="2.03"', b'version="2.02"', 1)
    page.locator("[data-testid='stFileUploaderDropzoneInput']").last.set_input_files(
        files=[{"name": "older.xml", "mimeType": "application/xml", "buffer": older}]
    )
    wait_idle(page)
    page.get_by_role("button", name="Import", exact=True).click()
    page.wait_for_selector("text=1 activities: 1 created")
    wait_idle(page)
    english = VERSION_NOTE.format(version="2.02", current="2.03")
    assert english in _alerts(page)

    choose(page.locator("[data-testid='stSidebar']"), page, "Language", "Español")
    page.wait_for_selector(f"h1:has-text('{es('IATI exchange')}')")
    wait_idle(page)
    alerts = _alerts(page)
    assert es(VERSION_NOTE, version="2.02", current="2.03") in alerts, alerts
    summary = es(
        "{n} activities: {created} created, {updated} updated, {unchanged} unchanged, "
        "{skipped} skipped.",
        n=1,
        created=1,
        updated=0,
        unchanged=0,
        skipped=0,
    )
    assert summary in alerts, alerts
