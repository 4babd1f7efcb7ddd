"""What the IATI import understood of one activity: plain data, no XML and no database. The
reader fills it (skipping what is not sound and saying why); the writer stores it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from rbm.exchange._import_text import Texts, Translations
from rbm.i18n import _
from rbm.models.enums import (
    Accumulation,
    Direction,
    Frequency,
    Measure,
    OrgType,
    PartnerRole,
    ProjectStatus,
    ResultLevel,
)

COUNTED = (
    "organisations",
    "countries",
    "regions",
    "sectors",
    "budgets",
    "transactions",
    "results",
    "indicators",
    "baselines",
    "periods",
    "targets",
    "actuals",
    "breakdowns",
)


@dataclass(frozen=True)
class OrgRef:
    """An organisation as the file names it: keyed by `ref` when present, else by name."""

    ref: str | None
    name: str
    type: OrgType

    @property
    def key(self) -> str:
        return f"ref:{self.ref}" if self.ref else f"name:{self.name.casefold()}"


@dataclass
class Value:
    """A baseline, target or actual: a number (percentages may add a ratio) and/or text."""

    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    text: str = ""
    links: list[tuple[str, str, str]] = field(default_factory=list)  # url, title, format
    breakdown: dict[tuple[str, str], Decimal] = field(default_factory=dict)  # (dim, value)
    translations: Texts = field(default_factory=dict)  # the comment in other languages


@dataclass
class PeriodData:
    start: date
    end: date
    life_of_project: bool = False
    target: Value | None = None
    actual: Value | None = None


@dataclass
class BaselineData:
    year: int
    baseline_date: date | None
    value: Value


@dataclass
class IndicatorData:
    code: str
    title: str
    measure: Measure
    direction: Direction = Direction.INCREASE
    accumulation: Accumulation = Accumulation.INCREMENTAL
    frequency: Frequency | None = None
    definition: str = ""
    unit: str = ""
    ordinal_labels: list[str] | None = None
    library_code: str | None = None
    library_is_ours: bool = False
    means_of_verification: str = ""
    data_source: str = ""
    method: str = ""
    responsible: str = ""
    dimensions: list[str] = field(default_factory=list)
    ref: str = ""  # "ref:<@ref>" when the file gives one
    key: str = ""  # identity: see `indicator_key`
    translations: Translations = field(default_factory=dict)  # title, definition
    baselines: list[BaselineData] = field(default_factory=list)
    periods: list[PeriodData] = field(default_factory=list)


@dataclass
class NodeData:
    code: str
    level: ResultLevel
    parent: str | None
    title: str
    description: str = ""
    assumptions: str = ""
    risks: str = ""
    ref: str = ""  # "ref:<@ref>" when the file gives one
    key: str = ""  # identity: see `node_key`
    translations: Translations = field(default_factory=dict)  # title, description
    indicators: list[IndicatorData] = field(default_factory=list)


@dataclass
class FundingData:
    """A funding line; a funder named with no incoming transaction has no amount."""

    donor: OrgRef
    amount: Decimal | None
    currency: str
    date_from: date
    date_to: date | None = None
    transaction_type: str = "11"


@dataclass
class ActivityData:
    identifier: str
    code: str
    title: str
    description: str
    status: ProjectStatus
    start_date: date
    end_date: date
    provider: OrgRef
    currency: str
    frequency: Frequency
    code_local: bool = False
    start_actual: bool = False
    end_actual: bool = False
    budget: Decimal | None = None
    partners: list[tuple[OrgRef, PartnerRole]] = field(default_factory=list)
    funding: list[FundingData] = field(default_factory=list)
    countries: dict[str, Decimal] = field(default_factory=dict)
    regions: dict[tuple[str, str], tuple[str, Decimal]] = field(default_factory=dict)
    # (vocabulary, code) -> (name, share)
    sectors: dict[str, Decimal] = field(default_factory=dict)
    areas: list[tuple[str, str]] = field(default_factory=list)  # code, name
    nodes: list[NodeData] = field(default_factory=list)
    translations: Translations = field(default_factory=dict)  # title, description


class Reason(str):
    """A reason of the import report with values in it. As a string it is its English text
    (what the report counts, and what logs and tests read); it keeps its message and values so
    that `shown` can give it in the reader's language. A value that is itself a Reason (a
    word such as "baseline") is translated too."""

    message: str
    values: dict[str, object]

    def __new__(cls, message: str, /, **values: object) -> Reason:
        reason = super().__new__(cls, message.format(**values) if values else message)
        reason.message, reason.values = message, values
        return reason

    @staticmethod
    def shown(reason: str) -> str:
        """`reason` in the reader's language (a plain string is its own message)."""
        if not isinstance(reason, Reason):
            return _(reason)
        values = {
            k: Reason.shown(v) if isinstance(v, Reason) else v for k, v in reason.values.items()
        }
        return _(reason.message, **values)


@dataclass
class ActivityReport:
    """What became of one activity: `outcome` is created, updated, unchanged, skipped, or
    duplicate (its identifier comes again later in the file, which is imported instead).

    `counts` are the parts imported (or found unchanged); `skipped` and `notes` count each
    reason, so a file with a thousand empty periods gives one line, not a thousand.
    """

    identifier: str
    title: str = ""
    outcome: str = "skipped"
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTED, 0))
    skipped: dict[str, int] = field(default_factory=dict)
    notes: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # schema messages, with line numbers

    def skip(self, reason: str, times: int = 1, /, **values: object) -> None:
        """Count a part left out for `reason` (an English message, with its `values`)."""
        if times:
            key = reason if isinstance(reason, Reason) else Reason(reason, **values)
            self.skipped[key] = self.skipped.get(key, 0) + times

    def note(self, text: str, times: int = 1, /, **values: object) -> None:
        """Count a note on what was done (an English message, with its `values`)."""
        if times:
            key = text if isinstance(text, Reason) else Reason(text, **values)
            self.notes[key] = self.notes.get(key, 0) + times

    @staticmethod
    def lines(reasons: dict[str, int]) -> list[str]:
        """Each reason once, in the reader's language (a reason is its English message, marked
        where it is written: `note(...)`, `skip(...)`, `ActivitySkipped(...)`, `Reason(...)`,
        with its values), with its count."""
        return [
            Reason.shown(r) if n == 1 else f"{Reason.shown(r)} (×{n})" for r, n in reasons.items()
        ]


class ActivitySkipped(Exception):
    """The activity as a whole cannot be imported; the message (with its values) says why."""

    def __init__(self, message: str, /, **values: object) -> None:
        super().__init__(message)
        self.reason = Reason(message, **values)


def node_key(level: str, title: str) -> str:
    """A result's identity in a publisher's file, before `nth_keys` numbers the equal ones:
    its level and title. Never its position alone."""
    return f"t:{level}|{title.casefold()}"


def indicator_key(title: str, measure: str) -> str:
    """An indicator's identity within its result, before `nth_keys`: title and measure."""
    return f"t:{title.casefold()}|{measure}"


def nth_keys(keys: list[str]) -> list[str]:
    """Each key with its occurrence number among the equal ones before it (#0, #1, ...)."""
    seen: dict[str, int] = {}
    out = []
    for k in keys:
        out.append(f"{k}#{seen.get(k, 0)}")
        seen[k] = seen.get(k, 0) + 1
    return out
