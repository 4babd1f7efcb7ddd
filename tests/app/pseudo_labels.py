"""What a page shows people, gathered from an AppTest run for the pseudo-locale checks: every
label of the main area (the sidebar belongs to the app's frame), by kind."""

from __future__ import annotations

from typing import Any

from streamlit.testing.v1 import AppTest

OPEN, CLOSE = "⟦", "⟧"
_VALUED = ("title", "header", "subheader", "caption", "info", "success", "warning", "error")
_LABELLED = (
    "button", "checkbox", "date_input", "multiselect", "number_input", "radio", "selectbox",
    "text_area", "text_input", "metric", "tabs", "expander", "toggle",
)  # fmt: skip
_BY_TYPE = ("download_button", "file_uploader", "page_link")


def shown_labels(at: AppTest) -> dict[str, list[str]]:
    """Texts of the main area by kind: element texts, widget labels and dataframe headers."""
    main = at.main
    found: dict[str, list[str]] = {}
    for kind in _VALUED:
        found[kind] = [str(e.value) for e in getattr(main, kind)]
    for kind in _LABELLED:
        found[kind] = [str(e.label) for e in getattr(main, kind)]
    for kind in _BY_TYPE:
        found[kind] = [str(e.proto.label) for e in main.get(kind)]
    found["columns"] = [str(c) for frame in main.dataframe for c in _headers(frame)]
    return found


def _headers(frame: Any) -> list[str]:
    """A table's headers as shown: column_config labels over the frame's own column names."""
    config = _column_config(frame)
    return [config.get(str(c), str(c)) for c in frame.value.columns]


def _column_config(frame: Any) -> dict[str, str]:
    import json

    raw = getattr(frame.proto, "columns", "") or ""
    config = json.loads(raw) if raw else {}
    labels = {}
    for key, value in config.items():
        name = key.removeprefix("name:") if isinstance(key, str) else str(key)
        if isinstance(value, dict) and value.get("label"):
            labels[name] = value["label"]
    return labels


def unmarked(found: dict[str, list[str]], *, data: tuple[str, ...] = ()) -> list[str]:
    """The texts without ⟦ ⟧ markers, except those that are people's data (`data`)."""
    return [
        f"{kind}: {text}"
        for kind, texts in found.items()
        for text in texts
        if OPEN not in text and text not in data and text.strip()
    ]
