"""Charts for reports: the pages' Altair specs (`rbm.ui.charts`) rendered offline to PNG with
vl-convert (no browser, no network), and the results chain as a tree diagram drawn with the
same tools."""

from __future__ import annotations

import textwrap
from typing import Any

import altair as alt
import pandas as pd

from rbm.i18n import _
from rbm.models.enums import ResultLevel, label
from rbm.reports.text import records
from rbm.ui.palette import STATUS_COLOURS, STATUS_LABELS

#: Rendering scale: 2 gives crisp pictures at print size.
SCALE = 2.0
LEVEL_ROW = {"impact": 0, "outcome": 1, "output": 2, "activity": 3}


def png(chart: Any, *, width: int = 520) -> bytes:
    """An Altair chart as PNG bytes, `width` pixels wide before scaling."""
    import vl_convert as vlc  # loads the renderer on first use only

    spec = chart.properties(width=width).to_dict(validate=False)
    data: bytes = vlc.vegalite_to_png(spec, scale=SCALE)
    return data


def _layout(nodes: pd.DataFrame) -> pd.DataFrame:
    """x (leaf order; a parent centred over its children) and y (level row) per node."""
    children: dict[Any, list[Any]] = {}
    for node_id, parent in zip(nodes["id"], nodes["parent_id"], strict=True):
        key = None if pd.isna(parent) else int(parent)
        children.setdefault(key, []).append(int(node_id))
    xs: dict[int, float] = {}
    cursor = [0.0]

    def place(node_id: int) -> float:
        kids = children.get(node_id, [])
        if not kids:
            xs[node_id] = cursor[0]
            cursor[0] += 1
        else:
            xs[node_id] = sum(place(k) for k in kids) / len(kids)
        return xs[node_id]

    for root in children.get(None, []):
        place(root)
    out = nodes.assign(x=nodes["id"].map(xs), y=nodes["level"].map(LEVEL_ROW))
    return out.dropna(subset=["x", "y"])


def results_chain(nodes: pd.DataFrame) -> Any:
    """The logframe as a tree: one box per result (impact at the top), coloured by its
    rolled-up status, joined to its parent. `nodes`: id, parent_id, level, code, title,
    status. Activities are left out when outputs exist, to keep the picture readable."""
    if (nodes["level"] == "output").any():
        nodes = nodes[nodes["level"] != "activity"]
    placed = _layout(nodes)
    lines: list[Any] = [
        [f"{label(str(lvl), ResultLevel)} {code}", *textwrap.wrap(str(title), 22)[:3]]
        for lvl, code, title in zip(placed["level"], placed["code"], placed["title"], strict=True)
    ]
    none = _("No indicators")
    placed = placed.assign(
        label=pd.Series(lines, index=placed.index, dtype=object),
        status_label=placed["status"].map(lambda s: STATUS_LABELS.get(str(s), none)),
    )
    by_id = placed.set_index("id")
    edges = pd.DataFrame(
        [
            {
                "x": r.x,
                "y": r.y,
                "x2": by_id.at[int(r.parent_id), "x"],
                "y2": by_id.at[int(r.parent_id), "y"],
            }
            for r in records(placed)
            if pd.notna(r.parent_id) and int(r.parent_id) in by_id.index
        ],
        columns=["x", "y", "x2", "y2"],
    )
    n_cols = max(int(placed["x"].max()) + 1 if not placed.empty else 1, 1)
    n_rows = int(placed["y"].max()) + 1 if not placed.empty else 1
    x = alt.X("x:Q", axis=None, scale=alt.Scale(domain=[-0.6, n_cols - 0.4]))
    y = alt.Y("y:Q", axis=None, scale=alt.Scale(domain=[-0.6, n_rows - 0.4], reverse=True))
    domain = [*STATUS_LABELS.values(), none]
    colours = [*STATUS_COLOURS.values(), "#eaeef2"]
    lines = alt.Chart(edges).mark_rule(color="#8c959f").encode(x=x, y=y, x2="x2:Q", y2="y2:Q")
    boxes = (
        alt.Chart(placed)
        .mark_point(shape="square", filled=True, size=5200, opacity=0.35)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "status_label:N",
                title=_("Status"),
                scale=alt.Scale(domain=domain, range=colours),
                legend=alt.Legend(orient="bottom"),
            ),
        )
    )
    labels = (
        alt.Chart(placed)
        .mark_text(fontSize=8, lineHeight=10, baseline="middle")
        .encode(x=x, y=y, text="label")
    )
    width = max(120 * n_cols, 360)
    return (lines + boxes + labels).properties(
        width=width, height=110 * n_rows, title=_("Results chain")
    )
