"""A hypothesis state machine over the measurement workflow (on SQLite): whatever the order of
saves, submits, approvals and returns, an approved value is never changed, the engine's to-date
figure equals the sum of the approved current values, and every committed change wrote exactly
one audit event while refused steps wrote none."""

from __future__ import annotations

import itertools
import tempfile
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from sqlalchemy import func, select

from rbm import migrate
from rbm.db import Database
from rbm.errors import RbmError
from rbm.models import AuditEvent, Measurement, Project
from rbm.models.enums import MeasurementStatus, Role, ScopeType
from rbm.queries.indicator_status import engine_inputs, summary
from rbm.services import measurements as svc
from tests.utils.builders import LogframeBuilder, make_user

pytestmark = pytest.mark.slow  # one long stateful hypothesis test

PERIODS = ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
_codes = itertools.count(1)


@lru_cache(maxsize=1)
def _database() -> Database:
    folder = Path(tempfile.mkdtemp(prefix="rbm-sm-"))
    db = Database(f"sqlite:///{folder / 'machine.sqlite3'}")
    migrate.upgrade(db)
    return db


class Workflow(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.db = _database()
        with self.db.write() as session:
            admin = make_user(session, Role.ADMIN)
            built = (
                LogframeBuilder(code=f"SM-{next(_codes)}")
                .with_indicator("1.a")
                .build(session, admin)
            )
            scope = {"scope_type": ScopeType.PROJECT, "project_id": built.project_id}
            self.officer = make_user(session, Role.OFFICER, scope=scope)
            self.manager = make_user(session, Role.MANAGER, scope=scope)
        self.built, self.indicator = built, built.indicator_ids["1.a"]
        self.approved: dict[int, Decimal | None] = {}
        self.changes = 0
        self.events_at_start = self._events()

    def _latest(self, period: str) -> Measurement | None:
        with self.db.read() as session:
            return session.scalar(
                select(Measurement)
                .where(
                    Measurement.indicator_id == self.indicator,
                    Measurement.reporting_period_id == self.built.period_ids[period],
                )
                .order_by(Measurement.revision.desc())
                .limit(1)
            )

    def _events(self) -> int:
        with self.db.read() as session:
            return int(session.scalar(select(func.count(AuditEvent.id))) or 0)

    def _attempt(self, step: str, period: str, value: int = 0) -> None:
        latest = self._latest(period)
        try:
            with self.db.write() as session:
                if step == "save":
                    svc.save_draft(
                        session,
                        principal=self.officer,
                        indicator_id=self.indicator,
                        period_id=self.built.period_ids[period],
                        values=svc.Values(value=Decimal(value)),
                    )
                elif latest is None:
                    return
                elif step == "submit":
                    svc.submit(session, principal=self.officer, measurement_id=latest.id)
                elif step == "approve":
                    svc.approve(session, principal=self.manager, measurement_id=latest.id)
                    self.approved[latest.id] = latest.value
                else:
                    svc.return_for_revision(
                        session,
                        principal=self.manager,
                        measurement_id=latest.id,
                        comment="Check it",
                    )
            self.changes += 1
        except RbmError:
            return  # a refused step must leave no trace: the invariants check that

    @rule(period=st.sampled_from(PERIODS), value=st.integers(0, 50))
    def save(self, period: str, value: int) -> None:
        self._attempt("save", period, value)

    @rule(period=st.sampled_from(PERIODS))
    def submit(self, period: str) -> None:
        self._attempt("submit", period)

    @rule(period=st.sampled_from(PERIODS))
    def approve(self, period: str) -> None:
        self._attempt("approve", period)

    @rule(period=st.sampled_from(PERIODS))
    def return_(self, period: str) -> None:
        self._attempt("return", period)

    @invariant()
    def approved_values_never_change(self) -> None:
        with self.db.read() as session:
            rows = {
                m.id: (m.status, m.value)
                for m in session.scalars(
                    select(Measurement).where(Measurement.id.in_(list(self.approved)))
                )
            }
        for mid, value in self.approved.items():
            assert rows[mid] == (MeasurementStatus.APPROVED, value)

    @invariant()
    def the_to_date_figure_is_the_sum_of_current_approved_values(self) -> None:
        with self.db.read() as session:
            current = session.scalars(
                select(Measurement.value).where(
                    Measurement.indicator_id == self.indicator,
                    Measurement.is_current,
                    Measurement.status == MeasurementStatus.APPROVED,
                )
            ).all()
            figures = summary(
                engine_inputs(
                    session,
                    principal=self.manager,
                    project_ids=select(Project.id).where(Project.id == self.built.project_id),
                    as_of=date(2025, 12, 31),
                )
            )
        to_date = figures.set_index("indicator_id").loc[self.indicator, "to_date"]
        expected = float(sum(v or 0 for v in current))
        assert (to_date if to_date == to_date else 0.0) == pytest.approx(expected)

    @invariant()
    def one_audit_event_per_committed_change(self) -> None:
        assert self._events() - self.events_at_start == self.changes


Workflow.TestCase.settings = settings(max_examples=8, stateful_step_count=15, deadline=None)
test_the_workflow_keeps_its_promises = Workflow.TestCase
