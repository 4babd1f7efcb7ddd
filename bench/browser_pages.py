"""Pages timed in a real browser, one person: sign in (to the portfolio), then project,
approvals queue, donor and country, each from the click to Streamlit's idle state, on a fresh
`streamlit run` over a benchmark database (size L by default). The first run meets empty
caches; the median is over all runs.

    python -m bench.browser_pages            # size L, 3 runs
    python -m bench.browser_pages --db M --runs 5
"""

from __future__ import annotations

import argparse
import json
import statistics
from typing import Any

from bench import appdb, browser
from bench.appdb import Account
from rbm.models.enums import Role

JOURNEY = ("Project", "Approvals", "Donor", "Country")
SIGN_IN = "Portfolio (after sign-in)"
#: Issue 22's targets: every page under 1.5 s to idle after sign-in, the first under 2 s.
PAGE_TARGET_S, FIRST_TARGET_S = 1.5, 2.0


async def _runs(url: str, account: Account, runs: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in (SIGN_IN, *JOURNEY)}
    async with browser.chromium() as chromium:
        for _ in range(runs):
            page = await browser.new_page(chromium)
            times[SIGN_IN].append(await browser.sign_in(page, url, account))
            for name in JOURNEY:
                times[name].append(await browser.open_page(page, name))
            await page.context.close()
    return times


def measure(database: str = "L", runs: int = 3) -> dict[str, Any]:
    """{page: {"first": s, "median": s}} and the server's CPU and peak memory."""
    account = next(a for a in appdb.accounts(database) if a.role is Role.ADMIN)
    path = appdb.database_file(database)
    with browser.server(f"sqlite:///{path}") as server:
        times = browser.run(_runs(server.url, account, runs))
        _, peak = server.memory_mib()
        cpu = server.cpu_seconds()
    pages = {k: {"first": v[0], "median": statistics.median(v)} for k, v in times.items()}
    return {"database": database, "runs": runs, "pages": pages, "peak_mib": peak, "cpu_s": cpu}


def table(result: dict[str, Any], page_data: dict[str, float] | None = None) -> str:
    """Browser figures beside the page-data figure (cold, from `bench.pages`) when given."""
    lines = [
        f"| page ({result['database']}) | first run | median of {result['runs']} | page data"
        " | target | met |",
        "|---|---|---|---|---|---|",
    ]
    data_names = {SIGN_IN: "portfolio home", "Approvals": "approvals queue"}
    for name, m in result["pages"].items():
        data = (page_data or {}).get(data_names.get(name, name.lower()))
        target = FIRST_TARGET_S if name == SIGN_IN else PAGE_TARGET_S
        met = "yes" if m["median"] < target else "**no**"
        shown = f"{data * 1000:.0f} ms" if data is not None else ""
        lines.append(
            f"| {name} | {m['first']:.2f} s | {m['median']:.2f} s | {shown} | {target} s | {met} |"
        )
    lines.append(
        f"\nServer: {result['cpu_s']:.1f} s CPU in all, peak {result['peak_mib']:.0f} MiB."
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.browser_pages", description=__doc__)
    parser.add_argument("--db", default="L", help="demo, S, M or L (default L)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    result = measure(args.db if args.db == "demo" else args.db.upper(), args.runs)
    print(table(result))
    if args.json:
        with open(args.json, "w") as out:
            json.dump(result, out, indent=1)
    return result


if __name__ == "__main__":
    main()
