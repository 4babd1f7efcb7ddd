"""One label and one colour per status, shared by pages, charts and reports. Imports no
Streamlit, so `rbm.ui.charts` (the Altair specs) can be rendered outside the app."""

from __future__ import annotations

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
