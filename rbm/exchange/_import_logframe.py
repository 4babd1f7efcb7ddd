"""Writing an imported logframe into a project: result nodes matched by code, indicators by
(result, code), baselines, reporting periods by (start, end), targets (each change kept as a
revision) and actuals. Imported actuals enter as imported-approved values: created by the
importing user, submitted and reviewed by nobody here, with the publisher as their source (so
the import never counts as the importer's own approval); an approved value is never edited:
a different value becomes a new revision."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.orm import Session

from rbm.exchange._import_model import (
    ActivityData,
    ActivityReport,
    IndicatorData,
    NodeData,
    PeriodData,
    Reason,
    Value,
    indicator_key,
    node_key,
    nth_keys,
)
from rbm.exchange._import_refs import REASON, References
from rbm.exchange._import_results import SYNTHETIC, letters
from rbm.exchange._import_translations import TranslationWriter
from rbm.exchange.iati_codes import FREQUENCY_MONTHS
from rbm.models import (
    Attachment,
    Baseline,
    Indicator,
    IndicatorDimension,
    Measurement,
    MeasurementBreakdown,
    Project,
    ReportingPeriod,
    ResultNode,
    Target,
    TargetRevision,
)
from rbm.models.base import Base, as_dict, assign_changes
from rbm.models.enums import Measure, MeasurementStatus, ResultLevel, labels_of
from rbm.principal import Principal
from rbm.services.projects import period_label

_IND_FIELDS = (
    "title",
    "definition",
    "unit",
    "direction",
    "accumulation",
    "frequency",
    "means_of_verification",
    "data_source",
    "method",
    "responsible",
    "library_indicator_id",
    "ordinal_labels",
    "position",
)
_M_SNAPSHOT = ("status", "value", "numerator", "denominator", "narrative", "revision", "source")
Key = tuple[int, int | None]


@dataclass
class _State:
    """The project's logframe as stored, loaded in a few statements (nothing for a new one)."""

    nodes: dict[str, ResultNode] = field(default_factory=dict)
    indicators: dict[tuple[int, str], Indicator] = field(default_factory=dict)
    dims: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    periods: dict[tuple[date, date], ReportingPeriod] = field(default_factory=dict)
    baselines: dict[int, list[Baseline]] = field(default_factory=lambda: defaultdict(list))
    targets: dict[Key, Target] = field(default_factory=dict)
    latest: dict[Key, Measurement] = field(default_factory=dict)
    current: dict[Key, Measurement] = field(default_factory=dict)
    parts: dict[int, dict[int, Decimal | None]] = field(default_factory=lambda: defaultdict(dict))
    links: dict[int, set[tuple[str, str, str]]] = field(default_factory=lambda: defaultdict(set))

    @classmethod
    def load(cls, session: Session, project_id: int, texts: TranslationWriter) -> _State:
        state = cls()
        nodes = session.scalars(select(ResultNode).where(ResultNode.project_id == project_id))
        state.nodes = {n.code: n for n in nodes}
        if not state.nodes:
            return state
        ind_ids = select(Indicator.id).join(ResultNode).where(ResultNode.project_id == project_id)
        for ind in session.scalars(select(Indicator).where(Indicator.id.in_(ind_ids))):
            state.indicators[(ind.result_node_id, ind.code)] = ind
        for iid, did in session.execute(
            select(IndicatorDimension.indicator_id, IndicatorDimension.dimension_id).where(
                IndicatorDimension.indicator_id.in_(ind_ids)
            )
        ):
            state.dims[iid].add(did)
        for p in session.scalars(
            select(ReportingPeriod).where(ReportingPeriod.project_id == project_id)
        ):
            state.periods[(p.start_date, p.end_date)] = p
        for b in session.scalars(
            select(Baseline).where(Baseline.indicator_id.in_(ind_ids)).order_by(Baseline.id)
        ):
            state.baselines[b.indicator_id].append(b)
        for t in session.scalars(select(Target).where(Target.indicator_id.in_(ind_ids))):
            state.targets[(t.indicator_id, t.reporting_period_id)] = t
        state._measurements(session, ind_ids)
        texts.load("result_node", [n.id for n in state.nodes.values()])
        texts.load("indicator", ind_ids)
        texts.load("baseline", select(Baseline.id).where(Baseline.indicator_id.in_(ind_ids)))
        texts.load("target", select(Target.id).where(Target.indicator_id.in_(ind_ids)))
        texts.load("measurement", [m.id for m in state.current.values()])
        return state

    def _measurements(self, session: Session, ind_ids: Any) -> None:
        rows = session.scalars(
            select(Measurement)
            .where(Measurement.indicator_id.in_(ind_ids))
            .order_by(Measurement.revision)
        )
        for m in rows:
            key = (m.indicator_id, m.reporting_period_id)
            self.latest[key] = m
            if m.is_current and m.status is MeasurementStatus.APPROVED:
                self.current[key] = m
        ids = [m.id for m in self.current.values()]
        for mid, vid, value in session.execute(
            select(
                MeasurementBreakdown.measurement_id,
                MeasurementBreakdown.dimension_value_id,
                MeasurementBreakdown.value,
            ).where(MeasurementBreakdown.measurement_id.in_(ids))
        ):
            self.parts[mid][vid] = value
        for owner, url, name, kind in session.execute(
            select(
                Attachment.measurement_id,
                Attachment.url,
                Attachment.filename,
                Attachment.content_type,
            ).where(Attachment.measurement_id.in_(ids), Attachment.url.is_not(None))
        ):
            if owner is not None and url is not None:
                self.links[owner].add((url, name, kind))


