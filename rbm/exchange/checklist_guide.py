"""The guide for respondents: how to fill in the checklist, what each answer field means, the
columns of a file of earlier answers, and every question of a cycle with its article and its
help text. The checklist page shows the same words beside each field (`FIELD_HELP`) and offers
the whole guide as a printable HTML page. This is a read-only operation."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from rbm.errors import NotFound
from rbm.i18n import N_
from rbm.models import ChecklistCycle, Instrument, Provision, Question
from rbm.models.enums import AssistanceKind, Implementation, Priority, labels_of

# Labels and help are English here and marked for translation; pages show them with `_()`.
IMPLEMENTATION_LABELS = labels_of(Implementation)
KIND_LABELS = labels_of(AssistanceKind)
PRIORITY_LABELS = labels_of(Priority)

STEPS = [
    N_(
        "Answer for your country, provision by provision. The checklist is in sections, one per "
        "instrument (the Convention and each Protocol); the progress of each section is shown."
    ),
    N_("Every change is saved as you make it: you can stop and come back at any time."),
    N_(
        "If your country answered an earlier checklist, its answers are already filled in. Check "
        "each one, and change only what is different now. Questions new in this cycle are marked, "
        "and so are questions worded differently since the last cycle."
    ),
    N_(
        "If you keep earlier questionnaire answers in a spreadsheet, import them (CSV or Excel) "
        "instead of typing them again; the columns are listed below."
    ),
    N_(
        "Where your country needs technical assistance to implement a provision, tick "
        "'Technical assistance needed' and say of what kind and how urgent it is. Each such answer "
        "becomes a need in the needs register, which providers and donors use to plan assistance."
    ),
    N_(
        "When every question has an implementation status, submit the checklist. A manager then "
        "accepts it; accepted answers are locked."
    ),
]

FIELD_HELP = {
    "implementation": N_(
        "Fully: the law and practice meet the provision. Partly: some of it is "
        "in place. Not implemented: nothing yet. Not applicable: the provision does not apply to "
        "your country (say why in the comments)."
    ),
    "measure_cited": N_(
        "The law, regulation or measure that implements the provision, with its "
        "article where possible."
    ),
    "obstacles": N_(
        "What stands in the way of full implementation: missing law, resources, "
        "institutions, training, coordination."
    ),
    "assistance_needed": N_(
        "Tick when your country needs technical assistance to implement "
        "this provision. The answer becomes a need in the needs register."
    ),
    "assistance_kind": N_(
        "The kind of assistance that would help most: legislative drafting, "
        "capacity building (training, mentoring), equipment, institution building, expert advice, "
        "data systems, or other."
    ),
    "priority": N_("How urgent the assistance is for your country: high, medium or low."),
    "comments": N_("Anything else the reviewers should know."),
}

IMPORT_COLUMNS = [
    ("instrument", "required", "UNTOC, TIP, SOM or FA."),
    (
        "article",
        "required",
        "The article as in the questionnaire: 'Art. 5', 'article 5' or '5'. "
        "A range such as 'Arts. 12-14' also answers to its first article ('12').",
    ),
    (
        "implementation",
        "required column",
        "fully, partly, not implemented or not applicable "
        "(also 'fully implemented', 'partially', 'n/a'); a blank cell leaves the question open.",
    ),
    ("measure_cited", "optional", "Text."),
    ("obstacles", "optional", "Text."),
    ("assistance_needed", "optional", "yes or no (also y/n, true/false, 1/0); blank is no."),
    (
        "assistance_kind",
        "when assistance is needed",
        ", ".join(k.value for k in AssistanceKind) + ".",
    ),
    ("priority", "when assistance is needed", "high, medium or low."),
    ("comments", "optional", "Text."),
    ("country", "optional", "If present, the ISO code of the checklist's country (e.g. HN)."),
    ("provision, question", "ignored", "Shown in the template for reading only."),
]


def guide_questions(session: Session, *, cycle_code: str) -> pd.DataFrame:
    """The cycle's questions, in checklist order, with whether each is new or reworded since
    the cycle before it."""
    cycle = session.scalar(select(ChecklistCycle).where(ChecklistCycle.code == cycle_code))
    if cycle is None:
        raise NotFound("No checklist cycle {cycle_code!r}.", cycle_code=cycle_code)
    earlier = session.scalar(
        select(ChecklistCycle.id)
        .where(ChecklistCycle.year < cycle.year)
        .order_by(ChecklistCycle.year.desc())
        .limit(1)
    )
    rows = session.execute(
        select(
            Instrument.code,
            Instrument.title,
            Provision.code,
            Provision.article,
            Provision.title,
            Question.text,
            Question.help_text,
            Provision.id,
        )
        .join(Provision, Provision.id == Question.provision_id)
        .join(Instrument, Instrument.id == Provision.instrument_id)
        .where(Question.cycle_id == cycle.id)
        .order_by(Instrument.id, Provision.position, Provision.id)
    ).all()
    before = {
        pid: text
        for pid, text in session.execute(
            select(Question.provision_id, Question.text).where(Question.cycle_id == earlier)
        )
    }
    df = pd.DataFrame(
        rows,
        columns=[
            "instrument",
            "instrument_title",
            "provision",
            "article",
            "title",
            "text",
            "help_text",
            "provision_id",
        ],
    )
    df["new"] = ~df["provision_id"].isin(before) if earlier is not None else False
    df["reworded"] = df.apply(
        lambda r: r["provision_id"] in before and before[r["provision_id"]] != r["text"], axis=1
    ).astype(bool)
    return df.drop(columns="provision_id")


_CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; max-width: 60em; margin: 2em auto;
       line-height: 1.45; color: #1f2328; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 1.6em; }
table { border-collapse: collapse; width: 100%; margin: .6em 0; }
th, td { border: 1px solid #d0d7de; padding: .35em .5em; vertical-align: top; text-align: left; }
th { background: #f6f8fa; } .tag { font-size: .8em; color: #8250df; }
.help { color: #57606a; font-size: .92em; }
@media print { body { margin: 0; max-width: none; } h2 { break-before: page; }
               tr { break-inside: avoid; } }
"""


