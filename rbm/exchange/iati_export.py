"""IATI 2.03 activity XML export of the projects a principal may see.

One `iati-activity` per project: reporting organisation (the provider), participating
organisations (funding, accountable, extending, implementing), recipient countries and DAC
5-digit sectors with percentages, priority areas as tags, status and dates, the budget, funding
as incoming commitments, and the results framework (approved values only). What IATI has no
element for (logframe codes and tree, reference sheets, numerators and denominators, the
life-of-project target) travels in our extension namespace, which the schema allows, so an
export imported into an empty database exports again to the same document.

`build_tree` makes the element tree; `serialize` writes it. They are separate so that a
benchmark can time lxml's serialization alone.

The tree is made by writing each activity as compact XML text (every value escaped here) and
feeding it to one lxml parser (in small pieces, on which libxml2's push parser is as fast as
parsing a whole document at once), which is many times faster than making the elements one by
one from Python; the text of the whole document never exists at once. An empty text is written
as an empty CDATA section, which the parser keeps as an empty text node, as setting
`.text = ""` would: it serializes as `<a></a>`, not `<a/>`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from lxml import etree
from lxml.etree import _Element
from sqlalchemy.orm import Session

from rbm.exchange._export_data import ExportData, Rows, read_export_data
from rbm.exchange.iati_codes import (
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
_EMPTY = "<![CDATA[]]>"
_CHUNK = 8192  # libxml2's push parser is slower on larger pieces

Write = Callable[[str], None]


def _text(value: str | None) -> str:
    """Element content: safe for XML 1.0 (control characters dropped) and escaped."""
    text = _INVALID_XML.sub("", value or "")
    if not text:
        return _EMPTY
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


def _q(value: str) -> str:
    """An attribute value, escaped for double quotes (whitespace kept as it is)."""
    return (
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
        .replace("\t", "&#9;")
    )


def _narrative(write: Write, tag: str, text: str | None, attrs: str = "") -> None:
    write(f"<{tag}{attrs}><narrative>{_text(text)}</narrative></{tag}>")


def activity_identifier(row: Any) -> str:
    """The project's IATI identifier, or one made from the provider's reference and the code."""
    if row.iati_identifier:
        return str(row.iati_identifier)
    return f"{row.provider_ref}-{row.code}" if row.provider_ref else str(row.code)


def build_tree(
    session: Session,
    *,
    principal: Principal,
    project_codes: Sequence[str] | None = None,
    generated_at: datetime | None = None,
) -> _Element:
    """The `iati-activities` element for the principal's visible projects (all, or those with
    the given codes), ordered by project code. This is a read-only operation."""
    data = read_export_data(session, principal=principal, project_codes=project_codes)
    stamp = (generated_at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    parser = etree.XMLParser(huge_tree=True)  # our own text: no limit on the document's size
    parser.feed(
        f'<iati-activities xmlns:rbm="{RBM_NS}" version="{IATI_VERSION}"'
        f' generated-datetime="{stamp}">'
    )
    for project in data.projects:
        parts: list[str] = []
        _activity(parts.append, project, data, stamp)
        text = "".join(parts).encode()
        for start in range(0, len(text), _CHUNK):
            parser.feed(text[start : start + _CHUNK])
    parser.feed("</iati-activities>")
    root: _Element = parser.close()
    return root


def serialize(root: _Element) -> bytes:
    return bytes(etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True))


def export_iati(
    session: Session, *, principal: Principal, project_codes: Sequence[str] | None = None
) -> bytes:
    """The IATI 2.03 XML document of the principal's visible projects, as bytes."""
    return serialize(build_tree(session, principal=principal, project_codes=project_codes))


def _org_attrs(name_ref: Any, type_: Any) -> str:
    ref = f' ref="{_q(name_ref)}"' if name_ref else ""
    return f'{ref} type="{ORG_TYPE_CODE[OrgType(type_)]}"'


