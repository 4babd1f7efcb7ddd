"""A real browser: a donor opens a project they fund, prepares its progress report for the
latest ended period, and downloads a PDF whose text holds the project, the period and its
indicators' approved figures."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from tests.e2e.conftest import sign_in, wait_idle


def test_a_donor_downloads_a_project_report_from_the_project_page(
    live_app: str, browser_page: Any, tmp_path: Path
) -> None:
    page = browser_page
    sign_in(page, live_app, "donor@demo.rbm", "Demo-donor-2026")
    page.get_by_role("link", name="Project", exact=True).first.click()
    page.wait_for_selector("h1:has-text('·')")
    wait_idle(page)
    heading = page.locator("h1").first.inner_text()
    code = heading.split("·")[0].strip()
    page.get_by_role("button", name="Prepare the report").click()
    button = page.get_by_role("button", name=re.compile(r"Download progress-report-.*\.pdf"))
    button.wait_for(timeout=180_000)
    with page.expect_download() as download:
        button.click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    wait_idle(page)
    found = re.match(rf"progress-report-{re.escape(code)}-(\d{{4}}-Q\d)\.pdf", saved.name)
    assert found is not None, saved.name
    text = "\n".join(p.extract_text() or "" for p in PdfReader(BytesIO(saved.read_bytes())).pages)
    assert "Project progress report" in text and code in text
    assert f"Reporting period {found.group(1)}" in text
    assert "Baseline" in text and f"Indicators with an approved value for {found.group(1)}" in text
