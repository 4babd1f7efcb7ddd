"""IATI 2.03 activity XML import: creates or updates projects keyed by `iati-identifier`.

The file is parsed safely (`iati_xml`), then each activity on its own: checked against the
2.03 schema, read into plain data (skipping what is not sound, with reasons), and written in
its own savepoint, so one bad activity neither aborts the others nor leaves half of itself
behind. Importing the same file twice changes nothing. Imported values enter as approved,
attributed to the importing user, and every write is audited. Admins and managers only; a
manager updates only projects in their scope.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from rbm import figures
from rbm.errors import RbmError
from rbm.exchange._import_model import COUNTED, ActivityReport, ActivitySkipped, Reason
from rbm.exchange._import_read import read_activity
from rbm.exchange._import_refs import References
from rbm.exchange._import_write import write_activity
from rbm.exchange.iati_codes import IATI_VERSION
from rbm.exchange.iati_xml import FileRefused, activity_schema, parse_safely
from rbm.i18n import N_, _
from rbm.models.enums import Role
from rbm.principal import Principal
from rbm.services.permissions import require_role
from rbm.settings import get_settings

__all__ = ["ActivityReport", "FileRefused", "ImportReport", "import_iati", "max_upload_bytes"]

Progress = Callable[[int, int], None]


@dataclass
class ImportReport:
    """Per-activity reports, in file order."""

    activities: list[ActivityReport] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # about the file as a whole (Reasons)

    def count(self, outcome: str) -> int:
        return sum(1 for a in self.activities if a.outcome == outcome)

    @property
    def imported(self) -> int:
        """Activities now in the database (created, updated or already there unchanged)."""
        return len(self.activities) - self.count("skipped") - self.count("duplicate")

    def summary(self) -> str:
        """What became of the file's activities, in the reader's language."""
        text = _(
            "{n} activities: {created} created, {updated} updated, {unchanged} unchanged, "
            "{skipped} skipped.",
            n=len(self.activities),
            **{o: self.count(o) for o in ("created", "updated", "unchanged", "skipped")},
        )
        if self.count("duplicate"):
            text += " " + _(
                "{duplicate} left out as repeated identifiers.", duplicate=self.count("duplicate")
            )
        return text

    def file_notes(self) -> list[str]:
        """The notes about the file as a whole, in the reader's language."""
        return [Reason.shown(note) for note in self.notes]

    def rows(self) -> list[dict[str, Any]]:
        """One row per activity: outcome, counts, and the skipped parts and notes with why."""
        return [
            {
                "identifier": a.identifier,
                "title": a.title,
                "outcome": _(OUTCOMES.get(a.outcome, a.outcome)),
                **{k: a.counts[k] for k in COUNTED},
                "skipped": "; ".join(a.lines(a.skipped)),
                "notes": "; ".join(a.lines(a.notes)),
                "warnings": "; ".join(a.warnings),
            }
            for a in self.activities
        ]


#: What became of an activity, as people read it.
OUTCOMES = {
    "created": N_("created"),
    "updated": N_("updated"),
    "unchanged": N_("unchanged"),
    "skipped": N_("skipped"),
    "duplicate": N_("duplicate"),
}


def max_upload_bytes() -> int:
    return get_settings().max_upload_bytes


KNOWN_VERSIONS = ("2.01", "2.02", IATI_VERSION)
#: Schema messages reported per activity (the rest are counted).
WARNINGS_SHOWN = 20


def _activities(root: etree._Element, report: ImportReport) -> list[etree._Element]:
    if etree.QName(root).localname != "iati-activities" or etree.QName(root).namespace:
        raise FileRefused("This is not an IATI activity file (its root is <{tag}>).", tag=root.tag)
    version = (root.get("version") or "").strip()
    if version not in KNOWN_VERSIONS:
        known, wanted = ", ".join(KNOWN_VERSIONS), IATI_VERSION
        if version:
            raise FileRefused(
                "The file declares IATI version {version!r} (the version attribute of "
                "iati-activities); this importer reads versions {known}. Export it as IATI "
                "{wanted}.",
                version=version,
                known=known,
                wanted=wanted,
            )
        raise FileRefused(
            "The file declares no IATI version (the version attribute of iati-activities); "
            "this importer reads versions {known}. Export it as IATI {wanted}.",
            known=known,
            wanted=wanted,
        )
    if version != IATI_VERSION:
        report.notes.append(
            Reason(
                "The file declares IATI {version}; it is read as {current}, whose elements read "
                "here are the same (schema messages are given as warnings).",
                version=version,
                current=IATI_VERSION,
            )
        )
    activities = list(root.iterchildren("iati-activity"))
    if not activities:
        raise FileRefused("The file holds no iati-activity.")
    return activities


