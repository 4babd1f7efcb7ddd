"""The project progress report for one reporting period: cover, summary, results chain, the
period's narrative, per outcome its progress text and indicators (baseline, target, the
period's value, to date, progress, status, trend, breakdowns, quality flags), the evidence
list, evaluations with open recommendations, and funding by donor.

Figures are the engine's as at the end of the period (`project_view(as_of=...)`), the same
the project page shows for that date; only approved values and narratives are read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy.orm import Session

from rbm.principal import Principal
from rbm.queries.evaluations import evaluations_table, open_recommendations
from rbm.queries.iptt import LOP, breakdowns, iptt, trajectory
from rbm.queries.narratives import NarrativeView, approved_narratives, photo_file
from rbm.queries.project import ProjectView, project_view
from rbm.queries.reports import PeriodRef, evidence_list, project_period, quality_of
from rbm.reports import charts as report_charts
from rbm.reports.common import make_cover, picture, status_facts
from rbm.reports.document import (
    Facts,
    Figure,
    Heading,
    PageBreak,
    Paragraph,
    Progress,
    Report,
    Table,
    no_progress,
)
from rbm.reports.text import day, money, number, percent, records
from rbm.ui import charts
from rbm.ui.palette import STATUS_LABELS

INDICATOR_COLUMNS = (
    "Code",
    "Indicator",
    "Unit",
    "Baseline",
    "Target",
    "This period",
    "Period target",
    "To date",
    "Progress",
    "Status",
)


@dataclass(frozen=True)
class ProjectData:
    ref: PeriodRef
    view: ProjectView
    long: pd.DataFrame
    parts: pd.DataFrame
    narrative: NarrativeView | None
    photo: bytes | None
    quality: pd.DataFrame
    evidence: pd.DataFrame
    evaluations: pd.DataFrame
    recommendations: pd.DataFrame


def read_project(session: Session, *, principal: Principal, code: str, period: str) -> ProjectData:
    """Everything the report shows, read through the pages' scoped queries."""
    ref = project_period(session, principal=principal, code=code, label=period)
    view = project_view(session, principal=principal, code=code, as_of=ref.end)
    narrative = approved_narratives(session, principal=principal, project_ids=[ref.project_id]).get(
        (ref.project_id, ref.period_id)
    )
    photo = None
    if narrative is not None and narrative.photo_id is not None:
        stored = photo_file(session, principal=principal, photo_id=narrative.photo_id)
        photo = picture(stored.content)
    return ProjectData(
        ref=ref,
        view=view,
        long=iptt(session, principal=principal, code=code, as_of=ref.end),
        parts=breakdowns(session, principal=principal, code=code),
        narrative=narrative,
        photo=photo,
        quality=quality_of(session, principal=principal, project_id=ref.project_id, as_of=ref.end),
        evidence=evidence_list(
            session, principal=principal, project_id=ref.project_id, until=ref.end
        ),
        evaluations=evaluations_table(session, principal=principal, project_id=ref.project_id),
        recommendations=open_recommendations(
            session, principal=principal, project_id=ref.project_id
        ),
    )


def project_report(
    session: Session,
    *,
    principal: Principal,
    code: str,
    period: str,
    progress: Progress = no_progress,
    today: date | None = None,
) -> Report:
    """The project progress report of `code` for its reporting period `period`."""
    progress(0.05, "Reading the project's figures")
    data = read_project(session, principal=principal, code=code, period=period)
    return build_project_report(data, principal=principal, progress=progress, today=today)


def period_rows(data: ProjectData) -> pd.DataFrame:
    """Per indicator: the period's approved value and target (from the IPTT)."""
    rows = data.long[data.long["period"] == data.ref.label]
    return rows.set_index("indicator_id")[["actual", "target"]]


def indicator_rows(data: ProjectData, indicators: pd.DataFrame) -> list[list[str]]:
    """The indicator table's rows: the engine's figures at the end of the period."""
    this_period = period_rows(data)
    out = []
    for r in records(indicators):
        pid = int(r.indicator_id)
        got = this_period.loc[pid] if pid in this_period.index else None
        out.append(
            [
                str(r.code),
                str(r.title),
                str(r.unit or ""),
                number(r.baseline),
                number(r.target_value),
                number(None if got is None else got["actual"]),
                number(None if got is None else got["target"]),
                number(r.actual),
                percent(r.progress),
                STATUS_LABELS.get(
                    str(r.status), "Qualitative" if pd.isna(r.status) else str(r.status)
                ),
            ]
        )
    return out


