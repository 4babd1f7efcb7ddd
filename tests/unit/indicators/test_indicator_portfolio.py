"""Portfolio roll-up of library indicators: partition, aggregation rule, multi-country."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from indicators import rollup_library
from indicators.portfolio import Aggregation, aggregation
from indicators.rollup import (
    LevelDistribution,
    level_distribution,
    ordinal_distribution,
    pooled_percentage,
    share_of_yes,
)


def values(*rows: dict[str, object]) -> pd.DataFrame:
    defaults: dict[str, object] = {
        "library_indicator_id": 1,
        "unit": "people",
        "country": None,
        "measure": "number",
        "accumulation": "incremental",
        "to_date": None,
        "to_date_numerator": None,
        "to_date_denominator": None,
    }
    return pd.DataFrame([{**defaults, **r} for r in rows])


def one(frame: pd.DataFrame, **keys: object) -> pd.Series:
    out = rollup_library(frame)
    for k, v in keys.items():
        out = out[out[k] == v]
    assert len(out) == 1
    return out.iloc[0]


KINDS = {
    "incremental counts sum": ("number", "incremental", Aggregation.SUM),
    "cumulative counts sum": ("number", "cumulative", Aggregation.SUM),
    "level numbers give a distribution": ("number", "level", Aggregation.DISTRIBUTION),
    "percentages pool": ("percentage", "level", Aggregation.POOLED_RATE),
    "yes/no gives the share of yes": ("yes_no", "level", Aggregation.SHARE_YES),
    "ordinal gives counts per score": ("ordinal", "level", Aggregation.SCORE_COUNTS),
    "qualitative is only counted": ("qualitative", "level", Aggregation.COUNT),
}


@pytest.mark.parametrize(("measure", "accumulation", "kind"), KINDS.values(), ids=KINDS.keys())
def test_each_measure_has_one_aggregation(measure: str, accumulation: str, kind: str) -> None:
    assert aggregation(measure, accumulation) == kind


def test_counts_sum_across_projects() -> None:
    row = one(values({"project_id": 1, "to_date": 100}, {"project_id": 2, "to_date": 50}))
    assert (row["aggregation"], row["total"], row["n_projects"]) == ("sum", 150, 2)
    assert math.isnan(row["median"]) and math.isnan(row["percentage"])


def test_percentages_pool_numerators_and_denominators() -> None:
    frame = values(
        {
            "project_id": 1,
            "measure": "percentage",
            "to_date_numerator": 1,
            "to_date_denominator": 2,
        },
        {
            "project_id": 2,
            "measure": "percentage",
            "to_date_numerator": 9,
            "to_date_denominator": 98,
        },
    )
    row = one(frame)
    assert row["percentage"] == pytest.approx(10 / 100 * 100)  # not the mean of 50% and 9.2%
    assert (row["numerator"], row["denominator"]) == (10, 100)


def test_levels_are_described_not_summed() -> None:
    frame = values(
        *({"project_id": p, "accumulation": "level", "to_date": v} for p, v in enumerate([3, 9, 4]))
    )
    row = one(frame)
    assert (row["median"], row["min"], row["max"], row["count"]) == (4, 3, 9, 3)
    assert math.isnan(row["total"])


def test_yes_no_gives_the_share_of_yes() -> None:
    frame = values(
        *({"project_id": p, "measure": "yes_no", "to_date": v} for p, v in enumerate([1, 0, 1, 1]))
    )
    assert one(frame)["share_yes"] == 0.75


def test_ordinal_scores_give_a_distribution() -> None:
    frame = values(
        *({"project_id": p, "measure": "ordinal", "to_date": v} for p, v in enumerate([2, 3, 3]))
    )
    assert one(frame)["distribution"] == {2: 1, 3: 2}


def test_different_units_are_never_added() -> None:
    frame = values(
        {"project_id": 1, "to_date": 100, "unit": "people"},
        {"project_id": 2, "to_date": 7, "unit": "households"},
    )
    out = rollup_library(frame).set_index("unit")["total"].to_dict()
    assert out == {"households": 7, "people": 100}


def test_mixed_aggregations_in_one_partition_are_refused() -> None:
    frame = values(
        {"project_id": 1, "to_date": 100},
        {"project_id": 2, "to_date": 0.5, "accumulation": "level"},
    )
    row = one(frame)
    assert row["refused_reason"] == "mixed aggregations: distribution, sum"
    assert pd.isna(row["aggregation"]) and math.isnan(row["total"])


def test_a_project_with_country_breakdown_and_a_total_counts_once() -> None:
    frame = values(
        {"project_id": 1, "to_date": 100},
        {"project_id": 1, "country": "KE", "to_date": 60},
        {"project_id": 1, "country": "UG", "to_date": 40},
        {"project_id": 2, "country": "KE", "to_date": 5},
    )
    assert one(frame)["total"] == 105  # project 1's total once, project 2 from its country row
    by_country = rollup_library(frame, by_country=True).set_index("country")["total"].to_dict()
    assert by_country == {"KE": 65, "UG": 40}
    assert sum(by_country.values()) == one(frame)["total"]


def test_projects_without_breakdown_appear_unallocated_in_the_country_view() -> None:
    frame = values(
        {"project_id": 1, "to_date": 10}, {"project_id": 2, "country": "KE", "to_date": 5}
    )
    out = rollup_library(frame, by_country=True)
    assert out["total"].sum() == 15
    assert out["country"].isna().sum() == 1


def test_a_group_where_nobody_reported_has_no_figures_not_zero() -> None:
    row = one(values({"project_id": 1, "to_date": None}))
    assert row["count"] == 0 and math.isnan(row["total"])


def test_the_scalar_helpers_state_the_same_rules() -> None:
    assert pooled_percentage([(1, 2), (9, 98)]) == pytest.approx(10.0)
    assert pooled_percentage([(0, 0)]) is None
    assert share_of_yes([1, 0, 0, 1]) == 0.5
    assert share_of_yes([]) is None
    assert ordinal_distribution([3, 1, 3]) == {1: 1, 3: 2}
    assert level_distribution([5, 1, 3]) == LevelDistribution(3, 1, 5, 3)
    assert level_distribution([]) is None
