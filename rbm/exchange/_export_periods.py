"""The `period` elements of the IATI export, written for all indicators at once.

A period per approved value is most of the document (a million at global-portfolio size), so
for the indicators whose periods hold actuals only (numeric, no period target) they are not
written one by one. The rows are filtered, ordered and numbered with numpy; the text of each
distinct pair of dates (the period's opening) and of each distinct number (a value alone) is
made once; and each indicator's periods are one `str.join` of those pieces, picked by C-level
`map`s. Only the values that carry more than a number (a comment, a ratio, links,
breakdowns) are written one by one, by the writer's own function.

The result is the same text as the writer's loop over one indicator (which still writes the
periods of indicators with period targets, and of qualitative ones): periods ordered by
(start, end), those starting on or after their end left out, one value per pair of dates
(the last one read, as a mapping by dates keeps), only the project's own periods.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter
from typing import Any

import numpy as np

from rbm.exchange._export_data import ExportData, RawActual, ValueKey


class _Index(dict[Any, int]):
    """Distinct values numbered in order of appearance: `index[value]`."""

    def __missing__(self, value: Any) -> int:
        number = self[value] = len(self)
        return number


def period_texts(
    data: ExportData,
    rows: list[RawActual],
    *,
    alone: Callable[[str], str],
    opened: Callable[[str], str],
    ratio: Callable[[str, str], str],
    more: Callable[[RawActual], str],
    close: str,
) -> dict[int, str]:
    """The periods text of each indicator with actuals among `rows` (keys packed with their
    form: see `ValueKey`), keyed by indicator id. `alone(number)` is the element of a number alone,
    `opened(number)` the start of one that has a ratio, `ratio(numerator, denominator)` the
    ratio and the element's end, `more(row)` the element of any other actual (with its
    breakdowns); `close` ends a period. Breakdowns follow their actual."""
    count = len(rows)
    if not count:
        return {}
    packed = np.fromiter(map(itemgetter(0), rows), np.int64, count)
    indicator = ValueKey.indicator(packed)
    period = ValueKey.period(packed)

    # The periods: each one's pair of dates numbered in date order, and whether it is written.
    known = np.fromiter(data.periods.keys(), np.int64, len(data.periods))
    dates = list(data.periods.values())
    distinct = sorted(set(dates))
    number_of = {pair: i for i, pair in enumerate(distinct)}
    pair = np.fromiter((number_of[d] for d in dates), np.int64, len(dates))
    published = data.project_periods
    written = np.fromiter(
        (pid in published and start <= end for pid, (start, end) in data.periods.items()),
        bool,
        len(dates),
    )
    by_id = np.argsort(known)
    known, pair, written = known[by_id], pair[by_id], written[by_id]
    at = np.minimum(np.searchsorted(known, period), len(known) - 1)
    kept = np.flatnonzero((known[at] == period) & written[at])

    # Ordered by indicator and dates; of two values for the same dates, the last one read.
    pairs = pair[at[kept]]
    order = np.lexsort((kept, pairs, indicator[kept]))
    kept, pairs, indicator = kept[order], pairs[order], indicator[kept][order]
    last = np.ones(len(kept), bool)
    last[:-1] = (indicator[1:] != indicator[:-1]) | (pairs[1:] != pairs[:-1])
    kept, pairs, indicator = kept[last], pairs[last], indicator[last]
    if not len(kept):
        return {}

    # Each kept value in three pieces: the actual's head, its middle and the period's tail.
    # A number alone, the head alone, made once per distinct number; a number with a ratio
    # (`ValueKey.WITH_RATIO`), the opened head and the ratio, made once per distinct pair;
    # breakdowns, in the tail; anything else (a comment, no number, links), the whole actual
    # from `more`.
    index = _Index()
    codes = np.fromiter(map(index.__getitem__, map(itemgetter(1), rows)), np.int64, count)[kept]
    number = data.number
    texts = [number[v] if v is not None else "" for v in index]
    heads = list(map([alone(t) for t in texts].__getitem__, codes.tolist()))
    middles = [""] * len(kept)
    tails = [close] * len(kept)
    form = ValueKey.form(packed[kept])
    with_ratio = np.flatnonzero(form == ValueKey.WITH_RATIO)
    if len(with_ratio):
        opened_heads = [opened(t) for t in texts]
        pair_index = _Index()
        ratio_rows = [rows[r] for r in kept[with_ratio].tolist()]
        pair_codes = list(map(pair_index.__getitem__, map(itemgetter(2, 3), ratio_rows)))
        ratios = [ratio(number[n], number[d]) for n, d in pair_index]
        for position, value_code, pair_code in zip(
            with_ratio.tolist(), codes[with_ratio].tolist(), pair_codes, strict=True
        ):
            heads[position] = opened_heads[value_code]
            middles[position] = ratios[pair_code]
    other = form == ValueKey.OTHER
    links, breakdowns = data.links, data.breakdown_text
    if links or breakdowns:
        key = ValueKey.value_key(packed[kept])
        if links:
            other |= np.isin(key, np.fromiter(links, np.int64, len(links)))
        with_parts = np.isin(key, np.fromiter(breakdowns, np.int64, len(breakdowns)))
        for position in np.flatnonzero(with_parts & ~other).tolist():
            tails[position] = breakdowns[int(key[position])] + close
    for position, row in zip(np.flatnonzero(other).tolist(), kept[other].tolist(), strict=True):
        heads[position], middles[position] = more(rows[row]), ""

    # Each indicator's periods: one join of (opening, head, middle, tail) pieces.
    openings = [data.period_opening[d] for d in distinct]
    pieces = [""] * (4 * len(kept))
    pieces[0::4] = list(map(openings.__getitem__, pairs.tolist()))
    pieces[1::4] = heads
    pieces[2::4] = middles
    pieces[3::4] = tails
    starts = np.flatnonzero(np.r_[True, indicator[1:] != indicator[:-1]])
    ends = np.r_[starts[1:], len(indicator)]
    return {
        ind: "".join(pieces[4 * start : 4 * end])
        for ind, start, end in zip(
            indicator[starts].tolist(), starts.tolist(), ends.tolist(), strict=True
        )
    }
