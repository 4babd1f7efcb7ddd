"""The portfolio map's spec is the reports' chart with the world's outlines read by the browser
from the app's static files instead of sent inside it, and the app serves that file."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pandas as pd

from rbm.ui import charts

ROOT = Path(__file__).resolve().parents[3]
BY_COUNTRY = pd.DataFrame(
    {
        "country": ["Kenya", "Peru"],
        "country_code": ["KE", "PE"],
        "country_numeric": [404, 604],
        "money": [1.0e6, 2.5e5],
        "projects": [1, 2],
    }
)


def _without_outlines(spec: dict[str, Any]) -> tuple[str, list[str]]:
    """The spec without its top-level data (the outlines, which both layers share), with
    dataset names blanked, and its datasets other than the outlines."""
    spec = dict(spec)
    spec.pop("data")
    datasets = [v for v in spec.pop("datasets", {}).values() if v != charts.world_topology()]
    text = re.sub(r"data-[0-9a-f]+", "data", json.dumps(spec, sort_keys=True))
    return text, sorted(json.dumps(v, sort_keys=True) for v in datasets)


def test_the_page_map_is_the_report_map_with_the_outlines_by_url() -> None:
    page = charts.choropleth_spec(BY_COUNTRY, title="Money")
    report = charts.choropleth(BY_COUNTRY, title="Money").to_dict()
    assert _without_outlines(page) == _without_outlines(report)
    topojson = {"type": "topojson", "feature": "countries"}
    assert page["data"] == {"url": charts.WORLD_URL, "format": topojson}
    assert report["datasets"][report["data"]["name"]] == charts.world_topology()
    # Only the country figures travel with the page's chart: not the 28,000 outline values.
    assert len(json.dumps(page)) < 10_000


def test_the_app_serves_the_outlines_the_reports_draw() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["enableStaticServing"] is True
    served = ROOT / "static" / charts.WORLD_URL.removeprefix("app/static/")
    assert served.resolve() == charts.WORLD.resolve()
    assert json.loads(served.read_text())["type"] == "Topology"
