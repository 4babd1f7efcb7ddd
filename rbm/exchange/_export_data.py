"""What the IATI export needs, read in a fixed number of statements whatever the number of
projects (one per table), grouped by project. Only approved, current measurements are read.

The statements run on the session's connection (Core rows, no ORM loading). The three large
tables (targets, measurements, breakdowns) come back as raw driver values: their periods as
ids into `ExportData.periods` (dates written once per period, not once per value) and their
numbers as the driver gives them, written by `NumberText` exactly as the column type would
have made them `Decimal`s."""

from __future__ import annotations

from collections import defaultdict, namedtuple
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    Result,
    Select,
    and_,
    case,
    cast,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from rbm.errors import ConfigurationError
from rbm.exchange.iati_codes import decimal_text
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
    ProjectRegion,
    ProjectSector,
    ReportingPeriod,
    ResultNode,
    Target,
)
from rbm.models.base import Amount
from rbm.models.enums import MeasurementStatus
from rbm.principal import Principal, visible_condition

Rows = list[Any]  # named tuples (see `_rows`)
Raw = list[tuple[Any, ...]]


class PeriodOpening(dict[tuple[str, str], str]):
    """The opening of a `period` element and its dates, by (start, end): `opening[key]`."""

    def __missing__(self, key: tuple[str, str]) -> str:
        text = self[key] = (
            f'{_N4}<period>{_N5}<period-start iso-date="{key[0]}"/>'
            f'{_N5}<period-end iso-date="{key[1]}"/>'
        )
        return text


_N4, _N5 = "\n" + "  " * 4, "\n" + "  " * 5  # periods are at depth 4 in the document


class NumberText(dict[Any, str]):
    """The `decimal_text` of raw numbers from the driver, by value: `number[raw]`.

    A driver with native decimals (psycopg) gives `Decimal`s; SQLite gives ints and floats,
    which go through the `Decimal` conversion SQLAlchemy applies to an `Amount` column, so the
    text is the same as that of the `Decimal` the column would have given. Equal numbers have
    the same text, so each is converted once."""

    def __init__(self, dialect: Dialect) -> None:
        super().__init__()
        convert = Amount.result_processor(dialect, None)  # type: ignore[no-untyped-call]
        self._to_decimal: Callable[[Any], Any] = convert or Decimal

    def __missing__(self, raw: Any) -> str:
        value = raw if isinstance(raw, Decimal) else self._to_decimal(raw)
        text = self[raw] = decimal_text(value)
        return text


@dataclass
class ExportData:
    """Rows for the export; every mapping is keyed by project id (or indicator/measurement id).

    `targets`, `actual_rows` and `breakdowns` hold raw rows (see the module's docstring):
    `(indicator_id, period_id, value, numerator, denominator, comment)`,
    `(packed, value, numerator, denominator, narrative)` (see `_actuals` and `unpack`; a
    narrative that is empty read as None) and `(key, dimension, dimension_value, value)`;
    breakdowns and `links` are keyed by their value's key (`key_of`). `periods` holds the ISO
    dates of the projects' periods (`project_periods`) and of any other period a target names.
    Actuals are selected by indicator: one is published when its period is one of its
    project's, as when
    they were selected by period. `breakdowns` are in the order they are written: by
    measurement, dimension and dimension value."""

    projects: Rows
    number: NumberText
    countries: dict[int, Rows] = field(default_factory=lambda: defaultdict(list))
    regions: dict[int, Rows] = field(default_factory=lambda: defaultdict(list))
    sectors: dict[int, Rows] = field(default_factory=lambda: defaultdict(list))
    areas: dict[int, Rows] = field(default_factory=lambda: defaultdict(list))
    partners: dict[int, Rows] = field(default_factory=lambda: defaultdict(list))
    funding: dict[int, Rows] = field(default_factory=lambda: defaultdict(list))
    nodes: dict[int, Rows] = field(default_factory=lambda: defaultdict(list))
    indicators: dict[int, Rows] = field(default_factory=lambda: defaultdict(list))
    dimensions: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    baselines: dict[int, Rows] = field(default_factory=lambda: defaultdict(list))
    periods: dict[int, tuple[str, str]] = field(default_factory=dict)
    project_periods: set[int] = field(default_factory=set)
    targets: dict[int, Raw] = field(default_factory=lambda: defaultdict(list))
    actuals: dict[int, Raw] = field(default_factory=lambda: defaultdict(list))
    breakdowns: Raw = field(default_factory=list)
    links: dict[int, Rows] = field(default_factory=lambda: defaultdict(list))
    period_opening: PeriodOpening = field(default_factory=PeriodOpening)
    actual_rows: Raw = field(default_factory=list)
    # Made by the writer: texts of the breakdowns by measurement and of the periods by
    # indicator, and the actuals it writes one indicator at a time, by indicator.
    breakdown_text: dict[int, str] = field(default_factory=dict)
    period_text: dict[int, str] = field(default_factory=dict)
    # The texts' other languages, read by the writer (`_export_translations.ExportTexts`).
    texts: dict[str, dict[Any, dict[str, list[tuple[str, str]]]]] = field(default_factory=dict)


