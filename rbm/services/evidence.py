"""Evidence attached to measurements: files stored in the database, or links. File type and
size are checked here, on the server, whatever the browser allowed."""

from __future__ import annotations

import hashlib
from pathlib import PurePath, PureWindowsPath

from sqlalchemy.orm import Session

from rbm.errors import NotFound, PermissionDenied, ValidationFailed
from rbm.models import Attachment, Indicator, Measurement, ResultNode
from rbm.models.enums import MeasurementStatus, label
from rbm.principal import Principal
from rbm.services import audit
from rbm.services.permissions import can
from rbm.settings import BYTES_PER_MB, get_settings

#: Statuses a value may gain evidence in (the editable ones).
OPEN_FOR_EVIDENCE = (MeasurementStatus.DRAFT, MeasurementStatus.RETURNED)

#: Accepted evidence files: extension -> (content type, magic prefixes; empty = text).
ALLOWED: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    ".xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (b"PK\x03\x04",),
    ),
    ".pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        (b"PK\x03\x04",),
    ),
    ".odt": ("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", (b"PK\x03\x04",)),
    ".csv": ("text/csv", ()),
    ".txt": ("text/plain", ()),
}


def check_size(filename: str, content: bytes, *, max_bytes: int) -> None:
    """Refuse a file over `max_bytes` (a ValidationFailed in MB of 2**20 bytes, the unit of
    RBM_MAX_UPLOAD_MB and of Streamlit's own upload limit)."""
    if len(content) > max_bytes:
        raise ValidationFailed(
            "{filename}: {count:.1f} MB is over the {max_bytes:g} MB upload limit "
            "(RBM_MAX_UPLOAD_MB).",
            filename=filename,
            count=len(content) / BYTES_PER_MB,
            max_bytes=max_bytes / BYTES_PER_MB,
        )


#: The attachment's key column for each kind of row it can belong to.
_OWNER_KEYS = {"measurement": "measurement_id", "evaluation": "evaluation_id"}


def check_file(filename: str, content: bytes, *, max_bytes: int) -> str:
    """The content type of an acceptable evidence file; raises ValidationFailed otherwise."""
    ext = PurePath(filename).suffix.lower()
    if ext not in ALLOWED:
        raise ValidationFailed(
            "{filename}: files of type {ext} are not accepted as evidence; use one of {allowed}.",
            filename=filename,
            ext=ext or "(none)",
            allowed=", ".join(sorted(ALLOWED)),
        )
    check_size(filename, content, max_bytes=max_bytes)
    content_type, magics = ALLOWED[ext]
    if magics and not content.startswith(magics):
        raise ValidationFailed(
            "{filename}: the content is not a {ext} file.", filename=filename, ext=ext
        )
    if not magics and not _is_text(content):
        raise ValidationFailed("{filename}: the content is not plain text.", filename=filename)
    return content_type


def _is_text(content: bytes) -> bool:
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in content


def fill(attachment: Attachment, *, filename: str, content: bytes | None, url: str | None) -> None:
    """Put a checked file (type and size, on the server) or an http(s) link on an attachment.
    Shared by measurement evidence and evaluation reports."""
    if content is not None:
        max_bytes = get_settings().max_upload_bytes
        attachment.content_type = check_file(filename, content, max_bytes=max_bytes)
        attachment.content, attachment.size = content, len(content)
        attachment.sha256 = hashlib.sha256(content).hexdigest()
        return
    if url is None or not url.lower().startswith(("https://", "http://")):
        raise ValidationFailed("A link must start with https:// or http://.")
    attachment.url = url


def attach(
    session: Session,
    *,
    principal: Principal,
    measurement_id: int,
    filename: str,
    content: bytes | None = None,
    url: str | None = None,
) -> Attachment:
    """Attach a file (checked) or a link (http/https only) to a draft or returned measurement.
    Submitted and approved values keep the evidence they were reviewed with; a correction is a
    new revision."""
    m = session.get(Measurement, measurement_id)
    if m is None:
        raise NotFound("No measurement #{measurement_id}.", measurement_id=measurement_id)
    project_id = (
        session.query(ResultNode.project_id)
        .join(Indicator, Indicator.result_node_id == ResultNode.id)
        .filter(Indicator.id == m.indicator_id)
        .scalar()
    )
    if not can(session, principal, "log_measurement", project_id=project_id):
        raise PermissionDenied("Only the project team may attach evidence.")
    if m.status not in OPEN_FOR_EVIDENCE:
        raise ValidationFailed(
            "Evidence is attached to a draft or returned value; this one is "
            "{status}. To correct it, start a new revision.",
            status=label(m.status).lower(),
        )
    return store(
        session,
        principal=principal,
        entity_type="measurement",
        entity_id=m.id,
        filename=filename,
        content=content,
        url=url,
    )


def store(
    session: Session,
    *,
    principal: Principal,
    entity_type: str,
    entity_id: int,
    filename: str,
    content: bytes | None,
    url: str | None,
) -> Attachment:
    """Attach a checked file (`filename` as sent) or an http(s) link (one of them, never both)
    to a measurement or an evaluation, and audit it on what it is attached to. Shared by
    measurement evidence and evaluation reports."""
    attachment = Attachment(
        # Some browsers send a full Windows path; PureWindowsPath splits on both separators.
        filename=PureWindowsPath(filename).name[:255],
        uploaded_by_id=principal.user_id,
        **{_OWNER_KEYS[entity_type]: entity_id},
    )
    if (content is None) == (url is None):
        raise ValidationFailed("Attach either a file or a link.")
    fill(attachment, filename=filename, content=content, url=url)
    session.add(attachment)
    session.flush()
    audit.record(
        session,
        principal=principal,
        action="attach",
        entity_type=entity_type,
        entity_id=entity_id,
        after={
            "attachment_id": attachment.id,
            "filename": attachment.filename,
            "url": url,
            "sha256": attachment.sha256,
        },
    )
    return attachment