def _schema_warnings(
    root: etree._Element, activities: list[etree._Element], report: ImportReport
) -> list[list[str]]:
    """The 2.03 schema's messages, validated once for the whole file, per activity (by line).
    They are warnings: what the importer reads is checked by the reader itself."""
    out: list[list[str]] = [[] for _ in activities]
    schema = activity_schema()
    if schema.validate(root):
        return out
    starts = [a.sourceline or 0 for a in activities]
    for error in schema.error_log:
        line = error.line
        i = bisect_right(starts, line) - 1
        message = f"line {line}: {error.message}"
        if i < 0:
            report.notes.append(Reason("schema warning, {message}", message=message))
        else:
            out[i].append(message)
    return out


def _duplicates(activities: list[etree._Element]) -> dict[int, str]:
    """Activities whose identifier comes again later in the file: index -> why it is left out."""
    last: dict[str, int] = {}
    for i, a in enumerate(activities):
        identifier = (a.findtext("iati-identifier") or "").strip()
        if identifier:
            last[identifier] = i
    out = {}
    for i, a in enumerate(activities):
        identifier = (a.findtext("iati-identifier") or "").strip()
        if identifier and last[identifier] != i:
            later = activities[last[identifier]].sourceline
            out[i] = (
                f"the identifier {identifier} is repeated later in the file (line {later}); "
                "only the last activity with it is imported"
            )
    return out


def import_iati(
    session: Session,
    *,
    principal: Principal,
    data: bytes,
    max_bytes: int | None = None,
    on_progress: Progress | None = None,
) -> ImportReport:
    """Import an IATI activity file in the caller's transaction (one savepoint per activity;
    the stored figures of every indicator written are refreshed once, at the end).
    Raises FileRefused for a file that is not read at all, PermissionDenied for other roles
    than admin and manager."""
    require_role(principal, Role.ADMIN, Role.MANAGER, doing="import IATI files")
    report = ImportReport()
    root = parse_safely(data, max_bytes=max_bytes or max_upload_bytes())
    activities = _activities(root, report)
    warnings = _schema_warnings(root, activities, report)
    duplicates = _duplicates(activities)
    refs = References(session, principal)
    with figures.deferred(session):
        for i, element in enumerate(activities):
            if i in duplicates:
                one = ActivityReport(identifier=(element.findtext("iati-identifier") or "").strip())
                one.outcome = "duplicate"
                one.skip(duplicates[i])
            else:
                one = _import_one(session, principal, refs, element, warnings[i])
            report.activities.append(one)
            if on_progress is not None:
                on_progress(i + 1, len(activities))
    return report


def _import_one(
    session: Session,
    principal: Principal,
    refs: References,
    element: etree._Element,
    warnings: list[str],
) -> ActivityReport:
    identifier = (element.findtext("iati-identifier") or "").strip() or "(no identifier)"
    report = ActivityReport(identifier=identifier)
    report.warnings = warnings[:WARNINGS_SHOWN]
    if len(warnings) > WARNINGS_SHOWN:
        report.warnings.append(f"... and {len(warnings) - WARNINGS_SHOWN} more schema messages")
    snapshot = refs.snapshot()
    try:
        try:
            activity = read_activity(element, report)
        except (AttributeError, TypeError, ValueError, KeyError) as exc:
            # The schema no longer stands guard: a shape the reader did not foresee refuses
            # this activity only, with the element's line.
            raise ActivitySkipped(
                "the activity could not be read near line {line} ({error}); please report this "
                "file",
                line=element.sourceline,
                error=f"{type(exc).__name__}: {_first_line(exc)}",
            ) from exc
        with session.begin_nested():
            report.outcome = write_activity(session, principal, refs, activity, report)
            refs.write_audit()
    except ActivitySkipped as exc:
        report.skip(exc.reason)
    except (RbmError, SQLAlchemyError) as exc:
        refs.restore(snapshot)
        report.skip("not stored: {error}", error=_first_line(exc))
    if report.outcome == "skipped":
        report.counts = dict.fromkeys(COUNTED, 0)
    return report


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0][:300]
