"""Load the demo portfolio from `fixtures/` through the services, so demo data obeys the same
permission, validation and audit rules as anything a person enters. Loading twice changes
nothing: every record is looked up by its natural key first."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rbm.db import Database
from rbm.demo_checklist import load_checklist_demo
from rbm.models import (
    Dimension,
    DimensionValue,
    Evaluation,
    Indicator,
    LibraryIndicator,
    Need,
    Organisation,
    PriorityArea,
    Project,
    ReportingPeriod,
    ResultNode,
    User,
)
from rbm.models.enums import (
    AssistanceKind,
    DacCriterion,
    EvaluationScope,
    EvaluationType,
    Frequency,
    Measure,
    OrgType,
    PartnerRole,
    Priority,
    ProjectStatus,
    Role,
    ScopeType,
)
from rbm.principal import Grant, Principal
from rbm.services import audit, evaluations, evidence, logframe, measurements, needs, projects
from rbm.services import reference as ref
from rbm.services.permissions import can
from rbm.services.users import create_user, load_principal
from rbm.settings import PROJECT_ROOT

FIXTURES = PROJECT_ROOT / "fixtures"


def read_fixture(name: str, folder: Path = FIXTURES) -> Any:
    # libyaml's parser when present: the measurement file is large for the pure-Python one.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load((folder / name).read_text(encoding="utf-8"), Loader=loader)


def demo_accounts(folder: Path = FIXTURES) -> list[dict[str, str]]:
    """The demo accounts (e-mail, password, role) shown on the login page in demo mode."""
    return [
        {
            "email": u["email"],
            "password": u["password"],
            "role": Role(u["role"]).label,
            "name": u["name"],
        }
        for u in read_fixture("portfolio.yaml", folder)["users"]
    ]


def portfolio_is_empty(db: Database) -> bool:
    with db.read() as session:
        return not session.scalar(select(func.count(Project.id)))


@dataclass
class _Keys:
    orgs: dict[str, int] = field(default_factory=dict)
    areas: dict[str, int] = field(default_factory=dict)
    dims: dict[str, int] = field(default_factory=dict)
    dim_values: dict[tuple[str, str], int] = field(default_factory=dict)
    library: dict[str, int] = field(default_factory=dict)
    projects: dict[str, int] = field(default_factory=dict)
    new_projects: set[str] = field(default_factory=set)
    principals: list[Principal] = field(default_factory=list)


def load_demo_portfolio(db: Database, folder: Path = FIXTURES, *, sealed: bool = False) -> str:
    """Load everything; returns a one-line report of what was added.

    `sealed` (outside demo mode): the demo accounts this load creates get random passwords
    instead of the published ones and are deactivated once the data is loaded; the report then
    lists each e-mail with its password, to be shown once (an administrator re-activates the
    ones wanted)."""
    data = read_fixture("portfolio.yaml", folder)
    sealed_passwords: dict[str, str] = {}
    if sealed:
        data["users"] = [_with_random_password(u, sealed_passwords) for u in data["users"]]
    rows = read_fixture("measurements.yaml", folder) or []
    keys = _Keys()
    with db.write() as session:
        for email in session.scalars(select(User.email).where(User.email.in_(sealed_passwords))):
            sealed_passwords[email] = ""  # there before: neither created nor deactivated here
        admin = _bootstrap_admin(session, data["users"])
        _reference(session, admin, data, keys)
        for spec in data["projects"]:
            _project(session, admin, spec, keys)
        _users(session, data["users"], keys)
        added = _measurements(session, rows, keys)
        n_eval = _evaluations(session, data.get("evaluations") or [], keys)
        n_lessons = _lessons(session, data.get("lessons") or [], keys)
        n_needs = _needs(session, admin, data.get("needs") or [], keys)
        load_checklist_demo(session, admin=admin, folder=folder)
        _deactivate(session, [e for e, p in sealed_passwords.items() if p])
    report = (
        f"Demo portfolio: {len(keys.new_projects)} projects, {added} measurements, "
        f"{n_eval} evaluations, {n_lessons} lessons, {n_needs} needs added."
    )
    created = {e: p for e, p in sealed_passwords.items() if p}
    if not created:
        return report
    lines = [f"  {email}  {password}" for email, password in created.items()]
    return "\n".join(
        [
            report,
            "Demo accounts were created DEACTIVATED with these random passwords (shown once):",
            *lines,
        ]
    )


def _with_random_password(spec: dict[str, Any], passwords: dict[str, str]) -> dict[str, Any]:
    # 24 random URL-safe characters, then a letter and a digit so that the policy's "letters
    # and digits" holds whatever the random part drew.
    password = secrets.token_urlsafe(18) + secrets.choice("abcdefgh") + secrets.choice("23456789")
    passwords[spec["email"]] = password
    return {**spec, "password": password}


def _deactivate(session: Session, emails: list[str]) -> None:
    """Deactivate the demo accounts this load created (the others were there before)."""
    for user in session.scalars(select(User).where(User.email.in_(emails))):
        user.is_active = False
        audit.record(
            session,
            principal=None,
            action="deactivate",
            entity_type="user",
            entity_id=user.id,
            after={"is_active": False, "reason": "demo account outside demo mode"},
        )


def _scope(spec: dict[str, Any] | str | None, keys: _Keys) -> dict[str, Any]:
    if not isinstance(spec, dict):  # "global" or nothing
        return {"scope_type": ScopeType.GLOBAL}
    if "organisation" in spec:
        org_id = keys.orgs[spec["organisation"]]
        return {"scope_type": ScopeType.ORGANISATION, "organisation_id": org_id}
    if "project" in spec:
        return {"scope_type": ScopeType.PROJECT, "project_id": keys.projects[spec["project"]]}
    if "country" in spec:
        return {"scope_type": ScopeType.COUNTRY, "country_code": spec["country"]}
    return {"scope_type": ScopeType.GLOBAL}


def _grants(spec: dict[str, Any], keys: _Keys) -> list[Grant]:
    """A demo account's grants: one role in one scope, or in each of `scopes`."""
    scopes = spec.get("scopes") or [spec.get("scope")]
    return [Grant(role=Role(spec["role"]), **_scope(s, keys)) for s in scopes]


