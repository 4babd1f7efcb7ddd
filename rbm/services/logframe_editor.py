"""The logframe editor's use cases on top of `rbm.services.logframe`: edit, reorder, move,
archive and remove results; the full reference sheet of an indicator; baselines; target
revisions (with parts per disaggregation) and the rules that keep a logframe meaningful once
values exist. Every refusal names the field it is about."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from rbm.errors import NotFound, ValidationFailed
from rbm.i18n import Msg, Text
from rbm.models import (
    Baseline,
    DimensionValue,
    Indicator,
    IndicatorDimension,
    LibraryIndicator,
    Measurement,
    Project,
    ReportingPeriod,
    ResultNode,
    Target,
    TargetPart,
)
from rbm.models.base import as_dict, assign_changes
from rbm.models.enums import (
    Direction,
    Measure,
    MeasurementStatus,
    ResultLevel,
)
from rbm.models.logframe import INDICATOR_DEFINITION, INDICATOR_SOURCE
from rbm.principal import Principal
from rbm.services import audit, logframe
from rbm.services.logframe import IndicatorSheet
from rbm.services.permissions import get_in_project, require

#: Changing these alters what approved values mean, so they are frozen once one exists.
MEANING_FIELDS = ("measure", "accumulation", "direction", "unit")
_SHEET_FIELDS = (
    *INDICATOR_DEFINITION,
    *INDICATOR_SOURCE,
    "library_indicator_id",
    "ordinal_labels",
)


# --- results -------------------------------------------------------------------------------


def _node(session: Session, principal: Principal, node_id: int) -> ResultNode:
    missing = Msg("No result #{node_id}.", node_id=node_id)
    return get_in_project(session, principal, "edit_logframe", ResultNode, node_id, missing)


def _siblings(session: Session, node: ResultNode) -> list[ResultNode]:
    return list(
        session.scalars(
            select(ResultNode)
            .where(logframe.children_of(node.project_id, node.parent_id))
            .order_by(ResultNode.position, ResultNode.id)
        )
    )


def add_result(
    session: Session,
    *,
    principal: Principal,
    project_id: int,
    level: ResultLevel,
    code: str,
    statement: str,
    parent_id: int | None = None,
    assumptions: str = "",
    risks: str = "",
    description: str = "",
) -> ResultNode:
    """Add a result at the end of its siblings (levels in order, a single impact at the root)."""
    parent = session.get(ResultNode, parent_id) if parent_id is not None else None
    if parent is not None and parent.archived_at is not None:
        raise ValidationFailed("parent: result {code} is archived.", code=parent.code)
    position = session.scalar(
        select(func.count()).where(logframe.children_of(project_id, parent_id))
    )
    return logframe.add_result_node(
        session,
        principal=principal,
        project_id=project_id,
        level=level,
        code=code.strip(),
        title=statement.strip(),
        parent_id=parent_id,
        assumptions=assumptions,
        risks=risks,
        description=description,
        position=position or 0,
    )


def edit_result(
    session: Session,
    *,
    principal: Principal,
    node_id: int,
    statement: str,
    assumptions: str = "",
    risks: str = "",
    description: str = "",
) -> bool:
    """Change a result's statement, assumptions and risks; True if anything changed."""
    node = _node(session, principal, node_id)
    if not statement.strip():
        raise ValidationFailed(
            "Result {code} cannot be saved.",
            ["statement: a result needs a statement"],
            code=node.code,
        )
    wanted = {
        "title": statement.strip(),
        "assumptions": assumptions,
        "risks": risks,
        "description": description,
    }
    return _apply(session, principal, node, wanted, "result_node")


def _apply(
    session: Session,
    principal: Principal,
    obj: ResultNode | Indicator,
    wanted: Mapping[str, object],
    entity: str,
    reason: str = "",
) -> bool:
    differs, before = assign_changes(obj, wanted)
    if not differs:
        return False
    session.flush()
    audit.record(
        session,
        principal=principal,
        action="update",
        entity_type=entity,
        entity_id=obj.id,
        before=before,
        after=as_dict(obj, *differs),
        reason=reason,
    )
    return True


def move_result(session: Session, *, principal: Principal, node_id: int, offset: int) -> None:
    """Move a result up (offset -1) or down (+1) among its siblings."""
    node = _node(session, principal, node_id)
    siblings = _siblings(session, node)
    at = next(i for i, n in enumerate(siblings) if n.id == node_id)
    to = at + offset
    if not 0 <= to < len(siblings):
        raise ValidationFailed("position: result {code} cannot move further.", code=node.code)
    siblings.insert(to, siblings.pop(at))
    for pos, sibling in enumerate(siblings):
        sibling.position = pos
    session.flush()
    audit.record(
        session,
        principal=principal,
        action="reorder",
        entity_type="result_node",
        entity_id=node_id,
        after={"position": to},
    )


