"""Portfolio and project pages on a small hand-built portfolio: concrete figures, checked
against the indicator engine and the scope rules."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sqlalchemy import select, update
from streamlit.testing.v1 import AppTest

from rbm.db import Database
from rbm.models import Funding, Organisation, Project
from rbm.models.enums import Accumulation, Measure, Role, ScopeType
from rbm.principal import Principal
from tests.app.conftest import open_app, unescaped
from tests.utils.builders import LogframeBuilder, log_approved, make_user

PORTFOLIO = "rbm/ui/pages/portfolio.py"
PROJECT = "rbm/ui/pages/project.py"
DONOR = "rbm/ui/pages/donor.py"


@pytest.fixture
def portfolio(app_db: Database) -> dict[str, Principal]:
    """Two projects in two countries; the officer's project has two approved values."""
    with app_db.write() as session:
        admin = make_user(session, Role.ADMIN)
        hn = (
            LogframeBuilder(
                code="WP-HN", countries={"HN": 100}, start=date(2024, 1, 1), end=date(2024, 12, 31)
            )
            .with_indicator("1.a", target=100)
            .with_indicator(
                "1.b",
                measure=Measure.PERCENTAGE,
                accumulation=Accumulation.LEVEL,
                baseline=20,
                target=60,
            )
            .build(session, admin)
        )
        LogframeBuilder(
            code="MLA-EG", countries={"EG": 100}, provider="Other provider", donor="Other donor"
        ).build(session, admin)
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
        log_approved(
            session,
            officer=officer,
            manager=manager,
            indicator_id=hn.indicator_ids["1.b"],
            period_id=hn.period_ids["2024-Q2"],
            numerator=45,
            denominator=100,
        )
        focal = make_user(
            session,
            Role.STATE_FOCAL_POINT,
            scope={"scope_type": ScopeType.COUNTRY, "country_code": "EG"},
        )
    return {"admin": admin, "officer": officer, "focal": focal}


def projects_of(at: AppTest) -> pd.DataFrame:
    """The project list of the portfolio home (the only table with a countries column)."""
    return next(df.value for df in at.dataframe if "countries" in df.value.columns)


def test_an_officer_sees_only_their_project_in_the_portfolio(portfolio) -> None:
    at = open_app(portfolio["officer"])
    assert not at.exception
    assert unescaped(at.title[0].value) == "Portfolio"
    table = projects_of(at)
    assert table["code"].tolist() == ["WP-HN"]
    assert table.iloc[0]["countries"] == "Honduras"
    assert table.iloc[0]["donors"] == "Donor Org"