def _activity(write: Write, p: Any, data: ExportData, stamp: str) -> None:
    write(
        f'<iati-activity last-updated-datetime="{stamp}" xml:lang="en"'
        f' default-currency="{_q(p.currency)}" hierarchy="1"'
        f' rbm:frequency="{_q(str(p.reporting_frequency))}">'
        f"<iati-identifier>{_text(activity_identifier(p))}</iati-identifier>"
    )
    reporting = (
        f' ref="{_q(p.provider_ref or "")}" type="{ORG_TYPE_CODE[OrgType(p.provider_type)]}"'
    )
    _narrative(write, "reporting-org", p.provider_name, reporting)
    _narrative(write, "title", p.title)
    _narrative(write, "description", p.description, ' type="1"')
    _participants(write, p, data)
    write(
        f'<other-identifier ref="{_q(p.code)}" type="{OTHER_ID_INTERNAL}"/>'
        f'<activity-status code="{STATUS_CODE[ProjectStatus(p.status)]}"/>'
        f'<activity-date iso-date="{p.start_date.isoformat()}" type="{DATE_PLANNED_START}"/>'
        f'<activity-date iso-date="{p.end_date.isoformat()}" type="{DATE_PLANNED_END}"/>'
    )
    for c in data.countries[p.id]:
        write(
            f'<recipient-country code="{_q(c.country_code)}" percentage="{decimal_text(c.share)}"/>'
        )
    for s in data.sectors[p.id]:
        write(
            f'<sector vocabulary="{SECTOR_VOCAB_DAC5}" code="{_q(s.code)}"'
            f' percentage="{decimal_text(s.share)}"/>'
        )
    for a in data.areas[p.id]:
        attrs = f' vocabulary="99" vocabulary-uri="{PRIORITY_AREA_URI}" code="{_q(a.code)}"'
        _narrative(write, "tag", a.name, attrs)
    if p.budget is not None:
        _budget(write, p)
    for row in data.funding[p.id]:
        _transaction(write, p, row)
    nodes = _tree_order(data.nodes[p.id])
    span = (p.start_date.isoformat(), p.end_date.isoformat())
    for node in nodes:
        if data.indicators[node.id]:
            _result(write, node, data, span)
    _logframe(write, nodes)
    write("</iati-activity>")


def _participants(write: Write, p: Any, data: ExportData) -> None:
    orgs: set[tuple[str, str, str | None, str]] = set()
    for row in data.funding[p.id]:
        orgs.add((ROLE_FUNDING, row.name, row.iati_ref, row.type))
    for row in data.partners[p.id]:
        orgs.add((PARTNER_ROLE_CODE[PartnerRole(row.role)], row.name, row.iati_ref, row.type))
    orgs.add((ROLE_EXTENDING, p.provider_name, p.provider_ref, p.provider_type))
    for role, name, ref, type_ in sorted(orgs, key=lambda o: (o[0], o[1])):
        _narrative(write, "participating-org", name, f'{_org_attrs(ref, type_)} role="{role}"')


def _money(amount: Decimal, currency: str, day: date) -> str:
    return (
        f'<value currency="{_q(currency)}" value-date="{day.isoformat()}">'
        f"{decimal_text(amount)}</value>"
    )


def _budget(write: Write, p: Any) -> None:
    write(
        '<budget type="1" status="1">'
        f'<period-start iso-date="{p.start_date.isoformat()}"/>'
        f'<period-end iso-date="{p.end_date.isoformat()}"/>'
        f"{_money(p.budget, p.currency, p.start_date)}</budget>"
    )


def _transaction(write: Write, p: Any, row: Any) -> None:
    date_to = f' rbm:date-to="{row.date_to.isoformat()}"' if row.date_to else ""
    write(
        f'<transaction{date_to}><transaction-type code="{TX_INCOMING_COMMITMENT}"/>'
        f'<transaction-date iso-date="{row.date_from.isoformat()}"/>'
        f"{_money(row.amount, row.currency, row.date_from)}"
    )
    _narrative(write, "provider-org", row.name, _org_attrs(row.iati_ref, row.type))
    _narrative(write, "receiver-org", p.provider_name, _org_attrs(p.provider_ref, p.provider_type))
    write("</transaction>")


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


