"""The measurement import at scale: a 200,000-row CSV through the product's import (read,
check, write, one audit event, figures refreshed), against the bulk path's load of the same
number of measurement rows in the same run, and a file whose last row is bad.

Run alone with `python -m bench.measurement_import`; `python -m bench` runs it too.
Targets: 200,000 rows in under 30 s on SQLite, within 3x of the bulk path; a bad last row
refused in under 10 s.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import select

from bench import loading
from bench.generate import INDICATORS_PER_PROJECT, PERIODS_PER_PROJECT, Size
from rbm.db import Database
from rbm.errors import ValidationFailed
from rbm.exchange import measurement_import as imp
from rbm.models import Indicator, Project, ReportingPeriod, ResultNode
from rbm.services import bulk
from rbm.services.users import load_principal

ROWS = 200_000
_CPU: dict[str, float] = {}
IMPORT_LIMIT_S, BAD_ROW_LIMIT_S, FLOOR_RATIO = 30.0, 10.0, 3.0


@dataclass(frozen=True)
class ImportFigures:
    rows: int
    imported: float
    bulk: float
    bad_last_row: float
    imported_cpu: float = 0.0
    bulk_cpu: float = 0.0

    @property
    def ratio(self) -> float:
        return self.imported / self.bulk


def _size(rows: int) -> Size:
    per_project = INDICATORS_PER_PROJECT * PERIODS_PER_PROJECT
    return Size("import", -(-rows // per_project), 15)


def _portfolio(db: Database, rows: int) -> tuple[loading.People, dict[str, pd.DataFrame]]:
    """A portfolio without values, loaded; and the measurement frames the generator made."""
    people = loading.add_people(db)
    frames = loading.frames_for(db, _size(rows), people)
    values = {k: frames.pop(k) for k in ("measurement", "measurement_breakdown")}
    loading.load_validated(db, people, frames)
    return people, values


def _filled(db: Database, rows: int) -> pd.DataFrame:
    """A filled template: a value for every indicator and period (a percentage as 3 of 4)."""
    with db.read() as session:
        result = session.execute(
            select(
                Project.code.label("project"),
                Indicator.code.label("indicator"),
                Indicator.title,
                Indicator.measure,
                ReportingPeriod.label.label("period"),
            )
            .join(ResultNode, ResultNode.id == Indicator.result_node_id)
            .join(Project, Project.id == ResultNode.project_id)
            .join(ReportingPeriod, ReportingPeriod.project_id == Project.id)
            .where(ReportingPeriod.start_date <= date.today())
            .order_by(Project.code, ReportingPeriod.start_date, Indicator.id)
            .limit(rows)
        )
        df = pd.DataFrame(result.all(), columns=list(result.keys()))
    df["measure"] = df["measure"].map(lambda v: getattr(v, "value", v))
    pct = df["measure"] == "percentage"
    df["value"] = [str(7 + n % 30) for n in range(len(df))]
    df.loc[pct, "value"] = None
    df["numerator"] = pct.map({True: "3", False: None})
    df["denominator"] = pct.map({True: "4", False: None})
    df["narrative"] = None
    return df[imp.COLUMNS]


def _import(db: Database, people: loading.People, content: bytes) -> float:
    """Wall-clock seconds of a whole import (the CPU seconds go to `_CPU`)."""
    start, cpu = time.perf_counter(), time.process_time()
    with db.write() as session:
        officer = load_principal(session, user_id=people.officer_id)
        imp.import_measurements(
            session, principal=officer, df=imp.read_upload("filled.csv", content)
        )
    _CPU["import"] = time.process_time() - cpu
    return time.perf_counter() - start


def _bad_last_row(db: Database, people: loading.People, df: pd.DataFrame) -> float:
    last = df.index[-1]
    column = "numerator" if df.at[last, "measure"] == "percentage" else "value"
    bad = imp.to_bytes(df.assign(**{column: df[column].where(df.index != last, "lots")}), fmt="csv")
    start = time.perf_counter()
    try:
        _import(db, people, bad)
    except ValidationFailed:
        return time.perf_counter() - start
    raise RuntimeError("the bad last row was not refused")


def _bulk(rows: int, values: dict[str, pd.DataFrame]) -> float:
    """The bulk path's load of the same number of measurement rows, on a fresh portfolio."""
    with loading.fresh_database("sqlite") as db:
        people, _ = _portfolio(db, rows)
        frame = values["measurement"].head(rows)
        start, cpu = time.perf_counter(), time.process_time()
        with db.write() as session:
            bulk.load_portfolio(session, principal=people.admin, frames={"measurement": frame})
        _CPU["bulk"] = time.process_time() - cpu
        return time.perf_counter() - start


def measure(rows: int = ROWS) -> ImportFigures:
    """Time the import, its bulk-path floor and a bad last row, on SQLite."""
    with loading.fresh_database("sqlite") as db:
        people, values = _portfolio(db, rows)
        filled = _filled(db, rows)
        bad = _bad_last_row(db, people, filled)
        imported = _import(db, people, imp.to_bytes(filled, fmt="csv"))
    cpu = _CPU["import"]
    floor = _bulk(rows, values)
    return ImportFigures(
        rows=rows,
        imported=imported,
        bulk=floor,
        bad_last_row=bad,
        imported_cpu=cpu,
        bulk_cpu=_CPU["bulk"],
    )


def checks(f: ImportFigures) -> list[tuple[str, bool, str]]:
    return [
        (
            f"{f.rows:,}-row import under {IMPORT_LIMIT_S:.0f} s",
            f.imported < IMPORT_LIMIT_S,
            f"{f.imported:.1f} s",
        ),
        ("import within 3x of the bulk path", f.ratio <= FLOOR_RATIO, f"{f.ratio:.1f}x"),
        (
            f"bad last row refused under {BAD_ROW_LIMIT_S:.0f} s",
            f.bad_last_row < BAD_ROW_LIMIT_S,
            f"{f.bad_last_row:.1f} s",
        ),
    ]


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else ROWS
    f = measure(rows)
    print(
        f"{f.rows:,} rows: import {f.imported:.2f} s ({f.rows / f.imported:,.0f} rows/s), "
        f"bulk path {f.bulk:.2f} s, ratio {f.ratio:.1f}x; bad last row refused in "
        f"{f.bad_last_row:.2f} s; CPU seconds: import {f.imported_cpu:.2f}, bulk path "
        f"{f.bulk_cpu:.2f}"
    )
    for name, ok, figure in checks(f):
        print(f"  {'met' if ok else 'NOT MET'}: {name} ({figure})")


if __name__ == "__main__":
    main()
