"""Altair charts of DAC ratings: a compact chart of one evaluation and a heat map comparing
evaluations. They take the long frame of `rbm.queries.evaluations.ratings`; criteria, ratings,
titles and legends are in the current language (charts are built per run, after the language
is set)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from rbm.i18n import _
from rbm.queries.evaluations import CRITERIA, CRITERION_LABELS, SCORE_LABELS
from rbm.ui.labels import labelled

#: Red to green over the four-point scale, so a low rating stands out in both charts.
SCORE_COLOURS = ["#cf222e", "#d4a72c", "#57ab5a", "#1a7f37"]
SCORE_SCALE = alt.Scale(domain=[1, 2, 3, 4], range=SCORE_COLOURS)


def _legend() -> alt.Legend:
    labels = {k: f"{k} {_(v)}".replace("'", "\\'") for k, v in SCORE_LABELS.items()}
    expr = " : ".join(f"datum.value == {k} ? '{label}'" for k, label in labels.items())
    return alt.Legend(title=None, orient="bottom", direction="horizontal", labelExpr=expr + " : ''")


def _shown(ratings: pd.DataFrame) -> pd.DataFrame:
    """The ratings with the criteria and rating labels people read."""
    return ratings.assign(
        criterion_label=ratings["criterion"].map(labelled(CRITERION_LABELS)),
        score_label=ratings["score"].map(lambda s: _(SCORE_LABELS[int(s)])),
    )


def _criteria_order() -> list[str]:
    return [_(CRITERION_LABELS[c]) for c in CRITERIA]


def ratings_chart(ratings: pd.DataFrame) -> alt.Chart:
    """One evaluation's six ratings as short bars on the 1-4 scale; the tooltip shows the
    justification."""
    chart: alt.Chart = (
        alt.Chart(_shown(ratings), width=420, height=alt.Step(22))
        .mark_bar()
        .encode(
            y=alt.Y(
                "criterion_label:N",
                sort=_criteria_order(),
                title=None,
                axis=alt.Axis(labelOverlap=False),
            ),
            x=alt.X(
                "score:Q",
                scale=alt.Scale(domain=[0, 4]),
                axis=alt.Axis(values=[1, 2, 3, 4], tickMinStep=1),
                title=_("Rating (1-4)"),
            ),
            color=alt.Color("score:Q", scale=SCORE_SCALE, legend=None),
            tooltip=[
                alt.Tooltip("criterion_label:N", title=_("Criterion")),
                alt.Tooltip("score_label:N", title=_("Rating")),
                alt.Tooltip("justification:N", title=_("Justification")),
            ],
        )
    )
    return chart


def ratings_heatmap(ratings: pd.DataFrame) -> alt.LayerChart:
    """Evaluations (rows) against the six criteria (columns), each cell coloured and labelled
    with its rating: the comparison across evaluations of an area or a country."""
    df = _shown(ratings).assign(
        evaluation=ratings["title"].str.slice(0, 60)
        + ratings["title"].str.len().gt(60).map({True: "…", False: ""})
    )
    top = alt.Axis(labelAngle=0, orient="top")
    base = alt.Chart(df, height=alt.Step(28)).encode(
        x=alt.X("criterion_label:N", sort=_criteria_order(), title=None, axis=top),
        # Rows in the order the query gives them: the most recent evaluation first.
        y=alt.Y(
            "evaluation:N",
            title=None,
            sort=list(dict.fromkeys(df["evaluation"])),
            axis=alt.Axis(labelLimit=360),
        ),
    )
    cells = base.mark_rect(stroke="white").encode(
        color=alt.Color("score:O", scale=SCORE_SCALE, legend=_legend()),
        tooltip=[
            alt.Tooltip("title:N", title=_("Evaluation")),
            alt.Tooltip("criterion_label:N", title=_("Criterion")),
            alt.Tooltip("score_label:N", title=_("Rating")),
            alt.Tooltip("justification:N", title=_("Justification")),
        ],
    )
    labels = base.mark_text(color="white", fontWeight="bold").encode(text="score:Q")
    return alt.LayerChart(layer=[cells, labels])