def test_an_admin_sees_every_project_and_the_headline_figures(portfolio) -> None:
    at = open_app(portfolio["admin"])
    table = projects_of(at)
    assert sorted(table["code"]) == ["MLA-EG", "WP-HN"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Projects"] == "2"
    assert metrics["Funding"] == "USD 1.0 M"


def test_the_country_filter_narrows_the_portfolio(portfolio) -> None:
    at = open_app(portfolio["admin"])
    at.selectbox(key="pf_country").select("EG").run()
    assert projects_of(at)["code"].tolist() == ["MLA-EG"]


def test_a_state_focal_point_sees_projects_touching_their_country(portfolio) -> None:
    at = open_app(portfolio["focal"])
    assert projects_of(at)["code"].tolist() == ["MLA-EG"]


def test_the_project_page_shows_the_engine_figures_for_each_indicator(portfolio) -> None:
    at = open_app(portfolio["officer"], page=PROJECT, query={"code": "WP-HN"})
    assert not at.exception
    assert unescaped(at.title[0].value) == "WP-HN · Project WP-HN"
    tables = [df.value for df in at.dataframe if "Indicator" in df.value.columns]
    indicators = tables[0].set_index("Code")
    # 1.a incremental: 30 + 25 = 55 of a target of 100 from a baseline of 0 (a count: shown
    # as an integer).
    assert indicators.loc["1.a", "To date"] == "55"
    assert indicators.loc["1.a", "Counted as"] == "sum of periods"
    assert indicators.loc["1.a", "Progress"] == pytest.approx(55.0)
    # 1.b level percentage: 45 % now, from 20 % towards 60 %: (45 - 20) / (60 - 20).
    assert indicators.loc["1.b", "To date"] == "45.0 %"
    assert indicators.loc["1.b", "Progress"] == pytest.approx(62.5)
    assert any("Figures are judged at" in c.value for c in at.caption)


def test_money_in_another_currency_is_shown_apart_and_never_added_to_the_dollars(
    portfolio, app_db: Database
) -> None:
    with app_db.write() as session:
        egypt = select(Project.id).where(Project.code == "MLA-EG").scalar_subquery()
        session.execute(update(Funding).where(Funding.project_id == egypt).values(currency="EUR"))
    at = open_app(portfolio["admin"])
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Funding"] == "USD 0.5 M"  # WP-HN's 500,000; the euros are not dollars
    listed = projects_of(at).set_index("code")
    # Not "0 dollars": the dollar cell is empty and the euros stand in their own column.
    assert pd.isna(listed.loc["MLA-EG", "funding"])
    assert listed.loc["MLA-EG", "other_funding"] == "EUR\u00a0500,000"
    assert listed.loc["WP-HN", "funding"] == 500_000 and listed.loc["WP-HN", "other_funding"] == ""
    notes = [c.value for c in at.caption if "other currencies" in c.value]
    assert len(notes) == 1 and "EUR\u00a0500,000 in 1 project" in notes[0]
    at = open_app(portfolio["admin"], page=PROJECT, query={"code": "MLA-EG"})
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Funding"] == "EUR\u00a0500,000"
    with app_db.read() as session:
        donor = session.scalar(select(Organisation.id).where(Organisation.name == "Other donor"))
    at = open_app(portfolio["admin"], page=DONOR)
    at.selectbox(key="dn_donor").select(donor).run()
    assert not at.exception
    assert len(at.main.get("vega_lite_chart")) == 0  # no empty axes for euros
    assert "Contribution by country: no amount in USD to show." in [c.value for c in at.caption]
    with app_db.read() as session:
        dollars = session.scalar(select(Organisation.id).where(Organisation.name == "Donor Org"))
    at.selectbox(key="dn_donor").select(dollars).run()
    assert len(at.main.get("vega_lite_chart")) == 2  # WP-HN's dollars: by country and area


def test_a_project_outside_the_scope_cannot_be_opened_by_code(portfolio) -> None:
    at = open_app(portfolio["officer"], page=PROJECT, query={"code": "MLA-EG"})
    assert unescaped(at.title[0].value) == "WP-HN · Project WP-HN"
    assert at.selectbox(key="pj_code").options == ["WP-HN — Project WP-HN"]


def test_a_code_the_person_cannot_see_is_named_and_told_apart_from_the_project_shown(
    portfolio,
) -> None:
    for code in ("MLA-EG", "NO-SUCH"):  # outside the scope, and not there at all: alike
        at = open_app(portfolio["officer"], page=PROJECT, query={"code": code})
        shown = [unescaped(w.value) for w in at.warning]  # data-quality warnings follow
        assert shown[0] == f"There is no project {code} that you can see; WP-HN is shown instead."
        assert not any(w.startswith("There is no project") for w in shown[1:])
    at = open_app(portfolio["officer"], page=PROJECT, query={"code": "WP-HN"})
    assert not any(unescaped(w.value).startswith("There is no project") for w in at.warning)


def test_the_portfolio_home_warns_of_overdue_reports(portfolio) -> None:
    at = open_app(portfolio["admin"])
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Recipient countries"] == "2"
    warnings = next(df.value for df in at.dataframe if "overdue_reports" in df.value.columns)
    # 1.a has nothing for 2024-Q3 and Q4, 1.b nothing for Q1, Q3 and Q4.
    assert warnings.set_index("code").loc["WP-HN", "overdue_reports"] == 5


def test_the_filters_are_carried_in_the_session_for_other_pages(portfolio) -> None:
    at = open_app(portfolio["admin"])
    at.selectbox(key="pf_country").select("EG").run()
    assert at.session_state["flt_country"] == "EG"
    at.switch_page("rbm/ui/pages/country.py").run()
    assert unescaped(at.title[0].value) == "Country · Egypt"


def test_the_iptt_shows_target_actual_and_achievement_per_period(portfolio) -> None:
    at = open_app(portfolio["officer"], page=PROJECT, query={"code": "WP-HN"})
    iptt = next(df.value for df in at.dataframe if "2024-Q1 · actual" in df.value.columns)
    row = iptt.set_index("code").loc["1.a"]
    assert row["2024-Q1 · actual"] == 30
    assert row["2024-Q2 · actual"] == 25
    assert row["Life of project · actual"] == 55
    assert row["Life of project · % achieved"] == pytest.approx(55.0)
    # 1.b is a percentage: 45 of 100 in Q2.
    assert iptt.set_index("code").loc["1.b", "2024-Q2 · actual"] == pytest.approx(45.0)


def test_each_indicator_row_carries_its_values_per_period_as_a_sparkline(portfolio) -> None:
    at = open_app(portfolio["officer"], page=PROJECT, query={"code": "WP-HN"})
    tables = [df.value for df in at.dataframe if "Trend" in df.value.columns]
    trend = tables[0].set_index("Code")["Trend"]
    assert list(trend.loc["1.a"]) == [30.0, 25.0]


def test_the_indicator_detail_lists_approved_values_with_links_to_evidence(portfolio) -> None:
    at = open_app(portfolio["officer"], page=PROJECT, query={"code": "WP-HN"})
    values = next(df.value for df in at.dataframe if "link" in df.value.columns)
    assert values["period"].tolist() == ["2024-Q1", "2024-Q2"]
    assert values["actual"].tolist() == [30.0, 25.0]
    assert values["link"].str.startswith("/measurement?id=").all()


def test_the_portfolio_and_project_pages_offer_an_iati_download(portfolio) -> None:
    at = open_app(portfolio["officer"])
    assert any("IATI 2.03 XML" in b.label for b in at.get("download_button"))
    at = open_app(portfolio["officer"], page=PROJECT, query={"code": "WP-HN"})
    assert any("IATI 2.03 XML" in b.label for b in at.get("download_button"))