def build_project_report(
    data: ProjectData,
    *,
    principal: Principal,
    progress: Progress = no_progress,
    today: date | None = None,
) -> Report:
    p, ref = data.view.project, data.ref
    notes = []
    if not ref.locked:
        notes.append(f"Reporting period {ref.label} is not locked: its figures may still change.")
    cover = make_cover(
        title="Project progress report",
        subtitle=f"{p['code']} · {p['title']}",
        principal=principal,
        lines=[
            f"Reporting period {ref.label}: {ref.start:%d %B %Y} to {ref.end:%d %B %Y}",
            f"Provider: {p['provider']}",
        ],
        notes=notes,
        today=today,
    )
    report = Report(cover=cover, name=f"progress-report-{p['code']}-{ref.label}")
    progress(0.2, "Writing the summary")
    _summary(report, data)
    progress(0.3, "Drawing the results chain")
    _chain(report, data)
    _narrative(report, data.narrative, data.photo)
    progress(0.4, "Charting each outcome")
    _outcomes(report, data, progress)
    progress(0.9, "Listing evidence, evaluations and funding")
    _annexes(report, data)
    progress(1.0, "Done")
    return report


def _summary(report: Report, data: ProjectData) -> None:
    view, p = data.view, data.view.project
    inds = view.indicators
    reported = period_rows(data)["actual"].notna().sum()
    report.add(Heading("Summary"))
    if data.narrative is not None and data.narrative.summary:
        report.add(Paragraph(data.narrative.summary))
    report.add(
        Facts(
            [
                ("Project period", f"{p['start_date']:%d %b %Y} to {p['end_date']:%d %b %Y}"),
                ("Budget", money(p["budget"], str(p["currency"]))),
                ("Funding", money(float(view.funding["amount"].sum()), str(p["currency"]))),
                ("Recipient countries", ", ".join(view.countries["name"]) or "—"),
                ("Indicators", str(len(inds))),
                (f"Indicators with an approved value for {data.ref.label}", str(int(reported))),
            ]
        )
    )
    if view.nodes.empty:
        report.add(
            Paragraph(
                "This project has no logframe yet: there are no results or indicators to "
                "report on.",
                "note",
            )
        )
        return
    if not reported:
        report.add(
            Paragraph(
                f"No value has been approved for {data.ref.label} yet: the figures below are "
                "those approved up to the end of the period.",
                "note",
            )
        )
    if inds.empty:
        return
    report.add(Heading("Indicators by status", 2), Facts(status_facts(inds["status"])))
    counts = inds["status"].dropna().value_counts()
    if not counts.empty:
        chart = charts.status_bars(counts, title="Indicators by status")
        report.add(Figure(report_charts.png(chart, width=420), "Indicators by status", width_cm=12))


def _chain(report: Report, data: ProjectData) -> None:
    report.add(Heading("Results chain"))
    nodes = data.view.nodes
    if nodes.empty:
        report.add(Paragraph("No logframe: no results chain to draw.", "note"))
        return
    chart = report_charts.results_chain(nodes)
    report.add(
        Figure(
            report_charts.png(chart, width=chart.to_dict()["width"]),
            "The logframe from impact to outputs, each result coloured by its rolled-up status.",
        )
    )


def _narrative(report: Report, n: NarrativeView | None, photo: bytes | None) -> None:
    report.add(Heading("Narrative"))
    if n is None:
        report.add(Paragraph("No narrative has been approved for this period.", "note"))
        return
    for title, body in (
        ("Achievements", n.achievements),
        ("Challenges", n.challenges),
        ("Changes to assumptions and risks", n.assumptions_risks),
    ):
        if body:
            report.add(Heading(title, 2), Paragraph(body))
    if n.story or photo is not None:
        report.add(Heading("A human story", 2))
        if n.story:
            report.add(Paragraph(n.story, "quote"))
        if photo is not None:
            report.add(Figure(photo, f"Photo used with consent: {n.photo_consent}", width_cm=10))
        elif n.photo_id is not None:
            report.add(Paragraph("The story's photo is not a readable image; left out.", "note"))


