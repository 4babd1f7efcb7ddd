"""Small shared widgets: status badges, plain-text rendering of user text, number formats in
the reader's locale (`rbm.i18n`)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any, TypeVar

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from indicators.types import Status
from rbm.errors import RbmError
from rbm.i18n import (
    LANGUAGES,
    _,
    format_date,
    format_money,
    format_number,
    format_percent,
    language,
    using,
)
from rbm.settings import get_settings
from rbm.ui import charts
from rbm.ui.palette import FLAG_REASONS, STATUS_COLOURS, STATUS_LABELS, other_currencies_text

__all__ = [
    "STATUS_COLOURS",
    "STATUS_LABELS",
    "figure",
    "in_language",
    "money",
    "number",
    "plain",
    "reported",
    "show_flash",
    "show_table",
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
T = TypeVar("T")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")
#: Where Streamlit's Markdown would make a link of a web address in the text: after the ":"
#: of "://", between "www" and its ".". (An e-mail address becomes a mailto link that shows
#: the address as typed, and is left so: it must copy as typed.)
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=\bwww)(?=\.)", re.IGNORECASE)
#: U+2060 WORD JOINER: invisible, and no line break at it.
_JOINER = "\u2060"


def plain(text: str) -> str:
    """User text for st.markdown, shown as typed: Markdown (and so any HTML) escaped, and no
    web address made a link. Streamlit's Markdown links bare web addresses (http://…, www.…)
    even when escaped, and an escaped one then shows its backslashes ("evil\\.example"), so
    an invisible word joiner is put where the address would start to be recognised."""
    return _MD_SPECIAL.sub(r"\\\1", _AUTOLINK.sub(_JOINER, text or ""))


def message(text: object) -> str:
    """An error or notice that may quote user text (file names, codes, titles), escaped for
    st.error / st.success and the like; its line breaks kept."""
    return plain(str(text)).replace("\n", "  \n")


def show_flash(key: str) -> None:
    """Show, once, the notice a write left under `key` in the session for after its rerun
    ("Approved 3 values."); nothing when there is none.

    The notice stands in a slot that is there on every run: were it there only on the run
    after the write, everything below would move on the next run, and tabs below would reopen
    on their first (the admin's "Manage an account" closed as soon as an account was picked).
    """
    slot = st.container()
    if text := st.session_state.pop(key, None):
        slot.success(message(text))


@contextmanager
def reported() -> Iterator[None]:
    """Run a service call; a named error it raises is shown to the person (in their language)
    and the page goes on. Anything else is a bug and propagates.

        with reported():
            approve(session, principal=principal, measurement_ids=ids)
            st.rerun()
    """
    try:
        yield
    except RbmError as exc:
        st.error(message(exc))


def show_table(frame: pd.DataFrame, **options: Any) -> Any:
    """A table as every page shows one: without the frame's index, across the page's width.
    `options` go to `st.dataframe` (`column_config`, `key`, `on_select`...); its return value
    (the selection, where there is one) is returned."""
    return st.dataframe(frame, hide_index=True, width="stretch", **options)


def money_column(label: str) -> Any:
    """A column of amounts, written in the reader's locale."""
    return st.column_config.NumberColumn(label, format="localized")


def progress_column() -> Any:
    """The share of a target reached, as a bar from 0 to 100 %."""
    return st.column_config.ProgressColumn(
        _("Progress"), min_value=0, max_value=100, format="%.0f%%"
    )


def status_label(status: object) -> str:
    """A status (engine value) as people read it, in the current language."""
    if status is None or (isinstance(status, float) and math.isnan(status)):
        return "—"
    return STATUS_LABELS.get(str(status), str(status))


def status_badge(status: object) -> None:
    key = str(status) if status is not None else ""
    if key in _BADGE_COLOUR:
        st.badge(STATUS_LABELS[key], color=_BADGE_COLOUR[key])  # type: ignore[arg-type]


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value: object, *, digits: int = 1, suffix: str = "") -> str:
    """A number as the reader's locale writes it (1,234.5 / 1.234,5 / 1 234,5), up to `digits`
    decimals; "—" when missing."""
    if _missing(value):
        return "—"
    assert isinstance(value, int | float)
    return format_number(value, digits=digits) + suffix


def money_chart(frame: pd.DataFrame, *, category: str, title: str, label: str) -> None:
    """Bars of money (USD) per `category` (`charts.money_bars`); where there is none to draw (no
    row, or funding in other currencies only), a line that says so instead of empty axes."""
    if frame.empty or not (frame["money"] > 0).any():
        st.caption(_("{title}: no amount in USD to show.", title=title))
        return
    st.altair_chart(
        charts.money_bars(frame, category=category, title=title, label=label), width="stretch"
    )