def _existing_user(session: Session, email: str) -> int | None:
    return session.scalar(select(User.id).where(User.email == email.lower()))


def _account(
    session: Session, spec: dict[str, Any], admin: Principal | None, grants: list[Grant]
) -> Principal:
    """The demo account `spec`, created by `admin` with `grants` unless it is there already."""
    uid = _existing_user(session, spec["email"])
    if uid is None:
        uid = create_user(
            session,
            principal=admin,
            email=spec["email"],
            name=spec["name"],
            password=spec["password"],
            grants=grants,
        ).id
    return load_principal(session, user_id=uid)


def _bootstrap_admin(session: Session, users: list[dict[str, Any]]) -> Principal:
    spec = next(u for u in users if u["role"] == Role.ADMIN.value)
    return _account(session, spec, None, [Grant(role=Role.ADMIN, scope_type=ScopeType.GLOBAL)])


def _users(session: Session, users: list[dict[str, Any]], keys: _Keys) -> None:
    admin_spec_seen = False
    for spec in users:
        admin = keys.principals[0] if keys.principals else None
        principal = _account(session, spec, admin, _grants(spec, keys))
        if spec["role"] == Role.ADMIN.value and not admin_spec_seen:
            admin_spec_seen = True
            keys.principals.insert(0, principal)
        else:
            keys.principals.append(principal)


def _lookup(session: Session, model: Any, column: Any, value: Any) -> int | None:
    return session.scalar(select(model.id).where(column == value))


