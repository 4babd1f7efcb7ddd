"""One project seen from the project side: header, logframe tree, indicators with the engine's
figures, and (for the project team only) values still in the workflow."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from indicators.rollup import rollup_results
from rbm.errors import NotFound
from rbm.frames.columns import RESULT_PLACE
from rbm.frames.sql import enum_values, floats, frame
from rbm.i18n import DEFAULT
from rbm.models import (
    Country,
    Funding,
    Indicator,
    Measurement,
    Organisation,
    PriorityArea,
    Project,
    ProjectCountry,
    ProjectPartner,
    ProjectPriorityArea,
    ReportingPeriod,
    ResultNode,
)
from rbm.models.enums import MeasurementStatus
from rbm.principal import Principal, pending_condition, visible_condition
from rbm.queries import indicator_status
from rbm.queries.quality import project_flags
from rbm.queries.translations import localized


@dataclass(frozen=True)
class ProjectView:
    project: pd.Series
    partners: pd.DataFrame
    countries: pd.DataFrame
    funding: pd.DataFrame
    areas: pd.DataFrame
    nodes: pd.DataFrame
    indicators: pd.DataFrame
    pending: pd.DataFrame
    is_team: bool
    flags: pd.DataFrame  # data-quality flags per indicator with a short reason
    judged_at: date | None  # the date the figures are judged at (see assessment_days)

    def funding_totals(self) -> list[tuple[str, float]]:
        """The project's funding per currency, the largest first, as (currency, amount).
        Amounts in different currencies are never added (there are no exchange rates here),
        and a donor named without an amount (as an IATI file may name one) adds to none."""
        stated = self.funding.dropna(subset=["amount"])
        sums = stated.groupby("currency")["amount"].sum().sort_values(ascending=False)
        return [(str(c), float(a)) for c, a in sums.items()]


def visible_projects(session: Session, *, principal: Principal) -> pd.DataFrame:
    return frame(
        session,
        select(Project.id, Project.code, Project.title)
        .where(visible_condition(principal))
        .order_by(Project.code),
    )


def project_view(
    session: Session,
    *,
    principal: Principal,
    code: str,
    as_of: date | None = None,
    language: str = DEFAULT,
) -> ProjectView:
    """The project lens. Titles and descriptions imported in several languages read in
    `language` where the publisher gave it (`rbm.queries.translations`), else as stored."""
    head = frame(
        session,
        select(
            Project.id,
            Project.code,
            Project.title,
            Project.description,
            Project.status,
            Project.start_date,
            Project.end_date,
            Project.budget,
            Project.currency,
            Organisation.name.label("provider"),
        )
        .join(Organisation, Organisation.id == Project.provider_id)
        .where(Project.code == code, visible_condition(principal)),
    )
    if head.empty:
        raise NotFound("No project {code!r} that you can see.", code=code)
    floats(head, "budget")
    project = head.iloc[0]
    pid = int(project["id"])
    is_team = (
        session.scalar(select(Project.id).where(Project.id == pid, pending_condition(principal)))
        is not None
    )
    indicators = _indicators(session, principal, pid, as_of)
    nodes = _nodes(session, pid)
    if nodes.empty:  # a new project without results yet: nothing to roll up
        nodes = nodes.assign(status=pd.Series(dtype=object))
    else:
        statuses = rollup_results(
            nodes.rename(columns={"id": "node_id"})[["node_id", "parent_id"]],
            indicators.rename(columns={"result_node_id": "node_id"})[["node_id", "indicator_id"]],
            indicators[["indicator_id", "status"]],
        )
        nodes = nodes.merge(statuses.rename(columns={"node_id": "id"}), on="id", how="left")
    if language != DEFAULT:
        project, nodes, indicators = _in_language(session, language, project, nodes, indicators)
    return ProjectView(
        project=project,
        partners=_partners(session, pid),
        countries=_countries(session, pid),
        funding=_funding(session, pid),
        areas=_areas(session, pid),
        nodes=nodes,
        indicators=indicators,
        pending=_pending(session, pid) if is_team else pd.DataFrame(),
        is_team=is_team,
        flags=project_flags(
            session,
            principal=principal,
            code=code,
            as_of=as_of or date.today(),
            described=indicators[["indicator_id", "code"]],
        ),
        judged_at=_judged_at(indicators),
    )


def _in_language(
    session: Session,
    language: str,
    project: pd.Series,
    nodes: pd.DataFrame,
    indicators: pd.DataFrame,
) -> tuple[pd.Series, pd.DataFrame, pd.DataFrame]:
    pid = int(project["id"])
    project = project.copy()
    for field in ("title", "description"):
        texts = localized(session, entity="project", field=field, ids=[pid], language=language)
        project[field] = texts.get(pid, project[field])
    if not nodes.empty:
        titles = localized(
            session, entity="result_node", field="title", ids=nodes["id"], language=language
        )
        nodes = nodes.assign(title=nodes["id"].map(titles).fillna(nodes["title"]))
    if not indicators.empty:
        ids = indicators["indicator_id"]
        for field in ("title", "definition"):
            texts = localized(session, entity="indicator", field=field, ids=ids, language=language)
            indicators = indicators.assign(**{field: ids.map(texts).fillna(indicators[field])})
    return project, nodes, indicators


def _judged_at(indicators: pd.DataFrame) -> date | None:
    days = indicators["judged_at"].dropna() if "judged_at" in indicators else pd.Series()
    return None if days.empty else pd.Timestamp(days.max()).date()


def _partners(session: Session, pid: int) -> pd.DataFrame:
    return frame(
        session,
        select(Organisation.name, ProjectPartner.role)
        .join(Organisation, Organisation.id == ProjectPartner.organisation_id)
        .where(ProjectPartner.project_id == pid),
    )


def _countries(session: Session, pid: int) -> pd.DataFrame:
    return floats(
        frame(
            session,
            select(Country.code, Country.name, ProjectCountry.share)
            .join(Country, Country.code == ProjectCountry.country_code)
            .where(ProjectCountry.project_id == pid)
            .order_by(ProjectCountry.share.desc()),
        ),
        "share",
    )


def _funding(session: Session, pid: int) -> pd.DataFrame:
    return floats(
        frame(
            session,
            select(
                Organisation.name.label("donor"),
                Funding.amount,
                Funding.currency,
                Funding.date_from,
                Funding.date_to,
            )
            .join(Organisation, Organisation.id == Funding.donor_id)
            .where(Funding.project_id == pid)
            .order_by(Funding.amount.desc()),
        ),
        "amount",
    )


def _areas(session: Session, pid: int) -> pd.DataFrame:
    return frame(
        session,
        select(PriorityArea.code, PriorityArea.name)
        .join(ProjectPriorityArea, ProjectPriorityArea.priority_area_id == PriorityArea.id)
        .where(ProjectPriorityArea.project_id == pid),
    )


def _nodes(session: Session, pid: int) -> pd.DataFrame:
    df = frame(
        session,
        select(
            *RESULT_PLACE,
            ResultNode.title,
            ResultNode.assumptions,
            ResultNode.risks,
            ResultNode.position,
        )
        .where(ResultNode.project_id == pid)
        .order_by(ResultNode.position, ResultNode.id),
    )
    enum_values(df, "level")
    return df


def _indicators(
    session: Session, principal: Principal, pid: int, as_of: date | None
) -> pd.DataFrame:
    described = frame(
        session,
        select(
            Indicator.id.label("indicator_id"),
            Indicator.result_node_id,
            Indicator.code,
            Indicator.title,
            Indicator.unit,
            Indicator.definition,
            Indicator.ordinal_labels,
            Indicator.means_of_verification,
            Indicator.data_source,
            Indicator.position,
        )
        .join(ResultNode, ResultNode.id == Indicator.result_node_id)
        .where(ResultNode.project_id == pid)
        .order_by(Indicator.position, Indicator.id),
    )
    one = select(Project.id).where(Project.id == pid)
    figures = indicator_status.summary(
        indicator_status.engine_inputs(session, principal=principal, project_ids=one, as_of=as_of)
    )
    return described.merge(figures.drop(columns=["result_node_id"]), on="indicator_id", how="left")


def _pending(session: Session, pid: int) -> pd.DataFrame:
    """Latest value of each indicator that is not yet approved (team only, labelled)."""
    df = frame(
        session,
        select(
            Measurement.indicator_id,
            ReportingPeriod.label.label("period"),
            Measurement.value,
            Measurement.status,
            ReportingPeriod.end_date,
        )
        .join(ReportingPeriod, ReportingPeriod.id == Measurement.reporting_period_id)
        .where(ReportingPeriod.project_id == pid, Measurement.status != MeasurementStatus.APPROVED)
        .order_by(ReportingPeriod.end_date),
    )
    enum_values(df, "status")
    floats(df, "value")
    return df.drop_duplicates("indicator_id", keep="last")