def change_parent(session: Session, *, principal: Principal, node_id: int, parent_id: int) -> None:
    """Move a result (with its subtree) under another result one level above it."""
    node = _node(session, principal, node_id)
    parent = session.get(ResultNode, parent_id)
    if parent is None or parent.project_id != node.project_id:
        raise NotFound("parent: the new parent result is not in this project.")
    if ResultLevel(parent.level).rank + 1 != ResultLevel(node.level).rank:
        raise ValidationFailed(
            "parent: a {level} sits under a result one level above it, not under "
            "the {level2} {code}.",
            level=node.level,
            level2=parent.level,
            code=parent.code,
        )
    if parent.archived_at is not None:
        raise ValidationFailed("parent: result {code} is archived.", code=parent.code)
    with audit.change(
        session,
        principal=principal,
        row=node,
        entity_type="result_node",
        fields=("parent_id",),
        action="move",
    ):
        node.parent_id = parent_id
        node.position = len(_siblings(session, node))


def _subtree(session: Session, node: ResultNode) -> list[int]:
    rows = session.execute(
        select(ResultNode.id, ResultNode.parent_id).where(ResultNode.project_id == node.project_id)
    ).all()
    ids, frontier = [node.id], [node.id]
    while frontier:
        frontier = [i for i, p in rows if p in frontier]
        ids += frontier
    return ids


def _count_values(session: Session, indicator_ids: Sequence[int]) -> int:
    if not indicator_ids:
        return 0
    return (
        session.scalar(
            select(func.count()).where(Measurement.indicator_id.in_(list(indicator_ids)))
        )
        or 0
    )


def _indicators_under(session: Session, node_ids: Sequence[int]) -> list[int]:
    return list(session.scalars(select(Indicator.id).where(Indicator.result_node_id.in_(node_ids))))


def remove_result(session: Session, *, principal: Principal, node_id: int) -> None:
    """Delete a result without children and without values; archive it otherwise."""
    node = _node(session, principal, node_id)
    subtree = _subtree(session, node)
    if len(subtree) > 1:
        raise ValidationFailed(
            "Result {code} has {count} results under it: move or remove them first, or archive it.",
            code=node.code,
            count=len(subtree) - 1,
        )
    if n := _count_values(session, _indicators_under(session, subtree)):
        raise ValidationFailed(
            "Result {code} has {n} values: it cannot be removed; archive it instead"
            " (hidden from entry, kept in history and exports).",
            code=node.code,
            n=n,
        )
    audit.delete(
        session,
        principal=principal,
        row=node,
        entity_type="result_node",
        before=as_dict(node, "code", "level", "title"),
    )


def archive_result(session: Session, *, principal: Principal, node_id: int, reason: str) -> None:
    """Archive a result, the results under it and their indicators."""
    node = _node(session, principal, node_id)
    if not reason.strip():
        raise ValidationFailed("reason: say why the result is archived.")
    now = datetime.now(UTC)
    subtree = _subtree(session, node)
    for n in session.scalars(select(ResultNode).where(ResultNode.id.in_(subtree))):
        n.archived_at = n.archived_at or now
    for i in session.scalars(select(Indicator).where(Indicator.result_node_id.in_(subtree))):
        i.archived_at = i.archived_at or now
    session.flush()
    audit.record(
        session,
        principal=principal,
        action="archive",
        entity_type="result_node",
        entity_id=node_id,
        after={"code": node.code, "results": len(subtree)},
        reason=reason.strip(),
    )


# --- indicators ----------------------------------------------------------------------------


def sheet_problems(session: Session, sheet: IndicatorSheet) -> list[Text]:
    """What is wrong with a reference sheet, each naming its field."""
    problems: list[Text] = []
    if not sheet.code.strip():
        problems.append("code: an indicator needs a code")
    if not sheet.title.strip():
        problems.append("title: an indicator needs a title")
    if sheet.measure is Measure.PERCENTAGE and not sheet.denominator_rule.strip():
        problems.append("denominator rule: a percentage indicator says what its denominator counts")
    if sheet.measure is Measure.ORDINAL and not sheet.ordinal_labels:
        problems.append("ordinal labels: an ordinal indicator needs the labels of its scale")
    if sheet.measure is not Measure.ORDINAL and sheet.ordinal_labels:
        problems.append("ordinal labels: only ordinal indicators have scale labels")
    if sheet.library_indicator_id is not None and not session.get(
        LibraryIndicator, sheet.library_indicator_id
    ):
        problems.append(
            Msg(
                "library indicator: no library indicator #{library_indicator_id}",
                library_indicator_id=sheet.library_indicator_id,
            )
        )
    return problems


