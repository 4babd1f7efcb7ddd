"""Reference data kept in step with libraries: ISO 3166 countries (pycountry) grouped into
UN M49 sub-regions (countryinfo). Idempotent; run by `rbm migrate`."""

from __future__ import annotations

import re

import pycountry
from countryinfo import CountryInfo
from sqlalchemy import select
from sqlalchemy.orm import Session

from rbm.models import Country, Region


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
                code=c.alpha_2, alpha3=c.alpha_3, numeric=int(c.numeric), name=name,
                region_code=code,
            )
        )
        added += 1
    return added
