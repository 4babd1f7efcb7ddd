"""Read side of the logframe editor: the projects a principal may edit or propose changes to,
a project's logframe in tree order (archived results and indicators included and flagged),
each indicator's reference sheet with its baseline and targets, its target history, and the
proposed changes waiting for a manager."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rbm.errors import NotFound
from rbm.frames.columns import PERIOD, RESULT_PLACE
from rbm.frames.engine import reference_baseline_id
from rbm.frames.sql import enum_values, floats, frame
from rbm.models import (
    Baseline,
    ChangeProposal,
    Dimension,
    DimensionValue,
    Funding,
    IndicatorDimension,
    LibraryIndicator,
    Measurement,
    Organisation,
    PriorityArea,
    Project,
    ProjectCountry,
    ProjectPartner,
    ProjectPriorityArea,
    ProjectSector,
    ReportingPeriod,
    ResultNode,
    Target,
    TargetPart,
    TargetRevision,
    User,
)
from rbm.models import Indicator as Ind
from rbm.models.enums import MeasurementStatus, Role
from rbm.models.project import EDITABLE_FIELDS
from rbm.principal import Principal, project_condition

_EDITORS = (Role.ADMIN, Role.MANAGER)
_TEAM = (Role.ADMIN, Role.MANAGER, Role.OFFICER)


def _value(v: Any) -> Any:
    return getattr(v, "value", v)


def editable_projects(session: Session, *, principal: Principal) -> pd.DataFrame:
    """Projects the principal may edit (`can_edit`) or propose changes to, by code."""
    df = frame(
        session,
        select(
            Project.id,
            Project.code,
            Project.title,
            Project.status,
            project_condition(principal, *_EDITORS).label("can_edit"),
        )
        .where(project_condition(principal, *_TEAM))
        .order_by(Project.code),
    )
    enum_values(df, "status")
    df["can_edit"] = df["can_edit"].astype(bool)
    return df


def _check(session: Session, principal: Principal, project_id: int) -> None:
    hit = session.scalar(
        select(Project.id).where(Project.id == project_id, project_condition(principal, *_TEAM))
    )
    if hit is None:
        raise NotFound("No project #{project_id} in your scope.", project_id=project_id)


def logframe_tree(session: Session, *, principal: Principal, project_id: int) -> pd.DataFrame:
    """The project's results, depth first in sibling order, with `depth` and `archived`."""
    _check(session, principal, project_id)
    df = frame(
        session,
        select(
            *RESULT_PLACE,
            ResultNode.title.label("statement"),
            ResultNode.assumptions,
            ResultNode.risks,
            ResultNode.description,
            ResultNode.position,
            ResultNode.archived_at.is_not(None).label("archived"),
        )
        .where(ResultNode.project_id == project_id)
        .order_by(ResultNode.position, ResultNode.id),
    )
    if df.empty:
        return df.assign(depth=pd.Series(dtype=int))
    enum_values(df, "level")
    df["archived"] = df["archived"].astype(bool)
    children: dict[Any, list[int]] = {}
    ids = [int(v) for v in df["id"]]
    for i, parent in enumerate(df["parent_id"].tolist()):
        children.setdefault(None if pd.isna(parent) else int(parent), []).append(i)
    order: list[tuple[int, int]] = []

    def walk(key: int | None, depth: int) -> None:
        for i in children.get(key, []):
            order.append((i, depth))
            walk(ids[i], depth + 1)

    walk(None, 0)
    out = df.iloc[[i for i, _ in order]].copy()
    out["depth"] = [d for _, d in order]
    return out.reset_index(drop=True)


