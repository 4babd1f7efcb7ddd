"""The donor lens: the projects one donor funds, the donor's money by country and priority
area, results on library indicators aggregated with the engine's rules, and the projects off
track or at risk with the indicators that make them so."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from indicators.portfolio import rollup_library
from rbm.errors import NotFound
from rbm.frames.joins import indicator_project
from rbm.frames.sql import columns_frame, floats, frame
from rbm.models import Funding, Indicator, LibraryIndicator, Organisation, Project
from rbm.principal import Principal
from rbm.queries.coordination import area_coverage
from rbm.queries.money import split_by_currency
from rbm.queries.portfolio import PortfolioFilters, filtered_ids, projects_and_figures

WARNING_STATUSES = ("off_track", "at_risk")


@dataclass(frozen=True)
class DonorView:
    donor_id: int
    name: str
    projects: pd.DataFrame
    by_country: pd.DataFrame
    by_area: pd.DataFrame
    results: pd.DataFrame
    warnings: pd.DataFrame


def donor_view(
    session: Session, *, principal: Principal, donor_id: int, as_of: date | None = None
) -> DonorView:
    """Everything the donor page shows, in a fixed number of statements."""
    name = session.scalar(select(Organisation.name).where(Organisation.id == donor_id))
    if name is None:
        raise NotFound("No organisation #{donor_id}.", donor_id=donor_id)
    filters = PortfolioFilters(donor_id=donor_id)
    # One summary serves the status counts, the library results and the warnings.
    projects, figures = projects_and_figures(
        session, principal=principal, filters=filters, as_of=as_of
    )
    # The donor's own lines: in dollars (empty where it states none), and in other currencies.
    lines = floats(
        frame(
            session,
            select(Funding.project_id, Funding.currency, Funding.amount).where(
                Funding.donor_id == donor_id,
                Funding.project_id.in_(filtered_ids(principal, filters)),
            ),
        ),
        "amount",
    )
    projects["donor_amount"], projects["donor_other"] = split_by_currency(lines, projects["id"])
    own = projects.set_index("id")["donor_amount"]
    cov = area_coverage(session, principal=principal, filters=filters)
    cov["donor_money"] = cov["project_id"].map(own).fillna(0.0) * cov["share"] / 100
    described = _described(session, principal, filters)
    return DonorView(
        donor_id=donor_id,
        name=name,
        projects=projects,
        by_country=_money_by(cov, "country"),
        by_area=_money_by(cov, "area"),
        results=_library_results(described, figures),
        warnings=_warnings(described, figures),
    )


def _money_by(cov: pd.DataFrame, key: str) -> pd.DataFrame:
    """The donor's money split by recipient-country share (areas: not split further)."""
    once = cov.drop_duplicates(["project_id", "country_code"]) if key == "country" else cov
    if key == "area":
        once = cov.drop_duplicates(["project_id", "country_code", "area"])
    # A sum and a count of distinct pairs: pandas' nunique costs several times a groupby sum.
    money = once.groupby(key)["donor_money"].sum()
    projects = once.drop_duplicates([key, "project_id"]).groupby(key).size()
    out = pd.DataFrame(
        {
            key: money.index,
            "money": money.to_numpy(),
            "projects": projects.reindex(money.index).to_numpy(),
        }
    )
    return out.sort_values("money", ascending=False, ignore_index=True)


def _described(session: Session, principal: Principal, filters: PortfolioFilters) -> pd.DataFrame:
    # Text and ids only, which the driver returns as they are: read without the ORM's rows.
    indicators = select(
        Indicator.id.label("indicator_id"),
        Indicator.code,
        Indicator.title,
        Indicator.unit,
        Project.id.label("project_id"),
        Project.code.label("project"),
        LibraryIndicator.id.label("library_indicator_id"),
        LibraryIndicator.code.label("library_code"),
        LibraryIndicator.title.label("library_title"),
    )
    df = columns_frame(
        session,
        indicator_project(indicators)
        .outerjoin(LibraryIndicator, LibraryIndicator.id == Indicator.library_indicator_id)
        .where(Project.id.in_(filtered_ids(principal, filters))),
    )
    return df


def _library_results(described: pd.DataFrame, figures: pd.DataFrame) -> pd.DataFrame:
    """Library-indicator totals by the engine's portfolio rules (same unit only)."""
    linked = described[described["library_indicator_id"].notna()].merge(
        figures.drop(columns=["project_id"]), on="indicator_id"
    )
    cols = [
        "library_code",
        "library_title",
        "unit",
        "aggregation",
        "n_projects",
        "count",
        "total",
        "percentage",
        "share_yes",
        "median",
        "refused_reason",
    ]
    if linked.empty:
        return pd.DataFrame(columns=cols)
    values = linked.assign(library_indicator_id=linked["library_indicator_id"].astype(int))[
        [
            "library_indicator_id",
            "unit",
            "project_id",
            "measure",
            "accumulation",
            "to_date",
            "to_date_numerator",
            "to_date_denominator",
        ]
    ]
    rolled = rollup_library(values)
    names = linked.drop_duplicates("library_indicator_id").set_index("library_indicator_id")
    rolled["library_code"] = rolled["library_indicator_id"].map(names["library_code"])
    rolled["library_title"] = rolled["library_indicator_id"].map(names["library_title"])
    return rolled[[c for c in cols if c in rolled.columns]].reset_index(drop=True)


def _warnings(described: pd.DataFrame, figures: pd.DataFrame) -> pd.DataFrame:
    """Indicators off track or at risk, with their project: the reason a project is flagged."""
    flagged = figures[figures["status"].isin(WARNING_STATUSES)]
    out = described.merge(
        flagged[
            ["indicator_id", "status", "actual", "target_value", "progress", "expected_progress"]
        ],
        on="indicator_id",
    )
    return out[
        [
            "project",
            "code",
            "title",
            "status",
            "actual",
            "target_value",
            "progress",
            "expected_progress",
        ]
    ].sort_values(["status", "project", "code"], ignore_index=True)
