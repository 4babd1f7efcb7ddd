"""The IATI export's periods written for all indicators at once (`_export_periods`) are the
text its loop over one indicator writes: for any periods (repeated dates, a start on or after
the end, periods of other projects, periods unknown) and any values (none, integers and
decimals, comments, ratios, links, breakdowns, several for the same dates)."""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.dialects import sqlite

from rbm.errors import ConfigurationError
from rbm.exchange import iati_export
from rbm.exchange._export_data import ExportData, NumberText, ValueKey, unpack

DAYS = ["2024-01-01", "2024-03-31", "2024-06-30", "2024-12-31"]
Link = namedtuple("Link", "measurement_id url filename content_type")

periods_st = st.dictionaries(
    st.integers(1, 12), st.tuples(st.sampled_from(DAYS), st.sampled_from(DAYS)), min_size=1
)
number_st = st.one_of(
    st.integers(-50, 5000), st.floats(-100, 100, allow_nan=False).map(lambda f: round(f, 4))
)
value_st = st.tuples(
    st.one_of(st.none(), number_st),  # value
    st.one_of(st.none(), number_st),  # numerator
    st.one_of(st.none(), st.integers(1, 500)),  # denominator
    st.one_of(st.none(), st.sampled_from(["ok", "A & B <c>", "line\r\nend"])),  # comment
    st.booleans(),  # a link
    st.lists(st.tuples(st.sampled_from(["f", "m"]), number_st), max_size=2),  # breakdowns
)
rows_st = st.lists(
    st.tuples(st.integers(1, 4), st.integers(1, 14), value_st), max_size=40
)  # (indicator, period id, value); period ids 13 and 14 are unknown


def _data(
    periods: dict[int, tuple[str, str]], own: set[int], rows: list[Any]
) -> tuple[ExportData, list[tuple[Any, ...]]]:
    data = ExportData(projects=[], number=NumberText(sqlite.dialect()))
    data.periods = dict(periods)
    data.project_periods = own
    raw = []
    seen: set[int] = set()
    for indicator, period, value in rows:
        number, numerator, denominator, comment, link, parts = value
        form = ValueKey.OTHER  # as the export's statement chooses it
        if comment is None and number is not None:
            alone = numerator is None or denominator is None
            form = ValueKey.ALONE if alone else ValueKey.WITH_RATIO
        key = ValueKey.pack(indicator, period)
        raw.append(
            (ValueKey.pack(indicator, period, form), number, numerator, denominator, comment)
        )
        if link and key not in data.links:  # one current value per indicator and period
            data.links[key].append(Link(key, "https://example.org/a?b&c", "evidence.pdf", None))
        if parts and key not in seen:
            seen.add(key)
            for sex, part in sorted(parts):
                data.breakdowns.append((key, "sex", sex, part))
    data.actual_rows = raw
    return data, raw


@settings(max_examples=300, deadline=None)
@given(periods_st, st.data(), rows_st)
def test_all_at_once_is_one_by_one(
    periods: dict[int, tuple[str, str]], draw: st.DataObject, rows: list[Any]
) -> None:
    own = draw.draw(st.sets(st.sampled_from(sorted(periods))))
    data, raw = _data(periods, own, rows)
    iati_export._prepare(data)  # no indicator has period targets: all are written at once
    for indicator in {ValueKey.indicator(row[0]) for row in raw} | {1}:
        mine = [unpack(row) for row in raw if ValueKey.indicator(row[0]) == indicator]
        expected = iati_export._period_loop(mine, {}, data, True)
        assert data.period_text.get(indicator, "") == expected


def test_a_value_alone_a_ratio_and_a_breakdown_in_date_order() -> None:
    periods = {1: ("2024-04-01", "2024-06-30"), 2: ("2024-01-01", "2024-03-31")}
    rows = [
        (7, 1, (12, None, None, None, False, [("f", 5)])),
        (7, 2, (0.25, 1, 4, None, False, [])),
    ]
    data, _ = _data(periods, {1, 2}, rows)
    iati_export._prepare(data)
    text = data.period_text[7]
    assert text.index('iso-date="2024-01-01"') < text.index('iso-date="2024-04-01"')
    assert '<actual value="0.25">' in text
    assert '<rbm:ratio numerator="1" denominator="4"/>' in text
    assert '<actual value="12"/>' in text
    assert '<actual value="5">' in text and '<dimension name="sex" value="f"/>' in text


def test_a_key_keeps_its_indicator_period_and_form_apart() -> None:
    packed = ValueKey.pack(2**31 - 1, 2**30 - 1, ValueKey.WITH_RATIO)
    row = unpack((packed, 1, 2, 3, None))
    assert (row.indicator_id, row.period_id, row.form) == (2**31 - 1, 2**30 - 1, 2)
    assert row.key == ValueKey.pack(2**31 - 1, 2**30 - 1)


def test_ids_too_large_for_the_key_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="2\\*\\*30"):
        ValueKey.check(indicator_ids=[1], period_ids=[2**30])
    with pytest.raises(ConfigurationError, match="2\\*\\*31"):
        ValueKey.check(indicator_ids=[2**31], period_ids=[1])
    ValueKey.check(indicator_ids=[2**31 - 1], period_ids=[2**30 - 1])