def _logframe(write: Write, nodes: Rows) -> None:
    """The whole logframe tree, nodes without indicators included (IATI results need one)."""
    if not nodes:
        return
    codes = {n.id: n.code for n in nodes}
    write("<rbm:logframe>")
    for n in nodes:
        parent = f' parent="{_q(codes[n.parent_id])}"' if n.parent_id is not None else ""
        write(
            f'<rbm:node code="{_q(n.code)}" level="{_q(str(n.level))}"{parent}>'
            f"<rbm:title>{_text(n.title)}</rbm:title>"
        )
        for tag, text in (
            ("description", n.description),
            ("assumptions", n.assumptions),
            ("risks", n.risks),
        ):
            if text:
                write(f"<rbm:{tag}>{_text(text)}</rbm:{tag}>")
        write("</rbm:node>")
    write("</rbm:logframe>")


def _result(write: Write, node: Any, data: ExportData, span: tuple[str, str]) -> None:
    level = ResultLevel(node.level)
    write(f'<result type="{LEVEL_RESULT_TYPE[level]}" rbm:node="{_q(node.code)}">')
    _narrative(write, "title", node.title)
    if node.description:
        _narrative(write, "description", node.description)
    for ind in data.indicators[node.id]:
        _indicator(write, ind, data, span)
    write("</result>")


def _indicator(write: Write, ind: Any, data: ExportData, span: tuple[str, str]) -> None:
    measure = Measure(ind.measure)
    ascending = "0" if ind.direction == Direction.DECREASE else "1"
    unit = f' rbm:unit="{_q(ind.unit)}"' if ind.unit else ""
    write(
        f'<indicator measure="{MEASURE_CODE[measure]}" ascending="{ascending}"'
        f' rbm:code="{_q(ind.code)}" rbm:accumulation="{_q(str(ind.accumulation))}"'
        f' rbm:frequency="{_q(str(ind.frequency))}"{unit}>'
    )
    _narrative(write, "title", ind.title)
    if ind.definition:
        _narrative(write, "description", ind.definition)
    if ind.library_code:
        write(
            f'<reference vocabulary="{REPORTING_ORG_VOCAB}" code="{_q(ind.library_code)}"'
            f' indicator-uri="{LIBRARY_INDICATOR_URI}"/>'
        )
    numeric = measure is not Measure.QUALITATIVE
    for row in data.baselines[ind.id]:
        _baseline(write, row, numeric)
    _periods(write, ind.id, data, numeric, span)
    _reference_sheet(write, ind, data.dimensions[ind.id])
    write("</indicator>")


def _baseline(write: Write, row: Any, numeric: bool) -> None:
    attrs = f' year="{row.year}"'
    if row.baseline_date is not None:
        attrs += f' iso-date="{row.baseline_date.isoformat()}"'
    if numeric and row.value is not None:
        attrs += f' value="{decimal_text(row.value)}"'
    write(f"<baseline{attrs}>")
    if row.comment:
        _narrative(write, "comment", row.comment)
    if row.numerator is not None and row.denominator is not None:
        numerator, denominator = decimal_text(row.numerator), decimal_text(row.denominator)
        write(f'<rbm:ratio numerator="{numerator}" denominator="{denominator}"/>')
    write("</baseline>")


