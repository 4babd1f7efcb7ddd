"""The IATI 2.03 codes the exchange uses, mapped to and from the domain's vocabulary, and the
extension namespace that carries what IATI has no element for (so our own exports round-trip).

Codelists: IATI Standard (http://iatistandard.org/), CC BY 4.0.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from rbm.models.enums import (
    Accumulation,
    Frequency,
    Measure,
    OrgType,
    PartnerRole,
    ProjectStatus,
    ResultLevel,
)

IATI_VERSION = "2.03"

#: Our extension namespace: logframe codes, reference sheets, ratios, life-of-project targets.
RBM_NS = "urn:rbm-tracker:iati-extension:1"
RBM = "{" + RBM_NS + "}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: Marks tags and references that name our own priority areas and library indicators.
PRIORITY_AREA_URI = "urn:rbm-tracker:priority-area"
LIBRARY_INDICATOR_URI = "urn:rbm-tracker:library-indicator"

#: ActivityStatus 1-6.
STATUS_CODE = {status: str(i) for i, status in enumerate(ProjectStatus, start=1)}
CODE_STATUS = {code: status for status, code in STATUS_CODE.items()}

#: OrganisationType: what we export for each of our types; the import reads every IATI code.
ORG_TYPE_CODE = {
    OrgType.GOVERNMENT: "10",
    OrgType.OTHER_PUBLIC: "15",
    OrgType.NGO: "21",
    OrgType.MULTILATERAL: "40",
    OrgType.FOUNDATION: "60",
    OrgType.PRIVATE: "70",
    OrgType.ACADEMIC: "80",
}
CODE_ORG_TYPE = {
    "10": OrgType.GOVERNMENT,
    "11": OrgType.GOVERNMENT,
    "15": OrgType.OTHER_PUBLIC,
    "21": OrgType.NGO,
    "22": OrgType.NGO,
    "23": OrgType.NGO,
    "24": OrgType.NGO,
    "30": OrgType.PRIVATE,
    "40": OrgType.MULTILATERAL,
    "60": OrgType.FOUNDATION,
    "70": OrgType.PRIVATE,
    "71": OrgType.PRIVATE,
    "72": OrgType.PRIVATE,
    "73": OrgType.PRIVATE,
    "80": OrgType.ACADEMIC,
}

#: OrganisationRole.
ROLE_FUNDING, ROLE_ACCOUNTABLE, ROLE_EXTENDING, ROLE_IMPLEMENTING = "1", "2", "3", "4"
PARTNER_ROLE_CODE = {
    PartnerRole.IMPLEMENTING: ROLE_IMPLEMENTING,
    PartnerRole.ACCOUNTABLE: ROLE_ACCOUNTABLE,
}
CODE_PARTNER_ROLE = {code: role for role, code in PARTNER_ROLE_CODE.items()}

#: ResultType; activity-level nodes (no IATI type) go out as 9 "Other".
LEVEL_RESULT_TYPE = {
    ResultLevel.OUTPUT: "1",
    ResultLevel.OUTCOME: "2",
    ResultLevel.IMPACT: "3",
    ResultLevel.ACTIVITY: "9",
}
RESULT_TYPE_LEVEL = {
    "1": ResultLevel.OUTPUT,
    "2": ResultLevel.OUTCOME,
    "3": ResultLevel.IMPACT,
    "9": ResultLevel.OUTCOME,
}

#: IndicatorMeasure 1 Unit, 2 Percentage, 3 Nominal, 4 Ordinal, 5 Qualitative.
MEASURE_CODE = {
    Measure.NUMBER: "1",
    Measure.PERCENTAGE: "2",
    Measure.YES_NO: "3",
    Measure.ORDINAL: "4",
    Measure.QUALITATIVE: "5",
}

#: TransactionType: our funding lines are incoming commitments; 1 is incoming funds; 2, an
#: outgoing commitment, is how a funder publishing its own activity states what it commits.
TX_INCOMING_COMMITMENT, TX_INCOMING_FUNDS, TX_OUTGOING_COMMITMENT = "11", "1", "2"
#: ActivityDateType.
DATE_PLANNED_START, DATE_ACTUAL_START, DATE_PLANNED_END, DATE_ACTUAL_END = "1", "2", "3", "4"
#: Other-identifier type A1: the reporting organisation's internal activity identifier.
OTHER_ID_INTERNAL = "A1"
#: DocumentCategory A08 "Results, outcomes and outputs" for evidence links.
DOC_RESULTS = "A08"
SECTOR_VOCAB_DAC5 = "1"
REPORTING_ORG_VOCAB = "99"

#: Default accumulation of an imported indicator when the file does not say (IATI has no such
#: notion): counts add up per period, everything else is a state.
DEFAULT_ACCUMULATION = {
    Measure.NUMBER: Accumulation.INCREMENTAL,
    Measure.PERCENTAGE: Accumulation.LEVEL,
    Measure.YES_NO: Accumulation.LEVEL,
    Measure.ORDINAL: Accumulation.LEVEL,
    Measure.QUALITATIVE: Accumulation.LEVEL,
}

FREQUENCY_MONTHS = {
    Frequency.MONTHLY: 1,
    Frequency.QUARTERLY: 3,
    Frequency.SEMIANNUAL: 6,
    Frequency.ANNUAL: 12,
}

_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_GROUPED_NUMBER = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")
#: The largest magnitude a Numeric(20, 4) column holds.
MAX_VALUE = Decimal("1e16")
FOUR_PLACES = Decimal("0.0001")


def decimal_text(value: Decimal) -> str:
    """An exact decimal string without exponent or trailing zeros (`xs:decimal`)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def parse_number(text: str | None, *, percent: bool = False) -> Decimal | None:
    """A decimal from a value attribute, or None when it is not a plain number.

    Accepts surrounding spaces, thousands separators in groups of three ("12,014") and, for
    percentages, a trailing "%". Anything else ("N/A", "N=35;P=55", "1e3") is not a number.
    """
    if text is None:
        return None
    raw = text.strip()
    if percent and raw.endswith("%"):
        raw = raw[:-1].strip()
    if _GROUPED_NUMBER.fullmatch(raw):
        raw = raw.replace(",", "")
    if not _PLAIN_NUMBER.fullmatch(raw):
        return None
    try:
        number = Decimal(raw)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        return None
    if abs(number) >= MAX_VALUE:
        return None
    # Stored as Numeric(20, 4): round here, so that a re-import compares equal.
    return number.quantize(FOUR_PLACES, ROUND_HALF_UP)


YES_WORDS = {"1", "yes", "true", "y", "oui", "si", "sí", "ja"}
NO_WORDS = {"0", "no", "false", "n", "non", "nee", "nein"}


def yes_no(text: str | None) -> Decimal | None:
    """1 for yes-like, 0 for no-like values (any case), else None."""
    if text is None:
        return None
    word = text.strip().lower()
    if word in YES_WORDS:
        return Decimal(1)
    if word in NO_WORDS:
        return Decimal(0)
    return None
