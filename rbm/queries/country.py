"""The recipient-State lens: one country's projects across providers and donors, the outcome
and impact indicators measured there, its priority-area coverage and where providers overlap.

A figure from a project that works in several countries is project-wide: the frames say so
in the `scope` column rather than pretending to split it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from rbm.errors import NotFound
from rbm.frames.joins import indicator_project
from rbm.frames.sql import enum_values, frame
from rbm.models import Country, Indicator, Project, ProjectCountry, ResultNode
from rbm.models.enums import ResultLevel
from rbm.principal import Principal
from rbm.queries.coordination import area_coverage, matrix_of, pairs_of
from rbm.queries.portfolio import PortfolioFilters, filtered_ids, projects_and_figures

OUTCOME_LEVELS = (ResultLevel.IMPACT, ResultLevel.OUTCOME)
#: The engine's figures each outcome row carries, in the order the country page shows them.
OUTCOME_FIGURES = [
    "baseline",
    "target_value",
    "actual",
    "to_date_rule",
    "progress",
    "status",
    "judged_at",
    "flags",
]


@dataclass(frozen=True)
class CountryView:
    code: str
    name: str
    projects: pd.DataFrame
    outcomes: pd.DataFrame
    coverage: pd.DataFrame
    overlaps: pd.DataFrame


def country_view(
    session: Session, *, principal: Principal, country_code: str, as_of: date | None = None
) -> CountryView:
    """Everything the country page shows, in a fixed number of statements."""
    name = session.scalar(select(Country.name).where(Country.code == country_code))
    if name is None:
        raise NotFound("No country with the code {country_code!r}.", country_code=country_code)
    filters = PortfolioFilters(country=country_code)
    # One summary serves the projects' status counts and the outcomes.
    projects, figures = projects_and_figures(
        session, principal=principal, filters=filters, as_of=as_of
    )
    cov = area_coverage(session, principal=principal, filters=filters)
    here = cov[cov["country_code"] == country_code]
    shares = here.drop_duplicates("project_id").set_index("project_id")
    projects["share"] = projects["id"].map(shares["share"])
    # Empty, not 0, for a project that states no funding in dollars (see rbm.queries.money).
    projects["money_in_country"] = (
        projects["id"].map(shares["money_in_country"]).where(projects["funding"].notna())
    )
    return CountryView(
        code=country_code,
        name=name,
        projects=projects,
        outcomes=_outcomes(session, principal, filters, figures),
        coverage=matrix_of(here)[["area", "provider", "projects", "money"]],
        overlaps=pairs_of(here),
    )


def _outcomes(
    session: Session, principal: Principal, filters: PortfolioFilters, figures: pd.DataFrame
) -> pd.DataFrame:
    ids = filtered_ids(principal, filters)
    outcomes = select(
        Indicator.id.label("indicator_id"),
        Project.code.label("project"),
        ResultNode.level,
        Indicator.code,
        Indicator.title,
        Indicator.unit,
    )
    described = frame(
        session,
        indicator_project(outcomes)
        .where(Project.id.in_(ids), ResultNode.level.in_(OUTCOME_LEVELS))
        .order_by(Project.code, Indicator.position, Indicator.id),
    )
    enum_values(described, "level")
    countries = frame(
        session,
        select(ProjectCountry.project_id, Project.code.label("project"))
        .join(Project, Project.id == ProjectCountry.project_id)
        .where(ProjectCountry.project_id.in_(ids)),
    )
    n_countries = countries.groupby("project").size()
    described["scope"] = described["project"].map(
        lambda p: "this country" if n_countries.get(p, 0) == 1 else "project-wide"
    )
    cols = ["indicator_id", "measure", "accumulation", *OUTCOME_FIGURES]
    return described.merge(figures[cols], on="indicator_id", how="left")
