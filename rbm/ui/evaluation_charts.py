"""Altair charts of DAC ratings: a compact chart of one evaluation and a heat map comparing
evaluations. They take the long frame of `rbm.queries.evaluations.ratings`."""

from __future__ import annotations

import altair as alt
import pandas as pd

from rbm.queries.evaluations import CRITERIA, SCORE_LABELS

#: Red to green over the four-point scale, so a low rating stands out in both charts.
SCORE_COLOURS = ["#cf222e", "#d4a72c", "#57ab5a", "#1a7f37"]
SCORE_SCALE = alt.Scale(domain=[1, 2, 3, 4], range=SCORE_COLOURS)
_LEGEND = alt.Legend(
    title=None,
    orient="bottom",
    direction="horizontal",
    labelExpr=" : ".join(f"datum.value == {k} ? '{k} {v.lower()}'" for k, v in SCORE_LABELS.items())
    + " : ''",
)
_CAPITALISED = "upper(slice(datum.label, 0, 1)) + slice(datum.label, 1)"
_CRITERION = alt.Y(
    "criterion:N",
    sort=CRITERIA,
    title=None,
    axis=alt.Axis(labelExpr=_CAPITALISED, labelOverlap=False),
)


def ratings_chart(ratings: pd.DataFrame) -> alt.Chart:
    """One evaluation's six ratings as short bars on the 1-4 scale; the tooltip shows the
    justification."""
    chart: alt.Chart = (
        alt.Chart(ratings, width=420, height=alt.Step(22))
        .mark_bar()
        .encode(
            y=_CRITERION,
            x=alt.X(
                "score:Q",
                scale=alt.Scale(domain=[0, 4]),
                axis=alt.Axis(values=[1, 2, 3, 4], tickMinStep=1),
                title="Rating (1-4)",
            ),
            color=alt.Color("score:Q", scale=SCORE_SCALE, legend=None),
            tooltip=[
                alt.Tooltip("criterion:N", title="Criterion"),
                alt.Tooltip("score_label:N", title="Rating"),
                alt.Tooltip("justification:N", title="Justification"),
            ],
        )
    )
    return chart


def ratings_heatmap(ratings: pd.DataFrame) -> alt.LayerChart:
    """Evaluations (rows) against the six criteria (columns), each cell coloured and labelled
    with its rating: the comparison across evaluations of an area or a country."""
    df = ratings.assign(
        evaluation=ratings["title"].str.slice(0, 60)
        + ratings["title"].str.len().gt(60).map({True: "…", False: ""})
    )
    top = alt.Axis(labelAngle=0, orient="top", labelExpr=_CAPITALISED)
    base = alt.Chart(df, height=alt.Step(28)).encode(
        x=alt.X("criterion:N", sort=CRITERIA, title=None, axis=top),
        # Rows in the order the query gives them: the most recent evaluation first.
        y=alt.Y(
            "evaluation:N",
            title=None,
            sort=list(dict.fromkeys(df["evaluation"])),
            axis=alt.Axis(labelLimit=360),
        ),
    )
    cells = base.mark_rect(stroke="white").encode(
        color=alt.Color("score:O", scale=SCORE_SCALE, legend=_LEGEND),
        tooltip=[
            alt.Tooltip("title:N", title="Evaluation"),
            alt.Tooltip("criterion:N", title="Criterion"),
            alt.Tooltip("score_label:N", title="Rating"),
            alt.Tooltip("justification:N", title="Justification"),
        ],
    )
    labels = base.mark_text(color="white", fontWeight="bold").encode(text="score:Q")
    return alt.LayerChart(layer=[cells, labels])