class LogframeWriter:
    """Stores an activity's logframe (`write`). A project just created has no logframe yet:
    nothing is read. The translations of its texts are handed to `texts`, which writes them
    once the rows are flushed."""

    def __init__(
        self,
        session: Session,
        principal: Principal,
        refs: References,
        project: Project,
        act: ActivityData,
        report: ActivityReport,
        texts: TranslationWriter,
        *,
        new: bool,
    ) -> None:
        self.s, self.principal, self.refs = session, principal, refs
        self.project, self.act, self.report, self.texts = project, act, report, texts
        self.state = _State() if new else _State.load(session, project.id, texts)
        self.node_keys = self._keyed_nodes()
        self.indicator_keys = self._keyed_indicators()
        # Imported values are approved by their publisher, never by the importer (see
        # docs/workflow.md): nobody here submitted or reviewed them.
        self.source = f"IATI: {act.provider.ref or act.provider.name}"[:200]
        self.now = datetime.now(UTC)
        self.changed = False
        # Rows nothing reads back, inserted table by table at the end (`_insert_rows`).
        self.rows: dict[type[Base], list[dict[str, Any]]] = defaultdict(list)

    def _audit(self, action: str, entity: str, entity_id: int, **kw: Any) -> None:
        self.refs.audit(action, entity, entity_id, **kw)
        self.changed = True

    def write(self) -> bool:
        """Store the logframe; True when anything was written. In phases, so that rows of one
        kind are inserted together (one flush each)."""
        indicators: list[tuple[Indicator, bool, IndicatorData]] = []
        for node_id, node in self._nodes():
            for pos, ind in enumerate(node.indicators):
                found = self._indicator(node_id, ind, pos)
                if found is not None:
                    indicators.append((*found, ind))
        self.s.flush()
        for row, created, _ in indicators:
            if created:
                self._audit(
                    "import",
                    "indicator",
                    row.id,
                    after=as_dict(row, "code", "title", "measure", "direction", "unit"),
                )
        self._periods(p for _, _, ind in indicators for p in ind.periods)
        targets, actuals = [], []
        for row, _, ind in indicators:
            self._dimensions(row.id, ind)
            self._baselines(row.id, ind)
            for p in ind.periods:
                period = None if p.life_of_project else self.state.periods[(p.start, p.end)]
                if p.target is not None:
                    targets.append(self._target(row.id, period.id if period else None, p.target))
                if p.actual is not None and period is not None:
                    actuals.append(self._actual(row, period, p.actual))
        self.s.flush()
        for change in targets:
            if change is not None:
                self._revised(*change)
        for new in actuals:
            if new is not None:
                self._recorded(*new)
        self._insert_rows()
        return self.changed

    def _insert_rows(self) -> None:
        """One statement per table (Core: none of these rows is read back by the import)."""
        for model, rows in self.rows.items():
            if rows:
                self.s.connection().execute(insert(cast(Table, model.__table__)), rows)
        self.rows.clear()

    def _nodes(self) -> list[tuple[int, NodeData]]:
        """Nodes placed a generation at a time, parents first (their ids are handed out
        beforehand, so the new ones are inserted in one statement)."""
        rows: dict[str, ResultNode] = {}
        positions: dict[str | None, int] = defaultdict(int)
        placed: list[tuple[NodeData, int]] = []
        for node in self.act.nodes:
            placed.append((node, positions[node.parent]))
            positions[node.parent] += 1
        depth: dict[str, int] = {}
        for node, _ in placed:
            depth[node.code] = depth.get(node.parent or "", -1) + 1 if node.parent else 0
        created: list[ResultNode] = []
        for level in sorted(set(depth.values())):
            for node, position in placed:
                if depth[node.code] == level:
                    row = self._node(node, rows, position, created)
                    if row is not None:
                        rows[node.code] = row
        self.s.flush()
        for row in created:
            self._audit(
                "import",
                "result_node",
                row.id,
                after=as_dict(row, "project_id", "level", "code", "title"),
            )
        return [(rows[n.code].id, n) for n in self.act.nodes if n.code in rows]

    def _keyed_nodes(self) -> dict[str, ResultNode]:
        """The stored nodes by every identity a file may give them (see `_import_results`)."""
        rows = sorted(self.state.nodes.values(), key=lambda n: n.id)
        out = {f"code:{r.code}": r for r in rows}
        plain = [node_key(ResultLevel(r.level).value, r.title) for r in rows]
        for row, key in zip(rows, nth_keys(plain), strict=True):
            out.setdefault(key, row)
        for code, title in SYNTHETIC.items():
            synthetic = self.state.nodes.get(code)
            if synthetic is not None and synthetic.title == title:
                out[f"syn:{code}"] = synthetic
        return out

    def _keyed_indicators(self) -> dict[tuple[int, str], Indicator]:
        by_node: dict[int, list[Indicator]] = defaultdict(list)
        for (node_id, _), ind in sorted(self.state.indicators.items(), key=lambda i: i[1].id):
            by_node[node_id].append(ind)
        out: dict[tuple[int, str], Indicator] = {}
        for node_id, inds in by_node.items():
            plain = [indicator_key(i.title, Measure(i.measure).value) for i in inds]
            for ind, key in zip(inds, nth_keys(plain), strict=True):
                out[(node_id, f"code:{ind.code}")] = ind
                out.setdefault((node_id, key), ind)
        return out

    def _free_node_code(self, node: NodeData, parent: ResultNode | None) -> str:
        """The file's code, else (taken by a node of another identity) the next free one."""
        if node.code not in self.state.nodes or parent is None:
            return node.code
        prefix = "" if parent.parent_id is None else f"{parent.code}."
        n = 1
        while f"{prefix}{n}"[:20] in self.state.nodes:
            n += 1
        return f"{prefix}{n}"[:20]

    def _node(
        self, node: NodeData, rows: dict[str, ResultNode], position: int, created: list[ResultNode]
    ) -> ResultNode | None:
        existing = self.node_keys.get(node.key) if node.key else self.state.nodes.get(node.code)
        if existing is not None:
            self._update(
                existing,
                "result_node",
                title=node.title,
                description=node.description,
                assumptions=node.assumptions,
                risks=node.risks,
            )
            self.changed |= self.texts.want("result_node", existing, node.translations)
            return existing
        parent = rows.get(node.parent) if node.parent is not None else None
        if node.parent is not None and parent is None:
            self.report.skip("result whose parent result is not imported")
            return None
        has_root = any(n.parent_id is None for n in self.state.nodes.values())
        if (parent is None and has_root) or (
            parent is not None and node.level.rank != ResultLevel(parent.level).rank + 1
        ):
            self.report.skip("result that does not fit the project's logframe tree")
            return None
        code = self._free_node_code(node, parent)
        row = ResultNode(
            id=self.refs.ids.next(ResultNode),
            project_id=self.project.id,
            parent_id=parent.id if parent else None,
            level=node.level,
            code=code,
            title=node.title,
            description=node.description,
            assumptions=node.assumptions,
            risks=node.risks,
            position=position,
        )
        self.s.add(row)
        self.state.nodes[code] = row
        self.texts.want("result_node", row, node.translations, stored=False)
        created.append(row)
        return row

    def _update(self, row: Any, entity: str, **wanted: Any) -> None:
        differs, before = assign_changes(row, wanted)
        if differs:
            self._audit(
                "import_update", entity, row.id, before=before, after=as_dict(row, *differs)
            )

    def _indicator(
        self, node_id: int, ind: IndicatorData, position: int
    ) -> tuple[Indicator, bool] | None:
        """The indicator row (added, not yet flushed, when new) and whether it is new."""
        wanted = dict(
            title=ind.title,
            definition=ind.definition,
            unit=ind.unit,
            direction=ind.direction,
            accumulation=ind.accumulation,
            frequency=ind.frequency or self.act.frequency,
            means_of_verification=ind.means_of_verification,
            data_source=ind.data_source,
            method=ind.method,
            responsible=ind.responsible,
            library_indicator_id=self.refs.library_indicator(ind),
            ordinal_labels=ind.ordinal_labels,
            position=position,
        )
        row = (
            self.indicator_keys.get((node_id, ind.key))
            if ind.key
            else self.state.indicators.get((node_id, ind.code))
        )
        if row is None:
            code = self._free_indicator_code(node_id, ind.code, ind.key.startswith("code:"))
            row = Indicator(
                id=self.refs.ids.next(Indicator),
                result_node_id=node_id,
                code=code,
                measure=ind.measure,
                **wanted,
            )
            self.s.add(row)
            self.state.indicators[(node_id, code)] = row
            self.texts.want("indicator", row, ind.translations, stored=False)
            return row, True
        if row.measure != ind.measure:
            self.report.skip(
                "indicator {title}: its measure ({measure}) differs from the one stored "
                "({stored}); nothing of it updated",
                title=repr(ind.title[:80]),
                measure=Reason(labels_of(Measure)[ind.measure.value]),
                stored=Reason(labels_of(Measure)[Measure(row.measure).value]),
            )
            return None
        self._update(row, "indicator", **wanted)
        self.changed |= self.texts.want("indicator", row, ind.translations)
        return row, False

    def _free_indicator_code(self, node_id: int, code: str, own: bool) -> str:
        """Our own export's code; else the next free `{result code}.a`, `.b`, ..."""
        if own and (node_id, code) not in self.state.indicators:
            return code
        stem = next((r.code for r in self.state.nodes.values() if r.id == node_id), "")
        n = 0
        while (node_id, f"{stem}.{letters(n)}"[:20]) in self.state.indicators:
            n += 1
        return f"{stem}.{letters(n)}"[:20]

    def _dimensions(self, indicator_id: int, ind: IndicatorData) -> None:
        wanted = {self.refs.dimension(name) for name in ind.dimensions if name}
        current = self.state.dims[indicator_id]
        if wanted != current:
            self.s.execute(
                delete(IndicatorDimension).where(IndicatorDimension.indicator_id == indicator_id)
            )
            self.rows[IndicatorDimension].extend(
                {"indicator_id": indicator_id, "dimension_id": d} for d in sorted(wanted)
            )
            self._audit(
                "import_update", "indicator", indicator_id, after={"dimension_ids": sorted(wanted)}
            )

    def _baselines(self, indicator_id: int, ind: IndicatorData) -> None:
        """The indicator's baselines replaced (their translations with them) when any differs."""
        wanted = [
            (
                b.year,
                b.baseline_date,
                b.value.value,
                b.value.numerator,
                b.value.denominator,
                b.value.text,
                _texts("comment", b.value),
            )
            for b in ind.baselines
        ]
        current = [
            (
                b.year,
                b.baseline_date,
                b.value,
                b.numerator,
                b.denominator,
                b.comment,
                self.texts.of("baseline", b.id),
            )
            for b in self.state.baselines[indicator_id]
        ]
        if wanted == current:
            return
        if current:
            self.s.execute(delete(Baseline).where(Baseline.indicator_id == indicator_id))
        for y, day, v, n, d, c, texts in wanted:
            row = Baseline(
                id=self.refs.ids.next(Baseline),
                indicator_id=indicator_id,
                year=y,
                baseline_date=day,
                value=v,
                numerator=n,
                denominator=d,
                comment=c,
            )
            self.s.add(row)
            self.texts.want("baseline", row, texts, stored=False)
        self._audit(
            "import_update",
            "indicator",
            indicator_id,
            after={"baselines": [[str(x) for x in w[:5]] for w in wanted]},
        )

    def _periods(self, periods: Iterable[PeriodData]) -> None:
        """Create the reporting periods the file reports on and the project lacks."""
        for p in periods:
            if not p.life_of_project and (p.start, p.end) not in self.state.periods:
                self.state.periods[(p.start, p.end)] = row = ReportingPeriod(
                    id=self.refs.ids.next(ReportingPeriod),
                    project_id=self.project.id,
                    label=self._label(p.start, p.end),
                    start_date=p.start,
                    end_date=p.end,
                )
                self.s.add(row)
        self.s.flush()

    def _label(self, start: date, end: date) -> str:
        frequency = self.act.frequency
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        aligned = start.day == 1 and (start.month - 1) % FREQUENCY_MONTHS[frequency] == 0
        if aligned and months == FREQUENCY_MONTHS[frequency] and (end.day > 27):
            return period_label(start, frequency)
        return f"{start.isoformat()}..{end.isoformat()}"

    def _target(
        self, indicator_id: int, pid: int | None, v: Value
    ) -> tuple[Target, Decimal | None, Value] | None:
        """The target set (not yet flushed) with its old value, or None when unchanged."""
        target = self.state.targets.get((indicator_id, pid))
        wanted = dict(
            value=v.value, numerator=v.numerator, denominator=v.denominator, comment=v.text
        )
        if target is not None and all(getattr(target, f) == x for f, x in wanted.items()):
            self.changed |= self.texts.want("target", target, _texts("comment", v))
            return None
        old = target.value if target else None
        if target is None:
            target = Target(
                id=self.refs.ids.next(Target),
                indicator_id=indicator_id,
                reporting_period_id=pid,
                **wanted,
            )
            self.s.add(target)
            self.state.targets[(indicator_id, pid)] = target
            self.texts.want("target", target, _texts("comment", v), stored=False)
        else:
            for f, x in wanted.items():
                setattr(target, f, x)
            self.texts.want("target", target, _texts("comment", v))
        return target, old, v

    def _revised(self, target: Target, old: Decimal | None, v: Value) -> None:
        self.rows[TargetRevision].append(
            {
                "target_id": target.id,
                "old_value": old,
                "new_value": v.value,
                "reason": REASON,
                "changed_by_id": self.principal.user_id,
            }
        )
        self._audit(
            "set_target",
            "target",
            target.id,
            before={"value": None if old is None else str(old)},
            after={
                "value": None if v.value is None else str(v.value),
                "period_id": target.reporting_period_id,
            },
        )

    def _actual(
        self, ind: Indicator, period: ReportingPeriod, v: Value
    ) -> tuple[Measurement, Value, dict[int, Decimal]] | None:
        """A new approved revision (not yet flushed), or None when the stored one is the same
        or cannot be superseded."""
        key = (ind.id, period.id)
        parts = {
            self.refs.dimension_value(self.refs.dimension(dim), value): number
            for (dim, value), number in v.breakdown.items()
        }
        current = self.state.current.get(key)
        if current is not None and self._same(current, v, parts):
            return None
        latest = self.state.latest.get(key)
        if latest is not None and latest.status is not MeasurementStatus.APPROVED:
            self.report.skip("actual whose period has a value in the review workflow")
            return None
        if period.locked_at is not None:
            self.report.skip("actual for a locked reporting period")
            return None
        uid = self.principal.user_id
        if latest is not None:
            latest.is_current = False
        m = Measurement(
            id=self.refs.ids.next(Measurement),
            indicator_id=ind.id,
            reporting_period_id=period.id,
            revision=latest.revision + 1 if latest else 1,
            supersedes_id=latest.id if latest else None,
            is_current=True,
            status=MeasurementStatus.APPROVED,
            value=v.value,
            numerator=v.numerator,
            denominator=v.denominator,
            narrative=v.text,
            created_by_id=uid,
            submitted_by_id=None,
            submitted_at=None,
            reviewed_by_id=None,
            reviewed_at=self.now,
            source=self.source,
        )
        self.s.add(m)
        self.state.latest[key] = self.state.current[key] = m
        self.texts.want("measurement", m, _texts("narrative", v), stored=False)
        return m, v, parts

    def _same(self, m: Measurement, v: Value, parts: dict[int, Decimal]) -> bool:
        return (
            (m.value, m.numerator, m.denominator, m.narrative)
            == (v.value, v.numerator, v.denominator, v.text)
            and self.state.parts[m.id] == parts
            and self.state.links[m.id] == set(v.links)
            and self.texts.of("measurement", m.id) == _texts("narrative", v)
        )

    def _recorded(self, m: Measurement, v: Value, parts: dict[int, Decimal]) -> None:
        uid = self.principal.user_id
        self.rows[MeasurementBreakdown].extend(
            {"measurement_id": m.id, "dimension_value_id": vid, "value": number}
            for vid, number in parts.items()
        )
        self.rows[Attachment].extend(
            {
                "measurement_id": m.id,
                "url": url,
                "filename": title,
                "content_type": kind,
                "uploaded_by_id": uid,
            }
            for url, title, kind in v.links
        )
        self.state.parts[m.id], self.state.links[m.id] = dict(parts), set(v.links)
        self._audit("import", "measurement", m.id, after=as_dict(m, *_M_SNAPSHOT))


def _texts(name: str, v: Value) -> dict[str, dict[str, str]]:
    """A value's comment in other languages, as the translations of its column `name`."""
    return {name: v.translations} if v.translations else {}
