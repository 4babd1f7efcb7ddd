"""AppTest fixtures: a migrated SQLite database the app reads through RBM_DATABASE_URL, and an
AppTest of app.py already signed in as a given principal."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

import pytest
from streamlit.components.v2 import manifest_scanner
from streamlit.testing.v1 import AppTest

from rbm.db import Database
from rbm.principal import Principal
from rbm.settings import get_settings
from rbm.ui.session import LANGUAGE, PRINCIPAL
from tests.conftest import copy_sqlite

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TIMEOUT = 60


@pytest.fixture(scope="session", autouse=True)
def _components_scanned_once() -> Iterator[None]:
    """Scan the installed packages for Streamlit components once per run, not once per
    AppTest: each AppTest reads every installed distribution's metadata (about a tenth of an
    AppTest's time), and what is installed does not change during a run."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            manifest_scanner,
            "scan_component_manifests",
            cache(manifest_scanner.scan_component_manifests),
        )
        yield


@pytest.fixture
def app_db(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, _sqlite_template: Path
) -> Iterator[Database]:
    """A migrated, empty SQLite database that the app under test uses (a copy of the run's
    migrated template)."""
    url = copy_sqlite(_sqlite_template, tmp_path / "app.sqlite3")
    monkeypatch.setenv("RBM_DATABASE_URL", url)
    get_settings.cache_clear()
    db = Database(url)
    yield db
    db.dispose()


def open_app(
    principal: Principal | None = None,
    page: str | None = None,
    query: dict[str, str] | None = None,
    *,
    language: str | None = None,
) -> AppTest:
    """Run app.py signed in as `principal`, then switch to `page` (a path under rbm/ui/pages);
    `language` chooses the session's language (`qps`: the pseudo-locale)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if principal is not None:
        at.session_state[PRINCIPAL] = principal
    if language is not None:
        at.session_state[LANGUAGE] = language
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    if page is not None:
        at.switch_page(page)
        at.run()
    return at


def unescaped(markdown: str) -> str:
    """What a person reads from an element's Markdown source: user text reaches Markdown
    escaped (`rbm.ui.widgets.plain`, with word joiners in addresses), and AppTest reports the
    source."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("  \n", "\n").replace("\u2060", "")


@pytest.fixture
def app_as() -> Callable[..., AppTest]:
    return open_app
