"""Reference data: ISO 3166 countries (pycountry, completed by the IATI Country codelist in
`rbm/data/iati-country-codelist.xml` for the codes IATI uses and pycountry lacks, such as
Kosovo XK) grouped into UN M49 sub-regions (countryinfo), kept in step by `rbm migrate`;
organisations, priority areas, disaggregation dimensions and library indicators, managed by
administrators."""

from __future__ import annotations

import re
from pathlib import Path

import pycountry
from countryinfo import CountryInfo
from lxml import etree
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


IATI_COUNTRIES = Path(__file__).resolve().parents[1] / "data" / "iati-country-codelist.xml"
#: Sub-regions of the IATI codes countryinfo does not know.
_IATI_SUBREGIONS = {"XK": "Southern Europe"}
#: ISO 3166 keeps numerics 900-999 for user-assigned codes: the IATI-only codes take them.
_USER_NUMERIC = 900


def iati_only_countries() -> list[tuple[str, str]]:
    """(code, name) of the active codes of the IATI Country codelist that pycountry lacks."""
    known = {c.alpha_2 for c in pycountry.countries}
    out = []
    for item in etree.parse(str(IATI_COUNTRIES)).getroot().iter("codelist-item"):
        code = (item.findtext("code") or "").strip()
        if code and code not in known and item.get("status") != "withdrawn":
            name = (item.findtext("name/narrative") or code).strip()
            out.append((code, name))
    return sorted(out)


def sync_countries(session: Session) -> int:
    """Insert missing countries and regions; returns the number of countries added."""
    known = set(session.scalars(select(Country.code)))
    regions = set(session.scalars(select(Region.code)))
    added = 0

    def region_of(sub: str) -> str | None:
        code = region_code(sub) if sub else None
        if code and code not in regions:
            session.add(Region(code=code, name=sub))
            session.flush()
            regions.add(code)
        return code

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
    session.flush()
    # IATI codes outside ISO's official list: alpha-3 is the code and "X" (Kosovo: XKX, as
    # the EU and the IMF write it); a user-assigned numeric.
    numerics = set(session.scalars(select(Country.numeric)))
    alpha3s = set(session.scalars(select(Country.alpha3)))
    numeric = _USER_NUMERIC
    for code, name in iati_only_countries():
        if code in known:
            continue
        while numeric in numerics:
            numeric += 1
        alpha3 = f"{code}X"
        if alpha3 in alpha3s:
            continue
        sub = _IATI_SUBREGIONS.get(code) or _subregion(code)
        region = region_of(sub)
        session.add(
            Country(code=code, alpha3=alpha3, numeric=numeric, name=name, region_code=region)
        )
        numerics.add(numeric)
        alpha3s.add(alpha3)
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
    audit.add_new(
        session,
        principal=principal,
        row=org,
        entity_type="organisation",
        after={"name": name, "type": type.value, "iati_ref": iati_ref},
    )
    return org


def create_priority_area(
    session: Session, *, principal: Principal, code: str, name: str, description: str = ""
) -> PriorityArea:
    _require_admin(principal, "add priority areas")
    area = PriorityArea(code=code, name=name, description=description)
    audit.add_new(
        session,
        principal=principal,
        row=area,
        entity_type="priority_area",
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
    audit.add_new(
        session,
        principal=principal,
        row=dim,
        entity_type="dimension",
        after={"code": code, "values": [v for v, _ in values]},
    )
    for pos, (value_code, label) in enumerate(values):
        session.add(DimensionValue(dimension_id=dim.id, code=value_code, label=label, position=pos))
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
    audit.add_new(
        session,
        principal=principal,
        row=lib,
        entity_type="library_indicator",
        after={"code": code, "unit": unit, "measure": measure.value},
    )
    return lib
