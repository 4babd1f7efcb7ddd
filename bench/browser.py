"""What a person waits for: `streamlit run app.py` on a benchmark database, driven by Debian's
Chromium through Playwright (async), timed from a click to Streamlit's idle state.

The server listens on a loopback port only (127.0.0.1, from RBM_BENCH_PORTS, default
8651-8699); every wait has a timeout, so a run always ends. The server's CPU time and memory
are read from /proc for its own process; the browser's CPU time is that of Chromium's processes
(the descendants of this one, the server excluded), reported apart so the server's figure is
its own.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.appdb import Account

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("RBM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
PAGE_TIMEOUT_MS = 180_000  # one page, however loaded the machine: then the run fails, not hangs
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

#: The pages a person opens, by their navigation label, and the heading that shows each (a
#: pattern on the h1's text; each differs from the page opened before it in a journey).
HEADINGS = {
    "Portfolio": "^Portfolio",
    "Project": "^(Project$|(?!Donor|Country)\\S+ · )",
    "Approvals": "^Approvals",
    "Donor": "^Donor",
    "Country": "^Country",
    "Log results": "^Log results",
}
#: True once the script is idle with the page's heading shown. The heading appears only while
#: the new page's script runs (state "running"), so both together mean that run has ended.
_SHOWN = """(pattern) => {
  const app = document.querySelector("[data-testid='stApp']");
  if (!app || app.getAttribute("data-test-script-state") !== "notRunning") return false;
  const heading = new RegExp(pattern);
  return [...document.querySelectorAll("h1")].some((h) => heading.test(h.textContent.trim()));
}"""


def ports() -> range:
    low, _, high = os.environ.get("RBM_BENCH_PORTS", "8651-8699").partition("-")
    return range(int(low), int(high or low) + 1)


def free_port() -> int:
    """The first port of the range nothing listens on (loopback)."""
    for port in ports():
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {ports()}")


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]

    @property
    def pid(self) -> int:
        return self.process.pid

    def memory_mib(self) -> tuple[float, float]:
        """(resident now, peak resident) of the server process, in MiB."""
        status = _status(self.pid)
        return status.get("VmRSS", 0) / 1024, status.get("VmHWM", 0) / 1024

    def cpu_seconds(self) -> float:
        return _cpu_seconds(self.pid)


def app_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {**os.environ, "RBM_DATABASE_URL": database_url, "RBM_DEMO_MODE": "true"}
    env.setdefault("RBM_SECRET_KEY", "bench-only-secret-" + "x" * 32)
    return {**env, **extra}


@contextmanager
def server(
    database_url: str, *, port: int | None = None, cpus: str = "", **env: str
) -> Iterator[Server]:
    """`streamlit run app.py` on `database_url`, on 127.0.0.1; stopped when the block ends.
    `cpus` (taskset's list, e.g. "0") keeps the server on those processors."""
    port = port or free_port()
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
    if cpus:
        command = ["taskset", "--cpu-list", cpus, *command]
    command += ["--server.headless", "true", "--server.address", "127.0.0.1"]
    command += ["--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=app_env(database_url, **env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    found = Server(f"http://127.0.0.1:{port}", process)
    try:
        _wait_healthy(found)
        yield found
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_healthy(found: Server, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found.process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {found.process.returncode}")
        try:
            with urllib.request.urlopen(found.url + "/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("streamlit did not become healthy in time")


@asynccontextmanager
async def chromium() -> AsyncIterator[Any]:
    """One headless Chromium (async Playwright) for any number of browser contexts."""
    from playwright.async_api import async_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"Chromium not found at {CHROMIUM}: apt-get install chromium")
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


async def new_page(browser: Any) -> Any:
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    return page


async def _shown(page: Any, name: str) -> None:
    await page.wait_for_function(_SHOWN, arg=HEADINGS[name], polling=50, timeout=PAGE_TIMEOUT_MS)


async def sign_in(page: Any, base_url: str, account: Account) -> float:
    """Open the sign-in page, sign in; seconds from the click to the portfolio page idle."""
    await page.goto(base_url + "/")
    await page.wait_for_selector(IDLE)
    await page.get_by_label("E-mail").fill(account.email)
    await page.get_by_label("Password", exact=True).fill(account.password)
    start = time.perf_counter()
    await page.get_by_role("button", name="Sign in").click()
    await _shown(page, "Portfolio")
    return time.perf_counter() - start


async def open_page(page: Any, name: str) -> float:
    """Follow the navigation link `name`; seconds from the click to the page idle."""
    link = page.get_by_role("link", name=name, exact=True).first
    await link.wait_for()
    start = time.perf_counter()
    await link.click()
    await _shown(page, name)
    return time.perf_counter() - start


def _status(pid: int) -> dict[str, int]:
    found: dict[str, int] = {}
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return found
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0])
    return found


def _cpu_seconds(pid: int, *, children: bool = True) -> float:
    """User and system CPU of a process, with that of its children it has waited for."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    used = int(fields[11]) + int(fields[12])
    if children:
        used += int(fields[13]) + int(fields[14])
    return used / TICKS


def _parents() -> dict[int, int]:
    found: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            found[int(entry.name)] = int(fields[1])
    return found


def browser_cpu_seconds(exclude: int) -> float:
    """CPU of this process's descendants (the Playwright driver and Chromium), without the
    server `exclude` and its own children."""
    parents = _parents()
    ours: set[int] = {os.getpid()}
    changed = True
    while changed:
        changed = False
        for pid, parent in parents.items():
            if parent in ours and pid not in ours and pid != exclude:
                ours.add(pid)
                changed = True
    ours.discard(os.getpid())
    return sum(_cpu_seconds(pid) for pid in ours)


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)