def logframe_indicators(session: Session, *, principal: Principal, project_id: int) -> pd.DataFrame:
    """Every indicator of the project with its reference sheet, reference baseline,
    life-of-project target, dimension and library codes and number of approved values."""
    _check(session, principal, project_id)
    approved = (
        select(func.count())
        .where(Measurement.indicator_id == Ind.id, Measurement.status == MeasurementStatus.APPROVED)
        .correlate(Ind)
        .scalar_subquery()
    )
    df = frame(
        session,
        select(
            Ind.id.label("indicator_id"),
            Ind.result_node_id,
            ResultNode.code.label("result_code"),
            Ind.code,
            Ind.title,
            Ind.definition,
            Ind.unit,
            Ind.measure,
            Ind.direction,
            Ind.accumulation,
            Ind.denominator_rule,
            Ind.ordinal_labels,
            Ind.data_source,
            Ind.means_of_verification,
            Ind.method,
            Ind.frequency,
            Ind.responsible,
            LibraryIndicator.code.label("library_code"),
            Baseline.value.label("baseline_value"),
            Baseline.numerator.label("baseline_numerator"),
            Baseline.denominator.label("baseline_denominator"),
            Baseline.baseline_date,
            Target.value.label("target_lop"),
            Ind.archived_at.is_not(None).label("archived"),
            approved.label("approved_values"),
        )
        .join(ResultNode, ResultNode.id == Ind.result_node_id)
        .outerjoin(LibraryIndicator, LibraryIndicator.id == Ind.library_indicator_id)
        .outerjoin(Baseline, Baseline.id == reference_baseline_id())
        .outerjoin(Target, (Target.indicator_id == Ind.id) & Target.reporting_period_id.is_(None))
        .where(ResultNode.project_id == project_id)
        .order_by(ResultNode.position, ResultNode.id, Ind.position, Ind.id),
    )
    enum_values(df, "measure", "direction", "accumulation", "frequency")
    df["archived"] = df["archived"].astype(bool)
    dims = frame(
        session,
        select(IndicatorDimension.indicator_id, Dimension.code)
        .join(Dimension, Dimension.id == IndicatorDimension.dimension_id)
        .where(IndicatorDimension.indicator_id.in_(df["indicator_id"].tolist())),
    )
    per = dims.groupby("indicator_id")["code"].agg(lambda c: "; ".join(sorted(c)))
    df["dimensions"] = [per.get(i, "") for i in df["indicator_id"]]
    return floats(df, "baseline_value", "baseline_numerator", "baseline_denominator", "target_lop")


def period_targets(session: Session, *, principal: Principal, project_id: int) -> pd.DataFrame:
    """Every reporting period of the project with each indicator's target (long form)."""
    _check(session, principal, project_id)
    df = frame(
        session,
        select(
            Target.id.label("target_id"),
            Target.indicator_id,
            Ind.code.label("indicator"),
            ReportingPeriod.id.label("period_id"),
            ReportingPeriod.label.label("period"),
            Target.value,
        )
        .join(ReportingPeriod, ReportingPeriod.id == Target.reporting_period_id)
        .join(Ind, Ind.id == Target.indicator_id)
        .where(ReportingPeriod.project_id == project_id)
        .order_by(Ind.code, ReportingPeriod.start_date),
    )
    return floats(df, "value")


def periods(session: Session, *, principal: Principal, project_id: int) -> pd.DataFrame:
    """The project's reporting periods in order, with whether each holds values."""
    _check(session, principal, project_id)
    held = select(func.count()).where(Measurement.reporting_period_id == ReportingPeriod.id)
    return frame(
        session,
        select(
            *PERIOD,
            held.correlate(ReportingPeriod).scalar_subquery().label("values"),
        )
        .where(ReportingPeriod.project_id == project_id)
        .order_by(ReportingPeriod.start_date),
    )


def target_history(session: Session, *, principal: Principal, indicator_id: int) -> pd.DataFrame:
    """Every change of the indicator's targets: period, old and new value, who, when, why."""
    project_id = session.scalar(
        select(ResultNode.project_id)
        .join(Ind, Ind.result_node_id == ResultNode.id)
        .where(Ind.id == indicator_id)
    )
    if project_id is None:
        raise NotFound("No indicator #{indicator_id}.", indicator_id=indicator_id)
    _check(session, principal, project_id)
    df = frame(
        session,
        select(
            func.coalesce(ReportingPeriod.label, "life of project").label("period"),
            TargetRevision.old_value,
            TargetRevision.new_value,
            TargetRevision.reason,
            User.name.label("changed_by"),
            TargetRevision.changed_at,
        )
        .join(Target, Target.id == TargetRevision.target_id)
        .outerjoin(ReportingPeriod, ReportingPeriod.id == Target.reporting_period_id)
        .outerjoin(User, User.id == TargetRevision.changed_by_id)
        .where(Target.indicator_id == indicator_id)
        .order_by(TargetRevision.changed_at, TargetRevision.id),
    )
    return floats(df, "old_value", "new_value")


