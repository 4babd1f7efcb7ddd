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
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
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
    RBM,
    RBM_NS,
    REPORTING_ORG_VOCAB,
    ROLE_EXTENDING,
    ROLE_FUNDING,
    SECTOR_VOCAB_DAC5,
    STATUS_CODE,
    TX_INCOMING_COMMITMENT,
    XML_LANG,
    decimal_text,
)
from rbm.models.enums import Direction, Measure, OrgType, PartnerRole, ProjectStatus, ResultLevel
from rbm.principal import Principal

_sub = etree.SubElement
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: str | None) -> str:
    """Text safe for XML 1.0 (control characters dropped)."""
    return _INVALID_XML.sub("", value or "")


def _narrative(parent: _Element, tag: str, text: str | None) -> _Element:
    element = _sub(parent, tag)
    _sub(element, "narrative").text = _text(text)
    return element


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
    root = etree.Element(
        "iati-activities",
        {"version": IATI_VERSION, "generated-datetime": stamp},
        nsmap={"rbm": RBM_NS},
    )
    for project in data.projects:
        _activity(root, project, data, stamp)
    return root


def serialize(root: _Element) -> bytes:
    return bytes(etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True))


def export_iati(
    session: Session, *, principal: Principal, project_codes: Sequence[str] | None = None
) -> bytes:
    """The IATI 2.03 XML document of the principal's visible projects, as bytes."""
    return serialize(build_tree(session, principal=principal, project_codes=project_codes))


def _org_attrs(name_ref: Any, type_: Any) -> dict[str, str]:
    attrs = {"ref": name_ref} if name_ref else {}
    attrs["type"] = ORG_TYPE_CODE[OrgType(type_)]
    return attrs


def _activity(root: _Element, p: Any, data: ExportData, stamp: str) -> None:
    activity = _sub(
        root,
        "iati-activity",
        {
            "last-updated-datetime": stamp,
            XML_LANG: "en",
            "default-currency": p.currency,
            "hierarchy": "1",
            RBM + "frequency": str(p.reporting_frequency),
        },
    )
    _sub(activity, "iati-identifier").text = _text(activity_identifier(p))
    reporting = _sub(
        activity,
        "reporting-org",
        {"ref": p.provider_ref or "", "type": ORG_TYPE_CODE[OrgType(p.provider_type)]},
    )
    _sub(reporting, "narrative").text = _text(p.provider_name)
    _narrative(activity, "title", p.title)
    _narrative(activity, "description", p.description).set("type", "1")
    _participants(activity, p, data)
    _sub(activity, "other-identifier", {"ref": p.code, "type": OTHER_ID_INTERNAL})
    _sub(activity, "activity-status", {"code": STATUS_CODE[ProjectStatus(p.status)]})
    _sub(
        activity,
        "activity-date",
        {"iso-date": p.start_date.isoformat(), "type": DATE_PLANNED_START},
    )
    _sub(activity, "activity-date", {"iso-date": p.end_date.isoformat(), "type": DATE_PLANNED_END})
    for c in data.countries[p.id]:
        attrs = {"code": c.country_code, "percentage": decimal_text(c.share)}
        _sub(activity, "recipient-country", attrs)
    for s in data.sectors[p.id]:
        attrs = {
            "vocabulary": SECTOR_VOCAB_DAC5,
            "code": s.code,
            "percentage": decimal_text(s.share),
        }
        _sub(activity, "sector", attrs)
    for a in data.areas[p.id]:
        attrs = {"vocabulary": "99", "vocabulary-uri": PRIORITY_AREA_URI, "code": a.code}
        _sub(_sub(activity, "tag", attrs), "narrative").text = _text(a.name)
    if p.budget is not None:
        _budget(activity, p)
    for row in data.funding[p.id]:
        _transaction(activity, p, row)
    nodes = _tree_order(data.nodes[p.id])
    for node in nodes:
        if data.indicators[node.id]:
            _result(activity, node, data, (p.start_date, p.end_date))
    _logframe(activity, nodes)