def _reference(session: Session, admin: Principal, data: dict[str, Any], keys: _Keys) -> None:
    keys.principals.append(admin)
    for o in data["organisations"]:
        oid = _lookup(session, Organisation, Organisation.name, o["name"])
        keys.orgs[o["key"]] = (
            oid
            or ref.create_organisation(
                session,
                principal=admin,
                name=o["name"],
                type=OrgType(o["type"]),
                acronym=o.get("acronym"),
                iati_ref=o.get("iati_ref"),
                country_code=o.get("country"),
            ).id
        )
    for a in data["priority_areas"]:
        aid = _lookup(session, PriorityArea, PriorityArea.code, a["code"])
        keys.areas[a["code"]] = (
            aid
            or ref.create_priority_area(
                session,
                principal=admin,
                code=a["code"],
                name=a["name"],
                description=a.get("description", ""),
            ).id
        )
    for d in data["dimensions"]:
        did = _lookup(session, Dimension, Dimension.code, d["code"])
        keys.dims[d["code"]] = (
            did
            or ref.create_dimension(
                session,
                principal=admin,
                code=d["code"],
                name=d["name"],
                exhaustive=bool(d.get("exhaustive", True)),
                values=[(v["code"], v["label"]) for v in d["values"]],
            ).id
        )
    for dim_code, value_code, vid in session.execute(
        select(Dimension.code, DimensionValue.code, DimensionValue.id).join(
            Dimension, Dimension.id == DimensionValue.dimension_id
        )
    ):
        keys.dim_values[(dim_code, value_code)] = vid
    for lib in data.get("library_indicators") or []:
        lid = _lookup(session, LibraryIndicator, LibraryIndicator.code, lib["code"])
        keys.library[lib["code"]] = (
            lid
            or ref.create_library_indicator(
                session,
                principal=admin,
                code=lib["code"],
                title=lib["title"],
                unit=lib["unit"],
                measure=Measure(lib["measure"]),
                definition=lib.get("definition", ""),
                priority_area_id=keys.areas.get(lib.get("priority_area") or ""),
            ).id
        )


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _project(session: Session, admin: Principal, spec: dict[str, Any], keys: _Keys) -> None:
    pid = _lookup(session, Project, Project.code, spec["code"])
    if pid is not None:
        keys.projects[spec["code"]] = pid
        return
    new = projects.NewProject(
        code=spec["code"],
        title=spec["title"],
        description=spec.get("description", ""),
        provider_id=keys.orgs[spec["provider"]],
        start_date=spec["start"],
        end_date=spec["end"],
        status=ProjectStatus(spec.get("status", "implementation")),
        budget=_dec(spec.get("budget")),
        currency=spec.get("currency", "USD"),
        frequency=Frequency(spec.get("frequency", "quarterly")),
        iati_identifier=spec.get("iati_identifier"),
        countries={c: Decimal(str(s)) for c, s in spec["countries"].items()},
        priority_area_ids=[keys.areas[a] for a in spec.get("priority_areas", [])],
        sectors={str(c): Decimal(str(s)) for c, s in (spec.get("sectors") or {}).items()},
        partners=[
            (keys.orgs[p["org"]], PartnerRole(p.get("role", "implementing")))
            for p in spec.get("partners") or []
        ],
        funding=[
            projects.FundingLine(
                donor_id=keys.orgs[f["donor"]],
                amount=Decimal(str(f["amount"])),
                date_from=f["date_from"],
                date_to=f.get("date_to"),
            )
            for f in spec.get("funding") or []
        ],
    )
    project = projects.create_project(session, principal=admin, new=new)
    keys.projects[spec["code"]] = project.id
    keys.new_projects.add(spec["code"])
    periods = _periods_by_year(session, project.id)
    for pos, node in enumerate(spec.get("logframe") or []):
        _node(session, admin, project.id, node, None, pos, periods, keys)


def _periods_by_year(session: Session, project_id: int) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for pid, start in session.execute(
        select(ReportingPeriod.id, ReportingPeriod.start_date)
        .where(ReportingPeriod.project_id == project_id)
        .order_by(ReportingPeriod.start_date)
    ):
        out.setdefault(start.year, []).append(pid)
    return out


def _node(
    session: Session,
    admin: Principal,
    project_id: int,
    spec: dict[str, Any],
    parent_id: int | None,
    pos: int,
    periods: dict[int, list[int]],
    keys: _Keys,
) -> None:
    from rbm.models.enums import ResultLevel

    node = logframe.add_result_node(
        session,
        principal=admin,
        project_id=project_id,
        level=ResultLevel(spec["level"]),
        code=str(spec["code"]),
        title=spec["title"],
        parent_id=parent_id,
        description=spec.get("description", ""),
        assumptions=spec.get("assumptions", ""),
        risks=spec.get("risks", ""),
        position=pos,
    )
    for ipos, ind in enumerate(spec.get("indicators") or []):
        logframe.add_indicator(
            session,
            principal=admin,
            result_node_id=node.id,
            new=_new_indicator(ind, ipos, periods, keys),
        )
    for cpos, child in enumerate(spec.get("children") or []):
        _node(session, admin, project_id, child, node.id, cpos, periods, keys)


def _new_indicator(
    ind: dict[str, Any], pos: int, periods: dict[int, list[int]], keys: _Keys
) -> logframe.NewIndicator:
    from rbm.models.enums import Accumulation, Direction

    base = ind.get("baseline") or {}
    period_targets = _period_targets(ind, periods)
    numerator, denominator = _dec(base.get("numerator")), _dec(base.get("denominator"))
    baseline_value = _dec(base.get("value"))
    if numerator is not None and denominator:
        baseline_value = numerator / denominator * 100
    return logframe.NewIndicator(
        code=str(ind["code"]),
        title=ind["title"],
        measure=Measure(ind["measure"]),
        direction=Direction(ind.get("direction", "increase")),
        accumulation=Accumulation(ind.get("accumulation", "incremental")),
        unit=ind.get("unit", ""),
        definition=ind.get("definition", ""),
        means_of_verification=ind.get("means_of_verification", ""),
        data_source=ind.get("data_source", ""),
        method=ind.get("method", ""),
        library_indicator_id=keys.library.get(ind.get("library") or ""),
        ordinal_labels=ind.get("ordinal_labels"),
        dimension_ids=[keys.dims[d] for d in ind.get("dimensions") or []],
        baseline_value=baseline_value,
        baseline_numerator=numerator,
        baseline_denominator=denominator,
        baseline_year=base.get("year"),
        baseline_date=base.get("date"),
        target_value=_dec(ind.get("target")),
        period_targets=period_targets,
        position=pos,
    )


