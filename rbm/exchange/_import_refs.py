"""Reference data the import finds or creates: organisations (keyed by IATI reference when the
file gives one, else by name), disaggregation dimensions and their values, library indicators
and priority areas. Every row created is audited as an import by the importing principal.

The lookups are cached for the whole file; `snapshot`/`restore` undo the cache together with a
rolled-back activity, so no later activity refers to a row that was never written.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from rbm.exchange._import_ids import Ids
from rbm.exchange._import_model import IndicatorData, OrgRef
from rbm.models import (
    AuditEvent,
    Country,
    Dimension,
    DimensionValue,
    LibraryIndicator,
    Organisation,
    PriorityArea,
    Project,
)
from rbm.principal import Principal

REASON = "IATI import"


class References:
    def __init__(self, session: Session, principal: Principal) -> None:
        self.session, self.principal = session, principal
        self.ids = Ids(session)  # for the logframe rows the import creates
        self.events: list[dict[str, Any]] = []
        self.projects: dict[str, int] = {}  # by IATI identifier
        self.unlinked: dict[str, int] = {}  # by code, projects without an identifier
        self.codes: set[str] = set()
        for pid, code, identifier in session.execute(
            select(Project.id, Project.code, Project.iati_identifier)
        ):
            self.codes.add(code)
            if identifier:
                self.projects[identifier] = pid
            else:
                self.unlinked[code] = pid
        self.countries = set(session.scalars(select(Country.code)))
        self.org_ref: dict[str, int] = {}
        self.has_ref: set[int] = set()
        self.org_name: dict[str, int] = {}
        for oid, name, ref in session.execute(
            select(Organisation.id, Organisation.name, Organisation.iati_ref)
        ):
            self.org_name[name.casefold()] = oid
            if ref:
                self.org_ref[ref] = oid
                self.has_ref.add(oid)
        self.dims: dict[str, int] = {}
        for did, code, name in session.execute(
            select(Dimension.id, Dimension.code, Dimension.name)
        ):
            self.dims.setdefault(name.casefold(), did)
            self.dims[code.casefold()] = did
        self.values: dict[tuple[int, str], int] = {}
        for vid, did, code, label in session.execute(
            select(
                DimensionValue.id,
                DimensionValue.dimension_id,
                DimensionValue.code,
                DimensionValue.label,
            )
        ):
            self.values.setdefault((did, label.casefold()), vid)
            self.values[(did, code.casefold())] = vid
        self.library = {
            c: i for c, i in session.execute(select(LibraryIndicator.code, LibraryIndicator.id))
        }
        self.areas = {c: i for c, i in session.execute(select(PriorityArea.code, PriorityArea.id))}

    def add_project(self, project_id: int, code: str, identifier: str) -> None:
        self.codes.add(code)
        self.projects[identifier] = project_id

    _CACHES = (
        "projects",
        "unlinked",
        "codes",
        "org_ref",
        "has_ref",
        "org_name",
        "dims",
        "values",
        "library",
        "areas",
    )

    def snapshot(self) -> dict[str, Any]:
        return {name: copy.copy(getattr(self, name)) for name in self._CACHES}

    def restore(self, snapshot: dict[str, Any]) -> None:
        for name, value in snapshot.items():
            setattr(self, name, value)
        self.events = []

    def audit(
        self,
        action: str,
        entity_type: str,
        entity_id: int | None,
        *,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        """An audit event of this activity's writes, inserted with the others in one
        statement when the activity is written (`write_audit`), or dropped with it."""
        self.events.append(
            {
                "at": datetime.now(UTC),
                "user_id": self.principal.user_id,
                "action": action,
                "entity_type": entity_type,
                "entity_id": entity_id,
                "before": before,
                "after": after,
                "reason": REASON,
            }
        )

    def write_audit(self) -> None:
        """The activity's audit events in one statement (Core: no ORM bookkeeping)."""
        if self.events:
            self.session.connection().execute(
                insert(cast(Table, AuditEvent.__table__)), self.events
            )
        self.events = []

    def _record(self, entity_type: str, entity_id: int, after: dict[str, Any]) -> None:
        self.audit("import", entity_type, entity_id, after=after)

    def organisation(self, org: OrgRef) -> int:
        """The id of the organisation: by reference when the file gives one, else by name;
        created when unknown. A reference not known yet is given to the organisation of that
        name if it has none; when that name belongs to an organisation with another reference,
        the new one is named "name [ref]" (names are unique). So every import of the same files
        resolves each organisation alike, whatever the order the files come in."""
        name = org.name.casefold()
        if not org.ref:
            found = self.org_name.get(name)
            return found if found is not None else self._new_org(org, org.name)
        if org.ref in self.org_ref:
            return self.org_ref[org.ref]
        found = self.org_name.get(name)
        if found is None:
            return self._new_org(org, org.name)
        if found not in self.has_ref:
            self.session.execute(
                update(Organisation).where(Organisation.id == found).values(iati_ref=org.ref)
            )
            self.audit("import_update", "organisation", found, after={"iati_ref": org.ref})
            self.has_ref.add(found)
            self.org_ref[org.ref] = found
            return found
        variant = f"{org.name[:180]} [{org.ref}]"[:200]
        return self.org_name.get(variant.casefold()) or self._new_org(org, variant)

    def _new_org(self, org: OrgRef, name: str) -> int:
        row = Organisation(name=name, type=org.type, iati_ref=org.ref)
        self.session.add(row)
        self.session.flush()
        self._record(
            "organisation", row.id, {"name": name, "type": org.type.value, "iati_ref": org.ref}
        )
        self.org_name[name.casefold()] = row.id
        if org.ref:
            self.org_ref[org.ref] = row.id
            self.has_ref.add(row.id)
        return row.id

    def dimension(self, name: str) -> int:
        found = self.dims.get(name.casefold()) or self.dims.get(name[:40].casefold())
        if found is not None:
            return found
        row = Dimension(code=name[:40], name=name[:120], exhaustive=False)
        self.session.add(row)
        self.session.flush()
        self._record("dimension", row.id, {"code": row.code, "name": row.name})
        self.dims[name.casefold()] = self.dims[row.code.casefold()] = row.id
        return row.id

    def dimension_value(self, dimension_id: int, value: str) -> int:
        key = (dimension_id, value.casefold())
        found = self.values.get(key) or self.values.get((dimension_id, value[:40].casefold()))
        if found is not None:
            return found
        position = sum(1 for d, _ in self.values if d == dimension_id)
        row = DimensionValue(
            dimension_id=dimension_id, code=value[:40], label=value[:120], position=position
        )
        self.session.add(row)
        self.session.flush()
        self.values[key] = self.values[(dimension_id, row.code.casefold())] = row.id
        return row.id

    def library_indicator(self, ind: IndicatorData) -> int | None:
        """The linked library indicator; ours (from our own exports) is created when missing,
        a foreign reference links only to an existing code."""
        code = ind.library_code
        if code is None:
            return None
        if code in self.library or not ind.library_is_ours:
            return self.library.get(code)
        row = LibraryIndicator(
            code=code,
            title=ind.title,
            unit=ind.unit or "-",
            measure=ind.measure,
            definition=ind.definition,
        )
        self.session.add(row)
        self.session.flush()
        self._record("library_indicator", row.id, {"code": code, "measure": ind.measure.value})
        self.library[code] = row.id
        return row.id

    def priority_area(self, code: str, name: str) -> int:
        if code in self.areas:
            return self.areas[code]
        row = PriorityArea(code=code, name=name or code)
        self.session.add(row)
        self.session.flush()
        self._record("priority_area", row.id, {"code": code, "name": row.name})
        self.areas[code] = row.id
        return row.id
