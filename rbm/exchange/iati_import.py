"""IATI 2.03 activity XML import: creates or updates projects keyed by `iati-identifier`.

The file is parsed safely (`iati_xml`), then each activity on its own: checked against the
2.03 schema, read into plain data (skipping what is not sound, with reasons), and written in
its own savepoint, so one bad activity neither aborts the others nor leaves half of itself
behind. Importing the same file twice changes nothing. Imported values enter as approved,
attributed to the importing user, and every write is audited. Admins and managers only; a
manager updates only projects in their scope.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from rbm.errors import RbmError
from rbm.exchange._import_model import COUNTED, ActivityReport, ActivitySkipped
from rbm.exchange._import_read import read_activity
from rbm.exchange._import_refs import References
from rbm.exchange._import_write import write_activity
from rbm.exchange.iati_codes import IATI_VERSION
from rbm.exchange.iati_xml import FileRefused, activity_schema, parse_safely, schema_errors
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

    def count(self, outcome: str) -> int:
        return sum(1 for a in self.activities if a.outcome == outcome)

    @property
    def imported(self) -> int:
        """Activities now in the database (created, updated or already there unchanged)."""
        return len(self.activities) - self.count("skipped")

    def summary(self) -> str:
        parts = ", ".join(
            f"{self.count(o)} {o}" for o in ("created", "updated", "unchanged", "skipped")
        )
        return f"{len(self.activities)} activities: {parts}."

    def rows(self) -> list[dict[str, Any]]:
        """One row per activity: outcome, counts, and the skipped parts and notes with why."""
        return [
            {
                "identifier": a.identifier,
                "title": a.title,
                "outcome": a.outcome,
                **{k: a.counts[k] for k in COUNTED},
                "skipped": "; ".join(a.lines(a.skipped)),
                "notes": "; ".join(a.lines(a.notes)),
            }
            for a in self.activities
        ]


def max_upload_bytes() -> int:
    return get_settings().max_upload_bytes


def _activities(root: etree._Element) -> list[etree._Element]:
    if etree.QName(root).localname != "iati-activities" or etree.QName(root).namespace:
        raise FileRefused(f"This is not an IATI activity file (its root is <{root.tag}>).")
    version = (root.get("version") or "").strip()
    if version.startswith("1."):
        raise FileRefused(f"IATI version {version} is not supported; {IATI_VERSION} is.")
    activities = list(root.iterchildren("iati-activity"))
    if not activities:
        raise FileRefused("The file holds no iati-activity.")
    return activities


def _own_errors(element: etree._Element) -> list[str]:
    """Schema errors of one activity, checked on its own under a clean root."""
    wrapper = etree.Element("iati-activities", version=IATI_VERSION)
    wrapper.append(copy.deepcopy(element))
    return schema_errors(wrapper)


def import_iati(
    session: Session,
    *,
    principal: Principal,
    data: bytes,
    max_bytes: int | None = None,
    on_progress: Progress | None = None,
) -> ImportReport:
    """Import an IATI activity file in the caller's transaction (one savepoint per activity).
    Raises FileRefused for a file that is not read at all, PermissionDenied for other roles
    than admin and manager."""
    require_role(principal, Role.ADMIN, Role.MANAGER, doing="import IATI files")
    activities = _activities(parse_safely(data, max_bytes=max_bytes or max_upload_bytes()))
    valid = activity_schema().validate(activities[0].getparent())
    refs = References(session, principal)
    report = ImportReport()
    for i, element in enumerate(activities, start=1):
        report.activities.append(_import_one(session, principal, refs, element, check=not valid))
        if on_progress is not None:
            on_progress(i, len(activities))
    return report


def _import_one(
    session: Session,
    principal: Principal,
    refs: References,
    element: etree._Element,
    *,
    check: bool,
) -> ActivityReport:
    identifier = (element.findtext("iati-identifier") or "").strip() or "(no identifier)"
    report = ActivityReport(identifier=identifier)
    errors = _own_errors(element) if check else []
    if errors:
        report.skip("the activity fails the IATI 2.03 schema: " + "; ".join(errors))
        return report
    snapshot = refs.snapshot()
    try:
        activity = read_activity(element, report)
        with session.begin_nested():
            report.outcome = write_activity(session, principal, refs, activity, report)
    except ActivitySkipped as exc:
        report.skip(str(exc))
    except (RbmError, SQLAlchemyError) as exc:
        refs.restore(snapshot)
        report.skip(f"not stored: {_first_line(exc)}")
    if report.outcome == "skipped":
        report.counts = dict.fromkeys(COUNTED, 0)
    return report


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0][:300]
