"""The other languages of the exported texts (`rbm/models/translation.py`), read in one
statement per translated table whatever the number of projects.

`ExportTexts[entity][owner][field]` is a list of `(language, text)` by language; the owner is
the row's id, except for targets and approved values, which the export knows by
`(indicator id, period id)` (a life-of-project target's period is None)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from rbm.exchange._export_data import indicators_of
from rbm.frames.engine import current_approved
from rbm.models import (
    Baseline,
    BaselineTranslation,
    IndicatorTranslation,
    Measurement,
    MeasurementTranslation,
    ProjectTranslation,
    ResultNode,
    ResultNodeTranslation,
    Target,
    TargetTranslation,
)

Texts = list[tuple[str, str]]
ExportTexts = dict[str, dict[Any, dict[str, Texts]]]


def _fields(table: Any) -> tuple[Any, ...]:
    return (table.field, table.language, table.text)


def _statements(ids: Any) -> dict[str, Select[Any]]:
    """Per entity: (owner key columns..., field, language, text) of the projects `ids`."""
    indicators = indicators_of(ids)
    t, m = TargetTranslation, MeasurementTranslation
    return {
        "project": select(ProjectTranslation.owner_id, *_fields(ProjectTranslation)).where(
            ProjectTranslation.owner_id.in_(ids)
        ),
        "result_node": select(ResultNodeTranslation.owner_id, *_fields(ResultNodeTranslation))
        .join(ResultNode, ResultNode.id == ResultNodeTranslation.owner_id)
        .where(ResultNode.project_id.in_(ids)),
        "indicator": select(IndicatorTranslation.owner_id, *_fields(IndicatorTranslation)).where(
            IndicatorTranslation.owner_id.in_(indicators)
        ),
        "baseline": select(BaselineTranslation.owner_id, *_fields(BaselineTranslation))
        .join(Baseline, Baseline.id == BaselineTranslation.owner_id)
        .where(Baseline.indicator_id.in_(indicators)),
        "target": select(Target.indicator_id, Target.reporting_period_id, *_fields(t))
        .join(Target, Target.id == t.owner_id)
        .where(Target.indicator_id.in_(indicators)),
        "measurement": select(
            Measurement.indicator_id, Measurement.reporting_period_id, *_fields(m)
        )
        .join(Measurement, Measurement.id == m.owner_id)
        .where(
            Measurement.indicator_id.in_(indicators),
            current_approved(),
        ),
    }


def read_translations(session: Session, ids: Any) -> ExportTexts:
    """The translations of the projects `ids` (a select of project ids), by entity and owner."""
    out: ExportTexts = {}
    for entity, stmt in _statements(ids).items():
        by_owner: dict[Any, dict[str, Texts]] = defaultdict(lambda: defaultdict(list))
        for *owner, name, lang, text in session.execute(stmt):
            key = owner[0] if len(owner) == 1 else tuple(owner)
            by_owner[key][name].append((lang, text))
        for fields in by_owner.values():
            for texts in fields.values():
                texts.sort()
        out[entity] = by_owner
    return out
