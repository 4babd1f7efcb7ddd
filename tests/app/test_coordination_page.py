"""Coordination page: the country x area x provider matrix and the overlapping pairs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from rbm.db import Database
from rbm.models.enums import Role
from rbm.principal import Principal
from rbm.services import projects
from rbm.services.reference import create_priority_area
from tests.app.conftest import open_app
from tests.utils.builders import make_org, make_user

COORDINATION = "rbm/ui/pages/coordination.py"


@pytest.fixture
def overlapping(app_db: Database) -> Principal:
    """Two providers in Honduras on witness protection in 2024-2025 and 2025; a third
    project on the same area in 2023 only (no overlap)."""
    with app_db.write() as session:
        admin = make_user(session, Role.ADMIN)
        area = create_priority_area(
            session, principal=admin, code="wp", name="Witness protection"
        ).id
        donor = make_org(session, admin, "Donor")
        for code, provider, start, end in (
            ("P1", "UNODC", date(2024, 1, 1), date(2025, 12, 31)),
            ("P2", "OSCE", date(2025, 3, 1), date(2025, 9, 30)),
            ("P3", "CoE", date(2023, 1, 1), date(2023, 12, 31)),
        ):
            projects.create_project(
                session,
                principal=admin,
                new=projects.NewProject(
                    code=code,
                    title=f"Project {code}",
                    provider_id=make_org(session, admin, provider),
                    start_date=start,
                    end_date=end,
                    countries={"HN": Decimal(100)},
                    priority_area_ids=[area],
                    funding=[
                        projects.FundingLine(
                            donor_id=donor, amount=Decimal(200000), date_from=start
                        )
                    ],
                ),
            )
    return admin


def test_the_overlap_list_pairs_providers_on_one_area_at_the_same_time(overlapping) -> None:
    at = open_app(overlapping, page=COORDINATION)
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Overlapping pairs"] == "1"
    pairs = next(d.value for d in at.dataframe if "code_a" in d.value.columns)
    row = pairs.iloc[0]
    assert (row["code_a"], row["code_b"]) == ("P1", "P2")
    assert str(row["overlap_from"].date()) == "2025-03-01"
    assert str(row["overlap_to"].date()) == "2025-09-30"


def test_the_matrix_counts_projects_and_money_per_provider(overlapping) -> None:
    at = open_app(overlapping, page=COORDINATION)
    matrix = next(d.value for d in at.dataframe if "provider" in d.value.columns)
    assert matrix["provider"].tolist() == ["CoE", "OSCE", "UNODC"]
    assert matrix["money"].tolist() == [200000.0, 200000.0, 200000.0]
    counts = next(d.value for d in at.dataframe if "Witness protection" in d.value.columns)
    assert counts.loc["Honduras", "Witness protection"] == 3
