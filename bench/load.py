"""Many users at once: N browser sessions sign in at the same moment, each as one of the demo
roles in turn, and open the pages of a reporting morning (portfolio, project, approvals, donor,
log results: those their role reaches), against a fresh `streamlit run` (cold caches) per N.

Reports p50, p95 and max seconds per page as the browser sees it (click to idle) and as the
server spends it (each script run, start to end, from the app's run log, `RBM_RUN_LOG`), the
server's peak and final memory (after every session has closed), and the CPU time of the
server and of the browsers apart. On a machine with two or more processors the server is kept
on the first and the browsers on the others (`--no-pin` shares them), so that the server's
figure is what one replica does with one core while its users' browsers run elsewhere.

    python -m bench.load                       # demo and M, N = 1, 5, 10, 25
    python -m bench.load --db demo --users 10  # one scenario
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import tempfile
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from bench import appdb, browser
from bench.appdb import Account
from rbm.ui.registry import LOGIN, PAGES

JOURNEY = ("Project", "Approvals", "Donor", "Log results")
SIGN_IN = "Portfolio (after sign-in)"
SCENARIO_TIMEOUT_S = 900  # a whole scenario; then it fails rather than hang
SETTLE_S = 10  # after the last session closes, before the server's memory is read
#: Issue 23's targets at 10 users: p95 per page on the demo database and at size M, and the
#: server's memory after 25 sessions have come and gone.
P95_TARGET_S = {"demo": 3.0, "M": 5.0}
MEMORY_TARGET_MIB = 1536
#: The run log names pages by their address; the tables by their navigation label. A sign-in
#: is two runs: the sign-in form's, then the portfolio's.
_BY_ADDRESS = {spec.url_path: spec.title for spec in PAGES} | {LOGIN.url_path: "Sign in"}
_BY_ADDRESS["portfolio"] = SIGN_IN


def journey(account: Account) -> list[str]:
    reach = {spec.title: spec.roles for spec in PAGES}
    return [name for name in JOURNEY if account.role in reach[name]]


@dataclass
class Scenario:
    database: str
    users: int
    seconds: float = 0.0
    times: dict[str, list[float]] = field(default_factory=dict)
    server_times: dict[str, list[float]] = field(default_factory=dict)
    pinned: bool = False
    errors: list[str] = field(default_factory=list)
    server_cpu_s: float = 0.0
    browser_cpu_s: float = 0.0
    peak_mib: float = 0.0
    after_mib: float = 0.0

    def stats(self, page: str, *, server: bool = False) -> tuple[float, float, float]:
        values = sorted((self.server_times if server else self.times).get(page, []))
        if not values:
            return math.nan, math.nan, math.nan
        return median(values), percentile(values, 95), values[-1]


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile of sorted values."""
    return values[max(0, math.ceil(p / 100 * len(values)) - 1)]


