"""A real browser: a donor downloads the projects listed on the portfolio page as an IATI file,
made when the button is clicked (streamed by the exporter), and gets a valid 2.03 document of
exactly the projects listed, approved values only."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from lxml import etree

from rbm.exchange.iati_xml import schema_errors
from tests.e2e.conftest import sign_in, wait_idle


def test_a_donor_downloads_the_listed_projects_as_a_valid_iati_file(
    live_app: str, browser_page: Any, tmp_path: Path
) -> None:
    page = browser_page
    sign_in(page, live_app, "donor@demo.rbm", "Demo-donor-2026")
    button = page.get_by_role("button", name=re.compile(r"Download these \d+ projects as IATI"))
    button.wait_for()
    found = re.search(r"these (\d+) projects", button.inner_text())
    assert found is not None
    listed = int(found.group(1))
    with page.expect_download() as download:
        button.click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    wait_idle(page)
    data = saved.read_bytes()
    assert saved.name == "iati-activities.xml"
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<iati-activities ")
    tree = etree.fromstring(data)
    assert len(tree.findall("iati-activity")) == listed > 0
    assert schema_errors(tree, limit=5) == []