def _project_of_node(session: Session, node_id: int) -> int:
    project_id = session.scalar(select(ResultNode.project_id).where(ResultNode.id == node_id))
    if project_id is None:
        raise NotFound("No result #{node_id}.", node_id=node_id)
    return project_id


def _code_taken(session: Session, project_id: int, code: str, but: int | None = None) -> bool:
    query = (
        select(Indicator.id)
        .join(ResultNode, ResultNode.id == Indicator.result_node_id)
        .where(ResultNode.project_id == project_id, Indicator.code == code)
    )
    if but is not None:
        query = query.where(Indicator.id != but)
    return session.scalar(query) is not None


def create_indicator(
    session: Session, *, principal: Principal, result_node_id: int, sheet: IndicatorSheet
) -> Indicator:
    """Add an indicator with its full reference sheet (baseline and targets come after)."""
    project_id = _project_of_node(session, result_node_id)
    require(session, principal, "edit_logframe", project_id=project_id)
    problems = sheet_problems(session, sheet)
    if _code_taken(session, project_id, sheet.code):
        problems.append(
            Msg(
                "code: {code!r} is already the code of an indicator of this project",
                code=sheet.code,
            )
        )
    if problems:
        raise ValidationFailed("Indicator {code} cannot be saved.", problems, code=sheet.code)
    position = session.scalar(
        select(func.count()).where(Indicator.result_node_id == result_node_id)
    )
    return logframe.add_indicator(
        session,
        principal=principal,
        result_node_id=result_node_id,
        new=logframe.NewIndicator(
            **{f: getattr(sheet, f) for f in _SHEET_FIELDS},
            code=sheet.code.strip(),
            dimension_ids=sheet.dimension_ids,
            position=position or 0,
        ),
    )


def _indicator(
    session: Session, principal: Principal, indicator_id: int
) -> tuple[Indicator, Project]:
    indicator, project_id = logframe.editable_indicator(session, principal, indicator_id)
    project = session.get(Project, project_id)
    assert project is not None
    return indicator, project


def approved_values(session: Session, indicator_id: int) -> int:
    return (
        session.scalar(
            select(func.count()).where(
                Measurement.indicator_id == indicator_id,
                Measurement.status == MeasurementStatus.APPROVED,
            )
        )
        or 0
    )


def edit_indicator(
    session: Session, *, principal: Principal, indicator_id: int, sheet: IndicatorSheet
) -> bool:
    """Change an indicator's reference sheet; True if anything changed. Once it has approved
    values, its measure, accumulation, direction and unit are frozen."""
    indicator, _project = _indicator(session, principal, indicator_id)
    problems = sheet_problems(session, sheet)
    if sheet.code != indicator.code:
        problems.append("code: an indicator's code does not change (imports match on it)")
    if n := approved_values(session, indicator_id):
        for f in MEANING_FIELDS:
            old, new = getattr(indicator, f), getattr(sheet, f)
            if old != new:
                problems.append(
                    Msg(
                        "{f}: {code} has {n} approved values measured as {old!s}; changing it "
                        "to {new!s} would change what they mean (add a new indicator and "
                        "archive this one instead)",
                        f=f,
                        code=indicator.code,
                        n=n,
                        old=old,
                        new=new,
                    )
                )
    if problems:
        raise ValidationFailed("Indicator {code} cannot be changed.", problems, code=indicator.code)
    wanted: dict[str, object] = {f: getattr(sheet, f) for f in _SHEET_FIELDS}
    wanted["ordinal_labels"] = list(sheet.ordinal_labels) if sheet.ordinal_labels else None
    changed = _apply(session, principal, indicator, wanted, "indicator")
    return _set_dimensions(session, indicator_id, sheet.dimension_ids) or changed


def _set_dimensions(session: Session, indicator_id: int, dimension_ids: Sequence[int]) -> bool:
    have = set(
        session.scalars(
            select(IndicatorDimension.dimension_id).where(
                IndicatorDimension.indicator_id == indicator_id
            )
        )
    )
    if have == set(dimension_ids):
        return False
    session.execute(
        delete(IndicatorDimension).where(IndicatorDimension.indicator_id == indicator_id)
    )
    for dim in dimension_ids:
        session.add(IndicatorDimension(indicator_id=indicator_id, dimension_id=dim))
    session.flush()
    return True


