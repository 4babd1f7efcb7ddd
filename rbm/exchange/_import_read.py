"""Reading one `iati-activity` element into plain data: the activity's header, organisations,
countries, sectors, budget and funding. Results are read by `_import_results`.

Real files are messy; what is not sound is skipped with a reason in the report, never guessed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from lxml.etree import _Element

from rbm.exchange._import_model import (
    ActivityData,
    ActivityReport,
    ActivitySkipped,
    FundingData,
    OrgRef,
    Reason,
)
from rbm.exchange._import_results import read_results
from rbm.exchange._import_text import Texts, iso_date, narrative, narratives, translations
from rbm.exchange.iati_codes import (
    CODE_ORG_TYPE,
    CODE_PARTNER_ROLE,
    CODE_STATUS,
    DATE_ACTUAL_END,
    DATE_ACTUAL_START,
    DATE_PLANNED_END,
    DATE_PLANNED_START,
    FREQUENCY_MONTHS,
    OTHER_ID_INTERNAL,
    PRIORITY_AREA_URI,
    RBM,
    ROLE_FUNDING,
    SECTOR_VOCAB_DAC5,
    TX_INCOMING_COMMITMENT,
    TX_INCOMING_FUNDS,
    TX_OUTGOING_COMMITMENT,
    parse_number,
)
from rbm.models.enums import Frequency, OrgType, ProjectStatus

_PLACEHOLDER_REFS = {"", "n/a", "na", "-", "none", "null", "unknown", "0"}
_HUNDRED = Decimal(100)
_SHARE = Decimal("0.0001")
_STARTS, _ENDS = (DATE_ACTUAL_START, DATE_PLANNED_START), (DATE_ACTUAL_END, DATE_PLANNED_END)


def clip(text: str, limit: int, what: Reason, report: ActivityReport) -> str:
    if len(text) <= limit:
        return text
    report.note("{what} shortened to {limit} characters", what=what, limit=limit)
    return text[:limit]


def org_ref(element: _Element | None) -> OrgRef | None:
    """An organisation named by @ref and/or a narrative; None when it has neither."""
    if element is None:
        return None
    ref = (element.get("ref") or "").strip()
    ref = None if ref.lower() in _PLACEHOLDER_REFS else ref[:120]
    name = narrative(element).strip() or ref or ""
    if not name:
        return None
    type_ = CODE_ORG_TYPE.get((element.get("type") or "").strip(), OrgType.OTHER_PUBLIC)
    return OrgRef(ref=ref, name=name[:200], type=type_)


def read_activity(element: _Element, report: ActivityReport) -> ActivityData:
    """Everything importable of one activity, or ActivitySkipped when the activity as a whole
    cannot be imported (no identifier, no reporting organisation, no dates)."""
    identifier = (element.findtext("iati-identifier") or "").strip()
    if not identifier:
        raise ActivitySkipped("the activity has no iati-identifier")
    if len(identifier) > 200:
        raise ActivitySkipped("the iati-identifier is longer than 200 characters")
    report.identifier = identifier
    title, titles = narratives(element.find("title"))
    title = title.strip() or identifier
    report.title = title
    provider = org_ref(element.find("reporting-org"))
    if provider is None:
        raise ActivitySkipped("the reporting organisation has neither a reference nor a name")
    start, end, start_actual, end_actual = _dates(element, report)
    code, code_local = _code(element, identifier)
    currency = (element.get("default-currency") or "USD").strip().upper()[:3]
    description, descriptions = _description(element)
    activity = ActivityData(
        identifier=identifier,
        code=code,
        code_local=code_local,
        title=clip(title, 300, Reason("the title"), report),
        description=description,
        status=_status(element, report),
        start_date=start,
        end_date=end,
        start_actual=start_actual,
        end_actual=end_actual,
        provider=provider,
        currency=currency,
        frequency=Frequency.ANNUAL,
        translations=translations(title=titles, description=descriptions),
    )
    _participants(element, activity, report)
    activity.countries, activity.regions = _recipients(element, report)
    activity.sectors = _sectors(element, report)
    activity.areas = _areas(element)
    _budget(element, activity, report)
    _funding(element, activity, report)
    activity.nodes = read_results(element, report)
    activity.frequency = _frequency(element, activity)
    return activity


def _code(element: _Element, identifier: str) -> tuple[str, bool]:
    """The project code and whether it is ours: our export's `rbm:code` (a code that is not
    the publisher's), else the publisher's internal identifier (A1), else the identifier."""
    ours = (element.get(RBM + "code") or "").strip()
    if ours and len(ours) <= 40:
        return ours, True
    for other in element.iterchildren("other-identifier"):
        ref = (other.get("ref") or "").strip()
        if other.get("type") == OTHER_ID_INTERNAL and ref and len(ref) <= 40:
            return ref, False
    return shortened_code(identifier), True


_CODE_LENGTH = 40  # Project.code
_SEPARATORS = "-_./: "


def shortened_code(identifier: str) -> str:
    """An IATI identifier as a project code: whole, where it fits; else its end, from the first
    part that starts whole (the publisher's prefix is what goes: the end is what tells a
    publisher's activities apart). Only a last part longer than a code is cut inside."""
    if len(identifier) <= _CODE_LENGTH:
        return identifier
    tail = identifier[-_CODE_LENGTH:]
    if identifier[-_CODE_LENGTH - 1] not in _SEPARATORS:
        parts = [i for i, ch in enumerate(tail) if ch in _SEPARATORS]
        tail = tail[parts[0] + 1 :] if parts and parts[0] + 1 < len(tail) else tail
    return tail.lstrip(_SEPARATORS) or tail


def _description(element: _Element) -> tuple[str, Texts]:
    """The general description (type 1), else the first, in every language."""
    descriptions = element.findall("description")
    for d in descriptions:
        if d.get("type") in (None, "1"):
            return narratives(d)
    return narratives(descriptions[0]) if descriptions else ("", {})


def _status(element: _Element, report: ActivityReport) -> ProjectStatus:
    code = element.find("activity-status")
    value = (code.get("code") or "").strip() if code is not None else ""
    if value in CODE_STATUS:
        return CODE_STATUS[value]
    report.note(
        "activity status {value} is not an IATI code: implementation",
        value=repr(value) if value else "(none)",
    )
    return ProjectStatus.IMPLEMENTATION


def _dates(element: _Element, report: ActivityReport) -> tuple[date, date, bool, bool]:
    """Start and end, and whether each is actual: actual dates where known and consistent,
    else planned ones (each start and end tried in that order); else the span of the result
    and budget periods (said in the report)."""
    dates: dict[str, date] = {}
    for d in element.iterchildren("activity-date"):
        day = iso_date(d.get("iso-date"))
        if day is not None:
            dates.setdefault(d.get("type") or "", day)
    starts = [
        (dates[t], t == DATE_ACTUAL_START)
        for t in (DATE_ACTUAL_START, DATE_PLANNED_START)
        if t in dates
    ]
    ends = [
        (dates[t], t == DATE_ACTUAL_END) for t in (DATE_ACTUAL_END, DATE_PLANNED_END) if t in dates
    ]
    spans = [iso_date(e.get("iso-date")) for e in element.iter("period-start", "period-end")]
    known = [d for d in spans if d is not None]
    if (not starts or not ends) and known:
        report.note("a missing activity date taken from the result and budget periods")
        starts, ends = starts or [(min(known), False)], ends or [(max(known), False)]
    if not starts or not ends:
        raise ActivitySkipped("the activity has no start or no end date")
    for i, (start, start_actual) in enumerate(starts):
        for j, (end, end_actual) in enumerate(ends):
            if start <= end:
                if i or j:
                    report.note(
                        "the actual dates are inconsistent: planned dates used ({start} to {end})",
                        start=start,
                        end=end,
                    )
                return start, end, start_actual, end_actual
    raise ActivitySkipped(
        "the activity ends ({end}) before it starts ({start}), in its actual and in its planned "
        "dates",
        end=ends[0][0],
        start=starts[0][0],
    )


def _participants(element: _Element, activity: ActivityData, report: ActivityReport) -> None:
    seen = set()
    for p in element.iterchildren("participating-org"):
        role = CODE_PARTNER_ROLE.get((p.get("role") or "").strip())
        if role is None:
            continue  # funding comes from transactions; the extending org is the provider
        org = org_ref(p)
        if org is None:
            report.skip("a participating organisation has neither a reference nor a name")
            continue
        if (org.key, role) not in seen:
            seen.add((org.key, role))
            activity.partners.append((org, role))


def shares(
    raw: list[tuple[str, Decimal | None]], what: Reason, report: ActivityReport
) -> dict[str, Decimal]:
    """Percentages by code adding up to exactly 100. Codes without a percentage share what the
    others leave (equally); a total other than 100 is rescaled, and the report says so."""
    merged: dict[str, Decimal | None] = {}
    for code, pct in raw:
        old = merged.get(code)
        merged[code] = pct if old is None else old + (pct or 0)
    zero = [c for c, p in merged.items() if p is not None and p <= 0]
    if zero:
        report.skip("{what} with a percentage of 0", len(zero), what=what)
        for code in zero:
            del merged[code]
    if not merged:
        return {}
    given = sum((p for p in merged.values() if p is not None), Decimal(0))
    missing = [c for c, p in merged.items() if p is None]
    if missing:
        rest = _HUNDRED - given if given < _HUNDRED else given / len(merged)
        for code in missing:
            merged[code] = rest / len(missing)
    values = {c: p or Decimal(0) for c, p in merged.items()}
    total = sum(values.values(), Decimal(0))
    if abs(total - _HUNDRED) > Decimal("0.01"):
        report.note("{what} percentages rescaled to add up to 100", what=what)
    out = {c: (p * _HUNDRED / total).quantize(_SHARE, ROUND_HALF_EVEN) for c, p in values.items()}
    out[list(out)[-1]] += _HUNDRED - sum(out.values())
    return out


def _recipients(
    element: _Element, report: ActivityReport
) -> tuple[dict[str, Decimal], dict[tuple[str, str], tuple[str, Decimal]]]:
    """Recipient countries and regions with their percentages as published (never rescaled:
    a project 2% in a country counts 2% there). One recipient without a percentage has 100;
    several without one share what the given percentages leave, equally."""
    raw: list[tuple[str, Decimal | None]] = []
    names: dict[str, str] = {}
    for c in element.iterchildren("recipient-country"):
        code = (c.get("code") or "").strip().upper()
        if len(code) != 2 or not code.isalpha():
            report.skip("recipient country that is not an ISO 3166 alpha-2 code")
            continue
        raw.append((code, parse_number(c.get("percentage"), percent=True)))
    for r in element.iterchildren("recipient-region"):
        code = (r.get("code") or "").strip()[:20]
        vocabulary = (r.get("vocabulary") or "1").strip()[:10]
        if not code:
            report.skip("recipient region without a code")
            continue
        key = f"{vocabulary}|{code}"
        names[key] = narrative(r).strip()[:200]
        raw.append((key, parse_number(r.get("percentage"), percent=True)))
    merged: dict[str, Decimal | None] = {}
    for code, pct in raw:
        old = merged.get(code)
        merged[code] = pct if code not in merged or old is None else old + (pct or 0)
    unusable = [c for c, p in merged.items() if p is not None and not 0 < p <= _HUNDRED]
    report.skip("recipient with a percentage of 0 or over 100", len(unusable))
    for code in unusable:
        del merged[code]
    given = sum((p for p in merged.values() if p is not None), Decimal(0))
    missing = [c for c, p in merged.items() if p is None]
    if missing:
        rest = _HUNDRED - given
        if rest <= 0:
            report.skip("recipient without a percentage (the others add up to 100)", len(missing))
            for code in missing:
                del merged[code]
        else:
            if len(merged) > 1:
                report.note("recipients without a percentage share what the others leave")
            for code in missing:
                merged[code] = (rest / len(missing)).quantize(_SHARE, ROUND_HALF_EVEN)
    total = sum((p or Decimal(0) for p in merged.values()), Decimal(0))
    if merged and abs(total - _HUNDRED) > Decimal("0.01"):
        report.note(
            "recipient percentages add up to {total}, kept as published",
            total=f"{total.normalize():f}",
        )
    countries = {c: p for c, p in merged.items() if p is not None and "|" not in c}
    regions = {
        (c.split("|", 1)[0], c.split("|", 1)[1]): (names[c], p)
        for c, p in merged.items()
        if p is not None and "|" in c
    }
    return countries, regions


def _sectors(element: _Element, report: ActivityReport) -> dict[str, Decimal]:
    raw, other = [], 0
    for s in element.iterchildren("sector"):
        code = (s.get("code") or "").strip()
        vocabulary = (s.get("vocabulary") or SECTOR_VOCAB_DAC5).strip()
        if vocabulary != SECTOR_VOCAB_DAC5 or len(code) != 5 or not code.isdigit():
            other += 1
            continue
        raw.append((code, parse_number(s.get("percentage"), percent=True)))
    report.skip("sector not in the DAC 5-digit vocabulary", other)
    return shares(raw, Reason("sector"), report)


def _areas(element: _Element) -> list[tuple[str, str]]:
    return [
        ((t.get("code") or "").strip()[:40], narrative(t).strip()[:200])
        for t in element.iterchildren("tag")
        if t.get("vocabulary-uri") == PRIORITY_AREA_URI and (t.get("code") or "").strip()
    ]


def _amount(
    value: _Element | None, default_currency: str, *, signed: bool = False
) -> tuple[Decimal, str] | None:
    """An amount and its currency; a negative amount only where it means something
    (`signed`: a refund or a decommitment of incoming money)."""
    if value is None:
        return None
    amount = parse_number(value.text)
    if amount is None or (amount < 0 and not signed):
        return None
    return amount, (value.get("currency") or default_currency).strip().upper()[:3]


def _budget(element: _Element, activity: ActivityData, report: ActivityReport) -> None:
    """The budget is the sum over the budget periods of each period's revised budget where it
    has one, else its original one."""
    chosen: dict[tuple[str, str], tuple[str, list[_Element]]] = {}
    for b in element.iterchildren("budget"):
        kind = (b.get("type") or "1").strip()
        if kind not in ("1", "2"):
            report.skip("a budget of an unknown type")
            continue
        key = (_period_attr(b, "period-start"), _period_attr(b, "period-end"))
        held = chosen.get(key)
        if held is None or (held[0] == "1" and kind == "2"):
            chosen[key] = (kind, [b])
        elif held[0] == kind:
            held[1].append(b)
            report.note("budgets of one type for one period added up")
    amounts = []
    for _, budgets in chosen.values():
        for b in budgets:
            amount = _amount(b.find("value"), activity.currency)
            if amount is None:
                report.skip("a budget has no amount that is a non-negative number")
            else:
                amounts.append(amount)
    if not amounts:
        return
    currencies = {c for _, c in amounts}
    if len(currencies) > 1:
        report.skip(
            "budgets in several currencies ({currencies})", currencies=", ".join(sorted(currencies))
        )
        return
    activity.budget = sum((a for a, _ in amounts), Decimal(0))
    activity.currency = currencies.pop()
    report.counts["budgets"] = len(amounts)


def _period_attr(budget: _Element, tag: str) -> str:
    child = budget.find(tag)
    return (child.get("iso-date") or "").strip()[:10] if child is not None else ""


def _funding(element: _Element, activity: ActivityData, report: ActivityReport) -> None:
    """Funding lines, one per donor and date: incoming commitments, else incoming funds, else,
    where the reporting organisation is itself a funder of the activity, its own outgoing
    commitments (a funder publishing its own programme states what it commits that way)."""
    by_type: dict[str, list[_Element]] = {}
    for tx in element.iterchildren("transaction"):
        kind = tx.find("transaction-type")
        by_type.setdefault((kind.get("code") or "") if kind is not None else "", []).append(tx)
    funders = [
        o
        for o in (
            org_ref(p)
            for p in element.iterchildren("participating-org")
            if p.get("role") == ROLE_FUNDING
        )
        if o is not None
    ]
    as_funder = _as_funder(activity.provider, funders)
    kind = _funding_kind(by_type, reporting_funds=as_funder is not None)
    chosen = by_type.get(kind) or []
    others = sum(len(v) for v in by_type.values()) - len(chosen)
    report.note("transaction other than an incoming commitment (not stored)", others)
    if kind == TX_OUTGOING_COMMITMENT:
        own = _own_commitments(chosen, activity, report)
        lines = {(f"{o.donor.key} {o.currency}", o.date_from): o for o in own}
        paying = {line.donor.key for line in lines.values()}
    else:
        lines, settled = _incoming_lines(chosen, kind, activity.currency, funders, report)
        # A donor whose money all came back is not listed again as a funder without an amount.
        paying = {line.donor.key for line in lines.values()} | settled
    report.counts["transactions"] = len(lines)
    if kind == TX_OUTGOING_COMMITMENT and as_funder is not None:
        paying.add(as_funder.key)  # the reporting organisation, as a participant pays already
    for funder in funders:
        if funder.key not in paying:
            paying.add(funder.key)
            lines[(funder.key, activity.start_date)] = FundingData(
                donor=funder, amount=None, currency=activity.currency, date_from=activity.start_date
            )
            report.note("funding organisation without an incoming transaction: a funder, no amount")
    activity.funding = list(lines.values())


def _funding_kind(by_type: dict[str, list[_Element]], *, reporting_funds: bool) -> str:
    """Which transactions are the activity's funding (see `_funding`)."""
    if by_type.get(TX_INCOMING_COMMITMENT):
        return TX_INCOMING_COMMITMENT
    if by_type.get(TX_INCOMING_FUNDS):
        return TX_INCOMING_FUNDS
    if by_type.get(TX_OUTGOING_COMMITMENT) and reporting_funds:
        return TX_OUTGOING_COMMITMENT
    return TX_INCOMING_FUNDS  # none: a funder named without an amount, as before


def _as_funder(reporting: OrgRef, funders: list[OrgRef]) -> OrgRef | None:
    """The funder that is the reporting organisation: the same reference, else the same name
    (publishers name themselves by one reference as reporter and another as participant, as
    the Asian Development Bank does with XM-DAC-46004 and 46004)."""
    by_ref = (f for f in funders if f.key == reporting.key)
    by_name = (f for f in funders if f.name.casefold() == reporting.name.casefold())
    return next(by_ref, None) or next(by_name, None)


def _incoming_lines(
    transactions: list[_Element],
    kind: str,
    currency: str,
    funders: list[OrgRef],
    report: ActivityReport,
) -> tuple[dict[tuple[str, date], FundingData], set[str]]:
    """Incoming transactions as funding lines, one per donor and date; a donor's lines in a
    currency with refunds or decommitments (negative amounts) are netted (`_netted`). Also
    the donors whose money all came back."""
    lines: dict[tuple[str, date], FundingData] = {}
    returned: list[FundingData] = []
    for tx in transactions:
        line = _funding_line(tx, currency, funders, report)
        if line is None:
            continue
        line.transaction_type = kind
        if line.amount is not None and line.amount < 0:
            returned.append(line)
            continue
        key = (line.donor.key, line.date_from)
        if key in lines and lines[key].currency == line.currency:
            lines[key].amount = (lines[key].amount or Decimal(0)) + (line.amount or Decimal(0))
            report.note("funding lines of one donor on one date added up")
        elif key not in lines:
            lines[key] = line
    return _netted(lines, returned, report) if returned else (lines, set())


def _netted(
    lines: dict[tuple[str, date], FundingData],
    returned: list[FundingData],
    report: ActivityReport,
) -> tuple[dict[tuple[str, date], FundingData], set[str]]:
    """Each donor's lines in a currency where money came back (a refund, a decommitment: a
    negative incoming transaction) as one line: their sum with what came back taken off, dated
    at the first. Where that is nothing or less, the donor keeps no line in that currency (and
    is among the donors returned beside the lines)."""
    report.note("incoming transactions with money returned netted: one line per donor and currency")
    groups = {(r.donor.key, r.currency) for r in returned}
    out = {k: v for k, v in lines.items() if (v.donor.key, v.currency) not in groups}
    settled: set[str] = set()
    for donor_key, currency in sorted(groups):
        parts = [v for v in lines.values() if (v.donor.key, v.currency) == (donor_key, currency)]
        parts += [r for r in returned if (r.donor.key, r.currency) == (donor_key, currency)]
        total = sum((p.amount or Decimal(0) for p in parts), Decimal(0))
        first = min(parts, key=lambda p: p.date_from)
        if total <= 0:
            report.note("a donor's incoming transactions net to nothing (not stored)")
            settled.add(donor_key)
            continue
        out[(donor_key, first.date_from)] = FundingData(
            donor=first.donor,
            amount=total,
            currency=currency,
            date_from=first.date_from,
            transaction_type=first.transaction_type,
        )
    return out, settled


def _own_commitments(
    transactions: list[_Element], activity: ActivityData, report: ActivityReport
) -> list[FundingData]:
    """A funder's own outgoing commitments as its funding: one line per currency, the sum of
    its commitments with their decommitments (negative amounts) netted, dated at the first;
    a currency whose commitments net to nothing gives no line."""
    report.note("the reporting funder's outgoing commitments read as its funding, netted")
    nets: dict[str, tuple[Decimal, date]] = {}
    for tx in transactions:
        value = tx.find("value")
        amount = parse_number(value.text) if value is not None else None
        when = iso_date(_first_attr(tx, ("transaction-date", "value"), ("iso-date", "value-date")))
        if value is None or amount is None:
            report.skip("an outgoing commitment has no usable amount")
            continue
        if when is None:
            report.skip("an outgoing commitment has no usable date")
            continue
        currency = (value.get("currency") or activity.currency).strip().upper()[:3]
        total, first = nets.get(currency, (Decimal(0), when))
        nets[currency] = (total + amount, min(first, when))
    report.note(
        "outgoing commitments that net to nothing (not stored)",
        sum(1 for total, _ in nets.values() if total <= 0),
    )
    return [
        FundingData(
            donor=activity.provider,
            amount=total,
            currency=currency,
            date_from=first,
            transaction_type=TX_OUTGOING_COMMITMENT,
        )
        for currency, (total, first) in nets.items()
        if total > 0
    ]


def _funding_line(
    tx: _Element, currency: str, funders: list[OrgRef], report: ActivityReport
) -> FundingData | None:
    amount = _amount(tx.find("value"), currency, signed=True)
    when = iso_date(_first_attr(tx, ("transaction-date", "value"), ("iso-date", "value-date")))
    donor = org_ref(tx.find("provider-org")) or (funders[0] if len(funders) == 1 else None)
    if amount is None or when is None or donor is None:
        if amount is None:
            report.skip("an incoming transaction has no usable amount")
        elif when is None:
            report.skip("an incoming transaction has no usable date")
        else:
            report.skip("an incoming transaction has no usable funding org")
        return None
    return FundingData(
        donor=donor,
        amount=amount[0],
        currency=amount[1],
        date_from=when,
        date_to=iso_date(tx.get(RBM + "date-to")),
    )


def _first_attr(element: _Element, tags: Iterable[str], attrs: Iterable[str]) -> str | None:
    for tag, attr in zip(tags, attrs, strict=True):
        child = element.find(tag)
        if child is not None and child.get(attr):
            return str(child.get(attr))
    return None


def _frequency(element: _Element, activity: ActivityData) -> Frequency:
    """Ours when the file says; else the commonest period length of the results."""
    declared = element.get(RBM + "frequency")
    if declared in {f.value for f in Frequency}:
        return Frequency(declared)
    lengths = [
        (p.end.year - p.start.year) * 12 + p.end.month - p.start.month + 1
        for node in activity.nodes
        for ind in node.indicators
        for p in ind.periods
        if not p.life_of_project
    ]
    if not lengths:
        return Frequency.ANNUAL
    common = max(set(lengths), key=lengths.count)
    return min(FREQUENCY_MONTHS, key=lambda f: abs(FREQUENCY_MONTHS[f] - common))
