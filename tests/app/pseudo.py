"""What a page shows that did not come from the catalogue: run in the pseudo-locale, every
translated string is wrapped in ⟦ ⟧, so a label without the marker is a literal in the code."""

from __future__ import annotations

import json
from collections.abc import Callable

from streamlit.testing.v1 import AppTest

MARK = "⟦"
WIDGETS = (
    "button",
    "selectbox",
    "multiselect",
    "radio",
    "text_input",
    "text_area",
    "number_input",
    "date_input",
    "checkbox",
    "download_button",
)


def _column_labels(at: AppTest) -> list[tuple[str, str]]:
    """Each table's column headers: the column config's label where given, else the name."""
    found = []
    for df in at.main.dataframe:
        config = json.loads(df.proto.columns or "{}")
        for column in df.value.columns:
            setting = config.get(f"col:name:{column}") or config.get(str(column)) or {}
            label = setting.get("label") if isinstance(setting, dict) else setting
            found.append(("column", str(label or column)))
    return found


def shown_labels(at: AppTest) -> list[tuple[str, str]]:
    """(kind, text) of every label a person reads in the page's main area, options of choices
    included."""
    main = at.main  # the sidebar (navigation, account) is the shared widgets' concern
    found: list[tuple[str, str]] = [("title", t.value) for t in main.title]
    found += [(k, el.label) for k in ("tabs", "expander", "metric") for el in getattr(main, k)]
    alerts = ("info", "warning", "success", "error")
    found += [(k, str(el.value)) for k in alerts for el in getattr(main, k)]
    for kind in WIDGETS:
        for el in getattr(main, kind):
            found.append((kind, el.label))
            if kind in ("selectbox", "multiselect", "radio"):
                found += [(f"{kind} option", str(o)) for o in el.options]
    return found + _column_labels(at)


def unmarked(
    at: AppTest, *, data: Callable[[str, str], bool] = lambda kind, text: False
) -> list[tuple[str, str]]:
    """The labels without the pseudo-locale's marker, except those `data` says people entered
    (or codes); "—" and "#" are not words."""
    return [
        (kind, text)
        for kind, text in shown_labels(at)
        if MARK not in text and text not in ("—", "#", "") and not data(kind, text)
    ]
