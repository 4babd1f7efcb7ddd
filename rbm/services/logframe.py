"""Building a project's logframe: result nodes, indicators with their reference sheets,
baselines, targets (every change kept as a revision) and disaggregation dimensions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session

from rbm.errors import NotFound, ValidationFailed
from rbm.i18n import Msg, Text
from rbm.models import (
    Baseline,
    Indicator,
    IndicatorDimension,
    ResultNode,
    Target,
    TargetRevision,
)
from rbm.models.base import as_dict
from rbm.models.enums import Accumulation, Direction, Frequency, Measure, ResultLevel
from rbm.principal import Principal
from rbm.services import audit
from rbm.services.permissions import get_in_project, require


def add_result_node(
    session: Session,
    *,
    principal: Principal,
    project_id: int,
    level: ResultLevel,
    code: str,
    title: str,
    parent_id: int | None = None,
    description: str = "",
    assumptions: str = "",
    risks: str = "",
    position: int = 0,
) -> ResultNode:
    """Add a node under `parent_id` (None for the impact at the root); a child sits exactly one
    level below its parent, and a project has a single root."""
    require(session, principal, "edit_logframe", project_id=project_id)
    _check_node_text(session, project_id=project_id, code=code, title=title)
    _check_level(session, project_id=project_id, parent_id=parent_id, level=level)
    node = ResultNode(
        project_id=project_id,
        parent_id=parent_id,
        level=level,
        code=code,
        title=title,
        description=description,
        assumptions=assumptions,
        risks=risks,
        position=position,
    )
    audit.add_new(
        session,
        principal=principal,
        row=node,
        entity_type="result_node",
        after=as_dict(node, "project_id", "level", "code", "title"),
    )
    return node


def children_of(project_id: int, parent_id: int | None) -> ColumnElement[bool]:
    """The condition on the results placed directly under `parent_id` in the project's
    logframe (at its root when `parent_id` is None: SQLAlchemy renders `== None` as IS NULL)."""
    return and_(ResultNode.project_id == project_id, ResultNode.parent_id == parent_id)


def _check_node_text(session: Session, *, project_id: int, code: str, title: str) -> None:
    problems: list[Text] = []
    if not title.strip():
        problems.append("statement: a result needs a statement")
    if not code.strip():
        problems.append("code: a result needs a code")
    elif session.scalar(
        select(ResultNode.id).where(ResultNode.project_id == project_id, ResultNode.code == code)
    ):
        problems.append(
            Msg("code: {code!r} is already the code of a result of this project", code=code)
        )
    if problems:
        raise ValidationFailed("Result {code} cannot be saved.", problems, code=code or "(no code)")


def _check_level(
    session: Session, *, project_id: int, parent_id: int | None, level: ResultLevel
) -> None:
    if parent_id is None:
        if level is not ResultLevel.IMPACT:
            raise ValidationFailed(
                "level: the root of a logframe is its impact, not a {level}.", level=level
            )
        root = session.scalar(select(ResultNode.id).where(children_of(project_id, None)))
        if root is not None:
            raise ValidationFailed("parent: this logframe already has a root result.")
        return
    parent = session.get(ResultNode, parent_id)
    if parent is None or parent.project_id != project_id:
        raise NotFound("The parent result is not in this project.")
    if level.rank != ResultLevel(parent.level).rank + 1:
        raise ValidationFailed(
            "level: a {level} cannot sit under a {level2}.",
            level=level.value,
            level2=ResultLevel(parent.level).value,
        )


@dataclass(frozen=True, kw_only=True)
class IndicatorSheet:
    """An indicator's reference sheet as the editor and the spreadsheet give it."""

    code: str
    title: str
    measure: Measure
    direction: Direction = Direction.INCREASE
    accumulation: Accumulation = Accumulation.INCREMENTAL
    unit: str = ""
    definition: str = ""
    denominator_rule: str = ""
    data_source: str = ""
    means_of_verification: str = ""
    method: str = ""
    frequency: Frequency = Frequency.QUARTERLY
    responsible: str = ""
    library_indicator_id: int | None = None
    ordinal_labels: Sequence[str] | None = None
    dimension_ids: Sequence[int] = ()


@dataclass(frozen=True, kw_only=True)
class NewIndicator(IndicatorSheet):
    """A reference sheet with the baseline and targets a new indicator starts with."""

    baseline_value: Decimal | None = None
    baseline_numerator: Decimal | None = None
    baseline_denominator: Decimal | None = None
    baseline_year: int | None = None
    baseline_date: date | None = None
    target_value: Decimal | None = None
    period_targets: Mapping[int, Decimal] = field(default_factory=dict)  # period id -> value
    position: int = 0


