"""The portfolio, project, country, donor, coordination and IATI pages in the pseudo-locale:
every label a person reads (titles, captions, widgets, metrics, tabs, table headers, chart
titles) comes from the catalogue, so it carries the ⟦ ⟧ markers; only data people entered
(project codes and titles, names of organisations) may be shown without them. The same pages
open in Spanish and French with translated labels and locale formats."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from rbm.db import Database
from rbm.models import ProjectPriorityArea
from rbm.models.enums import Role, ScopeType
from rbm.principal import Principal
from rbm.services.reference import create_priority_area
from tests.app.conftest import open_app, unescaped
from tests.utils.builders import LogframeBuilder, log_approved, make_user

PAGES = "rbm/ui/pages"
MARK = "⟦"


@pytest.fixture
def world(app_db: Database) -> dict[str, Principal]:
    """Two projects of two providers on one priority area in Honduras (they overlap), with
    approved values, a pending one and data-quality flags possible."""
    with app_db.write() as session:
        admin = make_user(session, Role.ADMIN)
        area = create_priority_area(session, principal=admin, code="CR", name="Crime")
        built = {}
        for code, provider in (("WP-HN", "Provider A"), ("MLA-HN", "Provider B")):
            built[code] = (
                LogframeBuilder(
                    code=code,
                    countries={"HN": 60, "EG": 40},
                    provider=provider,
                    start=date(2024, 1, 1),
                    end=date(2024, 12, 31),
                )
                .with_indicator("1.a", target=100)
                .build(session, admin)
            )
            session.add(
                ProjectPriorityArea(project_id=built[code].project_id, priority_area_id=area.id)
            )
        hn = built["WP-HN"]
        scope = {"scope_type": ScopeType.PROJECT, "project_id": hn.project_id}
        officer = make_user(session, Role.OFFICER, scope=scope)
        manager = make_user(session, Role.MANAGER, scope=scope)
        for label, value in (("2024-Q1", 30), ("2024-Q2", 25)):
            log_approved(
                session,
                officer=officer,
                manager=manager,
                indicator_id=hn.indicator_ids["1.a"],
                period_id=hn.period_ids[label],
                value=value,
            )
    return {"admin": admin}


def _texts(app: AppTest) -> Iterator[tuple[str, str]]:
    """(kind, text) of every label on the page a person reads (the page's main area: the
    sidebar belongs to the app's frame)."""
    at = app.main
    for kind in ("title", "header", "subheader", "caption", "info", "success", "warning"):
        for element in getattr(at, kind):
            yield kind, str(element.value)
    for element in at.metric:
        yield "metric", element.label
    for kind in ("button", "selectbox", "multiselect", "text_input", "text_area", "radio"):
        for element in getattr(at, kind):
            yield kind, element.label
    for element in at.get("download_button"):
        yield "download_button", element.proto.label
    for element in at.tabs:
        yield "tab", element.label
    for element in at.expander:
        yield "expander", element.label


def _headers(at: AppTest) -> Iterator[tuple[str, str]]:
    """(table key, header) of every column a table shows."""
    for frame in at.main.dataframe:
        config = json.loads(frame.proto.columns or "{}")
        order = list(frame.proto.column_order) or [str(c) for c in frame.value.columns]
        for column in order:
            spec = config.get(f"name:{column}", config.get(column, {}))
            if spec.get("hidden"):
                continue
            yield frame.proto.id, str(spec.get("label") or column)


def _chart_titles(at: AppTest) -> Iterator[str]:
    # Altair charts and vega-lite specs both arrive as "vega_lite_chart" elements.
    for chart in at.main.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        yield json.dumps(spec.get("title"), ensure_ascii=False)


#: Notes of the shared widgets (`rbm.ui.widgets`), translated with the widgets themselves.
SHARED_NOTES = (
    "Each project's figures are judged at",
    "Figures are judged at",
    "No reporting period has ended yet",
)


def unmarked(at: AppTest, *, data: set[str]) -> list[tuple[str, str]]:
    """Labels without markers, except data people entered (`data`) and the shared notes."""
    found = [*_texts(at), *_headers(at), *(("chart", t) for t in _chart_titles(at))]
    return [
        (kind, text)
        for kind, text in found
        if MARK not in text and unescaped(text) not in data and not text.startswith(SHARED_NOTES)
    ]


@pytest.mark.parametrize(
    ("page", "query", "data"),
    [
        ("portfolio.py", None, set()),
        ("project.py", {"code": "WP-HN"}, {"WP-HN · Project WP-HN"}),
        ("country.py", {"country": "HN"}, set()),
        ("donor.py", None, set()),
        ("coordination.py", None, {"Crime"}),  # priority areas head the matrix's columns
        ("iati.py", None, set()),
    ],
)
def test_every_label_on_the_page_comes_from_the_catalogue(
    world: dict[str, Principal], page: str, query: dict[str, str] | None, data: set[str]
) -> None:
    at = open_app(world["admin"], f"{PAGES}/{page}", query, language="qps")
    assert not at.exception
    assert unmarked(at, data=data) == []
    assert len(list(_texts(at))) > 3  # the page was laid out, not stopped early
    if page in ("portfolio.py", "donor.py"):
        assert list(_chart_titles(at))  # their chart titles were read too


def test_the_checker_finds_a_label_not_from_the_catalogue(world: dict[str, Principal]) -> None:
    at = open_app(world["admin"], f"{PAGES}/portfolio.py", language="en")
    assert ("title", "Portfolio") in unmarked(at, data=set())


def test_the_portfolio_speaks_spanish_with_spanish_numbers_and_country_names(
    world: dict[str, Principal],
) -> None:
    at = open_app(world["admin"], f"{PAGES}/portfolio.py", language="es")
    assert not at.exception
    assert at.title[0].value == "Cartera"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Financiación"] == "1,0 M USD"
    table = next(df.value for df in at.dataframe if "countries" in df.value.columns)
    assert set(table["countries"]) == {"Egipto, Honduras"}


def test_the_project_page_speaks_french_with_french_dates(world: dict[str, Principal]) -> None:
    at = open_app(world["admin"], f"{PAGES}/project.py", {"code": "WP-HN"}, language="fr")
    assert not at.exception
    assert [t.label for t in at.tabs][:2] == ["Cadre logique", "Chaîne de résultats"]
    assert any("du 1 janv. 2024 au 31 déc. 2024" in c.value for c in at.caption)
    assert {m.label for m in at.metric} >= {"Budget", "Financement", "Pays bénéficiaires"}


def test_the_country_page_names_the_country_in_the_persons_language(
    world: dict[str, Principal],
) -> None:
    at = open_app(world["admin"], f"{PAGES}/country.py", {"country": "EG"}, language="es")
    assert not at.exception
    assert at.title[0].value == "País · Egipto"