def other_currencies_note(others: pd.DataFrame) -> None:
    """Under money figures that add up several projects: the funding they leave out, in other
    currencies (`others`: `rbm.queries.portfolio.other_currencies`)."""
    if not others.empty:
        st.caption(other_currencies_text(others))


def money(value: object, currency: str = "USD") -> str:
    """An amount in whole units of `currency`, placed as the reader's locale places it."""
    if _missing(value):
        return "—"
    assert isinstance(value, int | float)
    return format_money(value, currency)


def _percent(value: float) -> str:
    # One decimal always (45.0 %), the sign spaced as each locale spaces it.
    text = format_percent(value, digits=1)
    return text if text.endswith("\u00a0%") else text[:-1] + " %"


def shown(value: object, yes_no: bool = False) -> str:
    """A value as people read it: yes/no for a yes/no measure, else a number."""
    if _missing(value):
        return "—"
    if yes_no:
        return _("yes") if float(value) == 1 else _("no")  # type: ignore[arg-type]
    return number(float(value))  # type: ignore[arg-type]


def figure(value: object, measure: object, accumulation: object = None) -> str:
    """An indicator figure at the precision of its measure (the stored value keeps full
    precision): percentages to one decimal, counts as integers with thousands separators,
    levels to one decimal, yes/no as Yes/No, scores as integers; in the reader's locale."""
    if _missing(value):
        return "—"
    assert isinstance(value, int | float)
    kind = str(getattr(measure, "value", measure))
    if kind == "percentage":
        return _percent(value)
    if kind == "yes_no":
        return _("Yes") if value >= 0.5 else _("No")
    if kind == "ordinal":
        return number(value, digits=0)
    if str(getattr(accumulation, "value", accumulation)) in ("incremental", "cumulative"):
        return number(value, digits=0)
    return number(value, digits=1)


def judged_note(day: object) -> str:
    """What a page says next to its figures about the date they are judged at."""
    if day is None:
        return _("No reporting period has ended yet: figures show the project as not started.")
    assert isinstance(day, date)
    return _(
        "Figures are judged at {day}, the end of the latest reporting period that has ended; "
        "an approved value for a period still running counts once its period ends.",
        day=format_date(day),
    )


def formatted(frame: pd.DataFrame, column: str) -> list[str]:
    """A column of indicator figures as text at their measure's precision (`figure`)."""
    return [
        figure(v, m, a)
        for v, m, a in zip(frame[column], frame["measure"], frame["accumulation"], strict=True)
    ]


def flag_reasons(names: str) -> str:
    """Stored flag names (comma-separated) as their short reasons, in the reader's language."""
    return "; ".join(FLAG_REASONS.get(n, n) for n in names.split(",") if n)


def overlap_headers() -> dict[str, Any]:
    """The headers of a table of projects working on the same area at the same time
    (`rbm.queries.coordination.pairs_of`), as the coordination and country pages show it."""
    return {
        "country": _("Country"),
        "area": _("Priority area"),
        "code_a": _("Project"),
        "provider_a": _("Provider"),
        "code_b": _("Project"),
        "provider_b": _("Provider"),
        "overlap_from": st.column_config.DateColumn(_("Overlap from")),
        "overlap_to": st.column_config.DateColumn(_("Overlap to")),
    }


def language_choice(
    where: DeltaGenerator,
    *,
    key: str,
    on_change: Callable[..., None],
    args: tuple[object, ...] = (),
) -> None:
    """The language select box (the current language chosen), calling `on_change` on a change."""
    codes = list(LANGUAGES)
    where.selectbox(
        _("Language"),
        codes,
        index=codes.index(language()) if language() in codes else 0,
        format_func=LANGUAGES.__getitem__,
        key=key,
        on_change=on_change,
        args=args,
    )


def projects_judged_note() -> str:
    """What portfolio, country and donor pages say about the dates figures are judged at and
    the overdue rule."""
    return _(
        "Each project's figures are judged at the end of its latest reporting period that has "
        "ended; an approved value for a period still running counts once its period ends. "
        "Overdue reports: nothing submitted more than {days} days after a period ended (locked "
        "periods excepted). Data-quality flags: see each project's page for the reasons.",
        days=get_settings().overdue_grace_days,
    )


def in_language(make: Callable[[], T]) -> Callable[[], T]:
    """`make` bound to the current language: for work Streamlit runs later, outside this
    script run (a download button's deferred data), which would otherwise read English."""
    code = language()

    def bound() -> T:
        with using(code):
            return make()

    return bound
