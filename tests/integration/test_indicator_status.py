"""Figures from the engine over the database: each project is judged at the end of its latest
reporting period that has ended, so reporting frequency does not make a project look late."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import select

from rbm.db import Database
from rbm.models import Project
from rbm.models.enums import Frequency, Role, ScopeType
from rbm.queries.indicator_status import assessment_days, engine_inputs, summary
from tests.utils.builders import LogframeBuilder, log_approved, make_user


def test_an_annual_project_is_judged_at_its_last_year_end_not_today(db: Database) -> None:
    with db.write() as session:
        admin = make_user(session, Role.ADMIN)
        built = (
            LogframeBuilder(
                code="ANN-1",
                start=date(2024, 1, 1),
                end=date(2025, 12, 31),
                frequency=Frequency.ANNUAL,
            )
            .with_indicator("1.a", target=100)
            .build(session, admin)
        )
        scope = {"scope_type": ScopeType.PROJECT, "project_id": built.project_id}
        officer = make_user(session, Role.OFFICER, scope=scope)
        manager = make_user(session, Role.MANAGER, scope=scope)
        log_approved(
            session,
            officer=officer,
            manager=manager,
            indicator_id=built.indicator_ids["1.a"],
            period_id=built.period_ids["2024"],
            value=50,
        )
    with db.read() as session:
        days = assessment_days(session, select(Project.id), date(2025, 11, 30))
        result = summary(
            engine_inputs(
                session, principal=admin, project_ids=select(Project.id), as_of=date(2025, 11, 30)
            )
        )
    assert days[built.project_id] == (date(2024, 12, 31) - date(1970, 1, 1)).days
    row = result.iloc[0]
    # Judged at 2024-12-31: the straight line from the project start (the undated baseline of
    # 2023 is read as 1 January 2023, before the project, so the plan starts with the project)
    # to the target (31 Dec 2025) expects one half: half is on track. Judged on 30 Nov 2025 it
    # would expect 0.97 and call the project off track.
    assert row["progress"] == 0.5
    assert abs(row["expected_progress"] - 0.5) < 0.005
    assert row["status"] == "on_track"
    assert row["judged_at"] == pd.Timestamp(2024, 12, 31)


def test_a_project_with_no_period_ended_is_judged_today_and_has_not_started(db: Database) -> None:
    with db.write() as session:
        admin = make_user(session, Role.ADMIN)
        LogframeBuilder(
            code="NEW-1", start=date(2025, 1, 1), end=date(2026, 12, 31), frequency=Frequency.ANNUAL
        ).with_indicator("1.a").build(session, admin)
    with db.read() as session:
        days = assessment_days(session, select(Project.id), date(2025, 6, 30))
        result = summary(
            engine_inputs(
                session, principal=admin, project_ids=select(Project.id), as_of=date(2025, 6, 30)
            )
        )
    assert days.empty
    assert result.iloc[0]["status"] == "not_started"