def _indicator_problems(new: NewIndicator) -> list[Text]:
    problems: list[Text] = []
    if new.measure is Measure.ORDINAL and not new.ordinal_labels:
        problems.append("an ordinal indicator needs the labels of its scale")
    if new.measure is not Measure.ORDINAL and new.ordinal_labels:
        problems.append("only ordinal indicators have scale labels")
    if new.measure is Measure.QUALITATIVE and new.target_value is not None:
        problems.append("a qualitative indicator has no numeric target")
    if new.measure is Measure.PERCENTAGE and new.baseline_denominator == 0:
        problems.append("the baseline denominator is 0")
    return problems


def add_indicator(
    session: Session, *, principal: Principal, result_node_id: int, new: NewIndicator
) -> Indicator:
    missing = Msg("No result #{result_node_id}.", result_node_id=result_node_id)
    # Found, and the principal may edit its logframe.
    get_in_project(session, principal, "edit_logframe", ResultNode, result_node_id, missing)
    if problems := _indicator_problems(new):
        raise ValidationFailed("Indicator {code} cannot be added.", problems, code=new.code)
    indicator = Indicator(
        result_node_id=result_node_id,
        code=new.code,
        title=new.title,
        measure=new.measure,
        direction=new.direction,
        accumulation=new.accumulation,
        unit=new.unit,
        definition=new.definition,
        means_of_verification=new.means_of_verification,
        data_source=new.data_source,
        method=new.method,
        responsible=new.responsible,
        denominator_rule=new.denominator_rule,
        frequency=new.frequency,
        library_indicator_id=new.library_indicator_id,
        ordinal_labels=list(new.ordinal_labels) if new.ordinal_labels else None,
        position=new.position,
    )
    session.add(indicator)
    session.flush()
    _add_reference_values(session, principal, indicator.id, new)
    audit.record(
        session,
        principal=principal,
        action="create",
        entity_type="indicator",
        entity_id=indicator.id,
        after=as_dict(indicator, "code", "title", "measure", "direction", "accumulation", "unit"),
    )
    return indicator


def _add_reference_values(
    session: Session, principal: Principal, indicator_id: int, new: NewIndicator
) -> None:
    for dim_id in new.dimension_ids:
        session.add(IndicatorDimension(indicator_id=indicator_id, dimension_id=dim_id))
    if new.baseline_year is not None:
        session.add(
            Baseline(
                indicator_id=indicator_id,
                value=new.baseline_value,
                numerator=new.baseline_numerator,
                denominator=new.baseline_denominator,
                year=new.baseline_year,
                baseline_date=new.baseline_date,
            )
        )
    if new.target_value is not None:
        set_target(
            session,
            principal=principal,
            indicator_id=indicator_id,
            period_id=None,
            value=new.target_value,
            reason="initial target",
        )
    for period_id, value in new.period_targets.items():
        set_target(
            session,
            principal=principal,
            indicator_id=indicator_id,
            period_id=period_id,
            value=value,
            reason="initial target",
        )


def editable_indicator(
    session: Session, principal: Principal, indicator_id: int
) -> tuple[Indicator, int]:
    """The indicator and its project's id, once the principal may edit that logframe."""
    indicator = session.get(Indicator, indicator_id)
    if indicator is None:
        raise NotFound("No indicator #{indicator_id}.", indicator_id=indicator_id)
    node = session.get(ResultNode, indicator.result_node_id)
    assert node is not None
    require(session, principal, "edit_logframe", project_id=node.project_id)
    return indicator, node.project_id


def set_target(
    session: Session,
    *,
    principal: Principal,
    indicator_id: int,
    period_id: int | None,
    value: Decimal | None,
    reason: str,
) -> Target:
    """Set the target of a period (or of the life of the project when `period_id` is None),
    keeping the old value in the revision history."""
    editable_indicator(session, principal, indicator_id)  # found, and the principal may edit it
    target = target_of(session, indicator_id, period_id)
    old = target.value if target else None
    if target is None:
        target = Target(indicator_id=indicator_id, reporting_period_id=period_id, value=value)
        session.add(target)
    else:
        target.value = value
    session.flush()
    session.add(
        TargetRevision(
            target_id=target.id,
            old_value=old,
            new_value=value,
            reason=reason,
            changed_by_id=principal.user_id,
        )
    )
    audit.record(
        session,
        principal=principal,
        action="set_target",
        entity_type="target",
        entity_id=target.id,
        before={"value": None if old is None else str(old)},
        after={"value": None if value is None else str(value), "period_id": period_id},
        reason=reason,
    )
    return target


def target_of(session: Session, indicator_id: int, period_id: int | None) -> Target | None:
    """The indicator's target for the period (for the life of the project when `period_id` is
    None: SQLAlchemy renders `== None` as IS NULL), if it has one."""
    return session.scalar(
        select(Target).where(
            Target.indicator_id == indicator_id, Target.reporting_period_id == period_id
        )
    )
