"""The portfolio map's spec, built around a stand-in topology, is the chart Altair would have
built with the world's outlines inside it."""

from __future__ import annotations

import json
import re
from typing import Any

import pandas as pd

from rbm.ui import charts

BY_COUNTRY = pd.DataFrame(
    {
        "country": ["Kenya", "Peru"],
        "country_code": ["KE", "PE"],
        "country_numeric": [404, 604],
        "money": [1.0e6, 2.5e5],
        "projects": [1, 2],
    }
)


def _comparable(spec: dict[str, Any]) -> tuple[str, list[str]]:
    """The spec with dataset names (hashes of their values) blanked, and the datasets."""
    spec = dict(spec)
    datasets = spec.pop("datasets", {})
    text = re.sub(r"data-[0-9a-f]+", "data", json.dumps(spec, sort_keys=True))
    return text, sorted(json.dumps(v, sort_keys=True) for v in datasets.values())


def test_the_map_spec_is_the_altair_chart_with_the_world_outlines() -> None:
    fast = charts.choropleth_spec(BY_COUNTRY, title="Money")
    full = charts.choropleth(BY_COUNTRY, title="Money").to_dict()
    assert _comparable(fast) == _comparable(full)
    assert charts.world_topology() in fast.get("datasets", {}).values()
