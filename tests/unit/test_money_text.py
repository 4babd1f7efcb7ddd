"""Money in headline figures and on chart axes, as the reader's language writes it."""

from __future__ import annotations

import pytest

from rbm.i18n import format_amounts, format_millions, using
from rbm.ui.charts import money_labels


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
        assert format_millions(amount, digits=1) == shown


def test_money_axes_write_thousands_of_millions_as_money_not_giga() -> None:
    with using("en"):
        assert money_labels() == "replace(format(datum.value, '~s'), 'G', ' bn')"
    with using("fr"):
        assert "'G', ' Md'" in money_labels()


@pytest.mark.parametrize(
    ("language", "amounts", "shown"),
    [
        ("en", [("USD", 878_060.0)], "USD\u00a0878,060"),  # under a million: in full
        ("en", [("USD", 200_000_000.0)], "USD 200.0 M"),  # was "USD 200,000,000", cut short
        ("en", [("EUR", 1_350_000.0), ("USD", 20_000.0)], "EUR 1.4 M + USD\u00a020,000"),
        ("es", [("USD", 200_000_000.0)], "200,0 M USD"),
        ("fr", [("XDR", 1_670_000_000.0)], "1,67 Md XDR"),
    ],
)
def test_a_project_headline_gives_large_amounts_in_short(
    language: str, amounts: list[tuple[str, float]], shown: str
) -> None:
    with using(language):
        assert format_amounts(amounts, short=True) == shown
        assert format_amounts([]) == "—" and format_amounts([], unstated=True, short=True) != "—"


def test_a_headline_over_no_dollars_reads_a_dash_not_zero() -> None:
    assert format_millions(float("nan"), digits=2) == "—"