def median(values: list[float]) -> float:
    n = len(values)
    return (values[(n - 1) // 2] + values[n // 2]) / 2


async def _session(page: Any, url: str, account: Account, times: dict[str, list[float]]) -> None:
    where = SIGN_IN
    try:
        times[SIGN_IN].append(await browser.sign_in(page, url, account))
        for where in journey(account):
            times[where].append(await browser.open_page(page, where))
    except Exception as exc:  # named by account and page in the scenario's errors
        raise RuntimeError(f"{account.email} on {where}: {exc}") from exc


async def _scenario(database: str, users: int, server: browser.Server) -> Scenario:
    result = Scenario(database, users)
    times: dict[str, list[float]] = defaultdict(list)
    accounts = appdb.accounts(database)
    async with browser.chromium() as chromium:
        pages = [await browser.new_page(chromium) for _ in range(users)]
        cpu_server, cpu_browser = server.cpu_seconds(), browser.browser_cpu_seconds(server.pid)
        start = time.perf_counter()
        done = await asyncio.wait_for(
            asyncio.gather(
                *(
                    _session(page, server.url, accounts[i % len(accounts)], times)
                    for i, page in enumerate(pages)
                ),
                return_exceptions=True,
            ),
            SCENARIO_TIMEOUT_S,
        )
        result.seconds = time.perf_counter() - start
        result.server_cpu_s = server.cpu_seconds() - cpu_server
        result.browser_cpu_s = browser.browser_cpu_seconds(server.pid) - cpu_browser
        result.errors = [f"{type(e).__name__}: {e}"[:300] for e in done if e is not None]
        for page in pages:
            await page.context.close()
    result.times = {name: sorted(values) for name, values in times.items()}
    return result


def measure(database: str, users: int, *, pin: bool = True) -> Scenario:
    """One scenario on a fresh server (cold caches)."""
    path = appdb.database_file(database)
    everything = os.sched_getaffinity(0)
    pin = pin and len(everything) >= 2
    server_cpus = {min(everything)} if pin else everything
    with tempfile.TemporaryDirectory(prefix="rbm-load-") as tmp:
        run_log = os.path.join(tmp, "runs.jsonl")
        with browser.server(
            f"sqlite:///{path}",
            cpus=",".join(map(str, sorted(server_cpus))) if pin else "",
            RBM_RUN_LOG=run_log,
        ) as server:
            # Playwright's driver and Chromium are started from here, and keep this affinity.
            os.sched_setaffinity(0, everything - server_cpus if pin else everything)
            try:
                result: Scenario = browser.run(_scenario(database, users, server))
            finally:
                os.sched_setaffinity(0, everything)
            time.sleep(SETTLE_S)  # the closed sessions' websockets are dropped by now
            result.after_mib, result.peak_mib = server.memory_mib()
        result.server_times = server_runs(run_log)
    result.pinned = pin
    return result


def server_runs(path: str) -> dict[str, list[float]]:
    """Seconds per script run and page, from the app's run log (`rbm.ui.run_log`)."""
    runs: dict[str, list[float]] = defaultdict(list)
    if os.path.exists(path):
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                run = json.loads(line)
                runs[_BY_ADDRESS.get(run["page"], run["page"])].append(run["seconds"])
    return {page: sorted(values) for page, values in runs.items()}


def table(results: list[Scenario]) -> str:
    """One row per database, N and page: p50, p95, max; then the server's figures."""
    lines = [
        "| database | users | page | browser p50 | p95 | max | server p50 | p95 | max"
        " | p95 target |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        for page in [SIGN_IN, *JOURNEY]:
            if page not in r.times:
                continue
            seen, spent = r.stats(page), r.stats(page, server=True)
            target = P95_TARGET_S.get(r.database) if r.users == 10 else None
            verdict = ""
            if target is not None:
                verdict = f"{target:.0f} s: browser " + _verdict(seen[1], target)
                verdict += ", server " + _verdict(spent[1], target)
            cells = " | ".join(f"{v:.2f} s" for v in (*seen, *spent))
            lines.append(f"| {r.database} | {r.users} | {page} | {cells} | {verdict} |")
    lines += [
        "",
        "| database | users | wall clock | server CPU | browser CPU | server peak"
        " | server after | pinned | errors |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.database} | {r.users} | {r.seconds:.1f} s | {r.server_cpu_s:.1f} s"
            f" | {r.browser_cpu_s:.1f} s | {r.peak_mib:.0f} MiB | {r.after_mib:.0f} MiB"
            f" | {'yes' if r.pinned else 'no'} | {len(r.errors)} |"
        )
    return "\n".join(lines)


def _verdict(p95: float, target: float) -> str:
    return "met" if p95 < target else "**missed**"


def main(argv: list[str] | None = None) -> list[Scenario]:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--db", default="demo,M", help="databases: demo, S, M, L (comma-separated)")
    parser.add_argument("--users", default="1,5,10,25", help="concurrent sessions per scenario")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument(
        "--no-pin", action="store_true", help="server and browsers share every processor"
    )
    args = parser.parse_args(argv)
    results = []
    for database in args.db.split(","):
        name = database if database == "demo" else database.upper()
        for users in (int(n) for n in args.users.split(",")):
            print(f"... {name}, {users} users", flush=True)
            results.append(measure(name, users, pin=not args.no_pin))
            print(table(results[-1:]), flush=True)
            for error in results[-1].errors:
                print("   error:", error, flush=True)
    print(table(results))
    if args.json:
        with open(args.json, "w") as out:
            json.dump([asdict(r) for r in results], out, indent=1)
    return results


if __name__ == "__main__":
    main()
