"""The app's run log (`RBM_RUN_LOG`), which the load benchmark reads for the server's own time
per page: one line per script run, naming the page by its address, however the run ends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rbm.db import Database
from rbm.models.enums import Role
from tests.app.conftest import open_app
from tests.utils.builders import make_user


def _runs(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_each_run_is_logged_with_its_page_and_its_seconds(
    app_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "runs.jsonl"
    monkeypatch.setenv("RBM_RUN_LOG", str(log))
    with app_db.write() as session:
        principal = make_user(session, Role.MANAGER)
    open_app(None)  # signed out: the sign-in form
    open_app(principal, "rbm/ui/pages/approvals.py")  # the default page, then approvals
    runs = _runs(log)
    assert [run["page"] for run in runs] == ["login", "portfolio", "approvals"]
    assert all(isinstance(run["seconds"], float) and run["seconds"] > 0 for run in runs)
    assert len({run["session"] for run in runs[1:]}) == 1


def test_nothing_is_written_without_the_setting(
    app_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RBM_RUN_LOG", raising=False)
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    open_app(None)
    assert list(here.iterdir()) == []
