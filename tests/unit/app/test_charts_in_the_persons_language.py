"""Charts speak the person's language: axis, legend and tooltip titles from the catalogue, and
the values people read in tooltips (money, numbers, dates, country names) in the locale's
format."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd

from rbm.i18n import using
from rbm.ui import charts


def spec(chart: object) -> str:
    return json.dumps(chart.to_dict(), ensure_ascii=False)  # type: ignore[attr-defined]


BY_COUNTRY = pd.DataFrame(
    {
        "country_code": ["EG"],
        "country": ["Egypt"],
        "country_numeric": [818],
        "money": [1_234_567.0],
        "projects": [2],
    }
)


def test_the_map_names_countries_and_money_in_spanish() -> None:
    with using("es"):
        text = spec(charts.choropleth(BY_COUNTRY, title="Mapa"))
    assert "Egipto" in text
    assert "1.234.567\u00a0USD" in text
    assert '"title": "Monto (USD)"' in text


def test_the_map_selects_a_country_by_its_code() -> None:
    with using("fr"):
        chart = charts.choropleth(BY_COUNTRY, title="Carte").to_dict()
    assert chart["params"][0]["select"]["fields"] == ["country_code"]


def test_the_trend_legend_and_tooltip_are_in_french() -> None:
    points = pd.DataFrame(
        {
            "period_end": pd.to_datetime([date(2024, 3, 31), date(2024, 3, 31)]),
            "series": ["Actual", "Target"],
            "value": [1234.5, 2000.0],
        }
    )
    with using("fr"):
        text = spec(charts.trend(points, title="T", unit=""))
    assert '"Réel"' in text and '"Cible"' in text
    assert "31 mars 2024" in text
    assert "1\u202f234,5" in text
    assert "Fin de la période" in text


def test_status_bars_label_statuses_in_the_pseudo_locale() -> None:
    counts = pd.Series({"achieved": 3, "off_track": 1})
    with using("qps"):
        text = spec(charts.status_bars(counts, title="⟦Indicators by status⟧"))
    assert "⟦Achieved⟧" in text and "⟦Indicators⟧" in text
