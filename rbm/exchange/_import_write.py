"""Writing one understood activity: the project keyed by its IATI identifier (created, or
updated in place), its organisations, countries, sectors, priority areas and funding. The
logframe is written by `_import_logframe`. Nothing is written when nothing differs, so the
same file imported twice changes nothing (and records no audit event).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from rbm.errors import PermissionDenied
from rbm.exchange._import_logframe import LogframeWriter
from rbm.exchange._import_model import ActivityData, ActivityReport, FundingData
from rbm.exchange._import_refs import References
from rbm.exchange._import_translations import TranslationWriter
from rbm.exchange.iati_codes import TX_INCOMING_COMMITMENT
from rbm.models import (
    Funding,
    Project,
    ProjectCountry,
    ProjectPartner,
    ProjectPriorityArea,
    ProjectRegion,
    ProjectSector,
)
from rbm.models.base import as_dict, assign_changes
from rbm.principal import Principal
from rbm.services.permissions import can
from rbm.services.projects import require_own_organisation

_FIELDS = (
    "title",
    "description",
    "status",
    "start_date",
    "end_date",
    "start_actual",
    "end_actual",
    "budget",
    "currency",
)


def write_activity(
    session: Session,
    principal: Principal,
    refs: References,
    act: ActivityData,
    report: ActivityReport,
) -> str:
    """Store the activity; returns "created", "updated" or "unchanged"."""
    project = _find(session, refs, act)
    provider_id = refs.organisation(act.provider)
    texts = TranslationWriter(session, refs)
    if project is None:
        project = _create(session, refs, act, provider_id)
        changed, outcome = True, "created"
    else:
        if not can(session, principal, "edit_logframe", project_id=project.id):
            raise PermissionDenied(
                "{name} may not update project {code}.", name=principal.name, code=project.code
            )
        changed, outcome = _update(session, refs, project, act, provider_id), "updated"
        refs.unlinked.pop(project.code, None)
        refs.add_project(project.id, project.code, act.identifier)
        texts.load("project", [project.id])
    new = outcome == "created"
    changed |= texts.want("project", project, act.translations, stored=not new)
    changed |= _links(session, refs, project, act, report, new=new)
    writer = LogframeWriter(session, principal, refs, project, act, report, texts, new=new)
    changed |= writer.write()
    session.flush()
    texts.write()
    return outcome if changed else "unchanged"


def _find(session: Session, refs: References, act: ActivityData) -> Project | None:
    """By IATI identifier; else a project with the same code and no identifier yet (both
    known to `refs` from one read per file)."""
    found = refs.projects.get(act.identifier) or refs.unlinked.get(act.code)
    return session.get(Project, found) if found is not None else None


def _free_code(refs: References, code: str) -> str:
    candidate, n = code, 1
    while candidate in refs.codes:
        n += 1
        candidate = f"{code[:34]}-{n}"
    return candidate


def _create(session: Session, refs: References, act: ActivityData, provider_id: int) -> Project:
    require_own_organisation(refs.principal, provider_id, doing="import projects")
    code = _free_code(refs, act.code)
    project = Project(
        code=code,
        code_local=act.code_local or code != act.code,
        iati_identifier=act.identifier,
        provider_id=provider_id,
        reporting_frequency=act.frequency,
        **{f: getattr(act, f) for f in _FIELDS},
    )
    session.add(project)
    session.flush()
    refs.add_project(project.id, project.code, act.identifier)
    refs.audit(
        "import",
        "project",
        project.id,
        after=as_dict(project, "code", "iati_identifier", *_FIELDS),
    )
    return project


def _update(
    session: Session, refs: References, project: Project, act: ActivityData, provider_id: int
) -> bool:
    wanted = {f: getattr(act, f) for f in _FIELDS}
    wanted.update(provider_id=provider_id, iati_identifier=act.identifier)
    differs, before = assign_changes(project, wanted)
    if not differs:
        return False
    session.flush()
    refs.audit(
        "import_update",
        "project",
        project.id,
        before=before,
        after=as_dict(project, *differs),
    )
    return True


def _replace(
    session: Session,
    refs: References,
    project: Project,
    link: tuple[Any, tuple[str, ...], str],
    wanted: set[Any],
    *,
    new: bool,
) -> bool:
    """Replace a project's link rows of one kind (`link`: the table, its fields beside
    `project_id`, the name the audit gives them) when the wanted set differs. An item is the
    tuple of the fields, or the one field's value. A project just created has none to read or
    delete."""
    model, fields, what = link
    one = len(fields) == 1
    current: set[Any] = set()
    if not new:
        stored = session.execute(
            select(*(getattr(model, f) for f in fields)).where(model.project_id == project.id)
        )
        current = {row[0] if one else tuple(row) for row in stored}
    if current == wanted:
        return False
    if current:
        session.execute(delete(model).where(model.project_id == project.id))
    if wanted:  # one statement, no ORM bookkeeping (nothing reads these rows back)
        rows = [
            dict(zip(fields, (item,) if one else item, strict=True), project_id=project.id)
            for item in sorted(wanted, key=str)
        ]
        session.connection().execute(insert(model.__table__), rows)
    refs.audit(
        "import_update",
        "project",
        project.id,
        before={what: sorted(map(str, current))},
        after={what: sorted(map(str, wanted))},
    )
    return True


#: A project's link rows of each kind: the table, its fields beside project_id, the audit's name.
_COUNTRIES = (ProjectCountry, ("country_code", "share"), "countries")
_REGIONS = (ProjectRegion, ("vocabulary", "code", "name", "share"), "regions")
_SECTORS = (ProjectSector, ("code", "share"), "sectors")
_PARTNERS = (ProjectPartner, ("organisation_id", "role"), "partners")
_AREAS = (ProjectPriorityArea, ("priority_area_id",), "areas")
_FUNDING = (
    Funding,
    ("donor_id", "amount", "currency", "date_from", "date_to", "transaction_type"),
    "funding",
)


def _links(
    session: Session,
    refs: References,
    project: Project,
    act: ActivityData,
    report: ActivityReport,
    *,
    new: bool,
) -> bool:
    countries = {c: s for c, s in act.countries.items() if c in refs.countries}
    report.skip("recipient country not in ISO 3166", len(act.countries) - len(countries))
    partners = {(refs.organisation(org), role) for org, role in act.partners}
    funding: set[tuple[int, Decimal | None, str, date, date | None, str | None]] = {
        (refs.organisation(f.donor), f.amount, f.currency, f.date_from, f.date_to, _kind(f))
        for f in act.funding
        if f.amount is not None
    }
    dated = {(d, f) for d, _, _, f, _, _ in funding}
    for f in act.funding:  # funders named without an amount, unless they pay already
        donor = refs.organisation(f.donor)
        if f.amount is None and (donor, f.date_from) not in dated:
            dated.add((donor, f.date_from))
            funding.add((donor, None, f.currency, f.date_from, f.date_to, None))
    areas = {refs.priority_area(code, name) for code, name in act.areas}
    report.counts["countries"], report.counts["sectors"] = len(countries), len(act.sectors)
    report.counts["regions"] = len(act.regions)
    report.counts["organisations"] = len(
        {project.provider_id} | {o for o, _ in partners} | {f[0] for f in funding}
    )
    changed = False
    for link, wanted in (
        (_COUNTRIES, {(c, _dec(v)) for c, v in countries.items()}),
        (_REGIONS, {(v, c, name, _dec(share)) for (v, c), (name, share) in act.regions.items()}),
        (_SECTORS, {(c, _dec(v)) for c, v in act.sectors.items()}),
        (_PARTNERS, partners),
        (_AREAS, areas),
        (_FUNDING, {(d, _dec(a), c, f, t, k) for d, a, c, f, t, k in funding}),
    ):
        changed |= _replace(session, refs, project, link, wanted, new=new)
    return changed


def _kind(f: FundingData) -> str | None:
    """Incoming funds are kept as such; a commitment (the default) is stored as empty."""
    return f.transaction_type if f.transaction_type != TX_INCOMING_COMMITMENT else None


def _dec(value: Decimal | None) -> Decimal | None:
    """Equal decimals hash alike (3 == 3.0000), so sets of rows compare by value."""
    return None if value is None else Decimal(value)