def _group(rows: Sequence[Any], into: dict[int, list[Any]]) -> None:
    """Group rows by their first column (rows keep it)."""
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
    those with the given codes), in 15 statements."""
    ids = project_ids(principal, project_codes).scalar_subquery()
    connection = session.connection()
    data = ExportData(projects=_projects(connection, ids), number=NumberText(connection.dialect))
    _group(_countries(connection, ids), data.countries)
    _group(_regions(connection, ids), data.regions)
    _group(_sectors(connection, ids), data.sectors)
    _group(_areas(connection, ids), data.areas)
    _group(_partners(connection, ids), data.partners)
    _group(_funding(connection, ids), data.funding)
    _group(_nodes(connection, ids), data.nodes)
    _group(_indicators(connection, ids), data.indicators)
    for indicator_id, code in connection.execute(_dimensions(ids)).all():
        data.dimensions[indicator_id].append(code)
    _group(_named_driver_rows(connection, _baselines(ids)), data.baselines)
    projects = {project.id for project in data.projects}
    for period_id, project_id, start, end in _driver_rows(connection, _periods(ids)):
        data.periods[period_id] = (iso(start), iso(end))
        if project_id in projects:
            data.project_periods.add(period_id)
    _group(_driver_rows(connection, _targets(ids)), data.targets)
    indicator_ids = [ind.id for rows in data.indicators.values() for ind in rows]
    if max(indicator_ids, default=0) >> (INDICATOR_SHIFT - 1) or max(data.periods, default=0) > (
        PERIOD_MASK
    ):
        raise ConfigurationError(
            "The IATI export packs indicator and period ids into one number and supports ids"
            " below 2**31 (indicators) and 2**30 (periods)."
        )
    data.actual_rows = _driver_rows(connection, _actuals(ids))
    data.breakdowns = _driver_rows(connection, _breakdowns(ids))
    _group(_rows(connection.execute(_links(ids))), data.links)
    return data


def iso(day: Any) -> str:
    """A date from the driver as ISO text (SQLite gives the text itself)."""
    return day if isinstance(day, str) else str(day.isoformat())


def _rows(result: Result[Any]) -> Rows:
    """All the rows at once, as named tuples: the writer reads each field of tens of thousands
    of rows by name, which costs a `Row` about twenty times what it costs a named tuple."""
    named = namedtuple("_Row", result.keys(), rename=True)  # type: ignore[misc]
    return list(map(named._make, result.all()))


def _named_driver_rows(connection: Connection, stmt: Any) -> Rows:
    """Driver values (as `_driver_rows`) in named tuples: for the tables of tens of thousands
    of rows whose fields the writer reads by name. Enumerations are their values, numbers and
    dates as the driver gives them (the writer formats them with `NumberText` and `_iso`)."""
    result = connection.execute(stmt)
    try:
        named = namedtuple("_Row", result.keys(), rename=True)  # type: ignore[misc]
        return list(map(named._make, result.cursor.fetchall()))
    finally:
        result.close()


def _driver_rows(connection: Connection, stmt: Any) -> Raw:
    """The rows as the driver gives them: plain tuples, values not converted (numbers not made
    `Decimal`s), which is much faster for the large tables."""
    result = connection.execute(stmt)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


def _projects(connection: Connection, ids: Any) -> Rows:
    return _rows(
        connection.execute(
            select(
                Project.id,
                Project.code,
                Project.code_local,
                Project.iati_identifier,
                Project.title,
                Project.description,
                Project.status,
                Project.start_date,
                Project.end_date,
                Project.start_actual,
                Project.end_actual,
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


def _countries(connection: Connection, ids: Any) -> Rows:
    return _rows(
        connection.execute(
            select(ProjectCountry.project_id, ProjectCountry.country_code, ProjectCountry.share)
            .where(ProjectCountry.project_id.in_(ids))
            .order_by(ProjectCountry.project_id, ProjectCountry.country_code)
        )
    )


def _regions(connection: Connection, ids: Any) -> Rows:
    return _rows(
        connection.execute(
            select(
                ProjectRegion.project_id,
                ProjectRegion.vocabulary,
                ProjectRegion.code,
                ProjectRegion.name,
                ProjectRegion.share,
            )
            .where(ProjectRegion.project_id.in_(ids))
            .order_by(ProjectRegion.project_id, ProjectRegion.vocabulary, ProjectRegion.code)
        )
    )


def _sectors(connection: Connection, ids: Any) -> Rows:
    return _rows(
        connection.execute(
            select(ProjectSector.project_id, ProjectSector.code, ProjectSector.share)
            .where(ProjectSector.project_id.in_(ids))
            .order_by(ProjectSector.project_id, ProjectSector.code)
        )
    )


def _areas(connection: Connection, ids: Any) -> Rows:
    return _rows(
        connection.execute(
            select(ProjectPriorityArea.project_id, PriorityArea.code, PriorityArea.name)
            .join(PriorityArea, PriorityArea.id == ProjectPriorityArea.priority_area_id)
            .where(ProjectPriorityArea.project_id.in_(ids))
            .order_by(ProjectPriorityArea.project_id, PriorityArea.code)
        )
    )


def _partners(connection: Connection, ids: Any) -> Rows:
    return _rows(
        connection.execute(
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


def _funding(connection: Connection, ids: Any) -> Rows:
    return _rows(
        connection.execute(
            select(
                Funding.project_id,
                Funding.amount,
                Funding.currency,
                Funding.date_from,
                Funding.date_to,
                Funding.transaction_type,
                Organisation.name,
                Organisation.iati_ref,
                Organisation.type,
            )
            .join(Organisation, Organisation.id == Funding.donor_id)
            .where(Funding.project_id.in_(ids))
            .order_by(Funding.project_id, Funding.date_from, Organisation.name, Funding.id)
        )
    )


def _nodes(connection: Connection, ids: Any) -> Rows:
    return _rows(
        connection.execute(
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


def _indicators(connection: Connection, ids: Any) -> Rows:
    """Grouped by result node id (first column). Driver values (see `_named_driver_rows`):
    the enumerations as their values, `ordinal_labels` as the driver gives JSON."""
    return _named_driver_rows(
        connection,
        (
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
        ),
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
            Baseline.id.label("baseline_id"),
        )
        .where(Baseline.indicator_id.in_(_of_projects(ids)))
        .order_by(Baseline.indicator_id, Baseline.id)
    )


def _periods(ids: Any) -> Any:
    """The projects' reporting periods, and any other that one of their targets names."""
    named = select(Target.reporting_period_id).where(Target.indicator_id.in_(_of_projects(ids)))
    return select(
        ReportingPeriod.id,
        ReportingPeriod.project_id,
        ReportingPeriod.start_date,
        ReportingPeriod.end_date,
    ).where(or_(ReportingPeriod.project_id.in_(ids), ReportingPeriod.id.in_(named)))


