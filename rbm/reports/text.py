"""Text helpers shared by the renderers and report builders: user text is placed literally
(Markdown and HTML stay visible as typed), with characters XML cannot hold removed."""

from __future__ import annotations

import math
import re
from types import SimpleNamespace
from typing import Any

import pandas as pd

from rbm.i18n import format_date, format_money, format_number, format_percent

# Control characters XML 1.0 cannot carry (python-docx and WeasyPrint would refuse them).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: object) -> str:
    """`text` as a plain string a document can hold."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    return _CONTROL.sub("", str(text))


def number(value: object, *, digits: int = 1, suffix: str = "") -> str:
    """A figure for a table as the reader's locale writes it (thousands separated, trailing
    zeros dropped), "—" when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if not isinstance(value, int | float):
        return clean(value)
    return format_number(value, digits=digits) + suffix


def percent(value: object) -> str:
    """A 0..1 fraction as a whole percentage, in the reader's locale."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    assert isinstance(value, int | float)
    return format_percent(value * 100, digits=0)


def money(value: object, currency: str = "USD") -> str:
    """An amount in whole units of `currency`, in the reader's locale."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    assert isinstance(value, int | float)
    return format_money(value, currency)


def records(df: pd.DataFrame) -> list[Any]:
    """A frame's rows as objects with one attribute per column (cells typed Any)."""
    return [SimpleNamespace(**{str(k): v for k, v in rec.items()}) for rec in df.to_dict("records")]


def missing(value: object) -> bool:
    """Whether a cell is empty (None, NaN, NaT)."""
    if value is None or isinstance(value, list | tuple | dict):
        return value is None
    cell: Any = value
    return bool(pd.isna(cell))


#: Babel patterns of the date forms reports use ("%b %Y": a month and year).
_DATE_FORMS = {"%d %b %Y": "medium", "%d %B %Y": "long", "%b %Y": "MMM y", "%B %Y": "MMMM y"}


def day(value: object, fmt: str = "%d %b %Y") -> str:
    """A date cell as the reader's locale writes it (`fmt` names the form: "%d %b %Y",
    "%d %B %Y", "%b %Y" or "%B %Y"), "—" when empty."""
    if missing(value):
        return "—"
    stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    return format_date(stamp.date(), style=_DATE_FORMS.get(fmt, "medium"))
