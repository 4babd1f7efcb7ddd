"""Importing a logframe spreadsheet into a project through the editor's services. Every row
is checked first and every problem reported at once; on any problem nothing is written. Rows
are matched to results and indicators by their codes (never by position), so re-importing the
same file changes nothing and an edited file updates in place; the report says what changed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from typing import Any, cast

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from rbm.errors import NotFound, ValidationFailed
from rbm.exchange.logframe_sheet import Logframe, schema_problems, to_date, to_decimal, where
from rbm.i18n import Msg, Text
from rbm.models import Dimension, LibraryIndicator, Project
from rbm.models.enums import Accumulation, Direction, Frequency, Measure, ResultLevel
from rbm.principal import Principal
from rbm.queries import logframe_editor as q
from rbm.services import logframe_editor as ed
from rbm.services.permissions import require


@dataclass
class LogframeImport:
    """What an import changed, one line per change."""

    changes: list[Text] = field(default_factory=list)

    def summary(self) -> str:
        if not self.changes:
            return "Nothing changed: the project's logframe already matches the file."
        return f"{len(self.changes)} change(s): " + "; ".join(map(str, self.changes))


@dataclass
class _Context:
    project: Project
    nodes: pd.DataFrame  # existing results by code
    indicators: pd.DataFrame  # existing indicators by code
    periods: dict[str, int]
    dimensions: dict[str, int]
    parts: dict[str, tuple[int, int]]  # "dim:value" -> (value id, dimension id)
    library: dict[str, int]


def _context(session: Session, principal: Principal, project: Project) -> _Context:
    pid = project.id
    parts = q.dimension_parts(session)
    return _Context(
        project=project,
        nodes=q.logframe_tree(session, principal=principal, project_id=pid).set_index("code"),
        indicators=q.logframe_indicators(session, principal=principal, project_id=pid).set_index(
            "code"
        ),
        periods={
            str(label): int(i)
            for label, i in q.periods(session, principal=principal, project_id=pid)[
                ["label", "id"]
            ].itertuples(index=False)
        },
        dimensions=dict(session.execute(select(Dimension.code, Dimension.id)).all()),
        parts={
            f"{dim}:{code}": (int(i), int(dim_id))
            for dim, code, i, dim_id in parts[
                ["dimension", "code", "id", "dimension_id"]
            ].itertuples(index=False)
        },
        library=dict(session.execute(select(LibraryIndicator.code, LibraryIndicator.id)).all()),
    )


def _rows(df: pd.DataFrame) -> list[tuple[Any, dict[str, Any]]]:
    """Rows as plain dicts: empty cells stay None (a row Series would turn them into NaN)."""
    records = cast(list[dict[str, Any]], df.to_dict("records"))
    return list(zip(df.index, records, strict=True))


def _split(v: object) -> list[str]:
    return [p.strip() for p in str(v or "").split(";") if p.strip()]


# --- checks across rows ---------------------------------------------------------------------


def _duplicates(df: pd.DataFrame, sheet: str, cols: list[str]) -> list[Text]:
    keys = [tuple(r) for r in df[cols].itertuples(index=False)]
    seen = Counter(keys)
    return [
        f"{where(sheet, i, cols[-1])}: {k[-1]!r} appears more than once"
        for i, k in zip(df.index, keys, strict=True)
        if seen[k] > 1
    ]


def _result_problems(f: Logframe, ctx: _Context) -> list[Text]:
    r = f.results
    out = _duplicates(r, "results", ["code"])
    levels = dict(zip(r["code"], r["level"], strict=True))
    roots = r[r["parent_code"].isna()]
    if len(roots) != 1:
        out.append(
            Msg(
                "results, column parent_code: {count} results have no parent; one impact",
                count=len(roots),
            )
        )
    for i, row in _rows(r):
        level, parent = row["level"], row["parent_code"]
        if level not in {lv.value for lv in ResultLevel}:
            continue
        rank = ResultLevel(level).rank
        if parent is None and level != ResultLevel.IMPACT:
            out.append(
                Msg(
                    "{value}: the root of a logframe is its impact",
                    value=where("results", i, "level"),
                )
            )
        elif parent is not None and parent not in levels:
            out.append(
                Msg(
                    "{value}: no result {parent!r} in the file",
                    value=where("results", i, "parent_code"),
                    parent=parent,
                )
            )
        elif (
            parent is not None
            and levels[parent] in {lv.value for lv in ResultLevel}
            and ResultLevel(levels[parent]).rank + 1 != rank
        ):
            out.append(
                Msg(
                    "{value}: a {level} cannot sit under the {levels} {parent}",
                    value=where("results", i, "level"),
                    level=level,
                    levels=levels[parent],
                    parent=parent,
                )
            )
        old_level = (
            str(ctx.nodes.at[row["code"], "level"]) if row["code"] in ctx.nodes.index else None
        )
        if old_level is not None and old_level != level:
            out.append(
                Msg(
                    "{value}: result {row} is a {old_level} in the project; a level does "
                    "not change",
                    value=where("results", i, "level"),
                    row=row["code"],
                    old_level=old_level,
                )
            )
    return out


def _indicator_problems(f: Logframe, ctx: _Context) -> list[Text]:
    d = f.indicators
    out = _duplicates(d, "indicators", ["code"])
    results = set(f.results["code"])
    for i, row in _rows(d):
        at = partial(where, "indicators", i)
        code = row["code"]
        if row["result_code"] not in results:
            out.append(
                Msg(
                    "{value}: no result {row!r} in the file",
                    value=at("result_code"),
                    row=row["result_code"],
                )
            )
        if row["measure"] == Measure.PERCENTAGE and not row["denominator_rule"]:
            out.append(
                Msg(
                    "{value}: a percentage indicator says what it counts",
                    value=at("denominator_rule"),
                )
            )
        if row["measure"] == Measure.ORDINAL and not _split(row["ordinal_labels"]):
            out.append(
                Msg(
                    "{value}: an ordinal indicator needs its scale's labels",
                    value=at("ordinal_labels"),
                )
            )
        if row["library_code"] and row["library_code"] not in ctx.library:
            out.append(
                Msg(
                    "{value}: no library indicator {row!r}",
                    value=at("library_code"),
                    row=row["library_code"],
                )
            )
        for dim in _split(row["dimensions"]):
            if dim not in ctx.dimensions:
                out.append(
                    Msg(
                        "{value}: no disaggregation dimension {dim!r}",
                        value=at("dimensions"),
                        dim=dim,
                    )
                )
        day = to_date(row["baseline_date"]) if row["baseline_date"] else None
        if day is not None and day > ctx.project.end_date:
            out.append(
                Msg("{value}: {day} is after the project's end", value=at("baseline_date"), day=day)
            )
        out += _against_direction(row, row["target_lop"], at("target_lop"))
        if code in ctx.indicators.index:
            out += _existing_problems(row, ctx.indicators.loc[code], at)
    return out


def _against_direction(row: dict[str, Any], target: object, at: str) -> list[Text]:
    base, value = to_decimal(row["baseline_value"]), to_decimal(target)
    if base is None or value is None:
        return []
    if row["direction"] == Direction.DECREASE and value > base:
        return [f"{at}: {value} is above the baseline {base} of a decreasing indicator"]
    if row["direction"] != Direction.DECREASE and value < base:
        return [f"{at}: {value} is below the baseline {base} of an increasing indicator"]
    return []


def _existing_problems(row: dict[str, Any], old: pd.Series, at: Callable[[str], str]) -> list[Text]:
    out: list[Text] = []
    if old["result_code"] != row["result_code"]:
        out.append(
            Msg(
                "{value}: indicator {row} belongs to result {old}; an indicator does "
                "not move to another result",
                value=at("result_code"),
                row=row["code"],
                old=old["result_code"],
            )
        )
    if old["approved_values"]:
        wanted = _sheet_values(row)
        for col in ed.MEANING_FIELDS:
            if str(old[col] or "") != str(wanted[col] or ""):
                out.append(
                    Msg(
                        "{value}: {row} has {old} approved values measured as {old2!s}; it "
                        "cannot become {wanted!s}",
                        value=at(col),
                        row=row["code"],
                        old=old["approved_values"],
                        old2=old[col],
                        wanted=wanted[col],
                    )
                )
    return out


def _target_problems(f: Logframe, ctx: _Context) -> list[Text]:
    t = f.targets
    out = _duplicates(t.fillna(""), "targets", ["indicator_code", "period", "part"])
    inds = {str(r["code"]): r for _, r in _rows(f.indicators)}
    totals = {(r.indicator_code, r.period) for r in t[t["part"].isna()].itertuples()}
    for i, row in _rows(t):
        at = partial(where, "targets", i)
        code = row["indicator_code"]
        if code not in inds:
            out.append(
                Msg(
                    "{value}: no indicator {code!r} in the file",
                    value=at("indicator_code"),
                    code=code,
                )
            )
            continue
        if row["period"] not in ctx.periods:
            out.append(
                Msg(
                    "{value}: {row!r} is not a reporting period of the project",
                    value=at("period"),
                    row=row["period"],
                )
            )
        if row["part"] is not None:
            dims = _split(inds[code]["dimensions"])
            if row["part"] not in ctx.parts or str(row["part"]).split(":")[0] not in dims:
                out.append(
                    Msg(
                        "{value}: {row!r} is not a part of this indicator",
                        value=at("part"),
                        row=row["part"],
                    )
                )
            if (code, row["period"]) not in totals:
                out.append(
                    Msg(
                        "{value}: give the period's total target in a row without part",
                        value=at("part"),
                    )
                )
        else:
            out += _against_direction(inds[code], row["value"], at("value"))
    return out


def check(session: Session, frame: Logframe, ctx: _Context) -> None:
    """Raise ValidationFailed listing every problem of the file (nothing is written)."""
    problems = schema_problems(frame)
    if not problems:
        problems = (
            _result_problems(frame, ctx)
            + _indicator_problems(frame, ctx)
            + _target_problems(frame, ctx)
        )
    if problems:
        raise ValidationFailed(
            "The logframe was not imported: {count} problem(s). Nothing was saved.",
            problems,
            count=len(problems),
        )


# --- writing ------------------------------------------------------------------------------


def _sheet_values(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "measure": row["measure"],
        "direction": row["direction"] or Direction.INCREASE.value,
        "accumulation": row["accumulation"] or Accumulation.INCREMENTAL.value,
        "unit": row["unit"] or "",
    }


def _sheet(row: dict[str, Any], ctx: _Context) -> ed.IndicatorSheet:
    meaning = _sheet_values(row)
    labels = _split(row["ordinal_labels"])
    return ed.IndicatorSheet(
        code=str(row["code"]),
        title=str(row["title"]),
        measure=Measure(meaning["measure"]),
        direction=Direction(meaning["direction"]),
        accumulation=Accumulation(meaning["accumulation"]),
        unit=meaning["unit"],
        definition=row["definition"] or "",
        denominator_rule=row["denominator_rule"] or "",
        data_source=row["data_source"] or "",
        means_of_verification=row["means_of_verification"] or "",
        method=row["method"] or "",
        frequency=Frequency(row["frequency"] or Frequency.QUARTERLY.value),
        responsible=row["responsible"] or "",
        library_indicator_id=ctx.library.get(row["library_code"]) if row["library_code"] else None,
        ordinal_labels=tuple(labels) if labels else None,
        dimension_ids=tuple(sorted(ctx.dimensions[d] for d in _split(row["dimensions"]))),
    )


def _write_results(
    session: Session, principal: Principal, frame: Logframe, ctx: _Context, out: list[Text]
) -> dict[str, int]:
    ids = {str(c): int(i) for c, i in ctx.nodes["id"].items()}
    ranked = frame.results.assign(
        _rank=frame.results["level"].map(lambda v: ResultLevel(v).rank)
    ).sort_values("_rank", kind="stable")
    for _, row in _rows(ranked):
        code, parent = str(row["code"]), row["parent_code"]
        text = {
            "statement": str(row["statement"]),
            "assumptions": row["assumptions"] or "",
            "risks": row["risks"] or "",
            "description": row["description"] or "",
        }
        if code not in ids:
            ids[code] = ed.add_result(
                session,
                principal=principal,
                project_id=ctx.project.id,
                level=ResultLevel(row["level"]),
                code=code,
                parent_id=ids[parent] if parent else None,
                **text,
            ).id
            out.append(Msg("added result {code}", code=code))
            continue
        if ed.edit_result(session, principal=principal, node_id=ids[code], **text):
            out.append(Msg("updated result {code}", code=code))
        old_parent: Any = ctx.nodes.at[code, "parent_id"]
        if parent and (pd.isna(old_parent) or int(old_parent) != ids[parent]):
            ed.change_parent(session, principal=principal, node_id=ids[code], parent_id=ids[parent])
            out.append(Msg("moved result {code} under {parent}", code=code, parent=parent))
    return ids


def _write_indicators(
    session: Session,
    principal: Principal,
    frame: Logframe,
    ctx: _Context,
    nodes: dict[str, int],
    reason: str,
    out: list[Text],
) -> dict[str, int]:
    ids = {str(c): int(i) for c, i in ctx.indicators["indicator_id"].items()}
    for _, row in _rows(frame.indicators):
        code, sheet = str(row["code"]), _sheet(row, ctx)
        if code in ids:
            if ed.edit_indicator(session, principal=principal, indicator_id=ids[code], sheet=sheet):
                out.append(Msg("updated indicator {code}", code=code))
        else:
            ids[code] = ed.create_indicator(
                session, principal=principal, result_node_id=nodes[row["result_code"]], sheet=sheet
            ).id
            out.append(Msg("added indicator {code}", code=code))
        if _baseline(session, principal, row, ctx, ids[code]):
            out.append(Msg("baseline of {code}", code=code))
        lop = to_decimal(row["target_lop"])
        if lop is not None and ed.revise_target(
            session,
            principal=principal,
            indicator_id=ids[code],
            period_id=None,
            value=lop,
            reason=reason,
        ):
            out.append(Msg("life-of-project target of {code}: {lop}", code=code, lop=lop))
    return ids


def _baseline(
    session: Session, principal: Principal, row: dict[str, Any], ctx: _Context, indicator_id: int
) -> bool:
    value, num = to_decimal(row["baseline_value"]), to_decimal(row["baseline_numerator"])
    if value is None and num is None:
        return False
    day = to_date(row["baseline_date"]) if row["baseline_date"] else None
    return ed.set_baseline(
        session,
        principal=principal,
        indicator_id=indicator_id,
        baseline_date=day or ctx.project.start_date - timedelta(days=1),
        value=None if num is not None else value,
        numerator=num,
        denominator=to_decimal(row["baseline_denominator"]),
    )


def _write_targets(
    session: Session,
    principal: Principal,
    frame: Logframe,
    ctx: _Context,
    indicators: dict[str, int],
    reason: str,
    out: list[Text],
) -> None:
    for (code, period), group in frame.targets.groupby(["indicator_code", "period"], sort=False):
        total = group[group["part"].isna()]["value"].map(to_decimal).iloc[0]
        with_parts = group[group["part"].notna()]
        parts = {
            ctx.parts[p][0]: to_decimal(v)
            for p, v in zip(with_parts["part"], with_parts["value"], strict=True)
        }
        if ed.revise_target(
            session,
            principal=principal,
            indicator_id=indicators[str(code)],
            period_id=ctx.periods[str(period)],
            value=total,
            reason=reason,
            parts={k: v for k, v in parts.items() if v is not None} if parts else None,
        ):
            out.append(
                Msg("target of {code} for {period}: {total}", code=code, period=period, total=total)
            )


def import_logframe(
    session: Session,
    *,
    principal: Principal,
    project_code: str,
    frame: Logframe,
    filename: str = "logframe",
) -> LogframeImport:
    """Check the whole file, then create or update the project's results, indicators,
    baselines and targets in one transaction. Results and indicators of the project that the
    file does not name are left as they are."""
    project = session.scalar(select(Project).where(Project.code == project_code))
    if project is None:
        raise NotFound("No project {project_code!r}.", project_code=project_code)
    require(session, principal, "edit_logframe", project_id=project.id)
    ctx = _context(session, principal, project)
    check(session, frame, ctx)
    reason = f"Logframe spreadsheet {filename} of {date.today():%Y-%m-%d}"
    out: list[Text] = []
    nodes = _write_results(session, principal, frame, ctx, out)
    indicators = _write_indicators(session, principal, frame, ctx, nodes, reason, out)
    _write_targets(session, principal, frame, ctx, indicators, reason, out)
    return LogframeImport(out)


__all__ = ["LogframeImport", "import_logframe"]
