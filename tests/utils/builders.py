"""Test factories: accounts with grants, and a LogframeBuilder that makes a small project
through the services (so tests exercise the same rules as the pages)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rbm.db import Database
from rbm.models import Organisation, ReportingPeriod
from rbm.models.enums import (
    Accumulation,
    Direction,
    Frequency,
    Measure,
    OrgType,
    ResultLevel,
    Role,
    ScopeType,
)
from rbm.principal import Grant, Principal
from rbm.services import logframe, measurements, projects
from rbm.services.reference import create_organisation
from rbm.services.users import create_user, load_principal

PASSWORD = "Correct-horse-42"
_counter = itertools.count(1)


def make_user(
    session: Session,
    role: Role,
    *,
    scope: dict[str, Any] | None = None,
    email: str | None = None,
    admin: Principal | None = None,
) -> Principal:
    """An account holding one role (global unless a scope is given)."""
    n = next(_counter)
    grant = Grant(role=role, **(scope or {"scope_type": ScopeType.GLOBAL}))
    user = create_user(
        session,
        principal=admin,
        email=email or f"{role.value}{n}@test.rbm",
        name=f"{role.label} {n}",
        password=PASSWORD,
        grants=[grant],
    )
    return load_principal(session, user_id=user.id)


def make_org(
    session: Session, admin: Principal, name: str, type: OrgType = OrgType.MULTILATERAL
) -> int:
    existing = session.scalar(select(Organisation.id).where(Organisation.name == name))
    return existing or create_organisation(session, principal=admin, name=name, type=type).id


@dataclass
class BuiltProject:
    project_id: int
    code: str
    indicator_ids: dict[str, int]
    period_ids: dict[str, int]
    provider_id: int
    donor_id: int


@dataclass
class LogframeBuilder:
    """A small project: `LogframeBuilder(code="P1").with_indicator("1.a").build(session, admin)`."""

    code: str = "TEST-1"
    countries: dict[str, int] = field(default_factory=lambda: {"HN": 100})
    start: date = date(2024, 1, 1)
    end: date = date(2025, 12, 31)
    frequency: Frequency = Frequency.QUARTERLY
    provider: str = "Provider Org"
    donor: str = "Donor Org"
    funding: Decimal = Decimal("500000")
    indicators: list[dict[str, Any]] = field(default_factory=list)

    def with_indicator(
        self,
        code: str,
        *,
        measure: Measure = Measure.NUMBER,
        accumulation: Accumulation = Accumulation.INCREMENTAL,
        direction: Direction = Direction.INCREASE,
        baseline: float | None = 0,
        target: float | None = 100,
        labels: list[str] | None = None,
        level: ResultLevel = ResultLevel.OUTCOME,
    ) -> LogframeBuilder:
        self.indicators.append(
            dict(
                code=code,
                measure=measure,
                accumulation=accumulation,
                direction=direction,
                baseline=baseline,
                target=target,
                labels=labels,
                level=level,
            )
        )
        return self

    def build(self, session: Session, admin: Principal) -> BuiltProject:
        provider_id = make_org(session, admin, self.provider)
        donor_id = make_org(session, admin, self.donor, OrgType.GOVERNMENT)
        project = projects.create_project(
            session,
            principal=admin,
            new=projects.NewProject(
                code=self.code,
                title=f"Project {self.code}",
                provider_id=provider_id,
                start_date=self.start,
                end_date=self.end,
                frequency=self.frequency,
                countries={c: Decimal(s) for c, s in self.countries.items()},
                funding=[
                    projects.FundingLine(
                        donor_id=donor_id, amount=self.funding, date_from=self.start
                    )
                ],
            ),
        )
        impact = logframe.add_result_node(
            session,
            principal=admin,
            project_id=project.id,
            level=ResultLevel.IMPACT,
            code="I",
            title="Impact",
        )
        outcome = logframe.add_result_node(
            session,
            principal=admin,
            project_id=project.id,
            level=ResultLevel.OUTCOME,
            code="1",
            title="Outcome",
            parent_id=impact.id,
        )
        ids = {}
        for pos, spec in enumerate(self.indicators):
            node = impact if spec["level"] is ResultLevel.IMPACT else outcome
            ind = logframe.add_indicator(
                session,
                principal=admin,
                result_node_id=node.id,
                new=logframe.NewIndicator(
                    code=spec["code"],
                    title=f"Indicator {spec['code']}",
                    measure=spec["measure"],
                    accumulation=spec["accumulation"],
                    direction=spec["direction"],
                    ordinal_labels=spec["labels"],
                    baseline_year=self.start.year - 1 if spec["baseline"] is not None else None,
                    baseline_value=None
                    if spec["baseline"] is None
                    else Decimal(str(spec["baseline"])),
                    target_value=None if spec["target"] is None else Decimal(str(spec["target"])),
                    position=pos,
                ),
            )
            ids[spec["code"]] = ind.id
        periods = dict(
            session.execute(
                select(ReportingPeriod.label, ReportingPeriod.id).where(
                    ReportingPeriod.project_id == project.id
                )
            ).all()
        )
        return BuiltProject(project.id, self.code, ids, periods, provider_id, donor_id)


def log_approved(
    session: Session,
    *,
    officer: Principal,
    manager: Principal,
    indicator_id: int,
    period_id: int,
    **values: Any,
) -> int:
    """Save, submit and approve one value; returns the measurement id."""
    vals = measurements.Values(
        **{k: (Decimal(str(v)) if k != "narrative" else v) for k, v in values.items()}
    )
    m = measurements.save_draft(
        session, principal=officer, indicator_id=indicator_id, period_id=period_id, values=vals
    )
    measurements.submit(session, principal=officer, measurement_id=m.id)
    measurements.approve(session, principal=manager, measurement_id=m.id)
    return m.id


def admin_of(db: Database) -> Principal:
    with db.write() as session:
        return make_user(session, Role.ADMIN)