def _outcomes(report: Report, data: ProjectData, progress: Progress) -> None:
    nodes, inds = data.view.nodes, data.view.indicators
    if nodes.empty:
        return
    sections = data.narrative.sections if data.narrative is not None else {}
    heads = nodes[nodes["level"].isin(["impact", "outcome"])]
    for i, node in enumerate(records(heads)):
        progress(0.4 + 0.5 * i / max(len(heads), 1), f"Outcome {node.code}")
        report.add(PageBreak(), Heading(f"{str(node.level).title()} {node.code}: {node.title}"))
        if node.status in STATUS_LABELS:
            report.add(Paragraph(f"Status: {STATUS_LABELS[str(node.status)]}", "caption"))
        if int(node.id) in sections:
            report.add(Paragraph(sections[int(node.id)]))
        elif node.level == "outcome":
            report.add(Paragraph("No progress narrative for this outcome.", "note"))
        if node.assumptions or node.risks:
            report.add(
                Facts([("Assumptions", node.assumptions or "—"), ("Risks", node.risks or "—")])
            )
        _indicators(report, data, inds[inds["result_node_id"] == node.id])
        if node.level != "outcome":
            continue
        outputs = nodes[(nodes["parent_id"] == node.id) & (nodes["level"] == "output")]
        for out in records(outputs):
            report.add(Heading(f"Output {out.code}: {out.title}", 2))
            if int(out.id) in sections:
                report.add(Paragraph(sections[int(out.id)]))
            _indicators(report, data, inds[inds["result_node_id"] == out.id])


def _indicators(report: Report, data: ProjectData, rows: pd.DataFrame) -> None:
    if rows.empty:
        report.add(Paragraph("No indicators on this result.", "note"))
        return
    report.add(Table(INDICATOR_COLUMNS, indicator_rows(data, rows)))
    upto = data.long[data.long["period_end"] <= pd.Timestamp(data.ref.end)]
    for r in records(rows):
        upto_lop = pd.concat([upto, data.long[data.long["period"] == LOP]])
        points = trajectory(upto_lop, code=str(r.code))
        if points[points["series"] == "Actual"].empty:
            continue
        chart = charts.trend(
            points, title=f"{r.code}: actual against target", unit=str(r.unit or "")
        )
        report.add(Figure(report_charts.png(chart, width=440), f"Trend of {r.code}", width_cm=13))
    _breakdowns(report, data, rows)
    flags = data.quality[data.quality["code"].isin(rows["code"])]
    if not flags.empty:
        report.add(
            Heading("Quality flags", 3),
            Table(
                ("Indicator", "Flag", "Period end", "Detail"),
                [
                    [
                        str(f.code),
                        str(f.flag).replace("_", " "),
                        day(f.period_end),
                        str(f.detail),
                    ]
                    for f in records(flags)
                ],
            ),
        )


def _breakdowns(report: Report, data: ProjectData, rows: pd.DataFrame) -> None:
    mine = data.parts[
        data.parts["indicator_id"].isin(rows["indicator_id"])
        & (data.parts["period"] == data.ref.label)
    ]
    if mine.empty:
        return
    codes = rows.set_index("indicator_id")["code"]
    report.add(
        Heading(f"Breakdowns for {data.ref.label}", 3),
        Table(
            ("Indicator", "Dimension", "Part", "Value"),
            [
                [str(codes[b.indicator_id]), str(b.dimension), str(b.part), number(b.value)]
                for b in records(mine)
            ],
        ),
    )


def _annexes(report: Report, data: ProjectData) -> None:
    report.add(PageBreak(), Heading("Evidence"))
    report.add(
        Table(
            ("Indicator", "Period", "File or link"),
            [
                [str(e.indicator), str(e.period), str(e.url or e.filename)]
                for e in records(data.evidence)
            ],
            empty="No evidence is attached to the approved values up to this period.",
        )
    )
    report.add(Heading("Evaluations"))
    report.add(
        Table(
            ("Evaluation", "Type", "Ended", "Recommendations", "Open actions"),
            [
                [
                    str(e.title),
                    str(getattr(e.type, "value", e.type)).replace("_", " "),
                    day(e.end_date, "%b %Y"),
                    str(e.recommendations),
                    str(e.open_actions),
                ]
                for e in records(data.evaluations)
            ],
            empty="No evaluation of this project has been recorded.",
        )
    )
    report.add(Heading("Open recommendations", 2))
    report.add(
        Table(
            ("Evaluation", "No.", "Recommendation", "Response", "State"),
            [
                [
                    str(r.evaluation),
                    str(r.number),
                    str(r.text),
                    str(r.response or "—"),
                    str(r.state),
                ]
                for r in records(data.recommendations)
            ],
            empty="No recommendation is open.",
        )
    )
    view = data.view
    report.add(Heading("Financial summary"))
    report.add(
        Facts([("Budget", money(view.project["budget"], str(view.project["currency"])))]),
        Table(
            ("Donor", "Amount", "Currency", "From", "To"),
            [
                [
                    str(f.donor),
                    number(f.amount, digits=0),
                    str(f.currency),
                    day(f.date_from),
                    day(f.date_to),
                ]
                for f in records(view.funding)
            ],
            empty="No funding is recorded for this project.",
        ),
    )
