"""Narratives: per project and reporting period, progress text per outcome (and optionally per
output), achievements, challenges, changes to assumptions and risks, and a human story with an
optional photo (consent noted).

The workflow is the measurements' one: officers draft and submit, managers approve or return
(never their own: four eyes); an approved narrative is immutable, a correction is a new
revision that supersedes it once approved; a locked period refuses changes. Every change checks
the optimistic-locking version it was read at and is audited. An approved narrative can be
promoted to a lesson learned by those who record lessons.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from io import BytesIO
from pathlib import PurePath

from PIL import Image, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session

from rbm.errors import Conflict, NotFound, ValidationFailed
from rbm.i18n import Msg, Text
from rbm.models import (
    Lesson,
    Narrative,
    NarrativePhoto,
    NarrativeSection,
    Project,
    ProjectCountry,
    ProjectPriorityArea,
    ReportingPeriod,
    ResultNode,
)
from rbm.models.enums import MeasurementStatus, ResultLevel, label
from rbm.principal import Principal
from rbm.services import audit, evidence, review
from rbm.services.evaluations import NewLesson, record_lesson
from rbm.services.permissions import require
from rbm.settings import get_settings

#: Result levels that may carry a progress text.
SECTION_LEVELS = (ResultLevel.OUTCOME, ResultLevel.OUTPUT)
#: Photos accepted for a human story: extension -> content type (checked by decoding it).
PHOTO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
_TEXTS = ("summary", "achievements", "challenges", "assumptions_risks", "story")
_SNAPSHOT = ("status", *_TEXTS, "photo_id", "revision", "version")
#: Audit a change to a narrative, from its snapshot before to its snapshot after.
_audited = partial(audit.change, entity_type="narrative", fields=_SNAPSHOT)
#: Audit a new revision of a narrative, with its snapshot after.
_audited_new = partial(review.audit_new_revision, entity_type="narrative", fields=_SNAPSHOT)


@dataclass(frozen=True, kw_only=True)
class Photo:
    """A photo to attach to the story, with the consent of the people shown."""

    filename: str
    content: bytes
    consent: str


@dataclass(frozen=True, kw_only=True)
class NarrativeText:
    """What an officer writes. `sections` maps an outcome's (or output's) result node id to
    its progress text; `photo` replaces the story's photo, `remove_photo` drops it."""

    summary: str = ""
    achievements: str = ""
    challenges: str = ""
    assumptions_risks: str = ""
    story: str = ""
    sections: Mapping[int, str] = field(default_factory=dict)
    photo: Photo | None = None
    remove_photo: bool = False


def _period(session: Session, period_id: int) -> ReportingPeriod:
    period = session.get(ReportingPeriod, period_id)
    if period is None:
        raise NotFound("No reporting period #{period_id}.", period_id=period_id)
    return period


def _open_period(session: Session, period_id: int) -> ReportingPeriod:
    period = _period(session, period_id)
    if period.locked_at is not None:
        raise ValidationFailed("Reporting period {label} is locked.", label=period.label)
    return period


def _latest(session: Session, project_id: int, period_id: int) -> Narrative | None:
    return session.scalar(
        select(Narrative)
        .where(Narrative.project_id == project_id, Narrative.reporting_period_id == period_id)
        .order_by(Narrative.revision.desc())
        .limit(1)
        .with_for_update()
    )


def _check_version(n: Narrative, expected_version: int | None) -> None:
    if expected_version is not None and n.version != expected_version:
        raise Conflict(
            "Someone else changed this narrative (now {status}, revision "
            "{revision}) since you opened it. Reload to see their change.",
            status=label(n.status).lower(),
            revision=n.revision,
        )


def check_photo(filename: str, content: bytes) -> str:
    """The content type of an acceptable story photo (PNG or JPEG that decodes as an image,
    within the upload limit); raises ValidationFailed saying what is wrong otherwise."""
    ext = PurePath(filename).suffix.lower()
    if ext not in PHOTO_TYPES:
        raise ValidationFailed(
            "{filename}: a story photo must be one of {photo_types}.",
            filename=filename,
            photo_types=", ".join(sorted(PHOTO_TYPES)),
        )
    evidence.check_size(filename, content, max_bytes=get_settings().max_upload_bytes)
    try:
        with Image.open(BytesIO(content)) as image:
            image.verify()
            kind = image.format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationFailed(
            "{filename}: the content is not an image.", filename=filename
        ) from exc
    if kind not in ("PNG", "JPEG"):
        raise ValidationFailed(
            "{filename}: the content is a {kind} image, not PNG or JPEG.",
            filename=filename,
            kind=kind,
        )
    return "image/png" if kind == "PNG" else "image/jpeg"


