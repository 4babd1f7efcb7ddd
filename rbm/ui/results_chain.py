"""The live results chain: a project's logframe as a Graphviz diagram (impact at the top, then
outcomes, outputs and activities, edges along the tree), each result filled with the colour
of its rolled-up status and labelled with its code, with a legend. The DOT text is built here
(no Streamlit needed, so it is tested on its own) and rendered offline by
`st.graphviz_chart`, which ships its own Graphviz engine."""

from __future__ import annotations

import math
import textwrap
from typing import Any

import pandas as pd

from rbm.i18n import _
from rbm.ui.labels import level_label
from rbm.ui.palette import STATUS_COLOURS, STATUS_LABELS

_NO_STATUS = "#ffffff"


def _quote(text: str) -> str:
    """A DOT string literal: backslashes and quotes escaped, no raw newlines."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _label(code: str, statement: str) -> str:
    wrapped = textwrap.wrap(statement, 28)[:3]
    if len(textwrap.wrap(statement, 28)) > 3:
        wrapped[-1] = wrapped[-1][:25] + "..."
    body = "\\n".join(w.replace("\\", "\\\\").replace('"', '\\"') for w in wrapped)
    return f'"{code.replace(chr(34), "")}\\n{body}"'


def results_chain_dot(nodes: pd.DataFrame) -> str:
    """DOT for nodes with id, parent_id, level, code, title and status (archived ones left
    out when an `archived` column says so)."""
    if "archived" in nodes:
        nodes = nodes[~nodes["archived"].astype(bool)]
    lines = [
        "digraph results_chain {",
        "  rankdir=TB; nodesep=0.25; ranksep=0.45;",
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];',
        '  edge [color="#57606a", arrowhead=none];',
    ]
    ids = set(nodes["id"].tolist())
    rows: list[dict[str, Any]] = nodes.to_dict("records")  # type: ignore[assignment]
    for row in rows:
        status = str(row.get("status") or "") if not _missing(row.get("status")) else ""
        colour = STATUS_COLOURS.get(status, _NO_STATUS)
        font = "white" if status in {"achieved", "on_track", "off_track"} else "black"
        tip = _(
            "{level} {code}: {status}",
            level=level_label(row["level"]),
            code=row["code"],
            status=_(STATUS_LABELS[status]) if status in STATUS_LABELS else _("no status"),
        )
        lines.append(
            f"  n{int(row['id'])} [label={_label(str(row['code']), str(row['title']))}, "
            f'fillcolor="{colour}", fontcolor="{font}", tooltip={_quote(tip)}];'
        )
    for row in rows:
        if not _missing(row["parent_id"]) and int(row["parent_id"]) in ids:
            lines.append(f"  n{int(row['parent_id'])} -> n{int(row['id'])};")
    lines += _legend()
    lines.append("}")
    return "\n".join(lines)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _legend() -> list[str]:
    out = [
        "  subgraph cluster_legend {",
        f'    label={_quote(_("Status"))}; fontsize=10; color="#d0d7de";',
    ]
    previous = None
    for status, label in STATUS_LABELS.items():
        colour = STATUS_COLOURS[status]
        font = "white" if status in {"achieved", "on_track", "off_track"} else "black"
        out.append(
            f'    legend_{status} [label={_quote(_(label))}, fillcolor="{colour}", '
            f'fontcolor="{font}", '
            "fontsize=9];"
        )
        if previous:
            out.append(f"    legend_{previous} -> legend_{status} [style=invis];")
        previous = status
    out.append("  }")
    return out
