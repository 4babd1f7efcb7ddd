"""Stored values people read as words, in their language: results levels, project statuses
and the rules that give an indicator's figure to date. Each dict maps the stored value to its
English label, marked for translation; the functions translate where the value is shown."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from indicators.types import ToDateRule
from rbm.i18n import N_, _
from rbm.models.enums import ResultLevel, labels_of

LEVEL_LABELS = labels_of(ResultLevel)
PROJECT_STATUS_LABELS = {
    "pipeline": N_("pipeline"),
    "implementation": N_("implementation"),
    "finalisation": N_("finalisation"),
    "closed": N_("closed"),
    "cancelled": N_("cancelled"),
    "suspended": N_("suspended"),
}
TO_DATE_RULES = labels_of(ToDateRule)


def _label(labels: dict[str, str], value: object) -> str:
    if value is None or value != value:  # None or NaN: nothing to say
        return ""
    key = str(getattr(value, "value", value))
    return _(labels[key]) if key in labels else key


def labelled(labels: dict[str, str]) -> Callable[[object], str]:
    """Show a stored value (or its enum) by its label in `labels`, in the current language: a
    `format_func` for a choice widget, or a function for `Series.map`. A value with no label
    shows as it is stored."""
    return partial(_label, labels)


def level_label(level: object) -> str:
    """A result's level (stored value or enum) in the current language."""
    return _label(LEVEL_LABELS, level)


def project_status(status: object) -> str:
    """A project's status (stored value or enum) in the current language."""
    return _label(PROJECT_STATUS_LABELS, status)


def to_date_rule(rule: object) -> str:
    """The rule that gave a figure to date, in the current language."""
    return _label(TO_DATE_RULES, rule)