def _participants(activity: _Element, p: Any, data: ExportData) -> None:
    orgs: set[tuple[str, str, str | None, str]] = set()
    for row in data.funding[p.id]:
        orgs.add((ROLE_FUNDING, row.name, row.iati_ref, row.type))
    for row in data.partners[p.id]:
        orgs.add((PARTNER_ROLE_CODE[PartnerRole(row.role)], row.name, row.iati_ref, row.type))
    orgs.add((ROLE_EXTENDING, p.provider_name, p.provider_ref, p.provider_type))
    for role, name, ref, type_ in sorted(orgs, key=lambda o: (o[0], o[1])):
        attrs = _org_attrs(ref, type_)
        attrs["role"] = role
        _sub(_sub(activity, "participating-org", attrs), "narrative").text = _text(name)


def _money(parent: _Element, amount: Decimal, currency: str, day: date) -> None:
    value = _sub(parent, "value", {"currency": currency, "value-date": day.isoformat()})
    value.text = decimal_text(amount)


def _budget(activity: _Element, p: Any) -> None:
    budget = _sub(activity, "budget", {"type": "1", "status": "1"})
    _sub(budget, "period-start", {"iso-date": p.start_date.isoformat()})
    _sub(budget, "period-end", {"iso-date": p.end_date.isoformat()})
    _money(budget, p.budget, p.currency, p.start_date)


def _transaction(activity: _Element, p: Any, row: Any) -> None:
    attrs = {RBM + "date-to": row.date_to.isoformat()} if row.date_to else {}
    tx = _sub(activity, "transaction", attrs)
    _sub(tx, "transaction-type", {"code": TX_INCOMING_COMMITMENT})
    _sub(tx, "transaction-date", {"iso-date": row.date_from.isoformat()})
    _money(tx, row.amount, row.currency, row.date_from)
    provider = _sub(tx, "provider-org", _org_attrs(row.iati_ref, row.type))
    _sub(provider, "narrative").text = _text(row.name)
    receiver = _sub(tx, "receiver-org", _org_attrs(p.provider_ref, p.provider_type))
    _sub(receiver, "narrative").text = _text(p.provider_name)


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


def _logframe(activity: _Element, nodes: Rows) -> None:
    """The whole logframe tree, nodes without indicators included (IATI results need one)."""
    if not nodes:
        return
    codes = {n.id: n.code for n in nodes}
    frame = _sub(activity, RBM + "logframe")
    for n in nodes:
        attrs = {"code": n.code, "level": str(n.level)}
        if n.parent_id is not None:
            attrs["parent"] = codes[n.parent_id]
        element = _sub(frame, RBM + "node", attrs)
        _sub(element, RBM + "title").text = _text(n.title)
        for tag, text in (
            ("description", n.description),
            ("assumptions", n.assumptions),
            ("risks", n.risks),
        ):
            if text:
                _sub(element, RBM + tag).text = _text(text)


def _result(activity: _Element, node: Any, data: ExportData, span: tuple[date, date]) -> None:
    level = ResultLevel(node.level)
    result = _sub(activity, "result", {"type": LEVEL_RESULT_TYPE[level], RBM + "node": node.code})
    _narrative(result, "title", node.title)
    if node.description:
        _narrative(result, "description", node.description)
    for ind in data.indicators[node.id]:
        _indicator(result, ind, data, span)


def _indicator(result: _Element, ind: Any, data: ExportData, span: tuple[date, date]) -> None:
    measure = Measure(ind.measure)
    attrs = {
        "measure": MEASURE_CODE[measure],
        "ascending": "0" if ind.direction == Direction.DECREASE else "1",
        RBM + "code": ind.code,
        RBM + "accumulation": str(ind.accumulation),
        RBM + "frequency": str(ind.frequency),
    }
    if ind.unit:
        attrs[RBM + "unit"] = ind.unit
    element = _sub(result, "indicator", attrs)
    _narrative(element, "title", ind.title)
    if ind.definition:
        _narrative(element, "description", ind.definition)
    if ind.library_code:
        _sub(
            element,
            "reference",
            {
                "vocabulary": REPORTING_ORG_VOCAB,
                "code": ind.library_code,
                "indicator-uri": LIBRARY_INDICATOR_URI,
            },
        )
    numeric = measure is not Measure.QUALITATIVE
    for row in data.baselines[ind.id]:
        _baseline(element, row, numeric)
    _periods(element, ind.id, data, numeric, span)
    _reference_sheet(element, ind, data.dimensions[ind.id])


