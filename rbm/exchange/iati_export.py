"""IATI 2.03 activity XML export of the projects a principal may see.

One `iati-activity` per project: reporting organisation (the provider), participating
organisations (funding, accountable, extending, implementing), recipient countries and DAC
5-digit sectors with percentages, priority areas as tags, status and dates, the budget, funding
as incoming commitments, and the results framework (approved values only). What IATI has no
element for (logframe codes and tree, reference sheets, numerators and denominators, the
life-of-project target) travels in our extension namespace, which the schema allows, so an
export imported into an empty database exports again to the same document.

The document is streamed: `write_iati` reads what the export needs (`read_export_data`, a fixed
number of statements) and writes each activity as UTF-8 text the moment it is made, so no
element tree and no copy of the whole document is ever held (a tree of the global portfolio
takes well over a gigabyte). The text is exactly what lxml writes for the same tree with
`pretty_print=True` (two spaces per level, elements with text on one line, empty elements
self-closed); `tests/integration/test_iati_export.py` checks this by parsing the stream and
serialising it again. Every value is escaped here: element text and attribute values the way
libxml2 escapes them, control characters that XML 1.0 forbids dropped.

`build_tree` parses the stream into an element tree, for callers that want to walk it (the
tests, the benchmark's floor); `serialize` writes a tree back as the same bytes.
"""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree
from lxml.etree import _Element
from sqlalchemy.orm import Session

from rbm.errors import NotFound
from rbm.exchange._export_data import (
    ActualRow,
    ExportData,
    RawTarget,
    Rows,
    ValueKey,
    iso,
    project_ids,
    read_export_data,
    unpack,
)
from rbm.exchange._export_periods import period_texts
from rbm.exchange._export_translations import read_translations
from rbm.exchange.iati_codes import (
    DATE_ACTUAL_END,
    DATE_ACTUAL_START,
    DATE_PLANNED_END,
    DATE_PLANNED_START,
    DOC_RESULTS,
    IATI_VERSION,
    LEVEL_RESULT_TYPE,
    LIBRARY_INDICATOR_URI,
    MEASURE_CODE,
    ORG_TYPE_CODE,
    OTHER_ID_INTERNAL,
    PARTNER_ROLE_CODE,
    PRIORITY_AREA_URI,
    RBM_NS,
    REPORTING_ORG_VOCAB,
    ROLE_EXTENDING,
    ROLE_FUNDING,
    SECTOR_VOCAB_DAC5,
    STATUS_CODE,
    TX_INCOMING_COMMITMENT,
    decimal_text,
)
from rbm.models.enums import Direction, Measure, OrgType, PartnerRole, ProjectStatus, ResultLevel
from rbm.principal import Principal

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

#: A new line indented to depth d: `_N[d]` (the activities are at depth 1).
_N = tuple("\n" + "  " * depth for depth in range(10))
N1, N2, N3, N4, N5, N6, N7, N8 = _N[1:9]

Write = Callable[[str], None]
Texts = Sequence[tuple[str, str]]  # (language, text)
"""Where the writers put their text (a list's `append`: an activity is joined when done)."""


_ESCAPE_TEXT = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPE_ATTR = re.compile('[&<>"\n\r\t\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]')
# What each escaped character becomes (one pass, so "&" is never escaped twice); an attribute
# also keeps its quotes and white space as written.
_TEXT_MAP = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}
_TEXT_ENTITIES = str.maketrans(_TEXT_MAP)
_ATTR_ENTITIES = str.maketrans({**_TEXT_MAP, '"': "&quot;", "\n": "&#10;", "\t": "&#9;"})


def _text(value: str | None) -> str:
    """Element content: safe for XML 1.0 (control characters dropped) and escaped."""
    if not value:
        return ""
    if not _ESCAPE_TEXT.search(value):  # the common case: nothing to change
        return value
    return _INVALID_XML.sub("", value).translate(_TEXT_ENTITIES)


