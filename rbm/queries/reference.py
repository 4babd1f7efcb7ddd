"""Choices for filters: the countries, regions, priority areas, providers, donors and years of
the projects the principal can see (one statement each)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import pandas as pd
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from rbm.frames.sql import frame
from rbm.models import (
    Country,
    Funding,
    Organisation,
    PriorityArea,
    Project,
    ProjectCountry,
    ProjectPriorityArea,
    Region,
)
from rbm.principal import Principal, visible_condition


def filter_choices(session: Session, *, principal: Principal) -> dict[str, pd.DataFrame]:
    """code/name frames for each filter, limited to what the principal can see."""
    visible = select(Project.id).where(visible_condition(principal))
    return {
        "country": frame(
            session,
            select(Country.code, Country.name)
            .distinct()
            .join(ProjectCountry, ProjectCountry.country_code == Country.code)
            .where(ProjectCountry.project_id.in_(visible))
            .order_by(Country.name),
        ),
        "region": frame(
            session,
            select(Region.code, Region.name)
            .distinct()
            .join(Country, Country.region_code == Region.code)
            .join(ProjectCountry, ProjectCountry.country_code == Country.code)
            .where(ProjectCountry.project_id.in_(visible))
            .order_by(Region.name),
        ),
        "priority_area": frame(
            session,
            select(PriorityArea.code, PriorityArea.name)
            .distinct()
            .join(ProjectPriorityArea, ProjectPriorityArea.priority_area_id == PriorityArea.id)
            .where(ProjectPriorityArea.project_id.in_(visible))
            .order_by(PriorityArea.name),
        ),
        "provider": frame(
            session,
            select(Organisation.id.label("code"), Organisation.name)
            .distinct()
            .join(Project, Project.provider_id == Organisation.id)
            .where(Project.id.in_(visible))
            .order_by(Organisation.name),
        ),
        "donor": frame(
            session,
            select(Organisation.id.label("code"), Organisation.name)
            .distinct()
            .join(Funding, Funding.donor_id == Organisation.id)
            .where(Funding.project_id.in_(visible))
            .order_by(Organisation.name),
        ),
        "year": _years(session, visible),
    }


def _years(session: Session, visible: Select[Any]) -> pd.DataFrame:
    """Calendar years in which at least one visible project runs."""
    first, last = session.execute(
        select(func.min(Project.start_date), func.max(Project.end_date)).where(
            Project.id.in_(visible)
        )
    ).one()
    years = list(range(first.year, last.year + 1)) if first and last else []
    return pd.DataFrame({"code": years, "name": [str(y) for y in years]})


def optional_query(module: str, name: str) -> Callable[..., pd.DataFrame] | None:
    """A query from a feature that may not be installed (needs, evaluations, lessons): the
    function, or None so the page leaves that section out."""
    try:
        found = getattr(importlib.import_module(module), name, None)
    except ModuleNotFoundError:
        return None
    return found if callable(found) else None
