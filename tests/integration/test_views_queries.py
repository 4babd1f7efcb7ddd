"""The view queries issue a fixed number of SQL statements whatever the portfolio size, and
their figures agree with the engine and with each other."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from io import BytesIO
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import event

from rbm.db import Database
from rbm.exchange.iptt_workbook import iptt_excel
from rbm.models.enums import Role
from rbm.principal import Principal
from rbm.queries import coordination, country, donor, iptt, portfolio, project, reference
from tests.utils.builders import LogframeBuilder, log_approved, make_user

COUNTRIES = ({"HN": 100}, {"KE": 50, "UG": 50}, {"HN": 40, "GT": 60})


@contextmanager
def counted(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def _count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", _count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", _count)


def add_projects(db: Database, admin: Principal, first: int, last: int) -> None:
    with db.write() as session:
        manager = make_user(session, Role.MANAGER)
        for n in range(first, last):
            built = (
                LogframeBuilder(
                    code=f"P{n:03d}",
                    countries=COUNTRIES[n % 3],
                    provider=f"Provider {n % 4}",
                    donor=f"Donor {n % 2}",
                    start=date(2024, 1, 1),
                    end=date(2024, 12, 31),
                )
                .with_indicator("1.a", target=100)
                .build(session, admin)
            )
            if n >= 10:
                continue  # values in the first ten suffice; the rest only add rows
            log_approved(
                session,
                officer=admin,
                manager=manager,
                indicator_id=built.indicator_ids["1.a"],
                period_id=built.period_ids["2024-Q1"],
                value=10 + n % 5,
            )


def statement_counts(db: Database, admin: Principal) -> dict[str, int]:
    calls: dict[str, Callable[..., Any]] = {
        "home": portfolio.home,
        "choices": reference.filter_choices,
        "coverage": coordination.area_coverage,
        "country": lambda s, principal: country.country_view(
            s, principal=principal, country_code="HN"
        ),
        "donor": lambda s, principal: donor.donor_view(s, principal=principal, donor_id=2),
        "project": lambda s, principal: project.project_view(s, principal=principal, code="P001"),
        "iptt": lambda s, principal: iptt.iptt(s, principal=principal, code="P001"),
    }
    counts = {}
    for name, call in calls.items():
        with db.read() as session, counted(db) as statements:
            call(session, principal=admin)
        counts[name] = len(statements)
    return counts


@pytest.fixture
def admin(db: Database) -> Principal:
    with db.write() as session:
        return make_user(session, Role.ADMIN)


def test_every_view_issues_as_many_statements_for_200_projects_as_for_10(
    db: Database, admin: Principal
) -> None:
    add_projects(db, admin, 0, 10)
    small = statement_counts(db, admin)
    add_projects(db, admin, 10, 200)
    large = statement_counts(db, admin)
    assert large == small
    assert max(small.values()) <= 20


def test_money_in_a_country_is_funding_times_the_country_share(
    db: Database, admin: Principal
) -> None:
    add_projects(db, admin, 0, 3)
    with db.read() as session:
        view = country.country_view(session, principal=admin, country_code="HN")
    money = dict(zip(view.projects["code"], view.projects["money_in_country"], strict=True))
    # P000 is all in Honduras; P002 is 40 % there; P001 does not touch it.
    assert money == {"P000": 500000.0, "P002": 200000.0}


def test_the_donor_view_sums_the_donors_contribution_by_country(
    db: Database, admin: Principal
) -> None:
    add_projects(db, admin, 0, 3)
    with db.read() as session:
        donor_id = int(
            reference.filter_choices(session, principal=admin)["donor"]
            .set_index("name")
            .loc["Donor 0", "code"]
        )
        view = donor.donor_view(session, principal=admin, donor_id=donor_id)
    # Donor 0 funds P000 (HN 100 %) and P002 (HN 40 %, GT 60 %): 500,000 each.
    by_country = dict(zip(view.by_country["country"], view.by_country["money"], strict=True))
    assert by_country == {"Honduras": 700000.0, "Guatemala": 300000.0}
    assert view.projects["code"].tolist() == ["P000", "P002"]


def test_the_iptt_workbook_has_two_header_rows_and_the_period_values(
    db: Database, admin: Principal
) -> None:
    add_projects(db, admin, 0, 1)
    with db.read() as session:
        long = iptt.iptt(session, principal=admin, code="P000")
    sheet = load_workbook(BytesIO(iptt_excel(long, title="IPTT P000"))).active
    assert sheet is not None
    assert sheet["A1"].value == "IPTT P000"
    assert [sheet.cell(2, c).value for c in (5, 8)] == ["2024-Q1", "2024-Q2"]
    assert [sheet.cell(3, c).value for c in (5, 6, 7)] == ["Target", "Actual", "% achieved"]
    assert sheet.cell(4, 6).value == 10.0
    assert sheet.freeze_panes == "E4"


def test_two_providers_in_one_country_at_the_same_time_without_areas_do_not_overlap(
    db: Database, admin: Principal
) -> None:
    add_projects(db, admin, 0, 4)
    with db.read() as session:
        pairs = coordination.pairs_of(coordination.area_coverage(session, principal=admin))
    # The builder gives no priority area: an overlap needs the same area.
    assert pairs.empty


def test_the_trend_runs_from_the_baseline_to_the_target_when_there_are_no_milestones(
    db: Database, admin: Principal
) -> None:
    add_projects(db, admin, 0, 1)
    with db.read() as session:
        long = iptt.iptt(session, principal=admin, code="P000")
    points = iptt.trajectory(long, code="1.a")
    actual = points[points["series"] == "Actual"]
    target = points[points["series"] == "Target"]
    assert actual["value"].tolist() == [10.0]  # incremental: running total from baseline 0
    assert target["value"].tolist() == [0.0, 100.0]
    assert [str(d.date()) for d in target["period_end"]] == ["2024-01-01", "2024-12-31"]
