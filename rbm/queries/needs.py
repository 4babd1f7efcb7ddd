"""The needs register seen from the recipient State, the coordination table and the donors:
each need with its coverage by projects, the funding of those projects and the gap, and
the resource-mobilization view of estimated costs, funding and gaps by country, region and
priority area. Two statements whatever the register's size; the rest is arithmetic here.

Which needs count ("current"): needs entered directly, and needs from the latest checklist a
State reported (submitted or accepted). A need from an earlier checklist is superseded once
the State reports a later one (its needs are carried over there when still marked).

Funding of a need: a project's funding (in the need's currency) times the country's share of
the project, split evenly over the current needs of that country the project addresses, so a
project covering two needs is not counted twice. Only projects in progress (pipeline,
implementation, finalisation) cover a need. Gap of a need: its estimated cost less that
funding, never below zero; a need without an estimated cost has no gap figure.

Who reads what: administrators, managers, evaluators and donors read every need; a State focal
point the needs of their own country; an officer the needs of the countries of their projects.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pandera.pandas as pa
from sqlalchemy import ColumnElement, Select, false, func, or_, select, true
from sqlalchemy.orm import Session, aliased

from rbm.errors import PermissionDenied, ValidationFailed
from rbm.frames.columns import PROJECT
from rbm.frames.sql import enum_values, floats, frame
from rbm.models import (
    Answer,
    ChecklistCycle,
    Country,
    Funding,
    Instrument,
    Need,
    NeedProject,
    Organisation,
    PriorityArea,
    Project,
    ProjectCountry,
    ProjectPriorityArea,
    Provision,
    Question,
    Region,
    SelfAssessment,
    User,
)
from rbm.models.enums import COVERING_STATUSES, REPORTED_ASSESSMENT, Coverage, Role, ScopeType
from rbm.principal import Principal, focal_countries, project_condition
from rbm.queries.checklist import utc_naive

READERS = (Role.ADMIN, Role.MANAGER, Role.EVALUATOR, Role.DONOR)
PRIORITY_ORDER = {"high": 0, "medium": 1, "low": 2}
GAP_KEYS = {
    "country": ["country_code", "country"],
    "region": ["region_code", "region"],
    "priority_area": ["area_code", "area"],
}
DIRECT = "entered directly"

REGISTER_SCHEMA = pa.DataFrameSchema(
    {
        "id": pa.Column(int, unique=True),
        "country_code": pa.Column(str),
        "kind": pa.Column(str),
        "priority": pa.Column(str, pa.Check.isin(list(PRIORITY_ORDER))),
        "estimated_cost": pa.Column(float, pa.Check.ge(0), nullable=True),
        "funding": pa.Column(float, pa.Check.ge(0)),
        "gap": pa.Column(float, pa.Check.ge(0), nullable=True),
        "coverage": pa.Column(str, pa.Check.isin([c.value for c in Coverage])),
        "providers": pa.Column(int, pa.Check.ge(0)),
    },
    strict=False,
    coerce=True,
)


def needs_condition(principal: Principal) -> ColumnElement[bool]:
    """The needs the principal may read, as a condition on Need."""
    if principal.has_role(*READERS):
        return true()
    conditions = []
    if countries := focal_countries(principal):
        conditions.append(Need.country_code.in_(sorted(countries)))
    if principal.has_role(Role.OFFICER):
        theirs = select(Project.id).where(project_condition(principal, Role.OFFICER))
        where = select(ProjectCountry.country_code).where(ProjectCountry.project_id.in_(theirs))
        conditions.append(Need.country_code.in_(where))
    return or_(*conditions) if conditions else false()


def _latest_reported() -> Any:
    """Per country, the year of the latest checklist it reported."""
    return (
        select(SelfAssessment.country_code, func.max(ChecklistCycle.year).label("year"))
        .join(ChecklistCycle, ChecklistCycle.id == SelfAssessment.cycle_id)
        .where(SelfAssessment.status.in_(REPORTED_ASSESSMENT))
        .group_by(SelfAssessment.country_code)
        .subquery()
    )


def _needs_stmt(principal: Principal, country_code: str | None) -> Select[*tuple[Any, ...]]:
    latest = _latest_reported()
    cycle = aliased(ChecklistCycle)
    current = Need.answer_id.is_(None) | (
        SelfAssessment.status.in_(REPORTED_ASSESSMENT) & (cycle.year == latest.c.year)
    )
    stmt = (
        select(
            Need.id,
            Need.country_code,
            Country.name.label("country"),
            Country.region_code,
            Region.name.label("region"),
            PriorityArea.code.label("area_code"),
            PriorityArea.name.label("area"),
            Instrument.code.label("instrument"),
            Provision.code.label("provision"),
            Provision.article,
            Need.kind,
            Need.priority,
            Need.description,
            Need.estimated_cost,
            Need.currency,
            cycle.code.label("cycle"),
            current.label("current"),
            Need.created_at,
        )
        .join(Country, Country.code == Need.country_code)
        .outerjoin(Region, Region.code == Country.region_code)
        .outerjoin(PriorityArea, PriorityArea.id == Need.priority_area_id)
        .outerjoin(Provision, Provision.id == Need.provision_id)
        .outerjoin(Instrument, Instrument.id == Provision.instrument_id)
        .outerjoin(Answer, Answer.id == Need.answer_id)
        .outerjoin(Question, Question.id == Answer.question_id)
        .outerjoin(cycle, cycle.id == Question.cycle_id)
        .outerjoin(SelfAssessment, SelfAssessment.id == Answer.self_assessment_id)
        .outerjoin(latest, latest.c.country_code == Need.country_code)
        .where(needs_condition(principal))
        .order_by(Country.name, Need.id)
    )
    if country_code is not None:
        stmt = stmt.where(Need.country_code == country_code)
    return stmt


def _links_stmt(need_ids: Any) -> Select[*tuple[Any, ...]]:
    money = (
        select(Funding.project_id, Funding.currency, func.sum(Funding.amount).label("amount"))
        .group_by(Funding.project_id, Funding.currency)
        .subquery()
    )
    return (
        select(
            NeedProject.need_id,
            *PROJECT,
            Organisation.name.label("provider"),
            ProjectCountry.share,
            money.c.amount,
        )
        .join(Need, Need.id == NeedProject.need_id)
        .join(Project, Project.id == NeedProject.project_id)
        .join(Organisation, Organisation.id == Project.provider_id)
        .outerjoin(
            ProjectCountry,
            (ProjectCountry.project_id == Project.id)
            & (ProjectCountry.country_code == Need.country_code),
        )
        .outerjoin(money, (money.c.project_id == Project.id) & (money.c.currency == Need.currency))
        .where(NeedProject.need_id.in_(need_ids))
        .order_by(Project.code)
    )


def needs_register(
    session: Session,
    *,
    principal: Principal,
    country_code: str | None = None,
    include_superseded: bool = False,
) -> pd.DataFrame:
    """One row per need the principal may read (current needs unless asked otherwise), with
    its source (checklist cycle or entered directly), the projects covering it, their
    providers, coverage, funding and gap."""
    stmt = _needs_stmt(principal, country_code)
    needs = enum_values(frame(session, stmt), "kind", "priority")
    needs["current"] = needs["current"].astype(bool)
    needs["cycle"] = needs["cycle"].fillna(DIRECT)
    floats(needs, "estimated_cost")
    ids = select(stmt.subquery().c.id)
    links = enum_values(floats(frame(session, _links_stmt(ids)), "share", "amount"), "status")
    return _with_coverage(needs if include_superseded else needs[needs["current"]], links)


def _with_coverage(needs: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    out = needs.reset_index(drop=True).copy()
    active = links[links["status"].isin([s.value for s in COVERING_STATUSES])].copy()
    active = active[active["need_id"].isin(out["id"])]
    country = out.set_index("id")["country_code"]
    active["country_code"] = active["need_id"].map(country)
    per_project = active.groupby(["project_id", "country_code"])["need_id"].transform("nunique")
    active["attributed"] = (
        active["amount"].fillna(0.0) * active["share"].fillna(0.0) / 100 / per_project
    )
    by_need = active.groupby("need_id")
    out["projects"] = out["id"].map(by_need["code"].agg(", ".join)).fillna("")
    out["provider_names"] = (
        out["id"].map(by_need["provider"].agg(lambda s: ", ".join(sorted(set(s))))).fillna("")
    )
    out["providers"] = out["id"].map(by_need["provider"].nunique()).fillna(0).astype(int)
    out["coverage"] = out["providers"].map(lambda n: Coverage.of(int(n)).value)
    out["funding"] = out["id"].map(by_need["attributed"].sum()).fillna(0.0).astype(float)
    out["gap"] = (out["estimated_cost"] - out["funding"]).clip(lower=0)
    out["sort"] = out["priority"].map(PRIORITY_ORDER)
    out = out.sort_values(["country", "sort", "id"], ignore_index=True).drop(columns="sort")
    out["created_at"] = utc_naive(out["created_at"])
    return REGISTER_SCHEMA.validate(out)


def needs_for_country(session: Session, *, principal: Principal, country_code: str) -> pd.DataFrame:
    """The State's current needs beside the assistance it receives (the projects covering
    each need, their providers, funding, gap and coverage). Empty outside the principal's
    scope."""
    return needs_register(session, principal=principal, country_code=country_code)


def uncovered_needs_by_region_area(session: Session, *, principal: Principal) -> pd.DataFrame:
    """Uncovered current needs by region and priority area, the "subregional programmes"
    view: how many, in which countries, and their estimated cost."""
    reg = needs_register(session, principal=principal)
    open_ = reg[reg["coverage"] == Coverage.UNCOVERED.value].copy()
    cols = ["region_code", "region", "area_code", "area"]
    if open_.empty:
        return pd.DataFrame(columns=[*cols, "needs", "countries", "estimated_cost"])
    open_[cols] = open_[cols].fillna("")
    out = open_.groupby(cols, as_index=False).agg(
        needs=("id", "count"),
        countries=("country", lambda s: ", ".join(sorted(set(s)))),
        estimated_cost=("estimated_cost", lambda s: float(s.sum(min_count=1))),
    )
    return out.sort_values(
        ["region", "needs", "area"], ascending=[True, False, True], ignore_index=True
    )


def resource_gap(session: Session, *, principal: Principal, by: str) -> pd.DataFrame:
    """Estimated cost of current needs, funding of the projects covering them, and the gap, by
    country, region or priority area (`by`), in each currency. `costed` counts the needs
    that have an estimated cost: the figures cover those only."""
    if by not in GAP_KEYS:
        raise ValidationFailed(
            "Resource gap by {by!r}: choose one of {gap_keys}.", by=by, gap_keys=", ".join(GAP_KEYS)
        )
    keys = [*GAP_KEYS[by], "currency"]
    cols = [*keys, "needs", "uncovered", "costed", "estimated_cost", "funding", "gap"]
    reg = needs_register(session, principal=principal)
    if reg.empty:
        return pd.DataFrame(columns=cols)
    reg[keys] = reg[keys].fillna("")
    reg["is_uncovered"] = reg["coverage"] == Coverage.UNCOVERED.value
    out = reg.groupby(keys, as_index=False).agg(
        needs=("id", "count"),
        uncovered=("is_uncovered", "sum"),
        costed=("estimated_cost", "count"),
        estimated_cost=("estimated_cost", "sum"),
        funding=("funding", "sum"),
        gap=("gap", "sum"),
    )
    return out[cols].sort_values(["gap", keys[1]], ascending=[False, True], ignore_index=True)


def _may_read_donor(principal: Principal, donor_id: int) -> bool:
    if principal.has_role(Role.ADMIN, Role.MANAGER, Role.EVALUATOR):
        return True
    return any(
        g.role is Role.DONOR
        and g.scope_type is ScopeType.ORGANISATION
        and g.organisation_id == donor_id
        for g in principal.grants
    )


def unfunded_needs_for_donor(
    session: Session, *, principal: Principal, donor_id: int
) -> pd.DataFrame:
    """Current needs with a funding gap (or uncovered and not yet costed) in the countries or
    priority areas where the donor already funds projects; those matching both first, then by
    priority and gap. A donor sees this for itself only."""
    if not _may_read_donor(principal, donor_id):
        raise PermissionDenied("You may only see the unfunded needs for your own organisation.")
    funded = select(Funding.project_id).where(Funding.donor_id == donor_id)
    countries = set(
        session.scalars(
            select(ProjectCountry.country_code).where(ProjectCountry.project_id.in_(funded))
        )
    )
    areas = set(
        session.scalars(
            select(PriorityArea.code)
            .join(ProjectPriorityArea, ProjectPriorityArea.priority_area_id == PriorityArea.id)
            .where(ProjectPriorityArea.project_id.in_(funded))
        )
    )
    reg = needs_register(session, principal=principal)
    reg["in_donor_country"] = reg["country_code"].isin(countries)
    reg["in_donor_area"] = reg["area_code"].isin(areas)
    open_gap = (reg["gap"] > 0) | (
        reg["estimated_cost"].isna() & (reg["coverage"] == Coverage.UNCOVERED.value)
    )
    out = reg[open_gap & (reg["in_donor_country"] | reg["in_donor_area"])].copy()
    out["both"] = out["in_donor_country"] & out["in_donor_area"]
    out["sort"] = out["priority"].map(PRIORITY_ORDER)
    out = out.sort_values(["both", "sort", "gap"], ascending=[False, True, False])
    return out.drop(columns=["both", "sort"]).reset_index(drop=True)


def priority_areas(session: Session) -> pd.DataFrame:
    """The priority areas (id, code, name) a need can be filed under."""
    return frame(
        session,
        select(PriorityArea.id, PriorityArea.code, PriorityArea.name).order_by(PriorityArea.name),
    )


def linked_projects(session: Session, *, principal: Principal, need_id: int) -> pd.DataFrame:
    """The projects confirmed as addressing one need, who confirmed each and when."""
    stmt = (
        select(
            *PROJECT,
            Organisation.name.label("provider"),
            User.name.label("confirmed_by"),
            NeedProject.confirmed_at,
        )
        .join(NeedProject, NeedProject.project_id == Project.id)
        .join(Need, Need.id == NeedProject.need_id)
        .join(Organisation, Organisation.id == Project.provider_id)
        .join(User, User.id == NeedProject.confirmed_by_id)
        .where(NeedProject.need_id == need_id, needs_condition(principal))
        .order_by(Project.code)
    )
    return enum_values(frame(session, stmt), "status")
