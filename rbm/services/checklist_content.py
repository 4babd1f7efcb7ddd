"""The checklist's content, held as data (fixtures/checklist.yaml): the cycles, the
instruments, their provisions and the wording of each provision's question in each cycle,
in English and, under `translations`, in other languages (each marked `checked` or not against
the UN's text in that language). Loading is idempotent, and a question already answered keeps
its wording in every language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rbm.models import (
    Answer,
    Base,
    ChecklistCycle,
    Instrument,
    InstrumentText,
    PriorityArea,
    Provision,
    ProvisionText,
    Question,
    QuestionText,
)
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
            wordings = _wordings(p_spec)
            for code in order:
                if cycles[code].year < cycles[since].year:
                    continue
                wordings = {
                    lang: {**w, **((spec.get("wording") or {}).get(code) or {})}
                    for lang, (w, spec) in _with_specs(wordings, p_spec).items()
                }
                added += _question(session, provision.id, cycles[code].id, wordings)
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
    _titles(session, InstrumentText, "instrument_id", inst.id, _translations(spec))
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
    titled = {lang: t for lang, t in _translations(spec).items() if "title" in t}
    _titles(session, ProvisionText, "provision_id", prov.id, titled)
    return prov


def _titles(
    session: Session,
    model: type[Base],
    owner: str,
    owner_id: int,
    translations: Mapping[str, Mapping[str, Any]],
) -> None:
    """An item's title in each other language (`owner` is its key column in `model`)."""
    for lang, t in translations.items():
        key = {owner: owner_id, "language": lang}
        _upsert(session, model, key, title=t["title"], checked=_checked(t))


def _translations(spec: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {str(lang): t for lang, t in (spec.get("translations") or {}).items()}


def _checked(spec: Mapping[str, Any]) -> bool:
    return bool(spec.get("checked", False))


def _wordings(spec: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The first wording of a provision's question, by language ("" is English)."""
    out: dict[str, dict[str, Any]] = {
        "": {"question": spec["question"], "help": spec.get("help", "")}
    }
    for lang, t in _translations(spec).items():
        if "question" in t:
            out[lang] = {
                "question": t["question"],
                "help": t.get("help", ""),
                "checked": _checked(t),
            }
    return out


def _with_specs(
    wordings: dict[str, dict[str, Any]], spec: Mapping[str, Any]
) -> dict[str, tuple[dict[str, Any], Mapping[str, Any]]]:
    """Each language's wording so far with the part of `spec` that may reword it by cycle."""
    translations = _translations(spec)
    return {lang: (w, spec if lang == "" else translations[lang]) for lang, w in wordings.items()}


def _upsert(session: Session, model: type[Base], key: dict[str, Any], **values: Any) -> None:
    """Insert the row of `key` or bring it to `values` (unchanged values are not touched)."""
    row = session.get(model, key)
    if row is None:
        session.add(model(**key, **values))
        return
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)


def _question(
    session: Session, provision_id: int, cycle_id: int, wordings: Mapping[str, Mapping[str, Any]]
) -> int:
    """Add a cycle's question (1) or bring an unanswered one to its wording (0). An answered
    question keeps its wording; it only gains translations of that very wording."""
    english = wordings[""]
    q = session.scalar(
        select(Question).where(Question.provision_id == provision_id, Question.cycle_id == cycle_id)
    )
    added = 0
    if q is None:
        q = Question(provision_id=provision_id, cycle_id=cycle_id, text="", help_text="")
        session.add(q)
        added = 1
    elif session.scalar(select(Answer.id).where(Answer.question_id == q.id).limit(1)) is not None:
        if q.text != english["question"]:
            return 0
        wordings = {
            lang: w
            for lang, w in wordings.items()
            if session.get(QuestionText, {"question_id": q.id, "language": lang}) is None
        }
        english = {"question": q.text, "help": q.help_text}
    if (q.text, q.help_text) != (english["question"], english.get("help", "")):
        q.text, q.help_text = english["question"], english.get("help", "")
    session.flush()
    for lang, w in wordings.items():
        if lang:
            _upsert(
                session,
                QuestionText,
                {"question_id": q.id, "language": lang},
                text=w["question"],
                help_text=w.get("help", ""),
                checked=bool(w.get("checked", False)),
            )
    return added
