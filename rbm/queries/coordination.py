"""Coordination: who works where on what. One row per project x recipient country x priority
area (a single statement), and from it the country x area x provider matrix and the pairs of
projects that overlap (same country and area, overlapping dates, different providers).

Money in a country is the project's funding times the country's share; it is not split
across priority areas, so a project with two areas counts its money in each area's row."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from rbm.frames.columns import PROJECT
from rbm.frames.sql import enum_values, floats, frame, timestamps
from rbm.models import (
    Country,
    Organisation,
    PriorityArea,
    Project,
    ProjectCountry,
    ProjectPriorityArea,
)
from rbm.principal import Principal
from rbm.queries.money import funding_per_project
from rbm.queries.portfolio import PortfolioFilters, filtered_ids


def _coverage(ids: Select[Any]) -> Any:
    money = funding_per_project()
    return (
        select(
            *PROJECT,
            Project.start_date,
            Project.end_date,
            Organisation.name.label("provider"),
            Country.code.label("country_code"),
            Country.name.label("country"),
            Country.numeric.label("country_numeric"),
            Country.region_code,
            PriorityArea.code.label("area_code"),
            PriorityArea.name.label("area"),
            ProjectCountry.share,
            money.c.funding,
        )
        .join(Organisation, Organisation.id == Project.provider_id)
        .join(ProjectCountry, ProjectCountry.project_id == Project.id)
        .join(Country, Country.code == ProjectCountry.country_code)
        .outerjoin(ProjectPriorityArea, ProjectPriorityArea.project_id == Project.id)
        .outerjoin(PriorityArea, PriorityArea.id == ProjectPriorityArea.priority_area_id)
        .outerjoin(money, money.c.project_id == Project.id)
        .where(Project.id.in_(ids))
        .order_by(Country.name, PriorityArea.name, Project.code)
    )


def area_coverage(
    session: Session, *, principal: Principal, filters: PortfolioFilters | None = None
) -> pd.DataFrame:
    """One row per visible project x recipient country x priority area, with the money in
    that country (funding x share / 100): empty, not 0, for a project that states no funding
    in dollars (`rbm.queries.money`). One statement."""
    ids = filtered_ids(principal, filters or PortfolioFilters())
    df = frame(session, _coverage(ids))
    enum_values(df, "status")
    floats(df, "share", "funding")
    df["money_in_country"] = df["funding"] * df["share"] / 100
    df["area"] = df["area"].fillna("(no priority area)")
    return timestamps(df, "start_date", "end_date")


def matrix_of(cov: pd.DataFrame) -> pd.DataFrame:
    keys = ["country", "area", "provider"]
    if cov.empty:
        return pd.DataFrame(columns=[*keys, "projects", "money"])
    groups = cov.groupby(keys)
    # A cell whose projects state no dollars stays empty (min_count), rather than reading 0.
    out = pd.DataFrame(
        {
            "projects": groups["project_id"].nunique(),
            "money": groups["money_in_country"].sum(min_count=1),
        }
    )
    return out.reset_index().sort_values(keys, ignore_index=True)


def pairs_of(cov: pd.DataFrame) -> pd.DataFrame:
    cols = ["country", "area", "code", "provider", "start_date", "end_date"]
    named = cov[cov["area_code"].notna()][cols]
    both = named.merge(named, on=["country", "area"], suffixes=("_a", "_b"))
    keep = (
        (both["code_a"] < both["code_b"])
        & (both["provider_a"] != both["provider_b"])
        & (both["start_date_a"] <= both["end_date_b"])
        & (both["start_date_b"] <= both["end_date_a"])
    )
    pairs = both[keep].copy()
    pairs["overlap_from"] = pairs[["start_date_a", "start_date_b"]].max(axis=1)
    pairs["overlap_to"] = pairs[["end_date_a", "end_date_b"]].min(axis=1)
    out = pairs[
        [
            "country",
            "area",
            "code_a",
            "provider_a",
            "code_b",
            "provider_b",
            "overlap_from",
            "overlap_to",
        ]
    ]
    return out.sort_values(["country", "area", "code_a", "code_b"], ignore_index=True)
