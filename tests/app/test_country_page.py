"""Country page: a State's projects across providers, money in the country by share, and the
outcome indicators measured there, with concrete figures."""

from __future__ import annotations

from datetime import date

import pytest

from rbm.db import Database
from rbm.models.enums import Role, ScopeType
from rbm.principal import Principal
from tests.app.conftest import open_app, unescaped
from tests.utils.builders import LogframeBuilder, log_approved, make_user

COUNTRY = "rbm/ui/pages/country.py"


@pytest.fixture
def honduras(app_db: Database) -> dict[str, Principal]:
    """A Honduras-only project (55 of 100 reached) and a Honduras/Guatemala project."""
    with app_db.write() as session:
        admin = make_user(session, Role.ADMIN)
        hn = (
            LogframeBuilder(
                code="WP-HN", countries={"HN": 100}, start=date(2024, 1, 1), end=date(2024, 12, 31)
            )
            .with_indicator("1.a", target=100)
            .build(session, admin)
        )
        LogframeBuilder(
            code="REG-CA",
            countries={"HN": 60, "GT": 40},
            provider="Other provider",
            donor="Other donor",
        ).with_indicator("1.a").build(session, admin)
        officer = make_user(
            session,
            Role.OFFICER,
            scope={"scope_type": ScopeType.PROJECT, "project_id": hn.project_id},
        )
        for label, value in (("2024-Q1", 30), ("2024-Q2", 25)):
            log_approved(
                session,
                officer=officer,
                manager=admin,
                indicator_id=hn.indicator_ids["1.a"],
                period_id=hn.period_ids[label],
                value=value,
            )
        focal = make_user(
            session,
            Role.STATE_FOCAL_POINT,
            scope={"scope_type": ScopeType.COUNTRY, "country_code": "GT"},
        )
    return {"admin": admin, "focal": focal}


def test_the_country_page_counts_money_in_honduras_by_each_projects_share(honduras) -> None:
    at = open_app(honduras["admin"], page=COUNTRY, query={"country": "HN"})
    assert not at.exception
    assert unescaped(at.title[0].value) == "Country · Honduras"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Projects"] == "2"
    assert metrics["Providers"] == "2"
    # 500,000 for the Honduras-only project + 60 % of 500,000 for the regional one.
    assert metrics["Money in the country"] == "USD 0.80 M"
    projects = next(d.value for d in at.dataframe if "money_in_country" in d.value.columns)
    assert dict(zip(projects["code"], projects["money_in_country"], strict=True)) == {
        "REG-CA": 300000.0,
        "WP-HN": 500000.0,
    }


def test_outcome_figures_say_whether_they_are_the_countrys_or_project_wide(honduras) -> None:
    at = open_app(honduras["admin"], page=COUNTRY, query={"country": "HN"})
    outcomes = next(d.value for d in at.dataframe if "scope" in d.value.columns)
    rows = outcomes.set_index("project")
    assert rows.loc["WP-HN", "scope"] == "this country"
    assert rows.loc["WP-HN", "actual"] == "55"  # a count, shown as an integer
    assert rows.loc["WP-HN", "progress"] == pytest.approx(55.0)
    assert rows.loc["REG-CA", "scope"] == "project-wide"


def test_a_state_focal_point_sees_only_their_own_country(honduras) -> None:
    at = open_app(honduras["focal"], page=COUNTRY, query={"country": "HN"})
    assert unescaped(at.title[0].value) == "Country · Guatemala"
    assert at.selectbox(key="ct_country").options == ["Guatemala"]
    assert {m.label: m.value for m in at.metric}["Money in the country"] == "USD 0.20 M"


def test_the_country_page_lists_the_states_needs_beside_its_projects(honduras) -> None:
    at = open_app(honduras["admin"], page=COUNTRY, query={"country": "HN"})
    headings = [h.value for h in at.subheader]
    assert "Needs from the self-assessment" in headings
    assert headings.index("Needs from the self-assessment") > headings.index("Projects")
