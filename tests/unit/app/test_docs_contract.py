"""Docs are a contract: every command of the `rbm` CLI is documented in the README, and the
README starts with the two commands a newcomer needs."""

from __future__ import annotations

from pathlib import Path

from rbm.cli import main

README = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")


def test_every_cli_command_is_documented_in_the_readme() -> None:
    undocumented = [name for name in main.commands if f"`rbm {name}" not in README]
    assert undocumented == []


def test_the_readme_opens_with_make_run_and_make_test() -> None:
    first_lines = README.splitlines()[:6]
    assert any(line.startswith("make run") for line in first_lines)
    assert any(line.startswith("make test") for line in first_lines)
