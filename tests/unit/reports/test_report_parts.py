"""Pure parts of the reports: calendar period labels, the results-chain layout, and user text
rendered to HTML as literal text."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from rbm.errors import ValidationFailed
from rbm.reports.charts import _layout
from rbm.reports.common import period_span, recent_periods
from rbm.reports.document import Cover, Paragraph, Report, Table
from rbm.reports.render_pdf import to_html


@pytest.mark.parametrize(
    ("label", "start", "end"),
    [
        ("2025", date(2025, 1, 1), date(2025, 12, 31)),
        ("2025-H2", date(2025, 7, 1), date(2025, 12, 31)),
        ("2025-Q1", date(2025, 1, 1), date(2025, 3, 31)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("2025-12", date(2025, 12, 1), date(2025, 12, 31)),
    ],
)
def test_a_calendar_period_label_covers_its_dates(label: str, start: date, end: date) -> None:
    span = period_span(label)
    assert (span.start, span.end) == (start, end)


@pytest.mark.parametrize("label", ["2025-Q5", "25", "2025-13", "last year", ""])
def test_a_label_that_is_not_a_period_is_refused_with_the_forms_allowed(label: str) -> None:
    with pytest.raises(ValidationFailed, match="2025-Q3"):
        period_span(label)


def test_recent_periods_start_with_the_last_ended_quarter() -> None:
    assert recent_periods(date(2026, 2, 10))[:2] == ["2025-Q4", "2025-Q3"]


def test_a_parent_is_centred_over_its_children_in_the_results_chain() -> None:
    nodes = pd.DataFrame(
        {
            "id": [1, 2, 3, 4],
            "parent_id": [None, 1, 1, 2],
            "level": ["impact", "outcome", "outcome", "output"],
        }
    )
    placed = _layout(nodes).set_index("id")
    assert placed.loc[4, "x"] == placed.loc[2, "x"] == 0
    assert placed.loc[3, "x"] == 1 and placed.loc[1, "x"] == 0.5
    assert placed["y"].tolist() == [0, 1, 1, 2]


def test_markup_in_user_text_is_escaped_in_the_html_the_pdf_is_laid_out_from() -> None:
    report = Report(
        cover=Cover(organisation="<i>Org</i>", title="T", subtitle="S"),
        name="r",
        blocks=[Paragraph("<img src=x onerror=alert(1)> **b**"), Table(["<th>"], [["<td>"]])],
    )
    html = to_html(report)
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt; **b**" in html
    assert "&lt;i&gt;Org&lt;/i&gt;" in html and "<th>&lt;th&gt;</th>" in html


def test_the_country_reports_funding_gap_keeps_each_currency_apart() -> None:
    import pandas as pd

    from rbm.reports.portfolio_reports import _gaps

    needs = pd.DataFrame(
        {"currency": ["USD", "EUR", "USD", "EUR"], "gap": [100_000.0, 50_000.0, None, 25_000.0]}
    )
    assert _gaps(needs) == "USD\u00a0100,000 + EUR\u00a075,000"
    assert _gaps(needs.iloc[:0]) == "—"
