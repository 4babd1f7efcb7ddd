"""User text on pages (`rbm.ui.widgets.plain`): shown as typed, never Markdown, never a link."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from rbm.ui.widgets import plain

JOINER = "\u2060"


def _read(markdown: str) -> str:
    """What a reader sees: the escapes resolved, the invisible joiners dropped."""
    return re.sub(r"\\(.)", r"\1", markdown).replace(JOINER, "")


@given(st.text())
def test_the_reader_sees_the_text_as_typed(text: str) -> None:
    assert _read(plain(text.replace(JOINER, ""))) == text.replace(JOINER, "")


def test_markdown_and_html_are_escaped() -> None:
    shown = plain("**bold** [a](b) <b>x</b> # h")
    assert "**" not in shown.replace("\\*", "") and "\\[" in shown and "\\<" in shown


def test_no_address_is_left_where_streamlit_would_make_it_a_link() -> None:
    shown = plain("see https://evil.example/phish, WWW.example.org or a@b.co")
    assert "://" not in shown and f":{JOINER}//" in shown
    assert f"WWW{JOINER}\\." in shown
    # An e-mail address is left to copy as typed (Streamlit shows it as a mailto link).
    assert "a@b\\.co" in shown
    assert plain("example.org") == "example\\.org"
