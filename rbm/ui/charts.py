"""Altair charts shared by the pages: one colour per status everywhere, titled axes with
units, legends where colour carries meaning. No Streamlit here: reports render the same specs
to images (`rbm.reports.charts`). The world map reads a TopoJSON shipped in
rbm/ui/assets, so it works offline."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd

from rbm.i18n import _, country_name, format_date, format_money, format_number
from rbm.ui.palette import STATUS_COLOURS, STATUS_LABELS

WORLD = Path(__file__).resolve().parent / "assets" / "world-110m.json"

ACTUAL_COLOUR = "#0969da"
TARGET_COLOUR = "#6e7781"


def _status_scale() -> alt.Scale:
    """One colour per status, keyed by the statuses' labels in the current language."""
    return alt.Scale(
        domain=[_(label) for label in STATUS_LABELS.values()],
        range=[STATUS_COLOURS[k] for k in STATUS_LABELS],
    )


@cache
def world_topology() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(WORLD.read_text(encoding="utf-8"))
    return data


def map_ids(numeric: pd.Series) -> pd.Series:
    """Country.numeric (an int) as the TopoJSON feature id ("004" for Afghanistan)."""
    return numeric.astype(int).map(lambda n: f"{n:03d}")


#: Where the app serves the world's outlines to browsers: Streamlit's static serving
#: (`server.enableStaticServing`) of the folder `static/` beside app.py, a link to rbm/ui/assets.
#: Relative, so it holds under a proxy's path prefix too.
WORLD_URL = "app/static/world-110m.json"


def money_labels() -> str:
    """The Vega expression of money on an axis or legend: 250k, 1.5M, and thousands of
    millions as "1.5 bn" in the reader's language (SI's "G", giga, is not how money is
    written)."""
    suffix = _("bn").replace("\\", "").replace("'", "\\'")
    return f"replace(format(datum.value, '~s'), 'G', ' {suffix}')"


def choropleth(
    by_country: pd.DataFrame, *, title: str, outlines_url: str | None = None
) -> Any:  # an Altair chart (altair returns Any)
    """World map shaded by money per country. `by_country`: country_code, country,
    country_numeric, money, projects (without country_code, names stand for codes). Names and
    amounts in the tooltip are in the current language; a click selects a country (selection
    parameter "country", field country_code). The world's outlines are inside the chart (for
    the reports, drawn offline), or read by the browser from `outlines_url`."""
    codes = by_country.get("country_code", by_country["country"])
    values = by_country.assign(
        id=map_ids(by_country["country_numeric"]),
        country_code=codes,
        name=[
            country_name(c, fallback=n) for c, n in zip(codes, by_country["country"], strict=True)
        ],
        amount=by_country["money"].map(format_money),
    )
    pick = alt.selection_point(fields=["country_code"], name="country", on="click")
    outlines = alt.TopoDataFormat(type="topojson", feature="countries")
    topo: Any = (
        alt.InlineData(values=world_topology(), format=outlines)
        if outlines_url is None
        else alt.UrlData(url=outlines_url, format=outlines)
    )
    land = alt.Chart(topo).mark_geoshape(fill="#eaeef2", stroke="white", strokeWidth=0.4)
    shaded = (
        alt.Chart(topo)
        .mark_geoshape(stroke="white", strokeWidth=0.4)
        .transform_lookup(
            lookup="id",
            from_=alt.LookupData(
                values, "id", ["country_code", "name", "money", "amount", "projects"]
            ),
        )
        .transform_filter("isValid(datum.money)")
        .encode(
            color=alt.Color(
                "money:Q",
                title=_("Money (USD)"),
                scale=alt.Scale(scheme="blues"),
                # Legend labels as 1.5M, 250k: never the raw six decimals of a share of money.
                legend=alt.Legend(labelExpr=money_labels()),
            ),
            tooltip=[
                alt.Tooltip("name:N", title=_("Country")),
                alt.Tooltip("amount:N", title=_("Money (USD)")),
                alt.Tooltip("projects:Q", title=_("Projects")),
            ],
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.5)),
        )
        .add_params(pick)
    )
    return (land + shaded).project("equalEarth").properties(title=title, height=440)


def choropleth_spec(by_country: pd.DataFrame, *, title: str) -> dict[str, Any]:
    """The same map as a Vega-Lite spec for the pages (`st.vega_lite_chart`), the outlines
    read by the browser from `WORLD_URL` (and kept in its cache) rather than sent with every
    rerun: inline, Altair walked their 28,000 values on every build and Streamlit on every
    rerun, for every person."""
    spec: dict[str, Any] = choropleth(by_country, title=title, outlines_url=WORLD_URL).to_dict()
    return spec