def set_baseline(
    session: Session,
    *,
    principal: Principal,
    indicator_id: int,
    baseline_date: date,
    value: Decimal | None = None,
    numerator: Decimal | None = None,
    denominator: Decimal | None = None,
) -> bool:
    """Set the indicator's (reference) baseline; True if it changed. A percentage takes a value
    or a numerator and denominator; the date is not after the project's end."""
    indicator, project = _indicator(session, principal, indicator_id)
    problems: list[Text] = []
    if baseline_date > project.end_date:
        problems.append(
            Msg(
                "baseline date: {baseline_date} is after the project's end ({end_date})",
                baseline_date=baseline_date,
                end_date=project.end_date,
            )
        )
    if denominator is not None and denominator <= 0:
        problems.append("baseline denominator: must be above 0")
    if (numerator is None) != (denominator is None):
        problems.append("baseline numerator and denominator: give both or neither")
    if value is None and numerator is None:
        problems.append("baseline value: give a value (or a numerator and denominator)")
    if numerator is not None and denominator:
        value = numerator / denominator * 100
    if problems:
        raise ValidationFailed(
            "The baseline of {code} cannot be saved.", problems, code=indicator.code
        )
    baseline = session.scalar(
        select(Baseline)
        .where(Baseline.indicator_id == indicator_id)
        .order_by(Baseline.year, Baseline.id)
        .limit(1)
    )
    if baseline is None:
        baseline = Baseline(indicator_id=indicator_id, year=baseline_date.year)
        session.add(baseline)
    wanted = {
        "value": value,
        "numerator": numerator,
        "denominator": denominator,
        "baseline_date": baseline_date,
        "year": baseline_date.year,
    }
    if baseline.id is not None and all(_same(getattr(baseline, f), v) for f, v in wanted.items()):
        return False
    before = {f: str(getattr(baseline, f)) for f in wanted} if baseline.id else None
    for f, v in wanted.items():
        setattr(baseline, f, v)
    session.flush()
    audit.record(
        session,
        principal=principal,
        action="set_baseline",
        entity_type="indicator",
        entity_id=indicator_id,
        before=before,
        after={f: str(v) for f, v in wanted.items()},
    )
    return True


def _same(a: object, b: object) -> bool:
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return a.compare(b) == 0
    return a == b


def baseline_of(session: Session, indicator_id: int) -> Decimal | None:
    return session.scalar(
        select(Baseline.value)
        .where(Baseline.indicator_id == indicator_id)
        .order_by(Baseline.year, Baseline.id)
        .limit(1)
    )


def target_problems(
    indicator: Indicator, baseline: Decimal | None, value: Decimal | None
) -> list[Text]:
    """A target against the direction (below the baseline of an increasing indicator, above
    that of a decreasing one) is refused."""
    if value is None or baseline is None:
        return []
    if indicator.measure is Measure.QUALITATIVE:
        return ["target: a qualitative indicator has no numeric target"]
    if indicator.direction is Direction.INCREASE and value < baseline:
        return [f"target: {value} is below the baseline {baseline} of an increasing indicator"]
    if indicator.direction is Direction.DECREASE and value > baseline:
        return [f"target: {value} is above the baseline {baseline} of a decreasing indicator"]
    return []


def revise_target(
    session: Session,
    *,
    principal: Principal,
    indicator_id: int,
    period_id: int | None,
    value: Decimal | None,
    reason: str = "",
    parts: Mapping[int, Decimal] | None = None,
    today: date | None = None,
) -> bool:
    """Set a period's target (the life-of-project target when `period_id` is None), and its
    parts per disaggregation value. Once the project has started a change is a target
    revision: a reason is required and kept in the indicator's history. True if it changed."""
    indicator, project = _indicator(session, principal, indicator_id)
    problems = target_problems(indicator, baseline_of(session, indicator_id), value)
    if period_id is not None:
        period = session.get(ReportingPeriod, period_id)
        if period is None or period.project_id != project.id:
            problems.append(
                Msg("period: no reporting period #{period_id} in this project", period_id=period_id)
            )
    problems += _part_problems(session, indicator_id, value, parts or {})
    target = logframe.target_of(session, indicator_id, period_id)
    value_changes = target is None or not _same(target.value, value)
    parts_change = parts is not None and _parts_of(session, target) != _normal(parts)
    if not (value_changes or parts_change):
        return False
    started = (today or date.today()) >= project.start_date
    if started and target is not None and not reason.strip():
        problems.append(
            "reason: the project has started, so a target change is a revision and needs a reason"
        )
    if problems:
        raise ValidationFailed(
            "The target of {code} cannot be saved.", problems, code=indicator.code
        )
    if value_changes:
        target = logframe.set_target(
            session,
            principal=principal,
            indicator_id=indicator_id,
            period_id=period_id,
            value=value,
            reason=reason.strip() or "initial target",
        )
    assert target is not None
    if parts is not None:
        _write_parts(session, principal, target, parts, reason)
    return True