def _ratio(parent: _Element, numerator: Decimal | None, denominator: Decimal | None) -> None:
    if numerator is not None and denominator is not None:
        _sub(
            parent,
            RBM + "ratio",
            {"numerator": decimal_text(numerator), "denominator": decimal_text(denominator)},
        )


def _baseline(indicator: _Element, row: Any, numeric: bool) -> None:
    attrs = {"year": str(row.year)}
    if row.baseline_date is not None:
        attrs["iso-date"] = row.baseline_date.isoformat()
    if numeric and row.value is not None:
        attrs["value"] = decimal_text(row.value)
    baseline = _sub(indicator, "baseline", attrs)
    if row.comment:
        _narrative(baseline, "comment", row.comment)
    _ratio(baseline, row.numerator, row.denominator)


def _periods(
    indicator: _Element,
    indicator_id: int,
    data: ExportData,
    numeric: bool,
    span: tuple[date, date],
) -> None:
    """One period per (start, end) with a target or an approved actual; the life-of-project
    target last, as a period over the project's dates marked in our namespace."""
    targets = {}
    life = None
    for row in data.targets[indicator_id]:
        if row.start_date is None:
            life = row
        else:
            targets[(row.start_date, row.end_date)] = row
    actuals = {(row.start_date, row.end_date): row for row in data.actuals[indicator_id]}
    for key in sorted(set(targets) | set(actuals)):
        if key[0] >= key[1]:
            continue  # IATI wants the start before the end
        period = _period(indicator, *key)
        if key in targets:
            _target(period, targets[key], numeric)
        if key in actuals:
            _actual(period, actuals[key], data, numeric)
    if life is not None and (life.value is not None or life.comment):
        period = _period(indicator, *span)
        period.set(RBM + "life-of-project", "true")
        _target(period, life, numeric)


def _period(indicator: _Element, start: date, end: date) -> _Element:
    period = _sub(indicator, "period")
    _sub(period, "period-start", {"iso-date": start.isoformat()})
    _sub(period, "period-end", {"iso-date": end.isoformat()})
    return period


def _target(period: _Element, row: Any, numeric: bool) -> None:
    if row.value is None and not row.comment:
        return
    target = _sub(period, "target")
    if numeric and row.value is not None:
        target.set("value", decimal_text(row.value))
    if row.comment:
        _narrative(target, "comment", row.comment)
    _ratio(target, row.numerator, row.denominator)


def _actual(period: _Element, row: Any, data: ExportData, numeric: bool) -> None:
    actual = _sub(period, "actual")
    if numeric and row.value is not None:
        actual.set("value", decimal_text(row.value))
    if row.narrative:
        _narrative(actual, "comment", row.narrative)
    for link_row in data.links[row.id]:
        attrs = {"url": link_row.url, "format": link_row.content_type or "text/html"}
        link = _sub(actual, "document-link", attrs)
        _narrative(link, "title", link_row.filename)
        _sub(link, "category", {"code": DOC_RESULTS})
    _ratio(actual, row.numerator, row.denominator)
    for b in data.breakdowns[row.id]:
        part = _sub(period, "actual")
        if b.value is not None:
            part.set("value", decimal_text(b.value))
        _sub(part, "dimension", {"name": b.dimension, "value": b.dimension_value})


def _reference_sheet(indicator: _Element, ind: Any, dimensions: list[str]) -> None:
    for tag, text in (
        ("means-of-verification", ind.means_of_verification),
        ("data-source", ind.data_source),
        ("method", ind.method),
        ("responsible", ind.responsible),
    ):
        if text:
            _sub(indicator, RBM + tag).text = _text(text)
    if ind.ordinal_labels:
        scale = _sub(indicator, RBM + "scale")
        for label in ind.ordinal_labels:
            _sub(scale, RBM + "label").text = _text(label)
    for code in dimensions:
        _sub(indicator, RBM + "disaggregation", {"dimension": code})
