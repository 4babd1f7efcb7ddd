"""The portfolio list: projects the principal may see, with provider, countries, donors,
money, dates, status, and their indicators' status counts from the engine."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from rbm.frames.sql import enum_values, floats, frame, joined_per_key
from rbm.models import (
    Country,
    Funding,
    Organisation,
    PriorityArea,
    Project,
    ProjectCountry,
    ProjectPriorityArea,
)
from rbm.principal import Principal, visible_condition
from rbm.queries import indicator_status
from rbm.queries.money import REPORTING_CURRENCY, funding_per_project, split_by_currency


@dataclass(frozen=True, kw_only=True)
class PortfolioFilters:
    country: str | None = None
    priority_area: str | None = None
    provider_id: int | None = None
    donor_id: int | None = None
    status: str | None = None
    text: str = ""
    region: str | None = None
    year: int | None = None

    @classmethod
    def from_state(cls, state: Any) -> PortfolioFilters:
        """The filters the portfolio home left in the session under the `flt_` keys (`state`:
        any mapping with `.get`, such as st.session_state)."""
        provider, donor, year = (state.get(f"flt_{k}") for k in ("provider", "donor", "year"))
        return cls(
            country=state.get("flt_country"),
            region=state.get("flt_region"),
            priority_area=state.get("flt_area"),
            provider_id=int(provider) if provider else None,
            donor_id=int(donor) if donor else None,
            year=int(year) if year else None,
        )


def filtered_ids(principal: Principal, filters: PortfolioFilters) -> Select[Any]:
    """Ids of the visible projects that pass the filters (a subquery, not executed)."""
    stmt = select(Project.id).where(visible_condition(principal))
    if filters.region:
        stmt = stmt.where(
            Project.id.in_(
                select(ProjectCountry.project_id)
                .join(Country, Country.code == ProjectCountry.country_code)
                .where(Country.region_code == filters.region)
            )
        )
    if filters.year:
        stmt = stmt.where(
            Project.start_date <= date(filters.year, 12, 31),
            Project.end_date >= date(filters.year, 1, 1),
        )
    if filters.country:
        stmt = stmt.where(
            Project.id.in_(
                select(ProjectCountry.project_id).where(
                    ProjectCountry.country_code == filters.country
                )
            )
        )
    if filters.priority_area:
        stmt = stmt.where(
            Project.id.in_(
                select(ProjectPriorityArea.project_id)
                .join(PriorityArea, PriorityArea.id == ProjectPriorityArea.priority_area_id)
                .where(PriorityArea.code == filters.priority_area)
            )
        )
    if filters.provider_id:
        stmt = stmt.where(Project.provider_id == filters.provider_id)
    if filters.donor_id:
        stmt = stmt.where(
            Project.id.in_(select(Funding.project_id).where(Funding.donor_id == filters.donor_id))
        )
    if filters.status:
        stmt = stmt.where(Project.status == filters.status)
    if filters.text:
        like = f"%{filters.text.lower()}%"
        stmt = stmt.where(
            func.lower(Project.title).like(like) | func.lower(Project.code).like(like)
        )
    return stmt


def projects_table(
    session: Session,
    *,
    principal: Principal,
    filters: PortfolioFilters,
    counts: pd.DataFrame,
    overdue: pd.DataFrame,
) -> pd.DataFrame:
    """One row per visible project (a bounded number of queries whatever the portfolio size)
    with its indicators' status counts and stored data-quality flags (`quality_flags`, from
    `indicator_status.status_counts`) and its overdue reports (`overdue_reports`, from
    `indicator_status.overdue_reports`)."""
    ids = filtered_ids(principal, filters).subquery()
    provider = aliased(Organisation)
    projects = frame(
        session,
        select(
            Project.id,
            Project.code,
            Project.title,
            provider.name.label("provider"),
            Project.start_date,
            Project.end_date,
            Project.status,
            Project.budget,
            Project.currency,
        )
        .join(provider, provider.id == Project.provider_id)
        .where(Project.id.in_(select(ids)))
        .order_by(Project.code),
    )
    countries = frame(
        session,
        select(ProjectCountry.project_id, Country.name)
        .join(Country, Country.code == ProjectCountry.country_code)
        .where(ProjectCountry.project_id.in_(select(ids)))
        .order_by(Country.name),
    )
    donors = frame(
        session,
        select(Funding.project_id, Organisation.name, Funding.amount, Funding.currency)
        .join(Organisation, Organisation.id == Funding.donor_id)
        .where(Funding.project_id.in_(select(ids))),
    )
    projects["countries"] = _named(
        projects["id"], joined_per_key(countries["project_id"], countries["name"])
    )
    floats(donors, "amount")
    projects["donors"] = _named(
        projects["id"], joined_per_key(donors["project_id"], donors["name"], distinct=True)
    )
    # Dollars apart from other currencies (see rbm.queries.money).
    projects["funding"], projects["other_funding"] = split_by_currency(donors, projects["id"])
    enum_values(projects, "status")
    floats(projects, "budget")
    counts = counts.reindex(
        columns=[*indicator_status.STATUS_COLUMNS, "quality_flags"], fill_value=0
    )
    table = projects.merge(counts, how="left", left_on="id", right_index=True).fillna(
        {c: 0 for c in counts.columns}
    )
    late = overdue.set_index("project_id")["overdue"]
    table["overdue_reports"] = table["id"].map(late).fillna(0).astype("int64")
    table["quality_flags"] = table["quality_flags"].astype("int64")
    return table


def _named(ids: pd.Series, names: dict[Any, str]) -> pd.Series:
    """Per id, its names; "" for an id without any. Text even when no id has a name (a map
    onto nothing gives floats, which cannot hold "")."""
    return ids.map(names).astype(object).fillna("")


def projects_and_figures(
    session: Session, *, principal: Principal, filters: PortfolioFilters, as_of: date | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`projects_table` for `filters` and the engine's figures (`indicator_status.summary`) it
    was counted from, so that one summary serves the table and what else a page shows."""
    ids = filtered_ids(principal, filters)
    figures = indicator_status.summary(
        indicator_status.engine_inputs(session, principal=principal, project_ids=ids, as_of=as_of)
    )
    projects = projects_table(
        session,
        principal=principal,
        filters=filters,
        counts=indicator_status.status_counts(figures),
        overdue=indicator_status.overdue_reports(
            session, principal=principal, project_ids=ids, as_of=as_of
        ),
    )
    return projects, figures