def _problems(session: Session, project_id: int, text: NarrativeText) -> list[Text]:
    problems: list[Text] = []
    if not any(getattr(text, f).strip() for f in _TEXTS) and not any(
        t.strip() for t in text.sections.values()
    ):
        problems.append("the narrative is empty: write at least one part")
    if text.sections:
        nodes = dict(
            session.execute(
                select(ResultNode.id, ResultNode.level).where(
                    ResultNode.project_id == project_id, ResultNode.id.in_(list(text.sections))
                )
            ).all()
        )
        for node_id in text.sections:
            if node_id not in nodes:
                problems.append(
                    Msg(
                        "section: result #{node_id} is not in this project's logframe",
                        node_id=node_id,
                    )
                )
            elif nodes[node_id] not in SECTION_LEVELS:
                problems.append(
                    Msg(
                        "section: result #{node_id} is not an outcome or an output", node_id=node_id
                    )
                )
    if text.photo is not None and not text.photo.consent.strip():
        problems.append(
            "photo: note the consent of the people shown (who agreed, how and to what use)"
        )
    return problems


def _store_photo(
    session: Session, principal: Principal, project_id: int, photo: Photo
) -> NarrativePhoto:
    content_type = check_photo(photo.filename, photo.content)
    stored = NarrativePhoto(
        project_id=project_id,
        filename=PurePath(photo.filename).name[:255],
        content_type=content_type,
        size=len(photo.content),
        sha256=hashlib.sha256(photo.content).hexdigest(),
        content=photo.content,
        consent=photo.consent.strip(),
        uploaded_by_id=principal.user_id,
    )
    session.add(stored)
    session.flush()
    return stored


def _assign(session: Session, principal: Principal, n: Narrative, text: NarrativeText) -> None:
    for name in _TEXTS:
        setattr(n, name, getattr(text, name).strip())
    if text.photo is not None:
        n.photo_id = _store_photo(session, principal, n.project_id, text.photo).id
    elif text.remove_photo:
        n.photo_id = None


def _replace_sections(session: Session, narrative_id: int, sections: Mapping[int, str]) -> None:
    session.query(NarrativeSection).filter_by(narrative_id=narrative_id).delete()
    for node_id, body in sorted(sections.items()):
        if body.strip():
            session.add(
                NarrativeSection(
                    narrative_id=narrative_id, result_node_id=node_id, text=body.strip()
                )
            )


def save_draft(
    session: Session,
    *,
    principal: Principal,
    period_id: int,
    text: NarrativeText,
    expected_version: int | None = None,
) -> Narrative:
    """Create or update the open (draft or returned) narrative of a project's period. When
    the period's narrative is already approved, a new revision starts (it keeps the photo
    unless another is given or it is removed)."""
    period = _open_period(session, period_id)
    project_id = period.project_id
    require(session, principal, "log_measurement", project_id=project_id)
    if problems := _problems(session, project_id, text):
        raise ValidationFailed(
            "The narrative for {label} cannot be saved.", problems, label=period.label
        )
    latest = _latest(session, project_id, period_id)
    if latest is not None and latest.status is MeasurementStatus.SUBMITTED:
        raise ValidationFailed("This narrative is awaiting approval; it cannot be edited now.")
    if latest is None or latest.status is MeasurementStatus.APPROVED:
        return _new_revision(session, principal, period, text, latest)
    _check_version(latest, expected_version)
    with _audited(session, principal=principal, row=latest, action="edit"):
        _assign(session, principal, latest, text)
        latest.status = MeasurementStatus.DRAFT
        session.flush()
        _replace_sections(session, latest.id, text.sections)
    return latest


def _new_revision(
    session: Session,
    principal: Principal,
    period: ReportingPeriod,
    text: NarrativeText,
    approved: Narrative | None,
) -> Narrative:
    n = Narrative(
        project_id=period.project_id,
        reporting_period_id=period.id,
        photo_id=approved.photo_id if approved else None,
    )
    review.start_revision(n, approved, principal)
    session.add(n)
    _assign(session, principal, n, text)
    session.flush()
    _replace_sections(session, n.id, text.sections)
    session.flush()
    _audited_new(session, principal=principal, row=n, approved=approved)
    return n