def _period_targets(ind: dict[str, Any], periods: dict[int, list[int]]) -> dict[int, Decimal]:
    """A year's target: incremental indicators spread it evenly over the year's periods;
    cumulative and level indicators expect it at the year's last period."""
    out: dict[int, Decimal] = {}
    for year, value in (ind.get("period_targets") or {}).items():
        ids = periods.get(int(year), [])
        if not ids:
            continue
        if ind.get("accumulation", "incremental") == "incremental":
            for pid in ids:
                out[pid] = (Decimal(str(value)) / len(ids)).quantize(Decimal("0.0001"))
        else:
            out[ids[-1]] = Decimal(str(value))
    return out


def _team(session: Session, keys: _Keys, project_id: int) -> tuple[Principal, Principal]:
    """Who logs and who approves a demo project's values: the least-privileged demo accounts
    allowed to (four eyes: never the same person)."""
    loggers = [
        p
        for p in keys.principals
        if p.has_role(Role.OFFICER) and can(session, p, "log_measurement", project_id=project_id)
    ]
    # The most specific officer logs: one scoped to this very project before an organisation's.
    loggers.sort(key=lambda p: not any(g.scope_type is ScopeType.PROJECT for g in p.grants))
    logger = loggers[0] if loggers else keys.principals[0]
    approvers = [
        p
        for p in keys.principals
        if p.user_id != logger.user_id
        and can(session, p, "approve_measurement", project_id=project_id)
    ]
    approvers.sort(key=lambda p: p.has_role(Role.ADMIN))
    if not approvers:
        raise RuntimeError(f"No demo account may approve project #{project_id}.")
    return logger, approvers[0]


def _measurements(session: Session, rows: list[dict[str, Any]], keys: _Keys) -> int:
    rows = [r for r in rows if r["project"] in keys.new_projects]
    if not rows:
        return 0
    indicator_ids = {
        (code, ind_code): iid
        for code, ind_code, iid in session.execute(
            select(Project.code, Indicator.code, Indicator.id)
            .join(ResultNode, ResultNode.project_id == Project.id)
            .join(Indicator, Indicator.result_node_id == ResultNode.id)
        )
    }
    period_ids = {
        (code, label): pid
        for code, label, pid in session.execute(
            select(Project.code, ReportingPeriod.label, ReportingPeriod.id).join(
                ReportingPeriod, ReportingPeriod.project_id == Project.id
            )
        )
    }
    teams = {code: _team(session, keys, keys.projects[code]) for code in keys.new_projects}
    for row in rows:
        logger, approver = teams[row["project"]]
        _measurement(
            session,
            row,
            logger,
            approver,
            indicator_ids[(row["project"], str(row["indicator"]))],
            period_ids[(row["project"], str(row["period"]))],
            keys,
        )
    return len(rows)


def _measurement(
    session: Session,
    row: dict[str, Any],
    logger: Principal,
    approver: Principal,
    indicator_id: int,
    period_id: int,
    keys: _Keys,
) -> None:
    breakdown = {
        keys.dim_values[(dim, code)]: Decimal(str(v))
        for dim, parts in (row.get("breakdown") or {}).items()
        for code, v in parts.items()
    }
    values = measurements.Values(
        value=_dec(row.get("value")),
        numerator=_dec(row.get("numerator")),
        denominator=_dec(row.get("denominator")),
        narrative=row.get("narrative") or "",
        breakdown=breakdown,
    )
    m = measurements.save_draft(
        session, principal=logger, indicator_id=indicator_id, period_id=period_id, values=values
    )
    if ev := row.get("evidence"):
        evidence.attach(
            session,
            principal=logger,
            measurement_id=m.id,
            filename=ev["filename"],
            content=ev["content"].encode("utf-8"),
        )
    if row["status"] == "draft":
        return
    measurements.submit(session, principal=logger, measurement_id=m.id)
    if row["status"] == "approved":
        measurements.approve(session, principal=approver, measurement_id=m.id)
    elif row["status"] == "returned":
        measurements.return_for_revision(
            session,
            principal=approver,
            measurement_id=m.id,
            comment=row.get("comment") or "Please check.",
        )


