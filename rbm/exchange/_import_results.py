"""Reading an activity's `result` elements into a logframe: nodes (impact > outcome > output),
indicators with their measure, baselines, and periods with a target and an actual each.

Our own exports carry the logframe tree and codes in the extension namespace. Other files get
a tree by the rules of docs/iati.md: one impact at the root (a synthetic one when the file has
none), outcomes under it, outputs under the outcome before them.
"""

from __future__ import annotations

from decimal import Decimal

from lxml.etree import _Element

from rbm.exchange._import_model import (
    ActivityReport,
    BaselineData,
    IndicatorData,
    NodeData,
    PeriodData,
    Reason,
    Value,
    indicator_key,
    node_key,
    nth_keys,
)
from rbm.exchange._import_text import (
    Texts,
    iso_date,
    narrative,
    narratives,
    translations,
)
from rbm.exchange.iati_codes import (
    DEFAULT_ACCUMULATION,
    LIBRARY_INDICATOR_URI,
    RBM,
    REPORTING_ORG_VOCAB,
    RESULT_TYPE_LEVEL,
    XML_LANG,
    parse_number,
    yes_no,
)
from rbm.i18n import N_
from rbm.models.enums import Accumulation, Direction, Frequency, Measure, ResultLevel, labels_of

_MEASURES = {"1": Measure.NUMBER, "2": Measure.PERCENTAGE, "5": Measure.QUALITATIVE}
UNTITLED_RESULT, UNTITLED_INDICATOR = "(untitled result)", "(untitled indicator)"

#: The parts of a result period that the report's reasons name (`what`), for the catalogue.
PARTS = (N_("baseline"), N_("target"), N_("actual"))


def _measure(measure: Measure) -> Reason:
    """A measure as the report's reasons name it (its label, translated where shown)."""
    return Reason(labels_of(Measure)[measure.value])


def read_results(activity: _Element, report: ActivityReport) -> list[NodeData]:
    """The logframe nodes, parents before children, with their indicators."""
    results = list(activity.iterchildren("result"))
    frame = activity.find(RBM + "logframe")
    nodes = _declared_nodes(frame) if frame is not None else {}
    if nodes:
        for result in results:
            node = nodes.get(result.get(RBM + "node") or "")
            if node is None:
                report.skip("result not in the activity's logframe extension")
                continue
            node.indicators.extend(_indicators(result, node.code, report))
        ordered = list(nodes.values())
        for node in ordered:  # our own export: the codes are the identity
            node.key = f"code:{node.code}"
            for ind in node.indicators:
                ind.key = f"code:{ind.code}"
    else:
        ordered = _infer_tree(results, report)
        _identify(ordered)
    report.counts["results"] = len(ordered)
    return ordered


SYNTHETIC = {"I": "Impact", "0": "Outputs reported without an outcome"}


def _identify(nodes: list[NodeData]) -> None:
    """Identity keys of a publisher's results and indicators (see docs/iati.md): the file's
    `@ref` where it gives one, else title (+ measure) and the position among equal titles."""
    plain = [node_key(n.level.value, n.title) for n in nodes]
    for node, key in zip(nodes, nth_keys(plain), strict=True):
        synthetic = node.code in SYNTHETIC and node.title == SYNTHETIC[node.code]
        node.key = node.ref or (f"syn:{node.code}" if synthetic else key)
        inds = [indicator_key(i.title, i.measure.value) for i in node.indicators]
        for ind, ikey in zip(node.indicators, nth_keys(inds), strict=True):
            ind.key = ind.ref or ikey


def _declared_nodes(frame: _Element) -> dict[str, NodeData]:
    nodes: dict[str, NodeData] = {}
    for n in frame.iterchildren(RBM + "node"):
        code, level = n.get("code") or "", n.get("level") or ""
        if not code or level not in {lv.value for lv in ResultLevel} or code in nodes:
            continue
        title, titles = _declared_texts(n, "title")
        description, descriptions = _declared_texts(n, "description")
        nodes[code] = NodeData(
            code=code[:20],
            level=ResultLevel(level),
            parent=n.get("parent"),
            title=(title or UNTITLED_RESULT)[:400],
            description=description,
            assumptions=n.findtext(RBM + "assumptions") or "",
            risks=n.findtext(RBM + "risks") or "",
            translations=translations(title=titles, description=descriptions),
        )
    return nodes


def _declared_texts(node: _Element, tag: str) -> tuple[str, Texts]:
    """Our extension's text of a node (the element without `xml:lang`) and its other
    languages (the elements with one), as our export writes them."""
    text, others = "", Texts()
    for element in node.iterchildren(RBM + tag):
        lang = (element.get(XML_LANG) or "").strip().lower()[:10]
        if lang:
            others.setdefault(lang, element.text or "")
        elif not text:
            text = element.text or ""
    return text, others


