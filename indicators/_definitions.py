"""Per-indicator definition arrays, in the row order of the indicators frame.

The vectorised modules address an indicator by its row position ("code") in the indicators
frame; this module turns the frame's columns into numpy arrays once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from indicators.arrays import NO_DAY, Bools, Floats, Ints, day_numbers, floats
from indicators.types import Accumulation, Direction, Measure


@dataclass(frozen=True)
class Definitions:
    """Per-indicator arrays, in the row order of the indicators frame."""

    index: pd.Index
    additive: Bools
    pooled: Bools
    percentage: Bools
    qualitative: Bools
    increase: Bools
    baseline: Floats  # what progress is measured from: 0 for incremental counts (new results)
    stated_baseline: Floats  # the indicator's baseline as stated (NaN when missing)
    target: Floats
    anchor: Ints  # where the plan starts: the later of baseline date and project start
    start: Ints
    end: Ints
    kind: npt.NDArray[np.int8]  # KIND_OTHER, KIND_PERCENTAGE or KIND_QUALITATIVE, for one gather

    @property
    def size(self) -> int:
        return len(self.index)


KIND_OTHER, KIND_PERCENTAGE, KIND_QUALITATIVE = 0, 1, 2


def is_(column: pd.Series, value: str) -> Bools:
    """Elementwise ``column == value`` as a numpy mask (compared in the column's own storage)."""
    return np.asarray((column == value).to_numpy(dtype=bool, na_value=False), dtype=bool)


def definitions(indicators: pd.DataFrame) -> Definitions:
    measure = indicators["measure"]
    incremental = is_(indicators["accumulation"], Accumulation.INCREMENTAL.value)
    additive = is_(measure, Measure.NUMBER.value) & incremental
    percentage = is_(measure, Measure.PERCENTAGE.value)
    raw_baseline = floats(indicators["baseline_value"])
    start = day_numbers(indicators["start_date"])
    baseline_day = day_numbers(indicators["baseline_date"])
    qualitative = is_(measure, Measure.QUALITATIVE.value)
    kind = np.select([percentage, qualitative], [KIND_PERCENTAGE, KIND_QUALITATIVE], KIND_OTHER)
    return Definitions(
        index=pd.Index(indicators["indicator_id"].to_numpy()),
        additive=additive,
        pooled=percentage & incremental,
        percentage=percentage,
        qualitative=qualitative,
        increase=is_(indicators["direction"], Direction.INCREASE.value),
        baseline=np.where(additive, 0.0, raw_baseline),
        stated_baseline=raw_baseline,
        target=floats(indicators["target_value"]),
        # NO_DAY (no baseline date) is below every day, so the project start wins.
        anchor=np.maximum(np.where(baseline_day == NO_DAY, start, baseline_day), start),
        start=start,
        end=day_numbers(indicators["end_date"]),
        kind=kind.astype(np.int8),
    )
