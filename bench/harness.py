"""Runs the benchmark: per size and backend, load a synthetic portfolio (validated path and raw
floor), then time every page's data, the IATI export and memory in a separate process; then the
indicator engine's line. Prints one table and checks the targets at size L on SQLite."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import loading, measurement_import
from bench.generate import SIZES, Size

RESULTS = Path(__file__).with_name("RESULTS.md")
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
PAGE_COLD_LIMIT_S, PAGE_WARM_LIMIT_S, PAGE_FLOOR_RATIO = 1.0, 0.1, 2.0
LOAD_FLOOR_RATIO, LOAD_RATE, PEAK_MIB = 3.0, 20_000, 1536
PG_COPY_RATIO, PG_LOAD_RATE = 2.0, 50_000  # the PostgreSQL bulk path against a raw COPY
ENGINE_FLOOR_RATIO, ENGINE_PEAK_MIB, EXPORT_FLOOR_RATIO = 3.0, 1024, 3.0
IATI_IMPORT_RATE = 100  # activities per second, on the real publishers' files


@dataclass
class Row:
    size: str
    backend: str
    what: str
    value: str
    floor: str = ""
    ratio: float | None = None
    note: str = ""


@dataclass
class Run:
    rows: list[Row] = field(default_factory=list)
    pages: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    loads: dict[tuple[str, str], dict[str, float]] = field(default_factory=dict)
    engine: dict[str, float] = field(default_factory=dict)
    iati: dict[str, float] = field(default_factory=dict)
    checks: list[tuple[str, bool, str]] = field(default_factory=list)
    report: dict[str, float] = field(default_factory=dict)
    imports: list[Any] = field(default_factory=list)
    browser: str = ""  # the browser timings and the load scenario, as Markdown
    # One-minute load average when the run began: what else the machine was doing.
    load_at_start: float = field(
        default_factory=lambda: os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    )


def backends() -> list[str]:
    return ["sqlite", "postgresql"] if loading.postgres_admin_url() else ["sqlite"]


def measure_size(run: Run, size: Size, backend: str, runs: int) -> None:
    load_runs = 1 if size.name == "L" else runs
    validated, raw, aside = [], [], []
    for attempt in range(load_runs):
        frames, floor = loading.floors(backend, size)
        raw.append(floor["raw"])
        if "keys_aside" in floor:
            aside.append(floor["keys_aside"])
        with loading.fresh_database(backend) as db:
            people = loading.add_people(db)
            validated.append(loading.load_validated(db, people, frames))
            loading.settle(db)
            del frames
            if attempt == load_runs - 1:
                page_runs = runs if size.name != "L" else max(2, runs - 1)
                run.pages[(size.name, backend)] = _pages(db.url, people, page_runs)
                if size.name == "M" and backend == "sqlite":
                    run.report = _report(db.url, people)
    load = {"validated": statistics.median(validated), "raw": statistics.median(raw)}
    if aside:
        load["keys_aside"] = statistics.median(aside)
    run.loads[(size.name, backend)] = load
    _rows(run, size, backend)


#: Which pages to time ("" for all) and whether to time the export: `--pages`, `--no-export`.
SELECTION = {"pages": "", "export": "export"}


def _pages(url: str, people: loading.People, runs: int) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.pages", url, str(people.admin.user_id), str(runs)]
    command += [SELECTION["pages"], SELECTION["export"]]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"bench.pages failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _report(url: str, people: loading.People) -> dict[str, float]:
    """The donor portfolio report over every project, built and rendered (bench.reports)."""
    command = [sys.executable, "-m", "bench.reports", url, str(people.admin.user_id)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"bench.reports failed:\n{done.stderr[-4000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# The share of indicators that also report a year over their quarters in the engine's second
# line: overlapping periods, as imported portfolios have them (not a target).
YEARLY_SHARE = 0.01


def _engine(n_indicators: int, n_measurements: int, runs: int, yearly: float) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.engine"]
    command += [str(n_indicators), str(n_measurements), str(runs), str(yearly)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure_engine(run: Run, n_indicators: int, n_measurements: int, runs: int) -> None:
    run.engine = _engine(n_indicators, n_measurements, runs, 0.0)
    run.engine["measurements"] = n_measurements
    run.rows.append(
        Row(
            "-",
            "pandas",
            f"indicator engine (status), {n_measurements:,} measurements",
            _s(run.engine["engine"]),
            _s(run.engine["floor"]) + " groupby sum",
            run.engine["engine"] / run.engine["floor"],
            f"peak {run.engine['peak_mib']:.0f} MiB; pandera validation at the boundary "
            f"{_s(run.engine['validation'])}, once per frame",
        )
    )
    overlapping = _engine(n_indicators, n_measurements, runs, YEARLY_SHARE)
    run.rows.append(
        Row(
            "-",
            "pandas",
            f"the same, {YEARLY_SHARE:.0%} of indicators also reporting a year over its quarters",
            _s(overlapping["engine"]),
            _s(overlapping["floor"]) + " groupby sum",
            overlapping["engine"] / overlapping["floor"],
            "not a target: the rows of the periods that overlap are sorted to find them",
        )
    )


def _rows(run: Run, size: Size, backend: str) -> None:
    load = run.loads[(size.name, backend)]
    rate = size.measurements / load["validated"]
    add = run.rows.append
    add(
        Row(
            size.name,
            backend,
            f"load {size.measurements:,} measurements",
            _s(load["validated"]),
            _s(load["raw"]) + (" COPY" if backend == "postgresql" else " executemany"),
            load["validated"] / load["raw"],
            f"{rate:,.0f} measurements/s"
            + (
                f"; {load['validated'] / load['keys_aside']:.1f}x a COPY with keys set aside "
                f"({_s(load['keys_aside'])})"
                if "keys_aside" in load
                else ""
            ),
        )
    )
    data = run.pages[(size.name, backend)]
    for page, m in data["pages"].items():
        add(
            Row(
                size.name,
                backend,
                f"{page}: cold",
                _s(m["cold"]),
                _s(m["floor"]) + " SQL aggregate",
                m["cold"] / m["floor"],
                f"{m['queries']} queries; first call {_s(m['first'])}",
            )
        )
        add(Row(size.name, backend, f"{page}: warm", _s(m["warm"]), note="cached_query"))
    export = data["export"]
    if "export" in export:
        add(
            Row(
                size.name,
                backend,
                f"IATI export, {export['activities']:,} activities",
                _s(export["export"]),
                _s(export["floor"]) + " lxml tostring",
                export["export"] / export["floor"],
                f"{export['activities'] / export['export']:,.0f} activities/s,"
                f" {export['megabytes']:,.0f} MB streamed",
            )
        )
        if "import" in export:
            add(
                Row(
                    size.name,
                    backend,
                    f"IATI import, first {export['import_activities']} of those activities",
                    _s(export["import"]),
                    note=(
                        f"{export['import_activities'] / export['import']:,.1f} activities/s, "
                        f"{export['import_values'] / export['import']:,.0f} actual values/s; "
                        f"{export['import_imported']} imported"
                    ),
                )
            )
    else:
        add(Row(size.name, backend, "IATI export", export.get("note", "n/a")))
    add(
        Row(
            size.name,
            backend,
            "peak memory, page data",
            f"{data['peak_mib']:.0f} MiB",
            note=(
                f"{export['peak_export_mib']:.0f} MiB after the streamed export too"
                f" (the export's parsed tree, for its floor, is not counted)"
                if "peak_export_mib" in export
                else ""
            ),
        )
    )


def measure_iati_import(run: Run, runs: int) -> None:
    """The IATI import of the real publishers' files (tests/data/iati/real), against lxml
    parsing them plus a raw insert of the rows the import wrote (`bench.iati_real`)."""
    command = [sys.executable, "-m", "bench.iati_real", str(runs)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    run.iati = json.loads(done.stdout.strip().splitlines()[-1])
    rate = run.iati["activities"] / run.iati["import"]
    run.rows.append(
        Row(
            "-",
            "sqlite",
            f"IATI import, real files ({run.iati['activities']:,} activities)",
            _s(run.iati["import"]),
            _s(run.iati["floor"]) + " lxml parse + raw insert",
            run.iati["import"] / run.iati["floor"],
            f"{rate:,.0f} activities/s; {run.iati['imported']:,} imported",
        )
    )


def _s(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def check_targets(run: Run) -> None:
    """The targets of issue 10 (size L, SQLite), issue 3 and issue 8, met or not."""
    checks = run.checks = []
    key = ("L", "sqlite")
    if key in run.pages:
        pages = run.pages[key]["pages"]
        for page, m in pages.items():
            ratio = m["cold"] / m["floor"]
            checks.append((f"{page}: within 2x of its floor", ratio <= 2, f"{ratio:.1f}x"))
            checks.append((f"{page}: cold under 1 s", m["cold"] <= 1, _s(m["cold"])))
            checks.append((f"{page}: warm under 100 ms", m["warm"] < 0.1, _s(m["warm"])))
        small = run.pages.get(("S", "sqlite"))
        if small and "project" in pages:
            ratio = pages["project"]["cold"] / small["pages"]["project"]["cold"]
            checks.append(("project page L within 1.5x of S", ratio <= 1.5, f"{ratio:.2f}x"))
        load = run.loads[key]
        ratio = load["validated"] / load["raw"]
        checks.append(("bulk load within 3x of raw inserts", ratio <= 3, f"{ratio:.1f}x"))
        rate = SIZES["L"].measurements / load["validated"]
        checks.append(("bulk load >= 20,000 measurements/s", rate >= LOAD_RATE, f"{rate:,.0f}/s"))
        peak = run.pages[key]["peak_mib"]  # of the pages timed
        checks.append(("app process under 1.5 GiB", peak < PEAK_MIB, f"{peak:.0f} MiB"))
        export = run.pages[key]["export"]
        if "export" in export:
            ratio = export["export"] / export["floor"]
            checks.append(("IATI export within 3x of lxml", ratio <= 3, f"{ratio:.1f}x"))
    pg_load = run.loads.get(("L", "postgresql"))
    if pg_load:
        ratio = pg_load["validated"] / pg_load["raw"]
        checks.append(
            ("PostgreSQL bulk load within 2x of raw COPY", ratio <= PG_COPY_RATIO, f"{ratio:.1f}x")
        )
        # The tighter floor (the rows written the bulk path's way, without its validation and
        # stored figures) is shown in the load's own row: it is not the issue's floor.
        rate = SIZES["L"].measurements / pg_load["validated"]
        checks.append(
            (
                "PostgreSQL bulk load >= 50,000 measurements/s",
                rate >= PG_LOAD_RATE,
                f"{rate:,.0f}/s",
            )
        )
    _query_count_checks(run)
    if run.report:
        r = run.report
        slowest = r["build"] + max(r["pdf"], r["docx"])
        checks.append(
            (
                f"donor portfolio report of {r['projects']:.0f} projects under 60 s",
                slowest < 60,
                f"{_s(r['build'])} built, PDF {_s(r['pdf'])}, Word {_s(r['docx'])} (CPU "
                f"{_s(r['build_cpu'])}, {_s(r['pdf_cpu'])}, {_s(r['docx_cpu'])})",
            )
        )
    for figures in run.imports:
        checks.extend(measurement_import.checks(figures))
    if run.iati:
        rate = run.iati["activities"] / run.iati["import"]
        checks.append(
            (
                f"IATI import of the real files >= {IATI_IMPORT_RATE} activities/s",
                rate >= IATI_IMPORT_RATE,
                f"{rate:,.0f}/s ({run.iati['import'] / run.iati['floor']:.1f}x its floor)",
            )
        )
    if run.engine:
        ratio = run.engine["engine"] / run.engine["floor"]
        checks.append(("indicator engine within 3x of groupby", ratio <= 3, f"{ratio:.1f}x"))
        peak = run.engine["peak_mib"]
        checks.append(("indicator engine under 1 GiB", peak < 1024, f"{peak:.0f} MiB"))


def _query_count_checks(run: Run) -> None:
    for backend in {b for _, b in run.pages}:
        counts: dict[str, set[int]] = {}
        for (_, b), data in run.pages.items():
            if b == backend:
                for page, m in data["pages"].items():
                    counts.setdefault(page, set()).add(m["queries"])
        for page, seen in counts.items():
            label = f"{page}: same query count at every size ({backend})"
            run.checks.append((label, len(seen) == 1, "/".join(str(n) for n in sorted(seen))))


def machine(load_at_start: float) -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [
            ln.split(":", 1)[1].strip()
            for ln in cpuinfo.read_text().splitlines()
            if ln.startswith("model name")
        ]
        cpu = names[0] if names else cpu
    return (
        f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}; "
        f"load average at start {load_at_start:.1f}"
    )


def table(run: Run) -> str:
    lines = [
        "| size | backend | what | time | floor | ratio | note |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in run.rows:
        ratio = f"{r.ratio:.1f}x" if r.ratio is not None else ""
        lines.append(
            f"| {r.size} | {r.backend} | {r.what} | {r.value} | {r.floor} | {ratio} | {r.note} |"
        )
    return "\n".join(lines)


def targets(run: Run) -> str:
    lines = ["| target | met | figure |", "|---|---|---|"]
    lines += [f"| {name} | {'yes' if ok else 'NO'} | {fig} |" for name, ok, fig in run.checks]
    return "\n".join(lines)


def report(run: Run, *, started: float, mode: str) -> str:
    took = time.perf_counter() - started
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"Run of {stamp} ({mode}, {took / 60:.1f} min) on {machine(run.load_at_start)}.\n\n"
        f"{table(run)}\n\nTargets:\n\n{targets(run)}\n"
        + (
            f"\nIn a browser (`python -m bench.browser_pages`, `python -m bench.load`):\n\n"
            f"{run.browser}\n"
            if run.browser
            else ""
        )
    )


def write_results(text: str) -> None:
    """Replace the measured part of bench/RESULTS.md, keeping the notes around it."""
    block = f"{BEGIN}\n{text}{END}"
    old = RESULTS.read_text() if RESULTS.exists() else f"# Benchmark results\n\n{BEGIN}\n{END}\n"
    head, _, rest = old.partition(BEGIN)
    _, _, tail = rest.partition(END)
    RESULTS.write_text(head + block + tail)


def measure_browser(run: Run, *, quick: bool) -> None:
    """Pages timed in a real browser at size L (one person, beside the page data), then many
    people at once on the demo database and at size M (`bench.browser_pages`, `bench.load`)."""
    from bench import browser_pages, load

    parts = []
    if not quick:
        data = run.pages.get(("L", "sqlite"), {}).get("pages", {})
        timed = browser_pages.measure("L", runs=3)
        parts.append(browser_pages.table(timed, {k: v["cold"] for k, v in data.items()}))
    users = [1, 5, 10] if quick else [1, 5, 10, 25]
    scenarios = [load.measure(db, n) for db in ("demo", "M") for n in users]
    parts.append(load.table(scenarios))
    run.browser = "\n\n".join(parts)


def main(
    *,
    quick: bool,
    runs: int,
    write: bool,
    sizes: list[str],
    only: str | None = None,
    browser: bool = True,
) -> None:
    started = time.perf_counter()
    run = Run()
    sizes = [s for s in sizes if s != "L"] if quick else sizes
    mode = "quick: sizes S and M" if quick else "full"
    print("... indicator engine", file=sys.stderr, flush=True)
    n_ind, n_meas = 40_000, 1_000_000  # the size issue 3 names, in quick runs too (seconds)
    measure_engine(run, n_ind, n_meas, runs)
    print("... IATI import of the real files", file=sys.stderr, flush=True)
    measure_iati_import(run, 1 if quick else runs)
    for name in sizes:
        for backend in [only] if only else backends():
            print(f"... size {name} on {backend}", file=sys.stderr, flush=True)
            measure_size(run, SIZES[name], backend, runs)
            _publish(run, started, f"{mode}, in progress: up to size {name}", write)
    if only in (None, "sqlite"):
        print("... measurement import", file=sys.stderr, flush=True)
        measure_import(run, rows=20_000 if quick else measurement_import.ROWS)
    if browser:
        print("... in a browser: page timings and many users at once", file=sys.stderr, flush=True)
        measure_browser(run, quick=quick)
    print(_publish(run, started, mode, write))


def measure_import(run: Run, *, rows: int) -> None:
    """The measurement import (read, check, write) against the bulk path, on SQLite."""
    f = measurement_import.measure(rows)
    run.imports.append(f)
    run.rows.append(
        Row(
            "-",
            "sqlite",
            f"measurement import, {f.rows:,} CSV rows",
            _s(f.imported),
            _s(f.bulk),
            f.ratio,
            f"{f.rows / f.imported:,.0f} rows/s; CPU {f.imported_cpu:.1f} s vs "
            f"{f.bulk_cpu:.1f} s; bad last row refused in {_s(f.bad_last_row)}",
        )
    )


def _publish(run: Run, started: float, mode: str, write: bool) -> str:
    """The report so far, to standard error, and to bench/RESULTS.md on a full run."""
    check_targets(run)
    text = report(run, started=started, mode=mode)
    print(text, file=sys.stderr, flush=True)
    if write:
        write_results(text)
    return text