def proposals(session: Session, *, principal: Principal, project_id: int) -> pd.DataFrame:
    """The project's proposed changes, newest first."""
    _check(session, principal, project_id)
    return frame(
        session,
        select(
            ChangeProposal.id,
            ChangeProposal.operation,
            ChangeProposal.summary,
            ChangeProposal.status,
            User.name.label("proposed_by"),
            ChangeProposal.proposed_at,
            ChangeProposal.note,
            ChangeProposal.arguments,
        )
        .join(User, User.id == ChangeProposal.proposed_by_id)
        .where(ChangeProposal.project_id == project_id)
        .order_by(ChangeProposal.id.desc()),
    )


def organisations(session: Session) -> pd.DataFrame:
    """Every organisation (donors and partners are chosen from these; admins create them)."""
    df = frame(
        session,
        select(Organisation.id, Organisation.name, Organisation.type).order_by(Organisation.name),
    )
    enum_values(df, "type")
    return df


def target_parts(session: Session, *, principal: Principal, project_id: int) -> pd.DataFrame:
    """Targets per disaggregation part: indicator, period, part ("dimension:value"), value."""
    _check(session, principal, project_id)
    df = frame(
        session,
        select(
            Ind.code.label("indicator"),
            ReportingPeriod.label.label("period"),
            Dimension.code.label("dimension"),
            DimensionValue.code.label("value_code"),
            TargetPart.value,
        )
        .join(Target, Target.id == TargetPart.target_id)
        .join(Ind, Ind.id == Target.indicator_id)
        .join(ReportingPeriod, ReportingPeriod.id == Target.reporting_period_id)
        .join(DimensionValue, DimensionValue.id == TargetPart.dimension_value_id)
        .join(Dimension, Dimension.id == DimensionValue.dimension_id)
        .where(ReportingPeriod.project_id == project_id)
        .order_by(Ind.code, ReportingPeriod.start_date, Dimension.code, DimensionValue.position),
    )
    df["part"] = df["dimension"] + ":" + df["value_code"]
    return floats(df, "value")


def dimension_parts(session: Session) -> pd.DataFrame:
    """Every disaggregation part: id, dimension id and code, value code and label."""
    return frame(
        session,
        select(
            DimensionValue.id,
            DimensionValue.dimension_id,
            Dimension.code.label("dimension"),
            DimensionValue.code,
            DimensionValue.label,
            Dimension.exhaustive,
        )
        .join(Dimension, Dimension.id == DimensionValue.dimension_id)
        .order_by(Dimension.code, DimensionValue.position),
    )


def library_indicators(session: Session) -> pd.DataFrame:
    """Library (standard) indicators an indicator may link to."""
    return frame(
        session,
        select(LibraryIndicator.id, LibraryIndicator.code, LibraryIndicator.title).order_by(
            LibraryIndicator.code
        ),
    )


def project_setup(session: Session, *, principal: Principal, project_id: int) -> dict[str, Any]:
    """The project's editable details and links, as the project form shows them."""
    _check(session, principal, project_id)
    project = session.get(Project, project_id)
    assert project is not None
    pid = project_id
    return {
        "project": {
            c: _value(getattr(project, c))
            for c in ("id", "code", *EDITABLE_FIELDS, "iati_identifier")
        },
        "countries": dict(
            session.execute(
                select(ProjectCountry.country_code, ProjectCountry.share).where(
                    ProjectCountry.project_id == pid
                )
            ).all()
        ),
        "sectors": dict(
            session.execute(
                select(ProjectSector.code, ProjectSector.share).where(
                    ProjectSector.project_id == pid
                )
            ).all()
        ),
        "areas": list(
            session.scalars(
                select(ProjectPriorityArea.priority_area_id).where(
                    ProjectPriorityArea.project_id == pid
                )
            )
        ),
        "partners": [
            (o, _value(r))
            for o, r in session.execute(
                select(ProjectPartner.organisation_id, ProjectPartner.role).where(
                    ProjectPartner.project_id == pid
                )
            ).all()
        ],
        "funding": frame(
            session,
            select(
                Funding.donor_id,
                Funding.amount,
                Funding.currency,
                Funding.date_from,
                Funding.date_to,
            ).where(Funding.project_id == pid),
        ),
    }


def priority_areas(session: Session) -> pd.DataFrame:
    return frame(session, select(PriorityArea.id, PriorityArea.name).order_by(PriorityArea.name))
