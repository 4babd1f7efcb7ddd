"""The checklist's content, held as data (fixtures/checklist.yaml): the cycles, the
instruments, their provisions and the wording of each provision's question in each cycle.
Loading is idempotent, and a question already answered keeps its wording."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rbm.models import Answer, ChecklistCycle, Instrument, PriorityArea, Provision, Question
from rbm.models.enums import Role
from rbm.principal import Principal
from rbm.services import audit
from rbm.services.permissions import require_role


def load_content(session: Session, *, principal: Principal | None, spec: Mapping[str, Any]) -> int:
    """Create the cycles, instruments, provisions and questions of `spec` (the format of
    fixtures/checklist.yaml) that do not exist yet; returns the number of questions added.
    A question already answered keeps its wording; an unanswered one takes the new wording.
    `principal=None` is the command line or the demo loader. Administrators only otherwise."""
    if principal is not None:
        require_role(principal, Role.ADMIN, doing="change the checklist")
    cycles = {c["code"]: _cycle(session, c) for c in spec["cycles"]}
    order = sorted(cycles, key=lambda code: cycles[code].year)
    areas = {code: aid for code, aid in session.execute(select(PriorityArea.code, PriorityArea.id))}
    added = 0
    for inst_spec in spec["instruments"]:
        instrument = _instrument(session, inst_spec)
        for pos, p_spec in enumerate(inst_spec["provisions"]):
            provision = _provision(session, instrument.id, p_spec, pos, areas)
            since = str(p_spec.get("since") or order[0])
            wording = {"question": p_spec["question"], "help": p_spec.get("help", "")}
            for code in order:
                if cycles[code].year < cycles[since].year:
                    continue
                wording = {**wording, **((p_spec.get("wording") or {}).get(code) or {})}
                added += _question(session, provision.id, cycles[code].id, wording)
    if added:
        audit.record(
            session,
            principal=principal,
            action="load_content",
            entity_type="checklist",
            entity_id=None,
            after={"questions_added": added},
        )
    return added


def _cycle(session: Session, spec: Mapping[str, Any]) -> ChecklistCycle:
    code = str(spec["code"])
    cycle = session.scalar(select(ChecklistCycle).where(ChecklistCycle.code == code))
    if cycle is None:
        cycle = ChecklistCycle(code=code, title=spec["title"], year=int(spec["year"]))
        session.add(cycle)
        session.flush()
    return cycle


def _instrument(session: Session, spec: Mapping[str, Any]) -> Instrument:
    inst = session.scalar(select(Instrument).where(Instrument.code == spec["code"]))
    if inst is None:
        inst = Instrument(code=spec["code"], title=spec["title"])
        session.add(inst)
        session.flush()
    return inst


def _provision(
    session: Session, instrument_id: int, spec: Mapping[str, Any], pos: int, areas: dict[str, int]
) -> Provision:
    prov = session.scalar(
        select(Provision).where(
            Provision.instrument_id == instrument_id, Provision.code == spec["code"]
        )
    )
    if prov is None:
        prov = Provision(instrument_id=instrument_id, code=spec["code"])
        session.add(prov)
    prov.article, prov.title, prov.position = str(spec["article"]), spec["title"], pos
    prov.priority_area_id = areas.get(spec.get("priority_area") or "")
    session.flush()
    return prov


def _question(
    session: Session, provision_id: int, cycle_id: int, wording: Mapping[str, str]
) -> int:
    q = session.scalar(
        select(Question).where(Question.provision_id == provision_id, Question.cycle_id == cycle_id)
    )
    if q is None:
        session.add(
            Question(
                provision_id=provision_id,
                cycle_id=cycle_id,
                text=wording["question"],
                help_text=wording.get("help", ""),
            )
        )
        return 1
    answered = session.scalar(select(Answer.id).where(Answer.question_id == q.id).limit(1))
    if answered is None:
        q.text, q.help_text = wording["question"], wording.get("help", "")
    return 0