@lru_cache(maxsize=65536)  # codes and names recur from project to project
def _q(value: str) -> str:
    """An attribute value, escaped for double quotes (whitespace kept as it is)."""
    if not _ESCAPE_ATTR.search(value):
        return value
    return _INVALID_XML.sub("", value).translate(_ATTR_ENTITIES)


def _leaf(tag: str, text: str | None, attrs: str = "") -> str:
    """An element with text content, self-closed when the (escaped) text is empty."""
    content = _text(text)
    return f"<{tag}{attrs}>{content}</{tag}>" if content else f"<{tag}{attrs}/>"


def _narrative(
    write: Write, depth: int, tag: str, text: str | None, attrs: str = "", others: Texts = ()
) -> None:
    n = _N[depth]
    write(f"{n}<{tag}{attrs}>{_narratives(depth + 1, text, others)}{n}</{tag}>")


def _narratives(depth: int, text: str | None, others: Texts) -> str:
    """The narratives of a text: its own, then its other languages (`xml:lang`). When one of
    those is the text itself (English first), the text is in that language: it is written
    first, with it."""
    n = _N[depth]
    if not others:
        return f"{n}{_leaf('narrative', text)}"
    own = min((lang for lang, other in others if other == text), key=_english_first, default=None)
    ordered = sorted(others, key=lambda o: o[0] != own)
    head = "" if own is not None else f"{n}{_leaf('narrative', text)}"
    return head + "".join(
        f"{n}{_leaf('narrative', other, f' xml:lang={_attr(lang)}')}" for lang, other in ordered
    )


def _english_first(lang: str) -> tuple[bool, str]:
    return (lang.split("-")[0] not in ("en", "eng"), lang)


def _attr(value: str) -> str:
    return f'"{_q(value)}"'


def _others(data: ExportData, entity: str, owner: Any, name: str) -> Texts:
    """The other languages of an entity's text (see `_export_translations`)."""
    fields = data.texts.get(entity, {}).get(owner)
    return fields.get(name, ()) if fields else ()


def _element(depth: int, tag: str, attrs: str, inner: str) -> str:
    """An element with element content (already indented), self-closed when it has none."""
    if not inner:
        return f"{_N[depth]}<{tag}{attrs}/>"
    return f"{_N[depth]}<{tag}{attrs}>{inner}{_N[depth]}</{tag}>"


def activity_identifier(row: Any) -> str:
    """The project's IATI identifier, or one made from the provider's reference and the code."""
    if row.iati_identifier:
        return str(row.iati_identifier)
    return f"{row.provider_ref}-{row.code}" if row.provider_ref else str(row.code)