def _periods(
    write: Write,
    indicator_id: int,
    data: ExportData,
    numeric: bool,
    span: tuple[str, str],
) -> None:
    """One period per (start, end) with a target or an approved actual; the life-of-project
    target last, as a period over the project's dates marked in our namespace. Targets and
    actuals are raw rows (see `ExportData`); dates are ISO strings, which sort as dates."""
    periods, published = data.periods, data.project_periods
    targets = {}
    life = None
    for row in data.targets[indicator_id]:
        if row[1] is None:
            life = row
        else:
            targets[periods[row[1]]] = row
    actuals = {periods[row[2]]: row for row in data.actuals[indicator_id] if row[2] in published}
    for key in sorted(targets.keys() | actuals.keys()):
        if key[0] >= key[1]:
            continue  # IATI wants the start before the end
        target = targets.get(key)
        actual = actuals.get(key)
        write(
            f'<period><period-start iso-date="{key[0]}"/><period-end iso-date="{key[1]}"/>'
            f"{_target(target, data, numeric) if target else ''}"
            f"{_actual(actual, data, numeric) if actual else ''}</period>"
        )
    if life is not None and (life[2] is not None or life[5]):
        write(
            f'<period rbm:life-of-project="true"><period-start iso-date="{span[0]}"/>'
            f'<period-end iso-date="{span[1]}"/>{_target(life, data, numeric)}</period>'
        )


def _target(row: tuple[Any, ...], data: ExportData, numeric: bool) -> str:
    _, _, value, numerator, denominator, comment = row
    if value is None and not comment:
        return ""
    value_attr = f' value="{data.number[value]}"' if numeric and value is not None else ""
    inner = _comment(comment) if comment else ""
    if numerator is not None and denominator is not None:
        inner += _ratio(data, numerator, denominator)
    return f"<target{value_attr}>{inner}</target>"


def _actual(row: tuple[Any, ...], data: ExportData, numeric: bool) -> str:
    """The approved value (with its comment, links and ratio), then its breakdowns. The most
    frequent element: the common case (a value alone) makes no further call."""
    _, measurement_id, _, value, numerator, denominator, narrative = row
    value_attr = f' value="{data.number[value]}"' if numeric and value is not None else ""
    inner = _comment(narrative) if narrative else ""
    if measurement_id in data.links:
        inner += _links(data.links[measurement_id])
    if numerator is not None and denominator is not None:
        inner += _ratio(data, numerator, denominator)
    if measurement_id in data.breakdowns:
        return f"<actual{value_attr}>{inner}</actual>" + "".join(
            _breakdown(data, *part[1:]) for part in data.breakdowns[measurement_id]
        )
    return f"<actual{value_attr}>{inner}</actual>"


def _comment(text: str) -> str:
    return f"<comment><narrative>{_text(text)}</narrative></comment>"


def _ratio(data: ExportData, numerator: Any, denominator: Any) -> str:
    number = data.number
    return f'<rbm:ratio numerator="{number[numerator]}" denominator="{number[denominator]}"/>'


def _links(links: Rows) -> str:
    return "".join(
        f'<document-link url="{_q(link.url)}" format="{_q(link.content_type or "text/html")}">'
        f"<title><narrative>{_text(link.filename)}</narrative></title>"
        f'<category code="{DOC_RESULTS}"/></document-link>'
        for link in links
    )


def _breakdown(data: ExportData, dimension: str, dimension_value: str, value: Any) -> str:
    value_attr = "" if value is None else f' value="{data.number[value]}"'
    return f"<actual{value_attr}>{_dimension(dimension, dimension_value)}</actual>"


@lru_cache(maxsize=1024)
def _dimension(name: str, value: str) -> str:
    return f'<dimension name="{_q(name)}" value="{_q(value)}"/>'


def _reference_sheet(write: Write, ind: Any, dimensions: list[str]) -> None:
    for tag, text in (
        ("means-of-verification", ind.means_of_verification),
        ("data-source", ind.data_source),
        ("method", ind.method),
        ("responsible", ind.responsible),
    ):
        if text:
            write(f"<rbm:{tag}>{_text(text)}</rbm:{tag}>")
    if ind.ordinal_labels:
        labels = "".join(f"<rbm:label>{_text(label)}</rbm:label>" for label in ind.ordinal_labels)
        write(f"<rbm:scale>{labels}</rbm:scale>")
    for code in dimensions:
        write(f'<rbm:disaggregation dimension="{_q(code)}"/>')