def _targets(ids: Any) -> Any:
    """Period targets and (with no period) life-of-project targets."""
    return (
        select(
            Target.indicator_id,
            Target.reporting_period_id,
            Target.value,
            Target.numerator,
            Target.denominator,
            Target.comment,
        )
        .where(Target.indicator_id.in_(_of_projects(ids)))
        .order_by(Target.indicator_id, Target.id)
    )


def _approved() -> Any:
    return and_(Measurement.is_current, Measurement.status == MeasurementStatus.APPROVED)


#: An approved value's key: its indicator and period packed in one integer (`key_of`), with
#: two bits below for its form (`unpack`). Each column the driver hands over costs about as
#: much as the next on a million rows, so three numbers travel as one. Indicator ids must be
#: below 2**31 and period ids below 2**30 (`read_export_data` checks).
INDICATOR_SHIFT, PERIOD_MASK = 32, (1 << 30) - 1


def key_of() -> Any:
    """The key of the approved value of `Measurement`'s row (its indicator and period)."""
    indicator = cast(Measurement.indicator_id, BigInteger)  # 64-bit arithmetic on PostgreSQL
    return indicator * (1 << INDICATOR_SHIFT) + Measurement.reporting_period_id * 4


def unpack(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A raw actual row as the writer reads it one by one: `(indicator_id, key, period_id,
    value, numerator, denominator, narrative, form)`."""
    packed, value, numerator, denominator, narrative = row
    return (
        packed >> INDICATOR_SHIFT,
        packed & ~3,
        (packed >> 2) & PERIOD_MASK,
        value,
        numerator,
        denominator,
        narrative,
        packed & 3,
    )


def _actuals(ids: Any) -> Any:
    """Approved values of the projects' indicators, one per (indicator, period), in no order:
    `(packed, value, numerator, denominator, narrative)`, `packed` the key plus the form: 1 a
    number alone (the common case), 2 a number and its ratio, 0 anything else. Selected by
    indicator, the index on (indicator, current, status) finds them directly."""
    form = case(
        (
            and_(
                Measurement.narrative == "",
                Measurement.value.is_not(None),
                or_(Measurement.numerator.is_(None), Measurement.denominator.is_(None)),
            ),
            1,
        ),
        (and_(Measurement.narrative == "", Measurement.value.is_not(None)), 2),
        else_=0,
    )
    return select(
        key_of() + form,
        Measurement.value,
        Measurement.numerator,
        Measurement.denominator,
        func.nullif(Measurement.narrative, ""),  # no comment: None, much cheaper than ""
    ).where(Measurement.indicator_id.in_(_of_projects(ids)), _approved())


def _breakdowns(ids: Any) -> Any:
    return (
        select(
            key_of(),
            Dimension.code.label("dimension"),
            DimensionValue.code.label("dimension_value"),
            MeasurementBreakdown.value,
        )
        .join(DimensionValue, DimensionValue.id == MeasurementBreakdown.dimension_value_id)
        .join(Dimension, Dimension.id == DimensionValue.dimension_id)
        .join(Measurement, Measurement.id == MeasurementBreakdown.measurement_id)
        .where(Measurement.indicator_id.in_(_of_projects(ids)), _approved())
        .order_by(MeasurementBreakdown.measurement_id, Dimension.code, DimensionValue.code)
    )


def _links(ids: Any) -> Any:
    """Evidence given as links (files stored in the database are not published). Links are
    few: the statement starts from them and checks each one's measurement."""
    published = exists().where(
        Measurement.id == Attachment.measurement_id,
        Measurement.indicator_id.in_(_of_projects(ids)),
        _approved(),
    )
    key = select(key_of()).where(Measurement.id == Attachment.measurement_id).scalar_subquery()
    return (
        select(key, Attachment.url, Attachment.filename, Attachment.content_type)
        .where(Attachment.url.is_not(None), published)
        .order_by(Attachment.measurement_id, Attachment.id)
    )