def _result_node(
    result: _Element, code: str, level: ResultLevel, parent: str | None, report: ActivityReport
) -> NodeData:
    title, titles = narratives(result.find("title"))
    title = title.strip() or UNTITLED_RESULT
    if len(title) > 400:
        report.note("result title shortened to 400 characters")
    description, descriptions = narratives(result.find("description"))
    return NodeData(
        code=code,
        level=level,
        parent=parent,
        title=title[:400],
        description=description,
        ref=_ref(result),
        translations=translations(title=titles, description=descriptions),
    )


def _ref(element: _Element) -> str:
    ref = (element.get("ref") or "").strip()
    return f"ref:{ref}" if ref else ""


def _infer_tree(results: list[_Element], report: ActivityReport) -> list[NodeData]:
    """Impact at the root; outcomes (and "other" results) under it; each output under the
    outcome before it in the file, or under a synthetic outcome when none comes before."""
    if not results:
        return []
    levels = []
    for result in results:
        code = (result.get("type") or "").strip()
        if code not in RESULT_TYPE_LEVEL:
            report.note("result of unknown type imported as an outcome")
        levels.append(RESULT_TYPE_LEVEL.get(code, ResultLevel.OUTCOME))
    first_impact = next((i for i, lv in enumerate(levels) if lv is ResultLevel.IMPACT), None)
    if first_impact is None:
        root = NodeData(code="I", level=ResultLevel.IMPACT, parent=None, title="Impact")
        report.note("no impact result: a synthetic impact heads the logframe")
    else:
        root = _result_node(results[first_impact], "I", ResultLevel.IMPACT, None, report)
    nodes, outcome, outcomes, outputs = [root], None, 0, 0
    for i, (result, level) in enumerate(zip(results, levels, strict=True)):
        if i == first_impact:
            root.indicators = _indicators(result, root.code, report)
            continue
        if level is ResultLevel.IMPACT:
            report.note("a second impact result imported as an outcome")
        if level is ResultLevel.OUTPUT:
            if outcome is None:
                outcome = NodeData(
                    code="0",
                    level=ResultLevel.OUTCOME,
                    parent="I",
                    title="Outputs reported without an outcome",
                )
                nodes.append(outcome)
            outputs += 1
            node = _result_node(result, f"{outcome.code}.{outputs}", level, outcome.code, report)
        else:
            outcomes, outputs = outcomes + 1, 0
            node = _result_node(result, str(outcomes), ResultLevel.OUTCOME, "I", report)
            outcome = node
        node.indicators = _indicators(result, node.code, report)
        nodes.append(node)
    return nodes


def letters(i: int) -> str:
    """a, b, ..., z, aa, ab, ... for 0, 1, ..."""
    out = ""
    i += 1
    while i:
        i, rest = divmod(i - 1, 26)
        out = chr(97 + rest) + out
    return out


def _indicators(result: _Element, node_code: str, report: ActivityReport) -> list[IndicatorData]:
    out: list[IndicatorData] = []
    codes: set[str] = set()
    for i, element in enumerate(result.iterchildren("indicator")):
        code = (element.get(RBM + "code") or f"{node_code}.{letters(i)}")[:20]
        while code in codes:
            code = code[:18] + f"~{len(codes) % 10}"
        codes.add(code)
        out.append(read_indicator(element, code, report))
    report.counts["indicators"] += len(out)
    return out


def _raw_values(element: _Element) -> list[str]:
    return [
        v.get("value", "")
        for v in element.iter("baseline", "target", "actual")
        if v.get("value") is not None and v.get("value", "").strip()
    ]


def _is_score(n: Decimal | None) -> bool:
    return n is not None and n >= 0 and n == int(n)


def resolve_measure(code: str | None, values: list[str], report: ActivityReport) -> Measure:
    """The measure an indicator's @measure and values allow (see docs/iati.md)."""
    code = (code or "").strip()
    if code in _MEASURES:
        return _MEASURES[code]
    numbers = [parse_number(v) for v in values]
    if code == "3" and all(yes_no(v) is not None for v in values):
        return Measure.YES_NO
    if code in ("3", "4"):
        if values and all(_is_score(n) for n in numbers):
            return Measure.ORDINAL
        if not values and code == "4":
            return Measure.ORDINAL
        report.note("nominal or ordinal indicator whose values are not scores: qualitative")
        return Measure.QUALITATIVE
    if values and all(n is None for n in numbers):
        report.note("indicator without an IATI measure code: qualitative (its values are text)")
        return Measure.QUALITATIVE
    report.note("indicator without an IATI measure code: unit")
    return Measure.NUMBER


