"""What the IATI export needs, read in a fixed number of statements whatever the number of
projects (one per table), grouped by project. Only approved, current measurements are read.

The statements run on the session's connection (Core rows, no ORM loading). The three large
tables (targets, measurements, breakdowns) come back as raw driver values: their periods as
ids into `ExportData.periods` (dates written once per period, not once per value) and their
numbers as the driver gives them, written by `NumberText` exactly as the column type would
have made them `Decimal`s."""

from __future__ import annotations

from collections import defaultdict, namedtuple
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final, NamedTuple, TypeVar

import numpy as np
import numpy.typing as npt
from sqlalchemy import (
    BigInteger,
    ColumnElement,
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
from rbm.frames.engine import current_approved
from rbm.frames.joins import part_dimension
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
    `RawTarget`, `RawActual` (see `ValueKey` and `unpack`; a narrative that is empty read as
    None) and `RawBreakdown`; breakdowns and `links` are keyed by their value's key
    (`ValueKey.value_key`). `periods` holds the ISO
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
    targets: dict[int, list[RawTarget]] = field(default_factory=lambda: defaultdict(list))
    actuals: dict[int, list[ActualRow]] = field(default_factory=lambda: defaultdict(list))
    breakdowns: list[RawBreakdown] = field(default_factory=list)
    links: dict[int, Rows] = field(default_factory=lambda: defaultdict(list))
    period_opening: PeriodOpening = field(default_factory=PeriodOpening)
    actual_rows: list[RawActual] = field(default_factory=list)
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
    for table, into in (
        (_COUNTRIES, data.countries),
        (_REGIONS, data.regions),
        (_SECTORS, data.sectors),
        (_AREAS, data.areas),
        (_PARTNERS, data.partners),
        (_FUNDING, data.funding),
        (_NODES, data.nodes),
    ):
        _group(_rows(connection.execute(table.of(ids))), into)
    _group(_indicators(connection, ids), data.indicators)
    for indicator_id, code in connection.execute(_DIMENSIONS.of(ids)).all():
        data.dimensions[indicator_id].append(code)
    _group(_named_driver_rows(connection, _BASELINES.of(ids)), data.baselines)
    projects = {project.id for project in data.projects}
    for period_id, project_id, start, end in _driver_rows(connection, _periods(ids)):
        data.periods[period_id] = (iso(start), iso(end))
        if project_id in projects:
            data.project_periods.add(period_id)
    _group(_driver_rows(connection, _TARGETS.of(ids)), data.targets)
    indicator_ids = [ind.id for rows in data.indicators.values() for ind in rows]
    ValueKey.check(indicator_ids=indicator_ids, period_ids=data.periods)
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


def indicators_of(ids: Any) -> Select[Any]:
    """The ids of the indicators of the projects `ids` (a select of project ids)."""
    return (
        select(Indicator.id)
        .join(ResultNode, ResultNode.id == Indicator.result_node_id)
        .where(ResultNode.project_id.in_(ids))
    )


@dataclass(frozen=True)
class _Grouped:
    """A read grouped by its first column, the id of a project (or, `by_indicator`, of one of
    the projects' indicators): the columns, a table joined for some of them, and the order of
    the rows within a group."""

    columns: tuple[Any, ...]
    order: tuple[Any, ...]
    join: tuple[Any, Any] | None = None
    by_indicator: bool = False

    def of(self, ids: Any) -> Select[Any]:
        """The statement for the projects `ids`, ordered by group."""
        group = self.columns[0]
        stmt = select(*self.columns)
        if self.join is not None:
            stmt = stmt.join(*self.join)
        within = indicators_of(ids) if self.by_indicator else ids
        return stmt.where(group.in_(within)).order_by(group, *self.order)


_COUNTRIES = _Grouped(
    (ProjectCountry.project_id, ProjectCountry.country_code, ProjectCountry.share),
    order=(ProjectCountry.country_code,),
)
_REGIONS = _Grouped(
    (
        ProjectRegion.project_id,
        ProjectRegion.vocabulary,
        ProjectRegion.code,
        ProjectRegion.name,
        ProjectRegion.share,
    ),
    order=(ProjectRegion.vocabulary, ProjectRegion.code),
)
_SECTORS = _Grouped(
    (ProjectSector.project_id, ProjectSector.code, ProjectSector.share),
    order=(ProjectSector.code,),
)
_AREAS = _Grouped(
    (ProjectPriorityArea.project_id, PriorityArea.code, PriorityArea.name),
    order=(PriorityArea.code,),
    join=(PriorityArea, PriorityArea.id == ProjectPriorityArea.priority_area_id),
)
_PARTNERS = _Grouped(
    (
        ProjectPartner.project_id,
        ProjectPartner.role,
        Organisation.name,
        Organisation.iati_ref,
        Organisation.type,
    ),
    order=(Organisation.name, ProjectPartner.role),
    join=(Organisation, Organisation.id == ProjectPartner.organisation_id),
)
_FUNDING = _Grouped(
    (
        Funding.project_id,
        Funding.amount,
        Funding.currency,
        Funding.date_from,
        Funding.date_to,
        Funding.transaction_type,
        Organisation.name,
        Organisation.iati_ref,
        Organisation.type,
    ),
    order=(Funding.date_from, Organisation.name, Funding.id),
    join=(Organisation, Organisation.id == Funding.donor_id),
)
_NODES = _Grouped(
    (
        ResultNode.project_id,
        ResultNode.id,
        ResultNode.parent_id,
        ResultNode.level,
        ResultNode.code,
        ResultNode.title,
        ResultNode.description,
        ResultNode.assumptions,
        ResultNode.risks,
    ),
    order=(ResultNode.position, ResultNode.id),
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


_DIMENSIONS = _Grouped(
    (IndicatorDimension.indicator_id, Dimension.code),
    order=(Dimension.code,),
    join=(Dimension, Dimension.id == IndicatorDimension.dimension_id),
    by_indicator=True,
)
_BASELINES = _Grouped(
    (
        Baseline.indicator_id,
        Baseline.year,
        Baseline.baseline_date,
        Baseline.value,
        Baseline.numerator,
        Baseline.denominator,
        Baseline.comment,
        Baseline.id.label("baseline_id"),
    ),
    order=(Baseline.id,),
    by_indicator=True,
)
#: Period targets and (with no period) life-of-project targets.
_TARGETS = _Grouped(
    (
        Target.indicator_id,
        Target.reporting_period_id,
        Target.value,
        Target.numerator,
        Target.denominator,
        Target.comment,
    ),
    order=(Target.id,),
    by_indicator=True,
)


def _periods(ids: Any) -> Any:
    """The projects' reporting periods, and any other that one of their targets names."""
    named = select(Target.reporting_period_id).where(Target.indicator_id.in_(indicators_of(ids)))
    return select(
        ReportingPeriod.id,
        ReportingPeriod.project_id,
        ReportingPeriod.start_date,
        ReportingPeriod.end_date,
    ).where(or_(ReportingPeriod.project_id.in_(ids), ReportingPeriod.id.in_(named)))


Number = Decimal | int | float  # as the driver gives it (see `NumberText`)
K = TypeVar("K", int, npt.NDArray[np.int64])


class ValueKey:
    """An approved value's key: its indicator, its period and the form of the value packed in
    one integer, in the named bit fields below. Each column the driver hands over costs about as
    much as the next on a million rows, so the three numbers travel as one; everything that
    packs or unpacks them is here, for one number (`int`) or for numpy arrays alike.

    Without its form (`value_key`), the key names the value for its breakdowns and links."""

    INDICATOR_SHIFT: Final = 32  # indicator ids below 2**31 (64-bit keys)
    PERIOD_SHIFT: Final = 2
    PERIOD_MASK: Final = (1 << 30) - 1  # period ids below 2**30
    FORM_MASK: Final = 3
    #: The forms: anything else (a comment, no number), a number alone (the common case), a
    #: number with its ratio. Only the last two are written without the writer's own loop.
    OTHER: Final = 0
    ALONE: Final = 1
    WITH_RATIO: Final = 2

    @classmethod
    def of_measurement(cls) -> ColumnElement[int]:
        """The key (form 0) of `Measurement`'s row, in SQL."""
        indicator = cast(Measurement.indicator_id, BigInteger)  # 64-bit arithmetic on PostgreSQL
        return indicator * (1 << cls.INDICATOR_SHIFT) + Measurement.reporting_period_id * (
            1 << cls.PERIOD_SHIFT
        )

    @classmethod
    def pack(cls, indicator_id: int, period_id: int, form: int = OTHER) -> int:
        return (indicator_id << cls.INDICATOR_SHIFT) + (period_id << cls.PERIOD_SHIFT) + form

    @classmethod
    def indicator(cls, packed: K) -> K:
        return packed >> cls.INDICATOR_SHIFT

    @classmethod
    def period(cls, packed: K) -> K:
        return (packed >> cls.PERIOD_SHIFT) & cls.PERIOD_MASK

    @classmethod
    def form(cls, packed: K) -> K:
        return packed & cls.FORM_MASK

    @classmethod
    def value_key(cls, packed: K) -> K:
        return packed & ~cls.FORM_MASK

    @classmethod
    def check(cls, *, indicator_ids: Iterable[int], period_ids: Iterable[int]) -> None:
        """Refuse ids too large for their fields (a ConfigurationError)."""
        if (
            max(indicator_ids, default=0) >> (cls.INDICATOR_SHIFT - 1)
            or max(period_ids, default=0) > cls.PERIOD_MASK
        ):
            raise ConfigurationError(
                "The IATI export packs indicator and period ids into one number and supports"
                " ids below 2**31 (indicators) and 2**30 (periods)."
            )


#: A raw approved value from the driver: (packed key with its form, value, numerator,
#: denominator, narrative or None).
RawActual = tuple[int, Number | None, Number | None, Number | None, str | None]
#: A raw target: (indicator id, period id or None for the life of the project, value,
#: numerator, denominator, comment).
RawTarget = tuple[int, int | None, Number | None, Number | None, Number | None, str | None]
#: A raw breakdown part: (value key, dimension code, dimension value code, value).
RawBreakdown = tuple[int, str, str, Number | None]


class ActualRow(NamedTuple):
    """An approved value as the writer reads it one by one (`unpack` of a `RawActual`)."""

    indicator_id: int
    key: int  # `ValueKey.value_key`: for its breakdowns and links
    period_id: int
    value: Number | None
    numerator: Number | None
    denominator: Number | None
    narrative: str | None
    form: int


def unpack(row: RawActual) -> ActualRow:
    packed, value, numerator, denominator, narrative = row
    # `ValueKey`'s fields written out: called once per value written one by one.
    form = ValueKey.FORM_MASK
    return ActualRow(
        packed >> ValueKey.INDICATOR_SHIFT,
        packed & ~form,
        (packed >> ValueKey.PERIOD_SHIFT) & ValueKey.PERIOD_MASK,
        value,
        numerator,
        denominator,
        narrative,
        packed & form,
    )


def _actuals(ids: Any) -> Any:
    """Approved values of the projects' indicators, one per (indicator, period), in no order:
    `RawActual` rows, each key packed with the value's form (`ValueKey`). Selected by
    indicator, the index on (indicator, current, status) finds them directly."""
    form = case(
        (
            and_(
                Measurement.narrative == "",
                Measurement.value.is_not(None),
                or_(Measurement.numerator.is_(None), Measurement.denominator.is_(None)),
            ),
            ValueKey.ALONE,
        ),
        (
            and_(Measurement.narrative == "", Measurement.value.is_not(None)),
            ValueKey.WITH_RATIO,
        ),
        else_=ValueKey.OTHER,
    )
    return select(
        ValueKey.of_measurement() + form,
        Measurement.value,
        Measurement.numerator,
        Measurement.denominator,
        func.nullif(Measurement.narrative, ""),  # no comment: None, much cheaper than ""
    ).where(Measurement.indicator_id.in_(indicators_of(ids)), current_approved())


def _breakdowns(ids: Any) -> Any:
    parts = select(
        ValueKey.of_measurement(),
        Dimension.code.label("dimension"),
        DimensionValue.code.label("dimension_value"),
        MeasurementBreakdown.value,
    )
    return (
        part_dimension(parts)
        .join(Measurement, Measurement.id == MeasurementBreakdown.measurement_id)
        .where(Measurement.indicator_id.in_(indicators_of(ids)), current_approved())
        .order_by(MeasurementBreakdown.measurement_id, Dimension.code, DimensionValue.code)
    )


def _links(ids: Any) -> Any:
    """Evidence given as links (files stored in the database are not published). Links are
    few: the statement starts from them and checks each one's measurement."""
    published = exists().where(
        Measurement.id == Attachment.measurement_id,
        Measurement.indicator_id.in_(indicators_of(ids)),
        current_approved(),
    )
    key = (
        select(ValueKey.of_measurement())
        .where(Measurement.id == Attachment.measurement_id)
        .scalar_subquery()
    )
    return (
        select(key, Attachment.url, Attachment.filename, Attachment.content_type)
        .where(Attachment.url.is_not(None), published)
        .order_by(Attachment.measurement_id, Attachment.id)
    )