def _recorder(keys: _Keys, role: Role = Role.EVALUATOR) -> Principal:
    return next((p for p in keys.principals if p.has_role(role)), keys.principals[0])


def _evaluations(session: Session, specs: list[dict[str, Any]], keys: _Keys) -> int:
    evaluator, manager = _recorder(keys), _recorder(keys, Role.MANAGER)
    added = 0
    for spec in specs:
        if _lookup(session, Evaluation, Evaluation.title, spec["title"]) is not None:
            continue
        new = evaluations.NewEvaluation(
            title=spec["title"],
            type=EvaluationType(spec["type"]),
            scope=EvaluationScope(spec["scope"]),
            project_id=keys.projects.get(spec.get("project") or ""),
            country_code=spec.get("country"),
            priority_area_id=keys.areas.get(spec.get("priority_area") or ""),
            theme=spec.get("theme") or "",
            start_date=spec.get("start"),
            end_date=spec.get("end"),
            evaluator=spec.get("evaluator", ""),
            summary=spec.get("summary", ""),
            ratings={
                DacCriterion(c): (int(r["score"]), r.get("justification", ""))
                for c, r in (spec.get("ratings") or {}).items()
            },
        )
        ev = evaluations.create_evaluation(session, principal=evaluator, new=new)
        for rec_spec in spec.get("recommendations") or []:
            _recommendation(session, evaluator, manager, ev.id, rec_spec)
        added += 1
    return added


def _recommendation(
    session: Session,
    evaluator: Principal,
    manager: Principal,
    evaluation_id: int,
    spec: dict[str, Any],
) -> None:
    from rbm.models.enums import ActionStatus, ResponseKind

    rec = evaluations.add_recommendation(
        session,
        principal=evaluator,
        evaluation_id=evaluation_id,
        text=spec["text"],
        addressee=spec.get("addressee", ""),
    )
    if spec.get("response"):
        evaluations.respond(
            session,
            principal=manager,
            recommendation_id=rec.id,
            response=ResponseKind(spec["response"]),
            reason=spec.get("response_reason") or "",
        )
    for action in spec.get("actions") or []:
        evaluations.add_action(
            session,
            principal=manager,
            recommendation_id=rec.id,
            description=action["description"],
            owner=action["owner"],
            due_date=action["due"],
            status=ActionStatus(action.get("status", "not_started")),
        )


def _lessons(session: Session, specs: list[dict[str, Any]], keys: _Keys) -> int:
    from rbm.models import Lesson
    from rbm.models.enums import ResultLevel

    evaluator = _recorder(keys)
    eval_ids = list(session.scalars(select(Evaluation.id).order_by(Evaluation.id)))
    added = 0
    for spec in specs:
        if _lookup(session, Lesson, Lesson.title, spec["title"]) is not None:
            continue
        idx = spec.get("evaluation")
        evaluations.record_lesson(
            session,
            principal=evaluator,
            new=evaluations.NewLesson(
                title=spec["title"],
                text=spec["text"],
                what_worked=spec.get("what_worked", ""),
                what_did_not=spec.get("what_did_not", ""),
                evidence=spec.get("evidence", ""),
                evaluation_id=eval_ids[idx]
                if isinstance(idx, int) and idx < len(eval_ids)
                else None,
                project_id=keys.projects.get(spec.get("project") or ""),
                dac_criterion=DacCriterion(spec["dac_criterion"])
                if spec.get("dac_criterion")
                else None,
                result_level=ResultLevel(spec["result_level"])
                if spec.get("result_level")
                else None,
                country_codes=spec.get("countries") or [],
                priority_area_ids=[keys.areas[a] for a in spec.get("priority_areas") or []],
                tags=spec.get("tags") or [],
            ),
        )
        added += 1
    return added


def _needs(session: Session, admin: Principal, specs: list[dict[str, Any]], keys: _Keys) -> int:
    if session.scalar(select(func.count(Need.id))):
        return 0
    for spec in specs:
        need = needs.create_need(
            session,
            principal=admin,
            country_code=spec["country"],
            kind=AssistanceKind(spec["kind"]),
            priority=Priority(spec["priority"]),
            description=spec.get("description", ""),
            priority_area_id=keys.areas.get(spec.get("priority_area") or ""),
            estimated_cost=_dec(spec.get("estimated_cost")),
        )
        for code in spec.get("projects") or []:
            needs.link_project(
                session, principal=admin, need_id=need.id, project_id=keys.projects[code]
            )
    return len(specs)
