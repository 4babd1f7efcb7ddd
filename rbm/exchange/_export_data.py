"""What the IATI export needs, read in a fixed number of statements whatever the number of
projects (one per table), grouped by project. Only approved, current measurements are read."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row, Select, and_, select
from sqlalchemy.orm import Session, aliased

from rbm.models import (
    Attachment,
    Baseline,
    Dimension,
    DimensionValue,
    Funding,
    Indicator,
    IndicatorDimension,
    LibraryIndicator,
    Measurement,
    MeasurementBreakdown,
    Organisation,
    PriorityArea,
    Project,
    ProjectCountry,
    ProjectPartner,
    ProjectPriorityArea,
    ProjectSector,
    ReportingPeriod,
    ResultNode,
    Target,
)
from rbm.models.enums import MeasurementStatus
from rbm.principal import Principal, visible_condition

Rows = list[Row[Any]]


@dataclass
class ExportData:
    """Rows for the export; every mapping is keyed by project id (or indicator/measurement id)."""

    projects: Rows
    countries: dict[int, Rows] = field(default_factory=lambda: defaultdict(list))
    sectors: dict[int, Rows] = field(default_factory=lambda: defaultdict(list))
    areas: dict[int, Rows] = field(default_factory=lambda: defaultdict(list))
    partners: dict[int, Rows] = field(default_factory=lambda: defaultdict(list))
    funding: dict[int, Rows] = field(default_factory=lambda: defaultdict(list))
    nodes: dict[int, Rows] = field(default_factory=lambda: defaultdict(list))
    indicators: dict[int, Rows] = field(default_factory=lambda: defaultdict(list))
    dimensions: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    baselines: dict[int, Rows] = field(default_factory=lambda: defaultdict(list))
    targets: dict[int, Rows] = field(default_factory=lambda: defaultdict(list))
    actuals: dict[int, Rows] = field(default_factory=lambda: defaultdict(list))
    breakdowns: dict[int, Rows] = field(default_factory=lambda: defaultdict(list))
    links: dict[int, Rows] = field(default_factory=lambda: defaultdict(list))


def _group(rows: Rows, into: dict[int, Rows]) -> None:
    """Group rows by their first column (which is dropped from nothing: rows keep it)."""
    for row in rows:
        into[row[0]].append(row)


def project_ids(principal: Principal, codes: Sequence[str] | None) -> Select[Any]:
    stmt = select(Project.id).where(visible_condition(principal))
    if codes:
        stmt = stmt.where(Project.code.in_(list(codes)))
    return stmt


def read_export_data(
    session: Session, *, principal: Principal, project_codes: Sequence[str] | None = None
) -> ExportData:
    """Everything the export writes for the projects the principal may see (optionally only
    those with the given codes), in 14 statements."""
    ids = project_ids(principal, project_codes).scalar_subquery()
    data = ExportData(projects=_projects(session, ids))
    _group(_countries(session, ids), data.countries)
    _group(_sectors(session, ids), data.sectors)
    _group(_areas(session, ids), data.areas)
    _group(_partners(session, ids), data.partners)
    _group(_funding(session, ids), data.funding)
    _group(_nodes(session, ids), data.nodes)
    _group(_indicators(session, ids), data.indicators)
    for indicator_id, code in session.execute(_dimensions(ids)):
        data.dimensions[indicator_id].append(code)
    _group(list(session.execute(_baselines(ids))), data.baselines)
    _group(list(session.execute(_targets(ids))), data.targets)
    _group(list(session.execute(_actuals(ids))), data.actuals)
    _group(list(session.execute(_breakdowns(ids))), data.breakdowns)
    _group(list(session.execute(_links(ids))), data.links)
    return data


def _projects(session: Session, ids: Any) -> Rows:
    return list(
        session.execute(
            select(
                Project.id,
                Project.code,
                Project.iati_identifier,
                Project.title,
                Project.description,
                Project.status,
                Project.start_date,
                Project.end_date,
                Project.budget,
                Project.currency,
                Project.reporting_frequency,
                Organisation.name.label("provider_name"),
                Organisation.iati_ref.label("provider_ref"),
                Organisation.type.label("provider_type"),
            )
            .join(Organisation, Organisation.id == Project.provider_id)
            .where(Project.id.in_(ids))
            .order_by(Project.code)
        )
    )


def _countries(session: Session, ids: Any) -> Rows:
    return list(
        session.execute(
            select(ProjectCountry.project_id, ProjectCountry.country_code, ProjectCountry.share)
            .where(ProjectCountry.project_id.in_(ids))
            .order_by(ProjectCountry.project_id, ProjectCountry.country_code)
        )
    )


def _sectors(session: Session, ids: Any) -> Rows:
    return list(
        session.execute(
            select(ProjectSector.project_id, ProjectSector.code, ProjectSector.share)
            .where(ProjectSector.project_id.in_(ids))
            .order_by(ProjectSector.project_id, ProjectSector.code)
        )
    )


def _areas(session: Session, ids: Any) -> Rows:
    return list(
        session.execute(
            select(ProjectPriorityArea.project_id, PriorityArea.code, PriorityArea.name)
            .join(PriorityArea, PriorityArea.id == ProjectPriorityArea.priority_area_id)
            .where(ProjectPriorityArea.project_id.in_(ids))
            .order_by(ProjectPriorityArea.project_id, PriorityArea.code)
        )
    )


def _partners(session: Session, ids: Any) -> Rows:
    return list(
        session.execute(
            select(
                ProjectPartner.project_id,
                ProjectPartner.role,
                Organisation.name,
                Organisation.iati_ref,
                Organisation.type,
            )
            .join(Organisation, Organisation.id == ProjectPartner.organisation_id)
            .where(ProjectPartner.project_id.in_(ids))
            .order_by(ProjectPartner.project_id, Organisation.name, ProjectPartner.role)
        )
    )


def _funding(session: Session, ids: Any) -> Rows:
    return list(
        session.execute(
            select(
                Funding.project_id,
                Funding.amount,
                Funding.currency,
                Funding.date_from,
                Funding.date_to,
                Organisation.name,
                Organisation.iati_ref,
                Organisation.type,
            )
            .join(Organisation, Organisation.id == Funding.donor_id)
            .where(Funding.project_id.in_(ids))
            .order_by(Funding.project_id, Funding.date_from, Organisation.name, Funding.id)
        )
    )


def _nodes(session: Session, ids: Any) -> Rows:
    return list(
        session.execute(
            select(
                ResultNode.project_id,
                ResultNode.id,
                ResultNode.parent_id,
                ResultNode.level,
                ResultNode.code,
                ResultNode.title,
                ResultNode.description,
                ResultNode.assumptions,
                ResultNode.risks,
            )
            .where(ResultNode.project_id.in_(ids))
            .order_by(ResultNode.project_id, ResultNode.position, ResultNode.id)
        )
    )


def _indicators(session: Session, ids: Any) -> Rows:
    """Grouped by result node id (first column)."""
    return list(
        session.execute(
            select(
                Indicator.result_node_id,
                Indicator.id,
                Indicator.code,
                Indicator.title,
                Indicator.definition,
                Indicator.unit,
                Indicator.measure,
                Indicator.direction,
                Indicator.accumulation,
                Indicator.frequency,
                Indicator.ordinal_labels,
                Indicator.means_of_verification,
                Indicator.data_source,
                Indicator.method,
                Indicator.responsible,
                LibraryIndicator.code.label("library_code"),
            )
            .join(ResultNode, ResultNode.id == Indicator.result_node_id)
            .outerjoin(LibraryIndicator, LibraryIndicator.id == Indicator.library_indicator_id)
            .where(ResultNode.project_id.in_(ids))
            .order_by(Indicator.result_node_id, Indicator.position, Indicator.id)
        )
    )


def _of_projects(ids: Any) -> Any:
    """Indicator ids of the projects."""
    return (
        select(Indicator.id)
        .join(ResultNode, ResultNode.id == Indicator.result_node_id)
        .where(ResultNode.project_id.in_(ids))
    )


def _dimensions(ids: Any) -> Any:
    return (
        select(IndicatorDimension.indicator_id, Dimension.code)
        .join(Dimension, Dimension.id == IndicatorDimension.dimension_id)
        .where(IndicatorDimension.indicator_id.in_(_of_projects(ids)))
        .order_by(IndicatorDimension.indicator_id, Dimension.code)
    )


def _baselines(ids: Any) -> Any:
    return (
        select(
            Baseline.indicator_id,
            Baseline.year,
            Baseline.baseline_date,
            Baseline.value,
            Baseline.numerator,
            Baseline.denominator,
            Baseline.comment,
        )
        .where(Baseline.indicator_id.in_(_of_projects(ids)))
        .order_by(Baseline.indicator_id, Baseline.id)
    )


def _targets(ids: Any) -> Any:
    """Period targets and (with no period) life-of-project targets."""
    return (
        select(
            Target.indicator_id,
            ReportingPeriod.start_date,
            ReportingPeriod.end_date,
            Target.value,
            Target.numerator,
            Target.denominator,
            Target.comment,
        )
        .outerjoin(ReportingPeriod, ReportingPeriod.id == Target.reporting_period_id)
        .where(Target.indicator_id.in_(_of_projects(ids)))
        .order_by(Target.indicator_id, ReportingPeriod.start_date, ReportingPeriod.end_date)
    )


def _approved() -> Any:
    return and_(Measurement.is_current, Measurement.status == MeasurementStatus.APPROVED)


def _actuals(ids: Any) -> Any:
    return (
        select(
            Measurement.indicator_id,
            Measurement.id,
            ReportingPeriod.start_date,
            ReportingPeriod.end_date,
            Measurement.value,
            Measurement.numerator,
            Measurement.denominator,
            Measurement.narrative,
        )
        .join(ReportingPeriod, ReportingPeriod.id == Measurement.reporting_period_id)
        .where(ReportingPeriod.project_id.in_(ids), _approved())
        .order_by(Measurement.indicator_id, ReportingPeriod.start_date, ReportingPeriod.end_date)
    )


def _approved_ids(ids: Any) -> Any:
    period = aliased(ReportingPeriod)
    return (
        select(Measurement.id)
        .join(period, period.id == Measurement.reporting_period_id)
        .where(period.project_id.in_(ids), _approved())
    )


def _breakdowns(ids: Any) -> Any:
    return (
        select(
            MeasurementBreakdown.measurement_id,
            Dimension.code.label("dimension"),
            DimensionValue.code.label("dimension_value"),
            MeasurementBreakdown.value,
        )
        .join(DimensionValue, DimensionValue.id == MeasurementBreakdown.dimension_value_id)
        .join(Dimension, Dimension.id == DimensionValue.dimension_id)
        .where(MeasurementBreakdown.measurement_id.in_(_approved_ids(ids)))
        .order_by(MeasurementBreakdown.measurement_id, Dimension.code, DimensionValue.code)
    )


def _links(ids: Any) -> Any:
    """Evidence given as links (files stored in the database are not published)."""
    return (
        select(
            Attachment.measurement_id, Attachment.url, Attachment.filename, Attachment.content_type
        )
        .where(Attachment.measurement_id.in_(_approved_ids(ids)), Attachment.url.is_not(None))
        .order_by(Attachment.measurement_id, Attachment.id)
    )
