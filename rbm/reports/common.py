"""What every report shares: the cover (organisation name and logo from settings, with a
note when the logo cannot be used), period labels for portfolio reports, and the status
summary."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

import pandas as pd
from PIL import Image, UnidentifiedImageError

from rbm.errors import ValidationFailed
from rbm.i18n import N_, _, format_date
from rbm.principal import Principal
from rbm.reports.document import Cover
from rbm.settings import get_settings
from rbm.ui.palette import STATUS_LABELS

#: A recommendation's follow-up state as the evaluation queries spell it, marked for the
#: catalogue.
_STATES = {
    "awaiting response": N_("awaiting response"),
    "no follow-up planned": N_("no follow-up planned"),
    "follow-up open": N_("follow-up open"),
}
_PERIOD = re.compile(r"^(\d{4})(?:-(Q[1-4]|H[12]|\d{2}))?$")


def picture(content: bytes | None) -> bytes | None:
    """The bytes of a PNG or JPEG picture, or None when they are not one (so a document never
    embeds something that is not an image)."""
    if not content:
        return None
    try:
        with Image.open(BytesIO(content)) as image:
            image.verify()
            ok = image.format in ("PNG", "JPEG")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    return content if ok else None


def logo() -> tuple[bytes | None, list[str]]:
    """The configured logo and, when it cannot be used, a note saying why."""
    path = Path(get_settings().report_logo) if get_settings().report_logo else None
    if path is None:
        return None, []
    if not path.is_file():
        return None, [
            _(
                "The logo file {name} was not found (RBM_REPORT_LOGO); no logo shown.",
                name=path.name,
            )
        ]
    found = picture(path.read_bytes())
    if found is None:
        return None, [
            _("The logo file {name} is not a PNG or JPEG image; no logo shown.", name=path.name)
        ]
    return found, []


def make_cover(
    *,
    title: str,
    subtitle: str,
    principal: Principal,
    lines: Sequence[str] = (),
    notes: Sequence[str] = (),
    today: date | None = None,
) -> Cover:
    image, logo_notes = logo()
    generated = _(
        "Generated on {day} for {name}.",
        day=format_date(today or date.today(), style="long"),
        name=principal.name,
    )
    return Cover(
        organisation=get_settings().organisation_name,
        title=title,
        subtitle=subtitle,
        logo=image,
        lines=[
            *lines,
            generated,
            _("Only approved values and approved narratives are included."),
        ],
        notes=[*notes, *logo_notes],
    )


@dataclass(frozen=True)
class PeriodSpan:
    label: str
    start: date
    end: date


def period_span(label: str) -> PeriodSpan:
    """A calendar period label as the reporting periods spell them ("2025", "2025-H2",
    "2025-Q3", "2025-07") and the dates it covers."""
    match = _PERIOD.match(label.strip())
    if match is None:
        raise ValidationFailed(
            "'{label}' is not a period: write a year (2025), a half (2025-H2), a quarter "
            "(2025-Q3) or a month (2025-07).",
            label=label,
        )
    year, part = int(match.group(1)), match.group(2)
    if part is None:
        first, months = 1, 12
    elif part.startswith("H"):
        first, months = (int(part[1]) - 1) * 6 + 1, 6
    elif part.startswith("Q"):
        first, months = (int(part[1]) - 1) * 3 + 1, 3
    else:
        first, months = int(part), 1
        if not 1 <= first <= 12:
            raise ValidationFailed(
                "'{label}': there is no month {month}; write a year (2025), a half (2025-H2), "
                "a quarter (2025-Q3) or a month (2025-07).",
                label=label,
                month=first,
            )
    start = date(year, first, 1)
    last_month = first + months
    end = date(year + (last_month - 1) // 12, (last_month - 1) % 12 + 1, 1) - timedelta(days=1)
    return PeriodSpan(label.strip(), start, end)


def status_facts(statuses: pd.Series) -> list[tuple[str, str]]:
    """How many indicators are in each status (statuses as engine values)."""
    counts = statuses.fillna("qualitative").value_counts()
    facts = [(label, str(int(counts.get(key, 0)))) for key, label in STATUS_LABELS.items()]
    if counts.get("qualitative", 0):
        facts.append((_("Qualitative (no status)"), str(int(counts["qualitative"]))))
    return facts


def recent_periods(today: date, *, quarters: int = 8, years: int = 3) -> list[str]:
    """Calendar periods a portfolio report is usually asked for, newest first: the last
    ended quarters, then the last ended years."""
    q = (today.month - 1) // 3  # quarters ended this year
    year = today.year
    out = []
    for _quarter in range(quarters):
        if q == 0:
            year, q = year - 1, 4
        out.append(f"{year}-Q{q}")
        q -= 1
    out += [str(today.year - i) for i in range(1, years + 1)]
    return out


def state_label(state: object) -> str:
    """A recommendation's follow-up state in the reader's language."""
    text = str(state)
    return _(_STATES[text]) if text in _STATES else text
