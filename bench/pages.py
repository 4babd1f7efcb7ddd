"""The data behind each page, timed in a process of its own (the app's process, as it were).

Run as `python -m bench.pages URL ADMIN_ID RUNS [PAGES [noexport]]` (PAGES: comma-separated
names, empty for all); prints one JSON object. For each page: the median of RUNS uncached
calls (cold: the page's queries as the page issues them, each in a fresh read transaction),
the median of RUNS cached reruns through the app's own
`rbm.ui.session.cached_query` (warm: a data-version query plus the st.cache_data lookup), the
number of SQL statements one cold call issues, and a floor: one hand-written SQL aggregate over
the same rows. Then the streamed IATI export of every activity against lxml serializing the tree
of the same document, and the process's peak resident memory (VmHWM, `bench.memory`).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from copy import deepcopy
from typing import Any

from sqlalchemy import event, select, text

# Set before rbm.settings is read: the app's cache reaches the database through the settings.
os.environ["RBM_DATABASE_URL"] = sys.argv[1] if len(sys.argv) > 1 else ""
os.environ.setdefault("RBM_DEMO_MODE", "true")

from bench.memory import peak_mib
from rbm.models import Funding, Project, ProjectCountry
from rbm.principal import Principal
from rbm.queries import coordination, country, donor, lessons, portfolio, project, workflow
from rbm.queries.iptt import breakdowns, iptt
from rbm.services.users import load_principal
from rbm.ui.session import cached_query, get_db

Call = tuple[Callable[..., Any], dict[str, Any]]

APPROVED = "m.is_current AND m.status = 'approved'"
_FLOOR_BY_PROJECT = (
    "SELECT rp.project_id, count(*), sum(m.value) FROM measurement m "
    "JOIN reporting_period rp ON rp.id = m.reporting_period_id {join} "
    "WHERE " + APPROVED + " {where} GROUP BY rp.project_id"
)


def page_calls(principal: Principal, pick: dict[str, Any]) -> dict[str, list[Call]]:
    """Each page's cached_query calls, as the page makes them."""
    everything = portfolio.PortfolioFilters()
    calls: dict[str, list[Call]] = {
        "portfolio home": [
            (portfolio.home, {"filters": everything}),
            (coordination.area_coverage, {"filters": everything}),
        ],
        "project": [
            (project.project_view, {"code": pick["code"]}),
            (iptt, {"code": pick["code"]}),
            (breakdowns, {"code": pick["code"]}),
        ],
        "country": [(country.country_view, {"country_code": pick["country"]})],
        "donor": [(donor.donor_view, {"donor_id": pick["donor"]})],
        "coordination": [(coordination.area_coverage, {"filters": everything})],
        "approvals queue": [
            (workflow.approvals_queue, {}),
            (workflow.lockable_periods, {}),
        ],
        "lessons search": [(lessons.search_lessons, {"text": "training"})],
    }
    return calls


def floors(pick: dict[str, Any], postgres: bool) -> dict[str, tuple[str, dict[str, Any]]]:
    """One hand-written aggregate per page over the rows that page's data reads."""
    lesson_hit = (
        "SELECT count(*) FROM lesson WHERE to_tsvector('english', text) @@ "
        "plainto_tsquery('english', 'training')"
        if postgres
        else "SELECT count(*) FROM lesson_fts WHERE lesson_fts MATCH 'training'"
    )
    return {
        "portfolio home": (_FLOOR_BY_PROJECT.format(join="", where=""), {}),
        "project": (
            "SELECT m.indicator_id, count(*), sum(m.value) FROM measurement m "
            "JOIN reporting_period rp ON rp.id = m.reporting_period_id "
            "WHERE " + APPROVED + " AND rp.project_id = :pid GROUP BY m.indicator_id",
            {"pid": pick["project_id"]},
        ),
        "country": (
            _FLOOR_BY_PROJECT.format(
                join="JOIN project_country pc ON pc.project_id = rp.project_id",
                where="AND pc.country_code = :c",
            ),
            {"c": pick["country"]},
        ),
        "donor": (
            _FLOOR_BY_PROJECT.format(
                join="JOIN funding f ON f.project_id = rp.project_id",
                where="AND f.donor_id = :d",
            ),
            {"d": pick["donor"]},
        ),
        "coordination": (
            "SELECT pc.country_code, ppa.priority_area_id, p.provider_id, count(*), "
            "sum(f.amount * pc.share / 100) FROM project p "
            "JOIN project_country pc ON pc.project_id = p.id "
            "LEFT JOIN project_priority_area ppa ON ppa.project_id = p.id "
            "LEFT JOIN funding f ON f.project_id = p.id GROUP BY 1, 2, 3",
            {},
        ),
        "approvals queue": (
            "SELECT r.project_id, count(*), sum(m.value) FROM measurement m "
            "JOIN indicator i ON i.id = m.indicator_id "
            "JOIN result_node r ON r.id = i.result_node_id "
            "WHERE m.status = 'submitted' GROUP BY r.project_id",
            {},
        ),
        "lessons search": (lesson_hit, {}),
    }


def _pick() -> dict[str, Any]:
    """The first project, the country and the donor with the most projects."""
    with get_db().read() as session:
        first = session.execute(select(Project.id, Project.code).order_by(Project.code)).first()
        assert first is not None, "the benchmark database holds no project"
        busiest = session.scalars(
            select(ProjectCountry.country_code)
            .group_by(ProjectCountry.country_code)
            .order_by(text("count(*) DESC"), ProjectCountry.country_code)
        ).first()
        donor_id = session.scalars(
            select(Funding.donor_id).group_by(Funding.donor_id).order_by(text("count(*) DESC"))
        ).first()
    return {"project_id": first.id, "code": first.code, "country": busiest, "donor": donor_id}


