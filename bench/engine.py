"""The indicator engine's speed line (issue 3), in a process of its own.

Run as `python -m bench.engine N_INDICATORS N_MEASUREMENTS RUNS [YEARLY_SHARE]`; prints one
JSON object: the median time of the status computation (`indicators.summary.summarise`) over
the synthetic frames of `bench.frames.make_frames` (with YEARLY_SHARE, that share of the
indicators also report a year over their quarters), the floor (a plain pandas groupby
computing only the to-date sum over the same measurements), and the process's peak resident
memory.

The frames pass the engine's pandera schemas once, before timing, as they do where they enter
the product (`rbm.queries.indicator_status` builds them typed; imports validate them): the
status computation is then timed with ``validate=False``. The validation itself is timed on its
own and printed beside it, so its cost is seen, not hidden.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from bench.frames import make_frames
from bench.memory import peak_mib
from indicators.schemas import validated
from indicators.summary import summarise

AS_OF = date(2026, 1, 1)


def _median(runs: int, action: Callable[[], Any]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    n_indicators, n_measurements, runs = (int(a) for a in sys.argv[1:4])
    yearly_share = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
    raw = make_frames(n_indicators, n_measurements, seed=42, yearly_share=yearly_share)
    validated(*raw)  # the first call imports pandera's backends; not what is being timed
    validation = _median(runs, lambda: validated(*raw))
    indicators, measurements, targets = validated(*raw)

    def status() -> Any:
        return summarise(indicators, measurements, targets, as_of=AS_OF, validate=False)

    def floor_sum() -> Any:
        return measurements.groupby("indicator_id")["value"].sum()

    status(), floor_sum()
    # Interleaved, so that both see the same moments of a shared machine; at least seven runs,
    # as a run of either takes well under a second.
    engine_times: list[float] = []
    floor_times: list[float] = []
    for _ in range(max(runs, 7)):
        engine_times.append(_median(1, status))
        floor_times.append(_median(1, floor_sum))
    engine, floor = statistics.median(engine_times), statistics.median(floor_times)
    peak = peak_mib()
    print(
        json.dumps({"engine": engine, "floor": floor, "validation": validation, "peak_mib": peak})
    )


if __name__ == "__main__":
    main()