def status_bars(counts: pd.Series, *, title: str) -> Any:  # an Altair chart (altair returns Any)
    """Horizontal bars: how many indicators are in each status (index = status value)."""
    df = pd.DataFrame(
        {"status": [_(STATUS_LABELS[k]) for k in counts.index], "indicators": counts.to_numpy()}
    )
    df["count"] = df["indicators"].map(lambda n: format_number(n, digits=0))
    scale = _status_scale()
    return (
        alt.Chart(df, title=title)
        .mark_bar()
        .encode(
            y=alt.Y("status:N", sort=scale.domain, title=None, axis=alt.Axis(labelOverlap=False)),
            x=alt.X("indicators:Q", title=_("Indicators")),
            color=alt.Color("status:N", scale=scale, legend=None),
            tooltip=[
                alt.Tooltip("status:N", title=_("Status")),
                alt.Tooltip("count:N", title=_("Indicators")),
            ],
        )
        .properties(height=alt.Step(24))
    )


def money_bars(
    df: pd.DataFrame, *, category: str, title: str, label: str = ""
) -> Any:  # an Altair chart (altair returns Any)
    """Horizontal bars of money (USD) per category (country, priority area...); `label` titles
    the category in the tooltip. Amounts in the tooltip are in the current language."""
    shown = df.assign(amount=df["money"].map(format_money))
    return (
        alt.Chart(shown, title=title)
        .mark_bar(color=ACTUAL_COLOUR)
        .encode(
            y=alt.Y(f"{category}:N", sort="-x", title=None, axis=alt.Axis(labelLimit=220)),
            x=alt.X("money:Q", title=_("Money (USD)"), axis=alt.Axis(labelExpr=money_labels())),
            tooltip=[
                alt.Tooltip(f"{category}:N", title=label),
                alt.Tooltip("amount:N", title=_("Money (USD)")),
            ],
        )
        .properties(height=alt.Step(22))
    )


def trend(
    points: pd.DataFrame, *, title: str, unit: str
) -> Any:  # an Altair chart (altair returns Any)
    """Actuals against the target trajectory. `points`: period_end, series ("Actual" or
    "Target"), value. Period targets are marked with points; the legend, the axes and the
    tooltip (dates and values as text) are in the current language."""
    actual, target_label = _("Actual"), _("Target")
    shown = points.assign(
        series=points["series"].map({"Actual": actual, "Target": target_label}),
        day=[format_date(d) for d in pd.to_datetime(points["period_end"]).dt.date],
        figure=points["value"].map(format_number),
    )
    colour = alt.Color(
        "series:N",
        title=None,
        scale=alt.Scale(domain=[actual, target_label], range=[ACTUAL_COLOUR, TARGET_COLOUR]),
    )
    base = alt.Chart(shown).encode(
        x=alt.X("period_end:T", title=_("Period end")),
        y=alt.Y("value:Q", title=unit or _("Value")),
        color=colour,
        tooltip=[
            alt.Tooltip("day:N", title=_("Period end")),
            alt.Tooltip("series:N", title=_("Series")),
            alt.Tooltip("figure:N", title=unit or _("Value")),
        ],
    )
    line = base.mark_line(point=True).transform_filter(alt.datum.series == actual)
    target = base.mark_line(
        strokeDash=[4, 3], point=alt.OverlayMarkDef(shape="diamond", size=60)
    ).transform_filter(alt.datum.series == target_label)
    return (target + line).properties(title=title, height=240)


def sparkline(values: pd.DataFrame) -> Any:  # an Altair chart (altair returns Any)
    """A tiny line of actuals (period_end, value), no axes."""
    return (
        alt.Chart(values)
        .mark_line(color=ACTUAL_COLOUR)
        .encode(x=alt.X("period_end:T", axis=None), y=alt.Y("value:Q", axis=None))
        .properties(height=40, width=160)
    )


def breakdown(
    parts: pd.DataFrame, *, title: str, unit: str
) -> Any:  # an Altair chart (altair returns Any)
    """Stacked bars of a disaggregated indicator: period, part, value."""
    shown = parts.assign(figure=parts["value"].map(format_number))
    return (
        alt.Chart(shown, title=title)
        .mark_bar()
        .encode(
            x=alt.X("period:N", title=_("Period"), sort=None),
            y=alt.Y("value:Q", title=unit or _("Value"), stack=True),
            color=alt.Color("part:N", title=_("Part")),
            tooltip=[
                alt.Tooltip("period:N", title=_("Period")),
                alt.Tooltip("part:N", title=_("Part")),
                alt.Tooltip("figure:N", title=unit or _("Value")),
            ],
        )
        .properties(height=220)
    )