def _labels(element: _Element, measure: Measure, values: list[str]) -> list[str] | None:
    if measure is not Measure.ORDINAL:
        return None
    scale = element.find(RBM + "scale")
    if scale is not None:
        labels = [label.text or "" for label in scale.iterchildren(RBM + "label")]
        if len(labels) >= 2:
            return labels
    scores = [int(n) for n in (parse_number(v) for v in values) if n is not None and _is_score(n)]
    top = max([1, *scores])
    return [str(i) for i in range(top + 1)]


def read_indicator(element: _Element, code: str, report: ActivityReport) -> IndicatorData:
    values = _raw_values(element)
    measure = resolve_measure(element.get("measure"), values, report)
    title, titles = narratives(element.find("title"))
    title = title.strip() or UNTITLED_INDICATOR
    if len(title) > 400:
        report.note("indicator title shortened to 400 characters")
    definition, definitions = narratives(element.find("description"))
    accumulation = element.get(RBM + "accumulation") or ""
    frequency = element.get(RBM + "frequency") or ""
    indicator = IndicatorData(
        code=code,
        title=title[:400],
        measure=measure,
        direction=Direction.DECREASE
        if (element.get("ascending") or "").strip() in ("0", "false")
        else Direction.INCREASE,
        accumulation=Accumulation(accumulation)
        if accumulation in {a.value for a in Accumulation}
        else DEFAULT_ACCUMULATION[measure],
        frequency=Frequency(frequency) if frequency in {f.value for f in Frequency} else None,
        definition=definition,
        unit=(element.get(RBM + "unit") or "")[:60],
        ordinal_labels=_labels(element, measure, values),
        means_of_verification=element.findtext(RBM + "means-of-verification") or "",
        data_source=element.findtext(RBM + "data-source") or "",
        method=element.findtext(RBM + "method") or "",
        responsible=(element.findtext(RBM + "responsible") or "")[:200],
        dimensions=[d.get("dimension", "") for d in element.iterchildren(RBM + "disaggregation")],
        ref=_ref(element),
        translations=translations(title=titles, definition=definitions),
    )
    _library(element, indicator)
    reader = _ValueReader(indicator, report)
    indicator.baselines = [b for b in map(reader.baseline, element.iterchildren("baseline")) if b]
    indicator.periods = _distinct(
        [p for p in map(reader.period, element.iterchildren("period")) if p], report
    )
    for dim, _ in {k for p in indicator.periods if p.actual for k in p.actual.breakdown}:
        if dim not in indicator.dimensions:
            indicator.dimensions.append(dim)
    return indicator


def _distinct(periods: list[PeriodData], report: ActivityReport) -> list[PeriodData]:
    """One period per (start, end): a repeated period adds only what the first lacks."""
    seen: dict[tuple[object, ...], PeriodData] = {}
    for p in periods:
        key = (p.start, p.end, p.life_of_project)
        first = seen.get(key)
        if first is None:
            seen[key] = p
            continue
        report.counts["periods"] -= 1
        for part in ("target", "actual"):
            if getattr(p, part) is None:
                continue
            if getattr(first, part) is None:
                setattr(first, part, getattr(p, part))
            else:
                report.skip("second {part} for a repeated period", part=Reason(part))
                report.counts[f"{part}s"] -= 1
                if p.actual is not None and part == "actual":
                    report.counts["breakdowns"] -= len(p.actual.breakdown)
    return list(seen.values())


def _library(element: _Element, indicator: IndicatorData) -> None:
    for ref in element.iterchildren("reference"):
        if ref.get("vocabulary") == REPORTING_ORG_VOCAB and (ref.get("code") or "").strip():
            indicator.library_code = (ref.get("code") or "").strip()[:40]
            indicator.library_is_ours = ref.get("indicator-uri") == LIBRARY_INDICATOR_URI
            return


