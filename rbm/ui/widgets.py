"""Small shared widgets: status badges, plain-text rendering of user text, number formats."""

from __future__ import annotations

import math
import re

import streamlit as st

from indicators.types import Status
from rbm.ui.palette import STATUS_COLOURS, STATUS_LABELS

__all__ = [
    "STATUS_COLOURS",
    "STATUS_LABELS",
    "money",
    "number",
    "plain",
    "status_badge",
    "status_label",
]

_BADGE_COLOUR = {
    Status.ACHIEVED.value: "green",
    Status.ON_TRACK.value: "green",
    Status.AT_RISK.value: "orange",
    Status.OFF_TRACK.value: "red",
    Status.NO_DATA.value: "gray",
    Status.NOT_STARTED.value: "gray",
}
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def plain(text: str) -> str:
    """Escape Markdown (and so any HTML) in user text before it reaches st.markdown."""
    return _MD_SPECIAL.sub(r"\\\1", text or "")


def status_label(status: object) -> str:
    if status is None or (isinstance(status, float) and math.isnan(status)):
        return "—"
    return STATUS_LABELS.get(str(status), str(status))


def status_badge(status: object) -> None:
    key = str(status) if status is not None else ""
    if key in _BADGE_COLOUR:
        st.badge(STATUS_LABELS[key], color=_BADGE_COLOUR[key])  # type: ignore[arg-type]


def number(value: object, *, digits: int = 1, suffix: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    assert isinstance(value, int | float)
    text = f"{value:,.{digits}f}".rstrip("0").rstrip(".") if digits else f"{value:,.0f}"
    return text + suffix


def money(value: object, currency: str = "USD") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    assert isinstance(value, int | float)
    return f"{currency} {value:,.0f}"


def shown(value: object, yes_no: bool = False) -> str:
    """A value as people read it: yes/no for a yes/no measure, else a number."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if yes_no:
        return "yes" if float(value) == 1 else "no"  # type: ignore[arg-type]
    return number(float(value))  # type: ignore[arg-type]
