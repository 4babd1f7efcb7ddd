"""Choices for filters: the countries, regions, priority areas, providers, donors and years of
the projects the principal can see (one statement each)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Select, func, select
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
        "country": named_choices(
            session,
            Country.code,
            Country.name,
            (ProjectCountry, ProjectCountry.country_code == Country.code),
            where=ProjectCountry.project_id.in_(visible),
        ),
        "region": named_choices(
            session,
            Region.code,
            Region.name,
            (Country, Country.region_code == Region.code),
            (ProjectCountry, ProjectCountry.country_code == Country.code),
            where=ProjectCountry.project_id.in_(visible),
        ),
        "priority_area": named_choices(
            session,
            PriorityArea.code,
            PriorityArea.name,
            (ProjectPriorityArea, ProjectPriorityArea.priority_area_id == PriorityArea.id),
            where=ProjectPriorityArea.project_id.in_(visible),
        ),
        "provider": named_choices(
            session,
            Organisation.id.label("code"),
            Organisation.name,
            (Project, Project.provider_id == Organisation.id),
            where=Project.id.in_(visible),
        ),
        "donor": named_choices(
            session,
            Organisation.id.label("code"),
            Organisation.name,
            (Funding, Funding.donor_id == Organisation.id),
            where=Funding.project_id.in_(visible),
        ),
        "year": _years(session, visible),
    }


def named_choices(
    session: Session,
    code: Any,
    name: Any,
    *joins: tuple[Any, ColumnElement[bool]],
    where: ColumnElement[bool],
) -> pd.DataFrame:
    """The distinct code/name pairs of a table reached through `joins` (each a table and its
    on-clause) where `where` holds, by name: a filter's choices."""
    stmt = select(code, name).distinct()
    for table, on in joins:
        stmt = stmt.join(table, on)
    return frame(session, stmt.where(where).order_by(name))


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
