"""Writing a checked measurement import set-based: the latest revision of every indicator and
period named is read in one statement, new values and new revisions are inserted and open
drafts updated as executemany batches, breakdowns replaced in batches, ONE audit event records
the import (counts and the file's checksum), and the stored figures of each indicator touched
are refreshed once when the transaction commits.

The rules are those of `rbm.services.measurements.save_draft` and `submit`, applied to the
whole set: a value awaiting approval is refused, an approved one gets a new revision, a draft
or returned one is edited and its version bumped."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Table, bindparam, delete, func, select, text, update
from sqlalchemy.orm import Session

from rbm import figures
from rbm.exchange.measurement_read import ReadInfo
from rbm.frames.sql import enum_values
from rbm.models import Measurement, MeasurementBreakdown
from rbm.models.enums import MeasurementStatus
from rbm.principal import Principal
from rbm.services import audit, bulk
from rbm.services.permissions import require

BATCH = 5_000
Progress = Callable[[float, str], None]
_M: Table = Measurement.__table__  # type: ignore[assignment]
_B: Table = MeasurementBreakdown.__table__  # type: ignore[assignment]


def latest(session: Session, indicator_ids: list[int]) -> pd.DataFrame:
    """The newest revision of every indicator and period of these indicators."""
    newest = (
        select(
            Measurement.indicator_id,
            Measurement.reporting_period_id,
            func.max(Measurement.revision).label("revision"),
        )
        .where(Measurement.indicator_id.in_(indicator_ids))
        .group_by(Measurement.indicator_id, Measurement.reporting_period_id)
        .subquery()
    )
    result = session.execute(
        select(
            Measurement.id,
            Measurement.indicator_id,
            Measurement.reporting_period_id.label("period_id"),
            Measurement.revision,
            Measurement.status,
            Measurement.version,
        ).join(
            newest,
            (newest.c.indicator_id == Measurement.indicator_id)
            & (newest.c.reporting_period_id == Measurement.reporting_period_id)
            & (newest.c.revision == Measurement.revision),
        )
    )
    df = pd.DataFrame(result.all(), columns=list(result.keys()))
    enum_values(df, "status")
    return df


def with_latest(session: Session, data: pd.DataFrame) -> pd.DataFrame:
    """The rows with the newest stored revision of their indicator and period beside them
    (`old_id`, `old_revision`, `old_status`, `old_version`; null where there is none)."""
    ids = data["indicator_id"].dropna().astype(int).unique().tolist()
    old = latest(session, ids).add_prefix("old_")
    keyed = data.assign(
        _i=data["indicator_id"].fillna(-1).astype(int), _p=data["period_id"].fillna(-1).astype(int)
    )
    return keyed.merge(
        old, how="left", left_on=["_i", "_p"], right_on=["old_indicator_id", "old_period_id"]
    ).set_index(data.index)


def require_loggers(session: Session, principal: Principal, project_ids: list[int]) -> None:
    for project_id in project_ids:
        require(session, principal, "log_measurement", project_id=project_id)


def _decimal(series: pd.Series) -> list[Any]:
    return series.astype(object).where(series.notna(), None).tolist()


def write(
    session: Session,
    *,
    principal: Principal,
    data: pd.DataFrame,
    parts: pd.DataFrame,
    submit: bool,
    info: ReadInfo | None,
    progress: Progress | None = None,
) -> int:
    """Insert or update every row of the checked `data`; returns how many values were saved."""
    now = datetime.now(UTC)
    rows = data
    status = MeasurementStatus.SUBMITTED if submit else MeasurementStatus.DRAFT
    values = pd.DataFrame(
        {
            "value": rows["_value"].astype(float),
            "numerator": rows["_numerator"].where(rows["measure"] == "percentage"),
            "denominator": rows["_denominator"].where(rows["measure"] == "percentage"),
            "narrative": rows["narrative"].fillna("").astype(str),
        },
        index=rows.index,
    )
    values.loc[rows["measure"] == "qualitative", "value"] = None
    editable = [MeasurementStatus.DRAFT.value, MeasurementStatus.RETURNED.value]
    edit = rows["old_status"].isin(editable).to_numpy(dtype=bool)
    new = ~edit
    ids = pd.Series(0, index=rows.index, dtype="int64")
    if edit.any():
        ids.loc[edit] = rows.loc[edit, "old_id"].astype("int64").to_numpy()
    if new.any():
        ids.loc[new] = np.array(_next_ids(session, int(new.sum())), dtype="int64")
    done = 0
    total = len(rows)

    def tick(n: int, what: str) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(min(done / max(total, 1), 1.0), f"{what}: {done:,} of {total:,} values")

    id_list: list[int] = ids.astype(int).tolist()
    created = len(np.flatnonzero(new))
    _insert_new(session, principal, rows[new], ids[new], values[new], status, now, tick)
    old_version = rows["old_version"].fillna(0).astype("int64").tolist()
    update_rows: list[dict[str, Any]] = [
        {
            "_id": id_list[n],
            "status": status,
            "updated_at": now,
            "submitted_by_id": principal.user_id if submit else None,
            "submitted_at": now if submit else None,
            "version": old_version[n] + 1,
        }
        for n in np.flatnonzero(edit).tolist()
    ]
    _fill(update_rows, values, rows.index[edit])
    _record_edits_of_others(session, principal, [r["_id"] for r in update_rows])
    statement = (
        update(_M)
        .where(_M.c.id == bindparam("_id"))
        .values({k: bindparam(k) for k in update_rows[0] if k != "_id"} if update_rows else {})
    )
    for start in range(0, len(update_rows), BATCH):
        chunk = update_rows[start : start + BATCH]
        session.execute(statement, chunk)
        tick(len(chunk), "Updated")
    _breakdowns(session, rows, ids, parts, edited=ids[edit].tolist())
    figures.mark(session, set(rows["indicator_id"].astype(int)))
    audit.record(
        session,
        principal=principal,
        action="import",
        entity_type="measurement_import",
        entity_id=None,
        after={
            "file": info.filename if info else "",
            "sha256": info.sha256 if info else "",
            "rows": int(total),
            "created": created,
            "updated": len(update_rows),
            "submitted": int(total) if submit else 0,
            "indicators": int(rows["indicator_id"].nunique()),
        },
    )
    return int(total)


def _record_edits_of_others(session: Session, principal: Principal, ids: list[int]) -> None:
    """An import that overwrites someone else's draft leaves an `import` event on that value,
    as an edit by hand does: four eyes reads the trail to keep the editor from approving it
    once its author submits. New values need none (their creator is on the row)."""
    others: list[int] = []
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        others += session.scalars(
            select(_M.c.id).where(_M.c.id.in_(chunk), _M.c.created_by_id != principal.user_id)
        ).all()
    for measurement_id in others:
        audit.record(
            session,
            principal=principal,
            action="import",
            entity_type="measurement",
            entity_id=measurement_id,
            after={"edited_by_import": True},
        )


def _insert_new(
    session: Session,
    principal: Principal,
    rows: pd.DataFrame,
    ids: pd.Series,
    values: pd.DataFrame,
    status: MeasurementStatus,
    now: datetime,
    tick: Callable[[int, str], None],
) -> None:
    """New values and new revisions of approved ones, as the driver's executemany over
    columns converted at once (the bulk path's way)."""
    if rows.empty:
        return
    submitted = status is MeasurementStatus.SUBMITTED
    new = pd.DataFrame(
        {
            "id": ids.to_numpy(),
            "indicator_id": rows["indicator_id"].astype("int64").to_numpy(),
            "reporting_period_id": rows["period_id"].astype("int64").to_numpy(),
            "revision": rows["old_revision"].fillna(0).astype("int64").to_numpy() + 1,
            "supersedes_id": rows["old_id"].astype("Int64").to_numpy(),
            "is_current": rows["old_id"].isna().to_numpy(),
            "status": status.value,
            "value": values["value"].to_numpy(),
            "numerator": values["numerator"].to_numpy(),
            "denominator": values["denominator"].to_numpy(),
            "narrative": values["narrative"].to_numpy(),
            "created_by_id": principal.user_id,
            "created_at": now,
            "updated_at": now,
            "submitted_by_id": pd.array([principal.user_id if submitted else None] * len(rows),
                                        dtype="Int64"),
            "submitted_at": pd.Series([now if submitted else None] * len(rows), dtype=object),
            "version": 1,
        }
    )  # fmt: skip
    _driver_insert(session, _M, new, tick)


def _driver_insert(
    session: Session, table: Table, df: pd.DataFrame, tick: Callable[[int, str], None] | None
) -> None:
    connection = session.connection()
    full = bulk.with_defaults(table, df)
    sql, positional = bulk.insert_sql(table, list(full.columns), connection.dialect)
    for start in range(0, len(full), BATCH):
        part = bulk.driver_rows(table, full.iloc[start : start + BATCH], connection.dialect)
        connection.exec_driver_sql(sql, part if positional else bulk.as_dicts(full.columns, part))
        if tick is not None:
            tick(len(part), "Saved")


def _fill(target: list[dict[str, Any]], values: pd.DataFrame, index: pd.Index) -> None:
    part = values.loc[index]
    columns = {c: _decimal(part[c]) for c in ("value", "numerator", "denominator")}
    narratives = part["narrative"].tolist()
    for n, row in enumerate(target):
        for c, col in columns.items():
            row[c] = col[n]
        row["narrative"] = narratives[n]


def _next_ids(session: Session, n: int) -> list[int]:
    """`n` fresh measurement ids: from the sequence on PostgreSQL; on SQLite, past the
    largest (the write transaction holds the database, so nobody else takes them)."""
    if n == 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        seq = text(
            "SELECT nextval(pg_get_serial_sequence('measurement', 'id')) "
            "FROM generate_series(1, :n)"
        )
        return [int(v) for v in session.scalars(seq, {"n": n})]
    first = int(session.scalar(select(func.coalesce(func.max(Measurement.id), 0))) or 0) + 1
    return list(range(first, first + n))


def _breakdowns(
    session: Session, rows: pd.DataFrame, ids: pd.Series, parts: pd.DataFrame, edited: list[int]
) -> None:
    for start in range(0, len(edited), BATCH):
        session.execute(delete(_B).where(_B.c.measurement_id.in_(edited[start : start + BATCH])))
    columns = [c for c in rows.columns if ": " in c and not c.startswith("_")]
    if not columns:
        return
    part_id = parts.drop_duplicates(["indicator_id", "column"]).set_index(
        ["indicator_id", "column"]
    )["dimension_value_id"]
    long = (
        rows[["indicator_id", *columns]]
        .assign(_mid=ids)
        .melt(id_vars=["indicator_id", "_mid"], var_name="column", value_name="part")
    )
    long = long[long["part"].notna()]
    long["dimension_value_id"] = [
        part_id.get((int(i), c)) for i, c in zip(long["indicator_id"], long["column"], strict=True)
    ]
    out = pd.DataFrame(
        {
            "measurement_id": long["_mid"].astype("int64").to_numpy(),
            "dimension_value_id": long["dimension_value_id"].astype("int64").to_numpy(),
            "value": pd.to_numeric(long["part"]).astype("float64").to_numpy(),
        }
    )
    _driver_insert(session, _B, out, None)
