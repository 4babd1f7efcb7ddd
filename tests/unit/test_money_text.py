"""Money in headline figures and on chart axes, as the reader's language writes it."""

from __future__ import annotations

import pytest

from rbm.i18n import using
from rbm.ui.charts import money_labels
from rbm.ui.portfolio import millions


@pytest.mark.parametrize(
    ("language", "amount", "shown"),
    [
        ("en", 500_000, "USD 0.5 M"),
        ("en", 999_949_999, "USD 999.9 M"),
        ("en", 1_670_512_345, "USD 1.67 bn"),  # "USD 1,670.5 M" did not fit a headline
        ("es", 1_670_512_345, "1,67 mil M USD"),
        ("fr", 1_670_512_345, "1,67 Md USD"),
        ("en", -2_000_000_000, "USD -2.00 bn"),
    ],
)
def test_headline_money_switches_to_thousands_of_millions(
    language: str, amount: float, shown: str
) -> None:
    with using(language):
        assert millions(amount, digits=1) == shown


def test_money_axes_write_thousands_of_millions_as_money_not_giga() -> None:
    with using("en"):
        assert money_labels() == "replace(format(datum.value, '~s'), 'G', ' bn')"
    with using("fr"):
        assert "'G', ' Md'" in money_labels()
