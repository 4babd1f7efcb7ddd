"""Reference data: ISO 3166 countries (pycountry) grouped into UN M49 sub-regions
(countryinfo), kept in step by `rbm migrate`; organisations, priority areas, disaggregation
dimensions and library indicators, managed by administrators."""

from __future__ import annotations

import re

import pycountry
from countryinfo import CountryInfo
from sqlalchemy import select
from sqlalchemy.orm import Session

from rbm.models import (
    Country,
    Dimension,
    DimensionValue,
    LibraryIndicator,
    Organisation,
    PriorityArea,
    Region,
)
from rbm.models.enums import Measure, OrgType, Role
from rbm.principal import Principal
from rbm.services import audit
from rbm.services.permissions import require_role


def region_code(name: str) -> str:
    return re.sub(r"[^a-z]+", "-", name.lower()).strip("-")[:16]


def _subregion(alpha2: str) -> str:
    try:
        return str(CountryInfo(alpha2).subregion() or "")
    except (KeyError, ValueError):
        return ""


def sync_countries(session: Session) -> int:
    """Insert missing countries and regions; returns the number of countries added."""
    known = set(session.scalars(select(Country.code)))
    regions = set(session.scalars(select(Region.code)))
    added = 0
    for c in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        if c.alpha_2 in known:
            continue
        sub = _subregion(c.alpha_2)
        code = region_code(sub) if sub else None
        if code and code not in regions:
            session.add(Region(code=code, name=sub))
            session.flush()
            regions.add(code)
        name = getattr(c, "common_name", None) or c.name
        session.add(
            Country(
                code=c.alpha_2,
                alpha3=c.alpha_3,
                numeric=int(c.numeric),
                name=name,
                region_code=code,
            )
        )
        added += 1
    return added


def _require_admin(principal: Principal, doing: str) -> None:
    require_role(principal, Role.ADMIN, doing=doing)


def create_organisation(
    session: Session,
    *,
    principal: Principal,
    name: str,
    type: OrgType,
    acronym: str | None = None,
    iati_ref: str | None = None,
    country_code: str | None = None,
) -> Organisation:
    _require_admin(principal, "add organisations")
    org = Organisation(
        name=name, type=type, acronym=acronym, iati_ref=iati_ref, country_code=country_code
    )
    session.add(org)
    session.flush()
    audit.record(
        session,
        principal=principal,
        action="create",
        entity_type="organisation",
        entity_id=org.id,
        after={"name": name, "type": type.value, "iati_ref": iati_ref},
    )
    return org


def create_priority_area(
    session: Session, *, principal: Principal, code: str, name: str, description: str = ""
) -> PriorityArea:
    _require_admin(principal, "add priority areas")
    area = PriorityArea(code=code, name=name, description=description)
    session.add(area)
    session.flush()
    audit.record(
        session,
        principal=principal,
        action="create",
        entity_type="priority_area",
        entity_id=area.id,
        after={"code": code, "name": name},
    )
    return area


def create_dimension(
    session: Session,
    *,
    principal: Principal,
    code: str,
    name: str,
    exhaustive: bool,
    values: list[tuple[str, str]],
) -> Dimension:
    """A disaggregation dimension with its values as (code, label) pairs."""
    _require_admin(principal, "add disaggregation dimensions")
    dim = Dimension(code=code, name=name, exhaustive=exhaustive)
    session.add(dim)
    session.flush()
    for pos, (value_code, label) in enumerate(values):
        session.add(DimensionValue(dimension_id=dim.id, code=value_code, label=label, position=pos))
    audit.record(
        session,
        principal=principal,
        action="create",
        entity_type="dimension",
        entity_id=dim.id,
        after={"code": code, "values": [v for v, _ in values]},
    )
    return dim


def create_library_indicator(
    session: Session,
    *,
    principal: Principal,
    code: str,
    title: str,
    unit: str,
    measure: Measure,
    definition: str = "",
    priority_area_id: int | None = None,
) -> LibraryIndicator:
    _require_admin(principal, "add library indicators")
    lib = LibraryIndicator(
        code=code,
        title=title,
        unit=unit,
        measure=measure,
        definition=definition,
        priority_area_id=priority_area_id,
    )
    session.add(lib)
    session.flush()
    audit.record(
        session,
        principal=principal,
        action="create",
        entity_type="library_indicator",
        entity_id=lib.id,
        after={"code": code, "unit": unit, "measure": measure.value},
    )
    return lib