class Counter:
    def __init__(self) -> None:
        self.statements = 0

    def __call__(self, *_args: Any) -> None:
        self.statements += 1


def _cold(principal: Principal, calls: list[Call]) -> None:
    for fn, kwargs in calls:
        with get_db().read() as session:
            fn(session, principal=principal, **kwargs)


def _warm(principal: Principal, calls: list[Call]) -> None:
    for fn, kwargs in calls:
        cached_query(fn, principal, **kwargs)


def _median(runs: int, action: Callable[[], Any]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure_page(principal: Principal, calls: list[Call], floor: Any, runs: int) -> dict[str, Any]:
    counter = Counter()
    engine = get_db().engine
    event.listen(engine, "before_cursor_execute", counter)
    _cold(principal, calls)
    event.remove(engine, "before_cursor_execute", counter)
    sql, params = floor

    def run_floor() -> None:
        with engine.connect() as conn:
            conn.execute(text(sql), params).fetchall()

    result = {
        "queries": counter.statements,
        "first": _median(1, lambda: _cold(principal, calls)),
        "cold": _median(runs, lambda: _cold(principal, calls)),
        "floor": _median(runs, run_floor),
    }
    _warm(principal, calls)
    result["warm"] = _median(runs, lambda: _warm(principal, calls))
    return result


def measure_export(principal: Principal, runs: int) -> dict[str, Any]:
    """The streamed export (`write_iati` into a sink that only counts the bytes, as a download
    hands them on) of every visible activity, against lxml serializing the tree of the same
    document. The tree is parsed from the export after its runs, untimed; the peak memory of
    the export itself is taken before the tree exists."""
    try:
        from rbm.exchange.iati_export import build_tree, serialize, write_iati
    except ImportError:
        return {"note": "n/a: streamed exporter not present"}
    written = [0]

    def sink(chunk: bytes) -> None:
        written[0] += len(chunk)

    def export() -> None:
        written[0] = 0
        with get_db().read() as session:
            write_iati(session, sink, principal=principal)

    total = _median(runs, export)
    peak = peak_mib()
    with get_db().read() as session:
        tree = build_tree(session, principal=principal)
    floor = _median(runs, lambda: serialize(tree))
    result = {
        "export": total,
        "floor": floor,
        "activities": len(tree),
        "megabytes": written[0] / 1e6,
        "peak_export_mib": peak,
    }
    result |= measure_import(tree)
    return result


#: Activities of the export imported again, for the import throughput.
IMPORT_SAMPLE = 40


def measure_import(root: Any) -> dict[str, Any]:
    """Import the first IMPORT_SAMPLE activities of the export into an empty database through
    `rbm.exchange.iati_import.import_iati` (schema check, savepoint per activity, audit, stored
    figures), in one transaction, and time it."""
    import tempfile
    from pathlib import Path

    from lxml import etree

    from rbm import migrate
    from rbm.db import Database
    from rbm.exchange.iati_export import serialize
    from rbm.exchange.iati_import import import_iati
    from rbm.models.enums import Role, ScopeType
    from rbm.principal import Grant
    from rbm.services.users import create_user

    sample = etree.Element(root.tag, root.attrib, nsmap=root.nsmap)
    sample.extend(deepcopy(a) for a in root[:IMPORT_SAMPLE])
    data = serialize(sample)
    values = sum(1 for _ in sample.iter("actual"))
    with tempfile.TemporaryDirectory(prefix="rbm-bench-import-") as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'import.sqlite3'}")
        migrate.upgrade(db)
        with db.write() as session:
            user = create_user(
                session,
                principal=None,
                email="importer@bench.rbm",
                name="Bench importer",
                password=None,
                grants=[Grant(role=Role.ADMIN, scope_type=ScopeType.GLOBAL)],
            )
            admin = load_principal(session, user_id=user.id)
        start = time.perf_counter()
        with db.write() as session:
            report = import_iati(session, principal=admin, data=data, max_bytes=len(data) + 1)
        seconds = time.perf_counter() - start
        db.dispose()
    return {
        "import": seconds,
        "import_activities": len(sample),
        "import_imported": report.imported,
        "import_values": values,
    }


def main() -> None:
    admin_id, runs = int(sys.argv[2]), int(sys.argv[3])
    with get_db().read() as session:
        principal = load_principal(session, user_id=admin_id)
    pick = _pick()
    postgres = not get_db().is_sqlite
    floor_sql = floors(pick, postgres)
    wanted = sys.argv[4].split(",") if len(sys.argv) > 4 and sys.argv[4] else None
    pages = {
        name: measure_page(principal, calls, floor_sql[name], runs)
        for name, calls in page_calls(principal, pick).items()
        if wanted is None or name in wanted
    }
    peak_pages = peak_mib()
    skip = len(sys.argv) > 5 and sys.argv[5] == "noexport"
    export = {"note": "not run (--no-export)"} if skip else measure_export(principal, runs)
    print(
        json.dumps(
            {
                "pages": pages,
                "export": export,
                "peak_mib": peak_pages,
            }
        )
    )


if __name__ == "__main__":
    main()