def early_warnings(
    session: Session, *, ids: Select[Any], misses: pd.DataFrame, overdue: pd.DataFrame
) -> pd.DataFrame:
    """Per project among `ids` with a warning: indicators whose forecast misses the target
    (`indicator_status.forecast_misses`) and indicator-periods overdue
    (`indicator_status.overdue_reports`)."""
    late = overdue.set_index("project_id")["overdue"]
    names = frame(
        session, select(Project.id, Project.code, Project.title).where(Project.id.in_(ids))
    )
    names["forecast_misses"] = names["id"].map(misses.groupby("project_id").size()).fillna(0)
    names["overdue_reports"] = names["id"].map(late).fillna(0)
    flagged = names[(names["forecast_misses"] > 0) | (names["overdue_reports"] > 0)]
    return flagged.astype({"forecast_misses": int, "overdue_reports": int}).sort_values(
        ["forecast_misses", "overdue_reports"], ascending=False, ignore_index=True
    )


@dataclass(frozen=True)
class Home:
    """The portfolio home's data: the projects table and the early warnings."""

    table: pd.DataFrame
    warnings: pd.DataFrame


def home(
    session: Session,
    *,
    principal: Principal,
    filters: PortfolioFilters | None = None,
    as_of: date | None = None,
) -> Home:
    """`projects_table` (filtered by `filters`, search text included) and `early_warnings` (the
    same filters without the text), reading the engine's inputs once for both."""
    filters = filters or PortfolioFilters()
    unsearched = filtered_ids(principal, replace(filters, text=""))
    inputs = indicator_status.engine_inputs(
        session, principal=principal, project_ids=unsearched, as_of=as_of
    )
    # One overdue count (the one rule) serves the project list and the early warnings.
    late = indicator_status.overdue_reports(
        session, principal=principal, project_ids=unsearched, as_of=inputs.as_of
    )
    counts = indicator_status.status_counts(indicator_status.summary(inputs))
    return Home(
        table=projects_table(
            session, principal=principal, filters=filters, counts=counts, overdue=late
        ),
        warnings=early_warnings(
            session,
            ids=unsearched,
            misses=indicator_status.forecast_misses(inputs),
            overdue=late,
        ),
    )


