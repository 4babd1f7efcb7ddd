"""Browser tests: Playwright driving Debian's Chromium against a real `streamlit run app.py`
on a fresh SQLite database holding the demo portfolio.

Locally, without /usr/bin/chromium, these tests skip with a message; under CI=true a missing
browser fails them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CHROMIUM, copy_sqlite, require_chromium

ROOT = Path(__file__).resolve().parents[2]
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


@pytest.fixture(scope="session")
def demo_database_file(_sqlite_demo_template: Path) -> Path:
    """A SQLite file with the demo portfolio, built once per test run (shared with the
    integration tests and across pytest-xdist workers); read it, never write to it."""
    return _sqlite_demo_template


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("streamlit did not become healthy in time")


@contextmanager
def running_app(database_file: Path) -> Iterator[str]:
    """`streamlit run app.py` on `database_file`; yields its base URL, stops it afterwards."""
    port = _free_port()
    env = {**os.environ, "RBM_DATABASE_URL": f"sqlite:///{database_file}", "RBM_DEMO_MODE": "true"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc)
        yield url
    finally:
        # The database is a throwaway copy: no need to wait for a graceful shutdown, which
        # took Streamlit up to 10 s per server.
        proc.kill()
        proc.wait()


def copy_of_demo(demo_database_file: Path, folder: Path) -> Path:
    copy = folder / "rbm.sqlite3"
    copy_sqlite(demo_database_file, copy)
    return copy


@pytest.fixture(scope="module")
def live_app(demo_database_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of `streamlit run app.py` on a private copy of the demo database (per module)."""
    require_chromium()
    with running_app(copy_of_demo(demo_database_file, tmp_path_factory.mktemp("live"))) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@contextmanager
def new_page(browser: Any) -> Iterator[Any]:
    """A page in a browser context of its own: one person's browser, sharing no session."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


@pytest.fixture
def browser_page(browser: Any) -> Iterator[Any]:
    with new_page(browser) as page:
        yield page


@pytest.fixture
def second_page(browser: Any) -> Iterator[Any]:
    """Another person's browser, beside `browser_page`."""
    with new_page(browser) as page:
        yield page


def wait_idle(page: Any, timeout: float = 30_000) -> None:
    """Wait until Streamlit has finished running the script."""
    page.wait_for_selector(IDLE, timeout=timeout)
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE, timeout=timeout)


def sign_in(page: Any, base_url: str, email: str, password: str) -> None:
    page.goto(base_url + "/")
    wait_idle(page)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("h1:has-text('Portfolio')")
    wait_idle(page)


def type_into(page: Any, scope: Any, label: str, text: str) -> None:
    """Type into a field of `scope` (the page or a tab's panel) and leave it with Tab, as a
    person moves on (a value left so must still count), then wait for the page."""
    box = scope.get_by_label(label, exact=True)
    box.fill(text)
    box.press("Tab")
    wait_idle(page)
