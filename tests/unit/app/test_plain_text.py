"""User text on a page: `plain` escapes it for Markdown, so it reads as typed and never becomes
markup, a heading or a link."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from rbm.ui.widgets import plain


def _read(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown)


@given(st.text())
def test_escaped_text_reads_back_as_typed(text: str) -> None:
    assert _read(plain(text)) == text


def test_a_web_address_or_an_e_mail_address_in_user_text_is_not_made_a_link() -> None:
    # Streamlit's Markdown links "http://x" and "a@b.org" bare; a title once showed its ")"
    # escape inside such a link ("http://x\").
    shown = plain("=cmd [link](http://x) mail a@b.org\n===")
    assert re.search(r"(?<!\\):(?=//)", shown) is None  # "http\://x" is no address
    assert re.search(r"(?<!\\)@", shown) is None
    assert "\\=\\=\\=" in shown  # no heading underline
    assert plain("statement: a result needs a statement") == (
        "statement: a result needs a statement"
    )
