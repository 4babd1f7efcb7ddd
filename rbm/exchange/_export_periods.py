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

from rbm.exchange._export_data import ExportData, Raw


class _Index(dict[Any, int]):
    """Distinct values numbered in order of appearance: `index[value]`."""

    def __missing__(self, value: Any) -> int:
        number = self[value] = len(self)
        return number


def period_texts(
    data: ExportData,
    rows: Raw,
    *,
    alone: Callable[[str], str],
    more: Callable[[tuple[Any, ...]], str],
    close: str,
) -> dict[int, str]:
    """The periods text of each indicator with actuals among `rows` (raw actual rows, see
    `ExportData`), keyed by indicator id. `alone(number_text)` is the element of a number
    alone, `more(row)` that of any other actual (with its breakdowns), `close` ends a
    period."""
    count = len(rows)
    if not count:
        return {}
    indicator = np.fromiter(map(itemgetter(0), rows), np.int64, count)
    period = np.fromiter(map(itemgetter(2), rows), np.int64, count)

    # The periods: each one's pair of dates numbered in date order, and whether it is written.
    known = np.fromiter(data.periods.keys(), np.int64, len(data.periods))
    dates = list(data.periods.values())
    distinct = sorted(set(dates))
    number_of = {pair: i for i, pair in enumerate(distinct)}
    pair = np.fromiter((number_of[d] for d in dates), np.int64, len(dates))
    published = data.project_periods
    written = np.fromiter(
        (pid in published and start < end for pid, (start, end) in data.periods.items()),
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

    # Each kept value's text: a number alone made once per distinct number, any other one
    # by `more` (links and breakdowns are known by measurement id).
    index = _Index()
    codes = np.fromiter(map(index.__getitem__, map(itemgetter(3), rows)), np.int64, count)[kept]
    number = data.number
    by_code = [alone(number[v]) + close if v is not None else "" for v in index]
    texts = list(map(by_code.__getitem__, codes.tolist()))
    special = data.links.keys() | data.breakdown_text.keys()
    other = np.fromiter(map(itemgetter(7), rows), np.int8, count)[kept] == 0
    if special:
        measurement = np.fromiter(map(itemgetter(1), rows), np.int64, count)[kept]
        other |= np.isin(measurement, np.fromiter(special, np.int64, len(special)))
    for position, row in zip(np.flatnonzero(other).tolist(), kept[other].tolist(), strict=True):
        texts[position] = more(rows[row]) + close

    # Each indicator's periods: one join of (opening, value) pieces.
    openings = [data.period_opening[d] for d in distinct]
    pieces = [""] * (2 * len(kept))
    pieces[0::2] = list(map(openings.__getitem__, pairs.tolist()))
    pieces[1::2] = texts
    starts = np.flatnonzero(np.r_[True, indicator[1:] != indicator[:-1]])
    ends = np.r_[starts[1:], len(indicator)]
    return {
        ind: "".join(pieces[2 * start : 2 * end])
        for ind, start, end in zip(
            indicator[starts].tolist(), starts.tolist(), ends.tolist(), strict=True
        )
    }
