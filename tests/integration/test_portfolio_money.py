"""Money on the portfolio home: by recipient country (funding x share, each project once per
country however many priority areas it has) and by priority area (a project's whole funding in
each of its areas, once)."""

from __future__ import annotations

import warnings
from datetime import date
from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy import delete, select, update

from rbm.db import Database
from rbm.models import Funding, Project, ProjectPriorityArea
from rbm.models.enums import OrgType, Role, ScopeType
from rbm.principal import Principal
from rbm.queries.coordination import area_coverage
from rbm.queries.country import country_view
from rbm.queries.donor import donor_view
from rbm.queries.portfolio import (
    PortfolioFilters,
    funding_by_area,
    home,
    money_by_country,
    other_currencies,
)
from rbm.queries.project import project_view
from rbm.services.reference import create_priority_area
from tests.utils.builders import LogframeBuilder, make_org, make_user


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
    assert pd.isna(table.loc["BARE", "funding"])  # no funding stated: empty, not 0 dollars
    assert table.loc["BARE", "other_funding"] == ()


def test_funding_in_another_currency_is_never_added_to_the_dollars_and_is_named(
    db: Database, world: dict[str, Principal]
) -> None:
    """A project funded in euros (as an IATI file from a European publisher brings it), and a
    donor named with no amount: the money across projects stays in dollars, the euros are
    listed beside it, and the project's own page keeps each currency apart."""
    with db.write() as session:
        admin = world["admin"]
        built = LogframeBuilder(
            code="EU", countries={"HN": 50, "KE": 50}, start=date(2024, 1, 1)
        ).build(session, admin)
        session.execute(delete(Funding).where(Funding.project_id == built.project_id))
        hn_only = session.scalar(select(Project.id).where(Project.code == "HN-ONLY"))
        other = make_org(session, admin, "Silent Funder", OrgType.FOUNDATION)
        lines = (  # project, donor, amount, currency, from
            (built.project_id, built.donor_id, Decimal("300000"), "EUR", date(2024, 1, 1)),
            (built.project_id, built.donor_id, Decimal("20000"), "USD", date(2024, 6, 1)),
            (hn_only, other, None, "USD", date(2024, 1, 1)),
        )
        for project_id, donor_id, amount, currency, start in lines:
            session.add(
                Funding(
                    project_id=project_id,
                    donor_id=donor_id,
                    amount=amount,
                    currency=currency,
                    date_from=start,
                )
            )
    who = world["admin"]
    with db.read() as session:
        by_country = money_by_country(session, principal=who).set_index("country_code")
        by_area = funding_by_area(session, principal=who)
        table = home(session, principal=who).table.set_index("code")
        others = other_currencies(session, principal=who)
        eu = project_view(session, principal=who, code="EU")
        silent = project_view(session, principal=who, code="HN-ONLY")
        donor = donor_view(session, principal=who, donor_id=built.donor_id)
        coverage = area_coverage(session, principal=who)
    # HN: 260,000 as before, plus half of the 20,000 dollars; none of the 300,000 euros.
    assert by_country.loc["HN", "money"] == pytest.approx(270_000)
    assert by_country.loc["KE", "money"] == pytest.approx(260_000)
    assert by_area["money"].sum() == pytest.approx(400_000 * 2 + 100_000 + 250_000 + 20_000)
    assert table.loc["EU", "funding"] == pytest.approx(20_000)
    assert table.loc["HN-ONLY", "funding"] == pytest.approx(100_000)
    assert table.loc["EU", "other_funding"] == (("EUR", 300_000.0),)
    assert table.loc["HN-ONLY", "other_funding"] == ()
    assert others.to_dict("records") == [{"currency": "EUR", "amount": 300_000.0, "projects": 1}]
    assert eu.funding_totals() == [("EUR", 300_000.0), ("USD", 20_000.0)]
    assert silent.funding_totals() == [("USD", 100_000.0)]  # the silent funder adds nothing
    assert donor.projects.set_index("code").loc["EU", "donor_amount"] == pytest.approx(20_000)
    assert donor.projects.set_index("code").loc["EU", "donor_other"] == (("EUR", 300_000.0),)
    eu_rows = coverage[coverage["code"] == "EU"]
    assert eu_rows["money_in_country"].tolist() == pytest.approx([10_000, 10_000])
    with db.read() as session:
        only_dollars = other_currencies(
            session, principal=who, filters=PortfolioFilters(country="GT")
        )
    assert only_dollars.empty


def test_the_donor_and_country_reports_name_the_funding_they_leave_out(
    db: Database, world: dict[str, Principal]
) -> None:
    from rbm.reports import build
    from rbm.reports.render_pdf import to_html

    with db.write() as session:
        ke = session.scalar(select(Project.id).where(Project.code == "KE"))
        session.execute(update(Funding).where(Funding.project_id == ke).values(currency="EUR"))
    with db.read() as session:
        kenya_view = country_view(session, principal=world["admin"], country_code="KE")
        coverage = area_coverage(session, principal=world["admin"])
    listed = kenya_view.projects
    ke_row = listed.set_index("code").loc["KE"]
    # Its area cell and its coverage rows read no money, not 0 dollars; the others keep theirs.
    assert kenya_view.coverage["money"].isna().all()
    unstated = coverage["money_in_country"].isna().groupby(coverage["code"]).all()
    assert unstated.to_dict() == {"HN-GT": False, "HN-ONLY": False, "KE": True}
    # Its money in Kenya is not "0 dollars" but unstated in dollars, its euros named beside.
    assert pd.isna(ke_row["money_in_country"]) and pd.isna(ke_row["funding"])
    assert ke_row["other_funding"] == (("EUR", 250_000.0),)
    with db.read() as session:
        donor, kenya, honduras = (
            build(session, principal=world["admin"], kind=kind, subject=subject, period="2024")
            for kind, subject in (("donor", "Donor Org"), ("country", "KE"), ("country", "HN"))
        )
    note = "Funding in other currencies is not added to these figures"
    assert note in to_html(donor) and "EUR\u00a0250,000 in 1 project" in to_html(donor)
    assert note in to_html(kenya)
    assert note not in to_html(honduras)  # its projects are funded in dollars