def write_iati(
    session: Session,
    out: Callable[[bytes], object],
    *,
    principal: Principal,
    project_codes: Sequence[str] | None = None,
    generated_at: datetime | None = None,
) -> int:
    """Stream the IATI document of the principal's visible projects (all, or those with the
    given codes, ordered by project code) to `out`, one activity per call; returns the number
    of activities. Raises `NotFound`, having written nothing, when there is no such project
    (an IATI file holds at least one activity). This is a read-only operation."""
    with _collector_paused():
        return _write(session, out, principal, project_codes, generated_at)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector paused while the export runs: it reads millions of small
    tuples, none of them in a cycle, and the collector would otherwise walk the growing heap
    again and again (a third of the time of a large export). Restored even on error."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _write(
    session: Session,
    out: Callable[[bytes], object],
    principal: Principal,
    project_codes: Sequence[str] | None,
    generated_at: datetime | None,
) -> int:
    data = read_export_data(session, principal=principal, project_codes=project_codes)
    data.texts = read_translations(session, project_ids(principal, project_codes))
    stamp = (generated_at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    _prepare(data)
    root = (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        f'<iati-activities xmlns:rbm="{RBM_NS}" version="{IATI_VERSION}"'
        f' generated-datetime="{stamp}"'
    )
    if not data.projects:  # the schema wants at least one activity
        which = f"none of {', '.join(project_codes)} is a" if project_codes else "there is no"
        raise NotFound("Nothing to export: {which} project you may see.", which=which)
    out(f"{root}>".encode())
    for project in data.projects:
        parts: list[str] = []
        _activity(parts.append, project, data, stamp)
        out("".join(parts).encode())
    out(b"\n</iati-activities>\n")
    return len(data.projects)


def export_iati(
    session: Session,
    *,
    principal: Principal,
    project_codes: Sequence[str] | None = None,
    generated_at: datetime | None = None,
) -> bytes:
    """The IATI 2.03 XML document of the principal's visible projects, as bytes."""
    chunks: list[bytes] = []
    write_iati(
        session,
        chunks.append,
        principal=principal,
        project_codes=project_codes,
        generated_at=generated_at,
    )
    return b"".join(chunks)


def export_iati_file(
    session: Session,
    path: Path,
    *,
    principal: Principal,
    project_codes: Sequence[str] | None = None,
) -> int:
    """Stream the document into `path`, through a file beside it that replaces `path` only
    when the document is complete (an interrupted export leaves no partial file behind)."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        with partial.open("wb") as file:
            count = write_iati(
                session, file.write, principal=principal, project_codes=project_codes
            )
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return count


def build_tree(
    session: Session,
    *,
    principal: Principal,
    project_codes: Sequence[str] | None = None,
    generated_at: datetime | None = None,
) -> _Element:
    """The `iati-activities` element of the same document, parsed (indentation dropped)."""
    parser = etree.XMLParser(huge_tree=True, remove_blank_text=True)  # our own text
    write_iati(
        session,
        parser.feed,
        principal=principal,
        project_codes=project_codes,
        generated_at=generated_at,
    )
    root: _Element = parser.close()
    return root


def serialize(root: _Element) -> bytes:
    """A tree written as the export writes it."""
    return bytes(etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True))


def _org_attrs(name_ref: Any, type_: Any) -> str:
    ref = f' ref="{_q(name_ref)}"' if name_ref else ""
    return f'{ref} type="{ORG_TYPE_CODE[OrgType(type_)]}"'


def _activity(write: Write, p: Any, data: ExportData, stamp: str) -> None:
    # A code of ours is never written as the publisher's internal identifier (A1).
    local = f' rbm:code="{_q(p.code)}"' if p.code_local else ""
    write(
        f'{N1}<iati-activity last-updated-datetime="{stamp}" xml:lang="en"'
        f' default-currency="{_q(p.currency)}" hierarchy="1"'
        f' rbm:frequency="{_q(str(p.reporting_frequency))}"{local}>'
        f"{N2}{_leaf('iati-identifier', activity_identifier(p))}"
    )
    reporting = (
        f' ref="{_q(p.provider_ref or "")}" type="{ORG_TYPE_CODE[OrgType(p.provider_type)]}"'
    )
    _narrative(write, 2, "reporting-org", p.provider_name, reporting)
    _narrative(write, 2, "title", p.title, "", _others(data, "project", p.id, "title"))
    descriptions = _others(data, "project", p.id, "description")
    _narrative(write, 2, "description", p.description, ' type="1"', descriptions)
    _participants(write, p, data)
    start_type = DATE_ACTUAL_START if p.start_actual else DATE_PLANNED_START
    end_type = DATE_ACTUAL_END if p.end_actual else DATE_PLANNED_END
    if not p.code_local:
        write(f'{N2}<other-identifier ref="{_q(p.code)}" type="{OTHER_ID_INTERNAL}"/>')
    write(
        f'{N2}<activity-status code="{STATUS_CODE[ProjectStatus(p.status)]}"/>'
        f'{N2}<activity-date iso-date="{p.start_date.isoformat()}" type="{start_type}"/>'
        f'{N2}<activity-date iso-date="{p.end_date.isoformat()}" type="{end_type}"/>'
    )
    for c in data.countries[p.id]:
        write(
            f'{N2}<recipient-country code="{_q(c.country_code)}"'
            f' percentage="{decimal_text(c.share)}"/>'
        )
    for r in data.regions[p.id]:
        attrs = (
            f' code="{_q(r.code)}" vocabulary="{_q(r.vocabulary)}"'
            f' percentage="{decimal_text(r.share)}"'
        )
        _narrative(write, 2, "recipient-region", r.name, attrs)
    for s in data.sectors[p.id]:
        write(
            f'{N2}<sector vocabulary="{SECTOR_VOCAB_DAC5}" code="{_q(s.code)}"'
            f' percentage="{decimal_text(s.share)}"/>'
        )
    for a in data.areas[p.id]:
        attrs = f' vocabulary="99" vocabulary-uri="{PRIORITY_AREA_URI}" code="{_q(a.code)}"'
        _narrative(write, 2, "tag", a.name, attrs)
    if p.budget is not None:
        _budget(write, p)
    for row in data.funding[p.id]:
        if row.amount is not None:  # a funder without an amount is a participating org only
            _transaction(write, p, row)
    nodes = _tree_order(data.nodes[p.id])
    span = (p.start_date.isoformat(), p.end_date.isoformat())
    for node in nodes:
        if data.indicators[node.id]:
            _result(write, node, data, span)
    _logframe(write, nodes, data)
    write(f"{N1}</iati-activity>")


def _participants(write: Write, p: Any, data: ExportData) -> None:
    orgs: set[tuple[str, str, str | None, str]] = set()
    for row in data.funding[p.id]:
        orgs.add((ROLE_FUNDING, row.name, row.iati_ref, row.type))
    for row in data.partners[p.id]:
        orgs.add((PARTNER_ROLE_CODE[PartnerRole(row.role)], row.name, row.iati_ref, row.type))
    orgs.add((ROLE_EXTENDING, p.provider_name, p.provider_ref, p.provider_type))
    for role, name, ref, type_ in sorted(orgs, key=lambda o: (o[0], o[1])):
        _narrative(write, 2, "participating-org", name, f'{_org_attrs(ref, type_)} role="{role}"')


def _money(amount: Decimal, currency: str, day: date) -> str:
    return (
        f'{N3}<value currency="{_q(currency)}" value-date="{day.isoformat()}">'
        f"{decimal_text(amount)}</value>"
    )


def budget_years(start: date, end: date, amount: Decimal) -> list[tuple[date, date, Decimal]]:
    """The project budget over its dates, in periods of at most one year (IATI's rule): the
    amount shared by days, to the cent of the fourth decimal, the last period taking what the
    rounding leaves so the parts add up to the total exactly."""
    periods = []
    first = start
    while first <= end:
        try:
            next_first = first.replace(year=first.year + 1)
        except ValueError:  # 29 February
            next_first = first.replace(year=first.year + 1, day=28) + timedelta(days=1)
        last = min(next_first - timedelta(days=1), end)
        periods.append((first, last))
        first = last + timedelta(days=1)
    days = (end - start).days + 1
    out, given = [], Decimal(0)
    for i, (a, b) in enumerate(periods):
        if i == len(periods) - 1:
            share = amount - given
        else:
            share = (amount * ((b - a).days + 1) / days).quantize(Decimal("0.0001"))
        given += share
        out.append((a, b, share))
    return out


def _budget(write: Write, p: Any) -> None:
    for first, last, amount in budget_years(p.start_date, p.end_date, p.budget):
        write(
            f'{N2}<budget type="1" status="1">'
            f'{N3}<period-start iso-date="{first.isoformat()}"/>'
            f'{N3}<period-end iso-date="{last.isoformat()}"/>'
            f"{_money(amount, p.currency, first)}{N2}</budget>"
        )


def _transaction(write: Write, p: Any, row: Any) -> None:
    date_to = f' rbm:date-to="{row.date_to.isoformat()}"' if row.date_to else ""
    kind = row.transaction_type or TX_INCOMING_COMMITMENT
    write(
        f'{N2}<transaction{date_to}>{N3}<transaction-type code="{kind}"/>'
        f'{N3}<transaction-date iso-date="{row.date_from.isoformat()}"/>'
        f"{_money(row.amount, row.currency, row.date_from)}"
    )
    _narrative(write, 3, "provider-org", row.name, _org_attrs(row.iati_ref, row.type))
    _narrative(
        write, 3, "receiver-org", p.provider_name, _org_attrs(p.provider_ref, p.provider_type)
    )
    write(f"{N2}</transaction>")


def _tree_order(nodes: Rows) -> Rows:
    """Nodes depth-first from the root, siblings in their (position, id) order."""
    children: dict[int | None, Rows] = {}
    for node in nodes:  # already sorted by position, id
        children.setdefault(node.parent_id, []).append(node)
    ordered: Rows = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        node = stack.pop()
        ordered.append(node)
        stack.extend(reversed(children.get(node.id, [])))
    return ordered


def _logframe(write: Write, nodes: Rows, data: ExportData) -> None:
    """The whole logframe tree, nodes without indicators included (IATI results need one);
    a title or description in other languages is repeated with `xml:lang`."""
    if not nodes:
        return
    codes = {n.id: n.code for n in nodes}
    write(f"{N2}<rbm:logframe>")
    for n in nodes:
        parent = f' parent="{_q(codes[n.parent_id])}"' if n.parent_id is not None else ""
        write(
            f'{N3}<rbm:node code="{_q(n.code)}" level="{_q(str(n.level))}"{parent}>'
            f"{N4}{_leaf('rbm:title', n.title)}"
        )
        for lang, text in _others(data, "result_node", n.id, "title"):
            write(f"{N4}{_leaf('rbm:title', text, f' xml:lang={_attr(lang)}')}")
        for tag, text in (
            ("description", n.description),
            ("assumptions", n.assumptions),
            ("risks", n.risks),
        ):
            if text:
                write(f"{N4}{_leaf('rbm:' + tag, text)}")
            if tag == "description":
                for lang, other in _others(data, "result_node", n.id, tag):
                    write(f"{N4}{_leaf('rbm:description', other, f' xml:lang={_attr(lang)}')}")
        write(f"{N3}</rbm:node>")
    write(f"{N2}</rbm:logframe>")


def _result(write: Write, node: Any, data: ExportData, span: tuple[str, str]) -> None:
    level = ResultLevel(node.level)
    write(f'{N2}<result type="{LEVEL_RESULT_TYPE[level]}" rbm:node="{_q(node.code)}">')
    _narrative(write, 3, "title", node.title, "", _others(data, "result_node", node.id, "title"))
    descriptions = _others(data, "result_node", node.id, "description")
    if node.description or descriptions:
        _narrative(write, 3, "description", node.description, "", descriptions)
    for ind in data.indicators[node.id]:
        _indicator(write, ind, data, span)
    write(f"{N2}</result>")


def _indicator(write: Write, ind: Any, data: ExportData, span: tuple[str, str]) -> None:
    measure = Measure(ind.measure)
    ascending = "0" if ind.direction == Direction.DECREASE else "1"
    unit = f' rbm:unit="{_q(ind.unit)}"' if ind.unit else ""
    write(
        f'{N3}<indicator measure="{MEASURE_CODE[measure]}" ascending="{ascending}"'
        f' rbm:code="{_q(ind.code)}" rbm:accumulation="{_q(str(ind.accumulation))}"'
        f' rbm:frequency="{_q(str(ind.frequency))}"{unit}>'
    )
    _narrative(write, 4, "title", ind.title, "", _others(data, "indicator", ind.id, "title"))
    definitions = _others(data, "indicator", ind.id, "definition")
    if ind.definition or definitions:
        _narrative(write, 4, "description", ind.definition, "", definitions)
    if ind.library_code:
        write(
            f'{N4}<reference vocabulary="{REPORTING_ORG_VOCAB}" code="{_q(ind.library_code)}"'
            f' indicator-uri="{LIBRARY_INDICATOR_URI}"/>'
        )
    numeric = measure is not Measure.QUALITATIVE
    for row in data.baselines[ind.id]:
        _baseline(write, row, data, numeric)
    _periods(write, ind.id, data, numeric, span)
    _reference_sheet(write, ind, data.dimensions[ind.id])
    write(f"{N3}</indicator>")


def _baseline(write: Write, row: Any, data: ExportData, numeric: bool) -> None:
    number = data.number
    attrs = f' year="{row.year}"'
    if row.baseline_date is not None:
        attrs += f' iso-date="{iso(row.baseline_date)}"'
    if numeric and row.value is not None:
        attrs += f' value="{number[row.value]}"'
    others = _others(data, "baseline", row.baseline_id, "comment")
    inner = _comment(row.comment, 5, others) if row.comment or others else ""
    if row.numerator is not None and row.denominator is not None:
        numerator, denominator = number[row.numerator], number[row.denominator]
        inner += f'{N5}<rbm:ratio numerator="{numerator}" denominator="{denominator}"/>'
    write(_element(4, "baseline", attrs, inner))


def _periods(
    write: Write,
    indicator_id: int,
    data: ExportData,
    numeric: bool,
    span: tuple[str, str],
) -> None:
    """One period per (start, end) with a target or an approved actual; the life-of-project
    target last, as a period over the project's dates marked in our namespace. Targets and
    actuals are raw rows (see `ExportData`); dates are ISO strings, which sort as dates.

    The periods of indicators with actuals alone are already written (`_export_periods`),
    the same way as here."""
    periods = data.periods
    targets = {}
    life = None
    for row in data.targets.get(indicator_id, ()):
        if row[1] is None:
            life = row
        else:
            targets[periods[row[1]]] = row
    if targets or not numeric:
        write(_period_loop(data.actuals.get(indicator_id, []), targets, data, numeric))
    else:
        write(data.period_text.get(indicator_id, ""))
    if life is not None and (life[2] is not None or life[5]):
        write(
            f'{N4}<period rbm:life-of-project="true">{N5}<period-start iso-date="{span[0]}"/>'
            f'{N5}<period-end iso-date="{span[1]}"/>{_target(life, data, numeric)}{N4}</period>'
        )


def _period_loop(
    rows: list[ActualRow],
    targets: dict[tuple[str, str], RawTarget],
    data: ExportData,
    numeric: bool,
) -> str:
    """The periods of one indicator, given its actuals and its targets by (start, end)."""
    periods, published, opening = data.periods, data.project_periods, data.period_opening
    actuals = {periods[row.period_id]: row for row in rows if row.period_id in published}
    parts = []
    for key in sorted(targets.keys() | actuals.keys()):
        if key[0] <= key[1]:  # a single-day period is written as it is (see docs/iati.md)
            target, actual = targets.get(key), actuals.get(key)
            parts.append(
                f"{opening[key]}{_target(target, data, numeric) if target else ''}"
                f"{_actual(actual, data, numeric) if actual else ''}{N4}</period>"
            )
    return "".join(parts)


def _prepare(data: ExportData) -> None:
    """Texts made once for the whole document: the breakdowns of each value, and the periods
    of every indicator with actuals alone (see `_export_periods`). The actuals of the other
    indicators (with period targets, or qualitative) are grouped for `_periods`."""
    data.breakdown_text = _breakdown_texts(data)
    qualitative = Measure.QUALITATIVE.value
    written_here = {
        ind.id for rows in data.indicators.values() for ind in rows if ind.measure == qualitative
    } | {ind for ind, rows in data.targets.items() if any(row[1] is not None for row in rows)}
    rows = data.actual_rows
    if written_here:
        # `ValueKey.indicator` inlined: a call per row costs more than the shift on a million.
        shift = ValueKey.INDICATOR_SHIFT
        for row in rows:
            if row[0] >> shift in written_here:
                data.actuals[row[0] >> shift].append(unpack(row))
        rows = [row for row in rows if row[0] >> shift not in written_here]
    data.period_text = period_texts(
        data,
        rows,
        alone=lambda number: f'{N5}<actual value="{number}"/>',
        opened=lambda number: f'{N5}<actual value="{number}">',
        ratio=lambda numerator, denominator: (
            f'{N6}<rbm:ratio numerator="{numerator}" denominator="{denominator}"/>{N5}</actual>'
        ),
        more=lambda row: _actual(unpack(row), data, True),
        close=f"{N4}</period>",
    )


def _target(row: RawTarget, data: ExportData, numeric: bool) -> str:
    indicator_id, period_id, value, numerator, denominator, comment = row
    if value is None and not comment:
        return ""
    value_attr = f' value="{data.number[value]}"' if numeric and value is not None else ""
    others = _others(data, "target", (indicator_id, period_id), "comment")
    inner = _comment(comment, 6, others) if comment or others else ""
    if numerator is not None and denominator is not None:
        inner += _ratio(data, numerator, denominator)
    return _element(5, "target", value_attr, inner)


def _actual(row: ActualRow, data: ExportData, numeric: bool) -> str:
    """The approved value (with its comment, links and ratio), then its breakdowns."""
    indicator_id, key, period_id, value, numerator, denominator, narrative, _ = row
    value_attr = f' value="{data.number[value]}"' if numeric and value is not None else ""
    others = _others(data, "measurement", (indicator_id, period_id), "narrative")
    inner = _comment(narrative, 6, others) if narrative or others else ""
    if key in data.links:
        inner += _links(data.links[key])
    if numerator is not None and denominator is not None:
        inner += _ratio(data, numerator, denominator)
    return _element(5, "actual", value_attr, inner) + data.breakdown_text.get(key, "")


def _comment(text: str | None, depth: int = 5, others: Texts = ()) -> str:
    n = _N[depth]
    return f"{n}<comment>{_narratives(depth + 1, text, others)}{n}</comment>"


def _ratio(data: ExportData, numerator: Any, denominator: Any) -> str:
    number = data.number
    return f'{N6}<rbm:ratio numerator="{number[numerator]}" denominator="{number[denominator]}"/>'


def _links(links: Rows) -> str:
    return "".join(
        f'{N6}<document-link url="{_q(link.url)}" format="{_q(link.content_type or "text/html")}">'
        f"{N7}<title>{N8}{_leaf('narrative', link.filename)}{N7}</title>"
        f'{N7}<category code="{DOC_RESULTS}"/>{N6}</document-link>'
        for link in links
    )


def _breakdown_texts(data: ExportData) -> dict[int, str]:
    """The breakdown actuals that follow each approved value, by its key
    (`ValueKey.value_key`)."""
    number = data.number
    texts: dict[int, str] = {}
    for key, dimension, dimension_value, value in data.breakdowns:
        value_attr = "" if value is None else f' value="{number[value]}"'
        text = f"{N5}<actual{value_attr}>{_dimension(dimension, dimension_value)}{N5}</actual>"
        texts[key] = texts.get(key, "") + text
    return texts


@lru_cache(maxsize=1024)
def _dimension(name: str, value: str) -> str:
    return f'{N6}<dimension name="{_q(name)}" value="{_q(value)}"/>'


def _reference_sheet(write: Write, ind: Any, dimensions: list[str]) -> None:
    for tag, text in (
        ("means-of-verification", ind.means_of_verification),
        ("data-source", ind.data_source),
        ("method", ind.method),
        ("responsible", ind.responsible),
    ):
        if text:
            write(f"{N4}{_leaf('rbm:' + tag, text)}")
    if ind.ordinal_labels:
        given = ind.ordinal_labels  # JSON: text from SQLite, a list from psycopg
        labels = "".join(
            f"{N5}{_leaf('rbm:label', label)}"
            for label in (json.loads(given) if isinstance(given, str) else given)
        )
        write(f"{N4}<rbm:scale>{labels}{N4}</rbm:scale>")
    for code in dimensions:
        write(f'{N4}<rbm:disaggregation dimension="{_q(code)}"/>')
