"""The catalogues are complete: every message marked in the code is in the template, and the
Spanish and French catalogues translate every one of them, without fuzzy entries, keeping
each message's `{placeholders}`. Run by `make i18n-check`."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "rbm" / "locale"
TRANSLATED = ("es", "fr")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _keywords() -> list[str]:
    """The extraction keywords, as the Makefile gives them to pybabel."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    line = re.search(r"^I18N_KEYWORDS\s*:=(.*)$", text, re.M)
    assert line, "the Makefile names the extraction keywords in I18N_KEYWORDS"
    return line.group(1).split()


def _pybabel() -> str:
    found = Path(sys.executable).with_name("pybabel")
    return str(found) if found.exists() else (shutil.which("pybabel") or "pybabel")


@cache
def _catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as po:
        return read_po(po, locale=locale)


def _ids(catalog: Catalog) -> set[str | tuple[str, ...]]:
    return {m.id for m in catalog if m.id}


def _placeholders(text: str | tuple[str, ...] | list[str]) -> set[str]:
    texts = [text] if isinstance(text, str) else list(text)
    return {name for t in texts for name in _PLACEHOLDER.findall(t)}


def test_every_message_in_the_code_is_in_the_template(tmp_path: Path) -> None:
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [
            _pybabel(),
            "extract",
            "-F",
            "babel.cfg",
            *_keywords(),
            "--no-location",
            "-o",
            str(fresh),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    missing = _ids(_catalog(fresh)) - _ids(_catalog(LOCALES / "messages.pot"))
    assert not missing, f"run `make i18n-update`: not in the template: {sorted(map(str, missing))}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_message_of_the_template_is_translated(code: str) -> None:
    catalog = _catalog(LOCALES / code / "LC_MESSAGES" / "messages.po", code)
    template = _ids(_catalog(LOCALES / "messages.pot"))
    assert not template - _ids(catalog), f"run `make i18n-update`: {code} lacks messages"
    untranslated = [str(m.id) for m in catalog if m.id and not _translated(m)]
    assert not untranslated, f"{code}: {len(untranslated)} untranslated: {untranslated}"


def _translated(message: Message) -> bool:
    strings = [message.string] if isinstance(message.string, str) else list(message.string)
    return bool(strings) and all(strings)


@pytest.mark.parametrize("code", TRANSLATED)
def test_no_translation_is_fuzzy(code: str) -> None:
    catalog = _catalog(LOCALES / code / "LC_MESSAGES" / "messages.po", code)
    fuzzy = [str(m.id) for m in catalog if m.id and m.fuzzy]
    assert not fuzzy, f"{code}: check and unmark these: {fuzzy}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_translation_keeps_the_placeholders_of_its_message(code: str) -> None:
    catalog = _catalog(LOCALES / code / "LC_MESSAGES" / "messages.po", code)
    changed = [
        str(m.id)
        for m in catalog
        if m.id and _translated(m) and _placeholders(m.id) != _placeholders(m.string)
    ]
    assert not changed, f"{code}: placeholders differ in {changed}"