class _ValueReader:
    """Reads baselines and periods of one indicator according to its measure."""

    def __init__(self, indicator: IndicatorData, report: ActivityReport) -> None:
        self.ind, self.report = indicator, report
        self.numeric = indicator.measure is not Measure.QUALITATIVE

    def number(self, raw: str) -> Decimal | None:
        m = self.ind.measure
        if m is Measure.YES_NO:
            return yes_no(raw)
        n = parse_number(raw, percent=m is Measure.PERCENTAGE)
        if m is Measure.ORDINAL and not (
            _is_score(n) and n is not None and n < len(self.ind.ordinal_labels or [])
        ):
            return None
        return n

    def value(self, element: _Element, what: str) -> tuple[Value | None, bool]:
        """(value, sound): (None, True) when the element holds nothing."""
        comment, comments = narratives(element.find("comment"))
        raw = element.get("value")
        raw = raw.strip() if raw is not None and raw.strip() else None
        out = Value(text=comment, links=_links(element), translations=comments)
        if not self.numeric:
            out.text = "\n".join(t for t in (raw, comment.strip()) if t)
            if raw is not None:
                self.report.note("qualitative value kept as text")
            return (out, True) if out.text else (None, True)
        if raw is None and comment.strip() and self.number(comment) is not None:
            raw = comment.strip()
            self.report.note(
                "{what} value taken from its comment (a number and nothing else)", what=Reason(what)
            )
        if raw is None:
            if comment.strip():
                self.report.note(
                    "{what} given as text on an indicator measured as {measure}: kept as its "
                    "narrative (no number)",
                    what=Reason(what),
                    measure=_measure(self.ind.measure),
                )
                return out, True
            if out.links:
                self.report.skip("{what} without a value", what=Reason(what))
                return None, False
            return None, True
        out.value = self.number(raw)
        if out.value is None:
            self.report.skip(
                "{what} whose value does not fit an indicator measured as {measure}",
                what=Reason(what),
                measure=_measure(self.ind.measure),
            )
            return None, False
        ratio = element.find(RBM + "ratio")
        if ratio is not None and self.ind.measure is Measure.PERCENTAGE:
            num, den = parse_number(ratio.get("numerator")), parse_number(ratio.get("denominator"))
            if num is not None and den:
                out.numerator, out.denominator = num, den
        return out, True

    def baseline(self, element: _Element) -> BaselineData | None:
        year = parse_number(element.get("year"))
        if year is None or year != int(year) or not 1900 <= year <= 2200:
            self.report.skip("baseline without a valid year")
            return None
        if element.find("dimension") is not None:
            self.report.skip("disaggregated baseline (only totals are stored)")
            return None
        value, sound = self.value(element, "baseline")
        if not sound:
            return None
        self.report.counts["baselines"] += 1
        return BaselineData(int(year), iso_date(element.get("iso-date")), value or Value())

    def period(self, element: _Element) -> PeriodData | None:
        start = iso_date(_iso(element, "period-start"))
        end = iso_date(_iso(element, "period-end"))
        if start is None or end is None or end < start:
            self.report.skip("period without valid dates, or ending before it starts")
            return None
        if start == end:
            self.report.note(
                "single-day period (IATI's rules want the end after the start): kept as it is"
            )
        period = PeriodData(start, end, element.get(RBM + "life-of-project") == "true")
        period.target = self._one(element.findall("target"), "target")
        if not period.life_of_project:
            period.actual = self._actual(element.findall("actual"))
        if period.target is None and period.actual is None:
            self.report.skip("period with no target or actual to import")
            return None
        self.report.counts["periods"] += 1
        self.report.counts["targets"] += period.target is not None
        self.report.counts["actuals"] += period.actual is not None
        return period

    def _one(self, elements: list[_Element], what: str) -> Value | None:
        totals = [e for e in elements if e.find("dimension") is None]
        self.report.skip(
            "disaggregated {what} (only totals are stored)",
            len(elements) - len(totals),
            what=Reason(what),
        )
        self.report.skip("second {what} in one period", max(len(totals) - 1, 0), what=Reason(what))
        return self.value(totals[0], what)[0] if totals else None

    def _actual(self, elements: list[_Element]) -> Value | None:
        totals, parts = [], []
        for e in elements:
            dims = e.findall("dimension")
            if len(dims) > 1:
                self.report.skip("actual for a combination of dimensions")
            elif dims:
                parts.append((e, dims[0]))
            else:
                totals.append(e)
        if not totals:
            self.report.skip("disaggregated actual without a total", len(parts))
            return None
        total = self._one(totals, "actual")
        if total is None or not self.numeric:
            self.report.skip("disaggregated actual whose total is not imported", len(parts))
            return total
        for element, dim in parts:
            key = ((dim.get("name") or "").strip(), (dim.get("value") or "").strip())
            number = self.number(element.get("value") or "")
            if not all(key) or number is None or key in total.breakdown:
                self.report.skip("disaggregated actual without a dimension, a value or a number")
                continue
            total.breakdown[key] = number
            self.report.counts["breakdowns"] += 1
        return total


def _iso(element: _Element, tag: str) -> str | None:
    """The iso-date of a child, or None when the child or its date is missing."""
    child = element.find(tag)
    return None if child is None else child.get("iso-date")


def _links(element: _Element) -> list[tuple[str, str, str]]:
    out = []
    for link in element.iterchildren("document-link"):
        url = (link.get("url") or "").strip()
        if url and len(url) <= 2000:
            title = narrative(link.find("title")).strip() or url
            out.append((url, title[:255], (link.get("format") or "")[:120]))
    return out