def _get(session: Session, narrative_id: int) -> Narrative:
    n = session.get(Narrative, narrative_id, with_for_update=True)
    if n is None:
        raise NotFound("No narrative #{narrative_id}.", narrative_id=narrative_id)
    return n


def submit(
    session: Session,
    *,
    principal: Principal,
    narrative_id: int,
    expected_version: int | None = None,
) -> Narrative:
    """Send a draft or returned narrative for approval."""
    n = _get(session, narrative_id)
    require(session, principal, "log_measurement", project_id=n.project_id)
    _open_period(session, n.reporting_period_id)
    _check_version(n, expected_version)
    if n.status not in review.EDITABLE:
        raise ValidationFailed(
            "Only a draft or returned narrative can be submitted (this one is {status}).",
            status=label(n.status).lower(),
        )
    with _audited(session, principal=principal, row=n, action="submit"):
        review.mark_submitted(n, principal)
    return n


def _review(
    session: Session, principal: Principal, narrative_id: int, expected_version: int | None
) -> Narrative:
    n = _get(session, narrative_id)
    require(session, principal, "approve_measurement", project_id=n.project_id)
    _check_version(n, expected_version)
    if n.status is not MeasurementStatus.SUBMITTED:
        raise ValidationFailed(
            "Only a submitted narrative can be reviewed (this one is {status}).",
            status=label(n.status).lower(),
        )
    review.refuse_own(n, principal)
    return n


def approve(
    session: Session,
    *,
    principal: Principal,
    narrative_id: int,
    expected_version: int | None = None,
) -> Narrative:
    """Approve a submitted narrative (never one's own); it supersedes the revision before it
    and is immutable from then on."""
    n = _review(session, principal, narrative_id, expected_version)
    with _audited(session, principal=principal, row=n, action="approve"):
        review.mark_approved(session, n, principal)
    return n


def return_for_revision(
    session: Session,
    *,
    principal: Principal,
    narrative_id: int,
    comment: str,
    expected_version: int | None = None,
) -> Narrative:
    """Send a submitted narrative back to its author with a required comment."""
    if not comment.strip():
        raise ValidationFailed("Say why the narrative is returned: a comment is required.")
    n = _review(session, principal, narrative_id, expected_version)
    with _audited(session, principal=principal, row=n, action="return", reason=comment.strip()):
        review.mark_returned(n, principal)
        n.review_comment = comment.strip()
    return n


def promote_to_lesson(
    session: Session, *, principal: Principal, narrative_id: int, title: str, text: str = ""
) -> Lesson:
    """Record an approved narrative as a lesson learned (evaluators and admins, as for any
    lesson): tagged with the project, its countries and priority areas and the tag
    "narrative"; its text defaults to the narrative's achievements and challenges."""
    n = session.get(Narrative, narrative_id)
    if n is None:
        raise NotFound("No narrative #{narrative_id}.", narrative_id=narrative_id)
    if n.status is not MeasurementStatus.APPROVED:
        raise ValidationFailed("Only an approved narrative can become a lesson.")
    project = session.get(Project, n.project_id)
    period = _period(session, n.reporting_period_id)
    assert project is not None
    body = text.strip() or "\n\n".join(
        part for part in (n.achievements, n.challenges, n.summary) if part.strip()
    )
    lesson = record_lesson(
        session,
        principal=principal,
        new=NewLesson(
            title=title,
            text=body,
            what_worked=n.achievements,
            what_did_not=n.challenges,
            evidence=f"Narrative of {project.code} for {period.label} (revision {n.revision})",
            project_id=project.id,
            country_codes=session.scalars(
                select(ProjectCountry.country_code).where(ProjectCountry.project_id == project.id)
            ).all(),
            priority_area_ids=session.scalars(
                select(ProjectPriorityArea.priority_area_id).where(
                    ProjectPriorityArea.project_id == project.id
                )
            ).all(),
            tags=["narrative"],
        ),
    )
    audit.record(
        session,
        principal=principal,
        action="promote",
        entity_type="narrative",
        entity_id=n.id,
        after={"lesson_id": lesson.id},
    )
    return lesson