def other_currencies(
    session: Session, *, principal: Principal, filters: PortfolioFilters | None = None
) -> pd.DataFrame:
    """The funding of the visible, filtered projects in other currencies than the reporting
    one, which the money figures across projects leave out (`rbm.queries.money`): one row per
    currency with its `amount` and the number of `projects`, the largest amount first."""
    ids = filtered_ids(principal, filters or PortfolioFilters())
    rows = frame(
        session,
        select(
            Funding.currency,
            func.sum(Funding.amount).label("amount"),
            func.count(Funding.project_id.distinct()).label("projects"),
        )
        .where(
            Funding.project_id.in_(ids),
            Funding.currency != REPORTING_CURRENCY,
            Funding.amount.is_not(None),  # a funder named without an amount adds nothing
        )
        .group_by(Funding.currency)
        .order_by(func.sum(Funding.amount).desc(), Funding.currency),
    )
    return floats(rows, "amount")


def money_by_country(
    session: Session, *, principal: Principal, filters: PortfolioFilters | None = None
) -> pd.DataFrame:
    """Per recipient country of the visible, filtered projects: the money in it (each project's
    funding x the country's share / 100, each project counted once per country) and the number
    of projects. Columns: country_code, country, country_numeric, money, projects; sorted by
    country name."""
    ids = filtered_ids(principal, filters or PortfolioFilters())
    money = funding_per_project()
    rows = frame(
        session,
        select(
            ProjectCountry.project_id,
            Country.code.label("country_code"),
            Country.name.label("country"),
            Country.numeric.label("country_numeric"),
            ProjectCountry.share,
            money.c.funding,
        )
        .join(Country, Country.code == ProjectCountry.country_code)
        .outerjoin(money, money.c.project_id == ProjectCountry.project_id)
        .where(ProjectCountry.project_id.in_(ids)),
    )
    columns = ["country_code", "country", "country_numeric", "money", "projects"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    floats(rows, "share", "funding")
    rows["money"] = rows["funding"].fillna(0.0) * rows["share"] / 100
    return (
        rows.groupby(["country_code", "country", "country_numeric"], as_index=False)
        .agg(money=("money", "sum"), projects=("project_id", "nunique"))
        .sort_values("country", ignore_index=True)[columns]
    )


def funding_by_area(
    session: Session, *, principal: Principal, filters: PortfolioFilters | None = None
) -> pd.DataFrame:
    """Per priority area: the funding of the visible, filtered projects working on it (a
    project's whole funding counts in each of its areas, once). Projects without a priority
    area share the row whose `area` is None. Columns: area_code, area, money, projects; the
    most money first."""
    ids = filtered_ids(principal, filters or PortfolioFilters())
    money = funding_per_project()
    rows = frame(
        session,
        select(
            Project.id.label("project_id"),
            PriorityArea.code.label("area_code"),
            PriorityArea.name.label("area"),
            money.c.funding,
        )
        .outerjoin(ProjectPriorityArea, ProjectPriorityArea.project_id == Project.id)
        .outerjoin(PriorityArea, PriorityArea.id == ProjectPriorityArea.priority_area_id)
        .outerjoin(money, money.c.project_id == Project.id)
        .where(Project.id.in_(ids)),
    )
    columns = ["area_code", "area", "money", "projects"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    floats(rows, "funding")
    rows["money"] = rows["funding"].fillna(0.0)
    out = (
        rows.groupby(["area_code", "area"], as_index=False, dropna=False)
        .agg(money=("money", "sum"), projects=("project_id", "nunique"))
        .sort_values(["money", "area"], ascending=[False, True], ignore_index=True)[columns]
    )
    named = out[["area_code", "area"]].astype(object)
    out[["area_code", "area"]] = named.where(named.notna(), None)
    return out