def _normal(parts: Mapping[int, Decimal]) -> dict[int, Decimal]:
    return {k: v.normalize() for k, v in parts.items() if v is not None}


def _parts_of(session: Session, target: Target | None) -> dict[int, Decimal]:
    if target is None:
        return {}
    rows = session.execute(
        select(TargetPart.dimension_value_id, TargetPart.value).where(
            TargetPart.target_id == target.id
        )
    ).all()
    return {k: v.normalize() for k, v in rows if v is not None}


def _part_problems(
    session: Session, indicator_id: int, value: Decimal | None, parts: Mapping[int, Decimal]
) -> list[Text]:
    if not parts:
        return []
    from rbm.models import Dimension

    rows = session.execute(
        select(DimensionValue.id, DimensionValue.dimension_id, Dimension.name, Dimension.exhaustive)
        .join(Dimension, Dimension.id == DimensionValue.dimension_id)
        .join(IndicatorDimension, IndicatorDimension.dimension_id == Dimension.id)
        .where(IndicatorDimension.indicator_id == indicator_id)
    ).all()
    known = {r[0]: r for r in rows}
    problems: list[Text] = [
        Msg("target parts: value #{id} is not a part of a dimension of this indicator", id=k)
        for k in parts
        if k not in known
    ]
    by_dim: dict[int, list[Decimal]] = {}
    for k, v in parts.items():
        if k in known and known[k][3]:
            by_dim.setdefault(known[k][1], []).append(v)
    names = {r[1]: r[2] for r in rows}
    for dim, values in by_dim.items():
        parts_of_dim = sum(1 for r in rows if r[1] == dim)
        if value is not None and len(values) == parts_of_dim and sum(values) != value:
            problems.append(
                Msg(
                    "target parts: the parts by {dimension} add up to {total}, not the target "
                    "{target}",
                    dimension=names[dim].lower(),
                    total=sum(values),
                    target=value,
                )
            )
    return problems


def _write_parts(
    session: Session,
    principal: Principal,
    target: Target,
    parts: Mapping[int, Decimal],
    reason: str,
) -> None:
    before = {str(k): str(v) for k, v in _parts_of(session, target).items()}
    session.execute(delete(TargetPart).where(TargetPart.target_id == target.id))
    for dim_value, value in parts.items():
        session.add(TargetPart(target_id=target.id, dimension_value_id=dim_value, value=value))
    session.flush()
    audit.record(
        session,
        principal=principal,
        action="set_target_parts",
        entity_type="target",
        entity_id=target.id,
        before=before,
        after={str(k): str(v) for k, v in parts.items()},
        reason=reason.strip(),
    )


def remove_indicator(session: Session, *, principal: Principal, indicator_id: int) -> None:
    """Delete an indicator without values; one with values is archived instead."""
    indicator, _project = _indicator(session, principal, indicator_id)
    if n := _count_values(session, [indicator_id]):
        raise ValidationFailed(
            "Indicator {code} has {n} values: it cannot be removed; archive it "
            "instead (hidden from entry, kept in history and exports).",
            code=indicator.code,
            n=n,
        )
    audit.delete(
        session,
        principal=principal,
        row=indicator,
        entity_type="indicator",
        before=as_dict(indicator, "code", "title"),
    )


def archive_indicator(
    session: Session, *, principal: Principal, indicator_id: int, reason: str
) -> None:
    indicator, _project = _indicator(session, principal, indicator_id)
    if not reason.strip():
        raise ValidationFailed("reason: say why the indicator is archived.")
    if indicator.archived_at is not None:
        raise ValidationFailed("Indicator {code} is already archived.", code=indicator.code)
    indicator.archived_at = datetime.now(UTC)
    session.flush()
    audit.record(
        session,
        principal=principal,
        action="archive",
        entity_type="indicator",
        entity_id=indicator_id,
        after={"code": indicator.code},
        reason=reason.strip(),
    )


__all__ = [
    "IndicatorSheet",
    "add_result",
    "archive_indicator",
    "archive_result",
    "change_parent",
    "create_indicator",
    "edit_indicator",
    "edit_result",
    "move_result",
    "remove_indicator",
    "remove_result",
    "revise_target",
    "set_baseline",
]
