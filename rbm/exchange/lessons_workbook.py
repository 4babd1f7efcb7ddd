"""The lessons digest as an Excel workbook: lessons, ratings, open recommendations and
evaluations, one sheet each, written through `spreadsheet` (no cell runs as a formula)."""

from __future__ import annotations

from rbm.exchange import spreadsheet
from rbm.queries.lessons import LessonDigest


def digest_excel(digest: LessonDigest) -> bytes:
    """The digest as an Excel workbook: one sheet each for lessons, ratings, open
    recommendations and evaluations."""
    sheets = {
        "Lessons": digest.lessons[
            [
                "title",
                "text",
                "what_worked",
                "what_did_not",
                "evidence",
                "dac_criterion",
                "result_level",
                "countries",
                "priority_areas",
                "tags",
                "evaluation",
                "project",
                "recorded_by",
            ]
        ],
        "Ratings": digest.ratings,
        "Open recommendations": digest.open_recommendations.drop(
            columns=["recommendation_id", "evaluation_id"]
        ),
        "Evaluations": digest.evaluations[
            [
                "title",
                "type",
                "covers",
                "start_date",
                "end_date",
                "evaluator",
                "summary",
                "recommendations",
                "overdue_actions",
            ]
        ],
    }
    return spreadsheet.xlsx_bytes(sheets)
