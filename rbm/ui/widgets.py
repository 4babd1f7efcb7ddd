"""Small shared widgets: status badges, plain-text rendering of user text, number formats."""

from __future__ import annotations

import math
import re

import streamlit as st

from indicators.types import Status

STATUS_LABELS = {
    Status.ACHIEVED.value: "Achieved",
    Status.ON_TRACK.value: "On track",
    Status.AT_RISK.value: "At risk",
    Status.OFF_TRACK.value: "Off track",
    Status.NO_DATA.value: "No data",
    Status.NOT_STARTED.value: "Not started",
}
#: One colour per status, used by every page and chart.
STATUS_COLOURS = {
    Status.ACHIEVED.value: "#1a7f37",
    Status.ON_TRACK.value: "#2da44e",
    Status.AT_RISK.value: "#d4a72c",
    Status.OFF_TRACK.value: "#cf222e",
    Status.NO_DATA.value: "#8c959f",
    Status.NOT_STARTED.value: "#afb8c1",
}
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


def message(text: object) -> str:
    """An error or notice that may quote user text (file names, codes, titles), escaped for
    st.error / st.success and the like; its line breaks kept."""
    return plain(str(text)).replace("\n", "  \n")


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