def _e(text: object) -> str:
    return html.escape(str(text or ""))


def _rows(pairs: Sequence[tuple[str, ...]]) -> str:
    return "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in r) + "</tr>" for r in pairs)


def _instrument_section(part: pd.DataFrame) -> str:
    rows = []
    for _, q in part.iterrows():
        tag = " <span class='tag'>new</span>" if q["new"] else ""
        tag += " <span class='tag'>reworded</span>" if q["reworded"] else ""
        rows.append(
            f"<tr><td>{_e(q['article'])}<br><small>{_e(q['provision'])}</small></td>"
            f"<td><b>{_e(q['title'])}</b>{tag}<br>{_e(q['text'])}"
            f"<div class='help'>{_e(q['help_text'])}</div></td></tr>"
        )
    head = f"{part.iloc[0]['instrument_title']} ({part.iloc[0]['instrument']})"
    return (
        f"<h2>{_e(head)}</h2><table><tr><th>Article</th><th>Question</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def guide_html(session: Session, *, cycle_code: str, today: date | None = None) -> str:
    """The printable guide for respondents to one cycle's checklist, as a standalone page."""
    questions = guide_questions(session, cycle_code=cycle_code)
    fields = [
        ("Implementation status", FIELD_HELP["implementation"]),
        ("Legislation or measure cited", FIELD_HELP["measure_cited"]),
        ("Obstacles", FIELD_HELP["obstacles"]),
        ("Technical assistance needed", FIELD_HELP["assistance_needed"]),
        ("Kind of assistance", FIELD_HELP["assistance_kind"]),
        ("Priority", FIELD_HELP["priority"]),
        ("Comments", FIELD_HELP["comments"]),
    ]
    sections = [
        _instrument_section(part) for _, part in questions.groupby("instrument", sort=False)
    ]
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Guide for respondents: self-assessment {_e(cycle_code)}</title>"
        f"<style>{_CSS}</style></head><body>"
        f"<h1>Self-assessment checklist {_e(cycle_code)}: guide for respondents</h1>"
        f"<p class='help'>Printed {_e((today or date.today()).isoformat())}. "
        f"{len(questions)} questions on the Convention and its Protocols.</p>"
        "<h2 style='break-before: auto'>How to fill in the checklist</h2><ol>"
        + "".join(f"<li>{_e(s)}</li>" for s in STEPS)
        + "</ol><h2 style='break-before: auto'>The answer to each question</h2>"
        "<table><tr><th>Field</th><th>What to give</th></tr>"
        + _rows(fields)
        + "</table><h2 style='break-before: auto'>Importing earlier answers</h2>"
        "<p>A CSV or Excel file, one row per question, with a header row naming the columns. "
        "The file is checked whole: if any row has a problem, nothing is imported and every "
        "problem is listed with its row and column.</p>"
        "<table><tr><th>Column</th><th>Needed</th><th>Values</th></tr>"
        + _rows(IMPORT_COLUMNS)
        + "</table>"
        + "".join(sections)
        + "</body></html>"
    )
