"""Analysis-ready exports: the long table (one row per measurement and per breakdown part) as
CSV and Excel, and the IPTT workbook. Approved values for everyone; the team's pending values
only for the team, labelled; a multi-country project stays one row per measurement."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy import select

from rbm.db import Database
from rbm.exchange import tables
from rbm.models import DimensionValue, IndicatorDimension
from rbm.models.enums import Measure, Role, ScopeType
from rbm.principal import Principal
from rbm.services import measurements
from rbm.services.reference import create_dimension
from tests.utils.builders import BuiltProject, LogframeBuilder, log_approved, make_user


@dataclass
class World:
    built: BuiltProject
    manager: Principal
    donor: Principal


@pytest.fixture
def world(db: Database) -> World:
    with db.write() as session:
        admin = make_user(session, Role.ADMIN)
        built = (
            LogframeBuilder(code="TAB-1", countries={"HN": 60, "GT": 40})
            .with_indicator("1.a")
            .with_indicator("1.b", measure=Measure.PERCENTAGE, baseline=20, target=60)
            .build(session, admin)
        )
        sex = create_dimension(
            session,
            principal=admin,
            code="sex",
            name="Sex",
            exhaustive=True,
            values=[("female", "Female"), ("male", "Male")],
        )
        scope = {"scope_type": ScopeType.PROJECT, "project_id": built.project_id}
        officer = make_user(session, Role.OFFICER, scope=scope)
        manager = make_user(session, Role.MANAGER, scope=scope)
        donor = make_user(
            session,
            Role.DONOR,
            scope={"scope_type": ScopeType.ORGANISATION, "organisation_id": built.donor_id},
        )
        values = {
            v.code: v.id
            for v in session.scalars(
                select(DimensionValue).where(DimensionValue.dimension_id == sex.id)
            )
        }
        female, male = values["female"], values["male"]
        session.add(
            IndicatorDimension(indicator_id=built.indicator_ids["1.a"], dimension_id=sex.id)
        )
        m = measurements.save_draft(
            session,
            principal=officer,
            indicator_id=built.indicator_ids["1.a"],
            period_id=built.period_ids["2024-Q1"],
            values=measurements.Values(
                value=Decimal(10), breakdown={female: Decimal(6), male: Decimal(4)}
            ),
        )
        measurements.submit(session, principal=officer, measurement_id=m.id)
        measurements.approve(session, principal=manager, measurement_id=m.id)
        log_approved(
            session,
            officer=officer,
            manager=manager,
            indicator_id=built.indicator_ids["1.b"],
            period_id=built.period_ids["2024-Q1"],
            numerator=3,
            denominator=4,
        )
        measurements.save_draft(
            session,
            principal=officer,
            indicator_id=built.indicator_ids["1.a"],
            period_id=built.period_ids["2024-Q2"],
            values=measurements.Values(value=Decimal(5)),
        )
    return World(built, manager, donor)


def _table(db: Database, who: Principal) -> pd.DataFrame:
    with db.read() as session:
        return tables.long_table(session, principal=who)


def test_the_long_table_has_one_row_per_measurement_and_per_breakdown_part(
    db: Database, world: World
) -> None:
    table = _table(db, world.manager)
    assert list(table.columns) == tables.COLUMNS
    rows = table[["indicator", "period", "value", "breakdown", "status"]].values.tolist()
    assert rows == [
        ["1.a", "2024-Q1", 10.0, "", "approved"],
        ["1.a", "2024-Q1", 6.0, "sex=female", "approved"],
        ["1.a", "2024-Q1", 4.0, "sex=male", "approved"],
        ["1.a", "2024-Q2", 5.0, "", "draft"],
        ["1.b", "2024-Q1", 75.0, "", "approved"],
    ]
    assert set(table["country"]) == {"GT;HN"}
    assert table.loc[table["indicator"] == "1.b", ["numerator", "denominator"]].values.tolist() == [
        [3.0, 4.0]
    ]


def test_values_in_review_reach_only_the_project_team(db: Database, world: World) -> None:
    table = _table(db, world.donor)
    assert set(table["status"]) == {"approved"}
    assert len(table) == 4


def test_csv_and_excel_hold_the_same_table(db: Database, world: World) -> None:
    table = _table(db, world.manager)
    from_csv = pd.read_csv(io.BytesIO(tables.to_csv(table)), keep_default_na=False)
    from_xlsx = pd.read_excel(io.BytesIO(tables.to_xlsx(table)))
    assert list(from_csv.columns) == list(from_xlsx.columns) == tables.COLUMNS
    assert from_csv["value"].astype(float).tolist() == table["value"].tolist()
    assert from_xlsx["breakdown"].fillna("").tolist() == table["breakdown"].tolist()
    assert from_csv["period_start"].tolist()[0] == "2024-01-01"


def test_the_iptt_workbook_has_a_sheet_per_project_with_targets_and_actuals(
    db: Database, world: World
) -> None:
    with db.read() as session:
        workbook = tables.iptt_workbook(session, principal=world.manager)
    sheets = pd.read_excel(io.BytesIO(workbook), sheet_name=None)
    assert list(sheets) == ["TAB-1"]
    iptt = sheets["TAB-1"].set_index("Indicator")
    assert iptt.loc["1.a", "2024-Q1 actual"] == 10
    assert "2024-Q2 actual" not in iptt.columns, "the draft is not in the IPTT"
    assert iptt.loc["1.b", "Life-of-project target"] == 60
    assert {"Baseline", "To date", "Progress %", "Status"} <= set(iptt.columns)


def test_a_project_code_selection_limits_every_export(db: Database, world: World) -> None:
    with db.read() as session:
        table = tables.long_table(session, principal=world.manager, project_codes=["NONE"])
        frames = tables.iptt_frames(session, principal=world.manager, project_codes=["NONE"])
    assert table.empty and frames == {}
