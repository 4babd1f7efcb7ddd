"""Every page, opened in the pseudo-locale by a role that reaches it on the demo portfolio,
shows only labels from the catalogue: each title, header, caption, markdown, button, widget
label and option, tab, metric, alert and table header carries the ⟦ ⟧ markers, except what is
data people entered (the demo database's own text), numbers, dates and codes."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from babel import Locale
from sqlalchemy import String, Text, select
from streamlit.testing.v1 import AppTest

from rbm.db import Database
from rbm.i18n import LANGUAGES, PSEUDO
from rbm.models import Base, User
from rbm.models.enums import Role
from rbm.principal import Principal
from rbm.services import principals
from rbm.settings import get_settings
from rbm.ui.registry import CHANGE_PASSWORD, LOGIN, PAGES, PageSpec
from tests.app.conftest import open_app
from tests.conftest import demo_database

#: Who opens each page: an administrator reaches every page but the checklist's answering,
#: which is the State focal point's.
OPENER = {"checklist.py": Role.STATE_FOCAL_POINT}
_MARKED = re.compile(r"⟦[^⟦⟧]*⟧")
_URL = re.compile(r"https?://\S+|:material/\w+:")
_WORD = re.compile(r"[^\W\d_]+")
_DIRECTIVE = re.compile(r":[a-z]+(?:-[a-z]+)?\[")
#: Parts of numbers and dates as the English formats write them (the pseudo-locale formats
#: numbers and dates as English does).
_DATE_WORDS = set(
    [
        "Jan",
        "Feb",
        "Mar",
        "Apr",
        "May",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Sept",
        "Oct",
        "Nov",
        "Dec",
        "January",
        "February",
        "March",
        "April",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "M",
        "k",
    ]
)


@pytest.fixture(scope="module")
def demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    request.param = "sqlite"  # type: ignore[attr-defined]
    for database in demo_database(request, tmp_path_factory):
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("RBM_DATABASE_URL", database.url)
            get_settings.cache_clear()
            yield database
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def data_words(demo: Database) -> frozenset[str]:
    """Every word of the text people entered in the demo portfolio (and of the languages'
    own names): a label made of these is data, not a label to translate."""
    words: set[str] = set()
    with demo.read() as session:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | Text)]
            for column in columns:
                for value in session.scalars(select(column).distinct()):
                    words.update(_WORD.findall(str(value or "")))
    words.update(w for name in LANGUAGES.values() for w in _WORD.findall(name))
    # Country names come from CLDR (Babel), in the language of the run: data, not labels.
    words.update(w for name in Locale("en").territories.values() for w in _WORD.findall(name))
    return frozenset(words)


def _principal(demo: Database, role: Role) -> Principal:
    with demo.read() as session:
        for user_id in session.scalars(select(User.id).order_by(User.id)):
            found = principals.reload(session, user_id=user_id)
            if found is not None and found.roles == {role}:
                return found
    raise AssertionError(f"the demo has no account holding only {role}")


def _table_headers(proto: Any, frame: Any) -> list[str]:
    config = json.loads(proto.columns or "{}")
    shown = []
    # A column_order lists the columns shown (the others are not on screen).
    for name in list(proto.column_order) or list(frame.columns):
        column = config.get(f"name:{name}") or config.get(str(name)) or {}
        if column.get("hidden"):
            continue
        shown.append(str(column.get("label") or name))
    return shown


def labels(at: AppTest) -> list[str]:
    """Every label a person reads on the page as rendered."""
    out: list[str] = []
    for kind in ("title", "header", "subheader", "caption", "markdown"):
        out += [e.value for e in getattr(at, kind)]
    for kind in ("info", "warning", "error", "success"):
        out += [str(e.value) for e in getattr(at, kind)]
    for kind in (
        "button",
        "text_input",
        "text_area",
        "number_input",
        "date_input",
        "checkbox",
        "toggle",
        "tabs",
        "expander",
        "metric",
        "file_uploader",
        "download_button",
    ):
        out += [str(getattr(e, "label", "") or getattr(e.proto, "label", "")) for e in at.get(kind)]
    for kind in ("selectbox", "multiselect", "radio", "pills", "segmented_control"):
        for e in at.get(kind):
            out.append(str(getattr(e, "label", "") or e.proto.label))
            out += [str(o) for o in getattr(e, "options", e.proto.options)]
    for e in at.dataframe:
        out += _table_headers(e.proto, e.value)
    return [label for label in out if label and label.strip()]


def untranslated(label: str, data_words: frozenset[str]) -> bool:
    """Whether a label shows words outside the markers that are not data, numbers, dates or
    codes."""
    rest = _DIRECTIVE.sub(" ", label.replace("\\", ""))  # :green[...], :gray-badge[...]
    while _MARKED.search(rest):
        rest = _MARKED.sub(" ", rest)
    rest = _URL.sub(" ", rest)
    words = _WORD.findall(rest)
    if words and any(d.startswith(words[-1]) for d in data_words):
        words.pop()  # data cut short to fit an option ("... lack tr")
    return any(
        word not in data_words and word not in _DATE_WORDS and not word.isupper() for word in words
    )


def _pages() -> list[PageSpec]:
    return [*PAGES, CHANGE_PASSWORD, LOGIN]


@pytest.mark.parametrize("spec", _pages(), ids=lambda s: s.file.removesuffix(".py"))
def test_every_label_on_the_page_comes_from_the_catalogue(
    spec: PageSpec, demo: Database, data_words: frozenset[str]
) -> None:
    if spec is LOGIN:
        at = open_app(language=PSEUDO)
    else:
        principal = _principal(demo, OPENER.get(spec.file, Role.ADMIN))
        at = open_app(principal, page=str(Path("rbm/ui/pages") / spec.file), language=PSEUDO)
    assert not at.exception, [e.value for e in at.exception]
    shown = labels(at)
    assert shown, "the page shows something"
    bare = sorted({label for label in shown if untranslated(label, data_words)})
    assert not bare, f"{spec.file}: labels not from the catalogue: {bare}"


def test_the_check_sees_a_label_left_in_english(data_words: frozenset[str]) -> None:
    assert untranslated("Projects in scope", frozenset())
    assert not untranslated("⟦Figures are judged at ⟦3⟧⟧", frozenset())
    assert not untranslated("P001 · 45.0 %, 3 Dec 2026", frozenset())
    assert not untranslated("⟦Status: ⟧ Honduras", frozenset({"Honduras"}))
