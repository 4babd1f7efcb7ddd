"""One label and one colour per status, the reason of each data-quality flag, and the note of
funding left out in other currencies, shared by pages, charts and reports (in the reader's
language). Imports no Streamlit, so `rbm.ui.charts` (the Altair specs) can be rendered
outside the app."""

from __future__ import annotations

import pandas as pd

from indicators.quality import QualityFlag
from indicators.types import Status
from rbm.i18n import N_, Labels, _, format_money, ngettext
from rbm.models.enums import labels_of

#: One label per status, read in the current language (`Labels` translates on every lookup).
STATUS_LABELS = Labels(labels_of(Status))
#: The short reason of each data-quality flag, in the current language: the English of
#: `indicators.quality.FLAG_REASONS` (the engine is pure and knows no catalogue), marked here.
FLAG_REASONS = Labels(
    {
        QualityFlag.OVERDUE_REPORT.value: N_("report overdue"),
        QualityFlag.OUTLIER.value: N_("value far outside the indicator's history"),
        QualityFlag.MISSING_BASELINE.value: N_("no baseline"),
        QualityFlag.MISSING_TARGET.value: N_("no life-of-project target"),
        QualityFlag.TARGET_AGAINST_DIRECTION.value: N_("target set against the direction"),
        QualityFlag.ZERO_DENOMINATOR.value: N_("percentage with denominator 0"),
        QualityFlag.CUMULATIVE_DECREASE.value: N_("cumulative series drops"),
        QualityFlag.DUPLICATE_PERIOD.value: N_("two approved values for one period"),
        QualityFlag.UNKNOWN_INDICATOR.value: N_("values for an unknown indicator"),
        QualityFlag.MISSING_DENOMINATOR.value: N_("percentage without numerator and denominator"),
        QualityFlag.OVERLAPPING_PERIOD.value: N_("overlapping period set aside as a cross-check"),
        QualityFlag.OUTSIDE_PROJECT.value: N_("value for a period outside the project"),
        QualityFlag.BREAKDOWN_MISMATCH.value: N_("breakdown parts do not add up to the total"),
    }
)
#: One colour per status, used by every page and chart.
STATUS_COLOURS = {
    Status.ACHIEVED.value: "#1a7f37",
    Status.ON_TRACK.value: "#2da44e",
    Status.AT_RISK.value: "#d4a72c",
    Status.OFF_TRACK.value: "#cf222e",
    Status.NO_DATA.value: "#8c959f",
    Status.NOT_STARTED.value: "#afb8c1",
}


def other_currencies_text(others: pd.DataFrame) -> str:
    """What money figures across projects leave out, for pages and reports alike: the funding
    in other currencies (`others`: `rbm.queries.portfolio.other_currencies`), in the current
    language."""
    parts = [
        ngettext(
            "{amount} in {n} project",
            "{amount} in {n} projects",
            int(projects),
            amount=format_money(amount, str(currency)),
        )
        for currency, amount, projects in zip(
            others["currency"], others["amount"], others["projects"], strict=True
        )
    ]
    return _(
        "Funding in other currencies is not added to these figures, as there are no exchange "
        "rates here: {amounts}. Each project's page shows its funding in every currency.",
        amounts="; ".join(parts),
    )
