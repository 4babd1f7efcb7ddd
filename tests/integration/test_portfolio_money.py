"""Money on the portfolio home: by recipient country (funding x share, each project once per
country however many priority areas it has) and by priority area (a project's whole funding in
each of its areas, once)."""

from __future__ import annotations

import warnings
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import delete

from rbm.db import Database
from rbm.models import Funding, ProjectPriorityArea
from rbm.models.enums import Role, ScopeType
from rbm.principal import Principal
from rbm.queries.portfolio import PortfolioFilters, funding_by_area, home, money_by_country
from rbm.services.reference import create_priority_area
from tests.utils.builders import LogframeBuilder, make_user


@pytest.fixture
def world(db: Database) -> dict[str, Principal]:
    """HN-GT (400k, HN 40 % / GT 60 %, two areas), HN-ONLY (100k, one area), KE (250k, none)."""
    with db.write() as session:
        admin = make_user(session, Role.ADMIN)
        crime = create_priority_area(session, principal=admin, code="CR", name="Crime")
        drugs = create_priority_area(session, principal=admin, code="DR", name="Drugs")
        specs = (
            ("HN-GT", {"HN": 40, "GT": 60}, "400000", (crime.id, drugs.id)),
            ("HN-ONLY", {"HN": 100}, "100000", (crime.id,)),
            ("KE", {"KE": 100}, "250000", ()),
        )
        for code, countries, funding, areas in specs:
            built = LogframeBuilder(
                code=code, countries=countries, funding=Decimal(funding), start=date(2024, 1, 1)
            ).build(session, admin)
            for area_id in areas:
                session.add(
                    ProjectPriorityArea(project_id=built.project_id, priority_area_id=area_id)
                )
        focal = make_user(
            session,
            Role.STATE_FOCAL_POINT,
            scope={"scope_type": ScopeType.COUNTRY, "country_code": "KE"},
        )
    return {"admin": admin, "focal": focal}


def test_money_by_country_is_funding_times_share_counted_once_per_project(
    db: Database, world: dict[str, Principal]
) -> None:
    with db.read() as session:
        table = money_by_country(session, principal=world["admin"]).set_index("country_code")
    assert sorted(table.index) == ["GT", "HN", "KE"]
    # HN: 40 % of 400,000 and all of 100,000, even though HN-GT has two priority areas.
    assert table.loc["HN", "money"] == pytest.approx(260_000)
    assert table.loc["HN", "projects"] == 2
    assert table.loc["GT", "money"] == pytest.approx(240_000)
    assert table.loc["KE", "country"] == "Kenya"


def test_money_by_country_follows_the_filters_and_the_scope(
    db: Database, world: dict[str, Principal]
) -> None:
    with db.read() as session:
        only_gt = money_by_country(
            session, principal=world["admin"], filters=PortfolioFilters(country="GT")
        )
        focal = money_by_country(session, principal=world["focal"])
    assert sorted(only_gt["country_code"]) == ["GT", "HN"]  # HN-GT works in both
    assert focal["country_code"].tolist() == ["KE"]


def test_funding_by_area_counts_a_project_whole_in_each_of_its_areas(
    db: Database, world: dict[str, Principal]
) -> None:
    with db.read() as session:
        table = funding_by_area(session, principal=world["admin"])
    rows = {area: (money, n) for area, money, n in table[["area", "money", "projects"]].values}
    assert rows["Crime"] == (pytest.approx(500_000), 2)
    assert rows["Drugs"] == (pytest.approx(400_000), 1)
    assert rows[None] == (pytest.approx(250_000), 1)  # KE has no priority area
    assert table["area"].tolist()[0] == "Crime"  # the most money first


def test_money_tables_are_empty_when_no_project_matches(
    db: Database, world: dict[str, Principal]
) -> None:
    nothing = PortfolioFilters(text="no such project")
    with db.read() as session:
        assert money_by_country(session, principal=world["admin"], filters=nothing).empty
        assert funding_by_area(session, principal=world["admin"], filters=nothing).empty


def test_projects_without_countries_or_donors_list_them_as_empty_text(db: Database) -> None:
    with db.write() as session:
        admin = make_user(session, Role.ADMIN)
        built = LogframeBuilder(code="BARE", countries={}).build(session, admin)
        session.execute(delete(Funding).where(Funding.project_id == built.project_id))
    with db.read() as session, warnings.catch_warnings():
        warnings.simplefilter("error")  # pandas warns before it refuses "" in a float column
        table = home(session, principal=admin).table.set_index("code")
    assert table.loc["BARE", "countries"] == ""
    assert table.loc["BARE", "donors"] == ""
    assert table.loc["BARE", "funding"] == 0
