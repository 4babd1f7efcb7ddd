"""The mean DAC rating per criterion over several evaluations (the comparison's table)."""

from __future__ import annotations

import pandas as pd

from rbm.queries.evaluations import criterion_means


def test_the_means_follow_the_criteria_order_and_count_the_evaluations_that_rated_each() -> None:
    scores = pd.DataFrame(
        {
            "evaluation_id": [1, 1, 2, 2, 3],
            "criterion": ["impact", "relevance", "impact", "relevance", "relevance"],
            "score": [2, 4, 3, 3, 2],
        }
    )
    means = criterion_means(scores)
    assert means["criterion"].tolist() == ["relevance", "impact"]
    assert means["mean"].tolist() == [3.0, 2.5]
    assert means["count"].tolist() == [3, 2]


def test_no_scores_give_an_empty_table_with_the_columns_of_a_full_one() -> None:
    empty = pd.DataFrame({"evaluation_id": [], "criterion": [], "score": []})
    assert criterion_means(empty).columns.tolist() == ["criterion", "mean", "count"]
    assert criterion_means(empty).empty
