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

from rbm.i18n import N_, _, format_amounts, language
from rbm.models.enums import EvaluationType, ResponseKind, ResultLevel, label
from rbm.principal import Principal
from rbm.queries.evaluations import evaluations_table, open_recommendations
from rbm.queries.iptt import LOP, breakdowns, iptt, trajectory
from rbm.queries.narratives import NarrativeView, approved_narratives, photo_file
from rbm.queries.project import ProjectView, project_view
from rbm.queries.reports import PeriodRef, evidence_list, project_period, quality_of
from rbm.reports import charts as report_charts
from rbm.reports.common import make_cover, picture, state_label, status_facts
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
from rbm.ui.palette import FLAG_REASONS, STATUS_LABELS

INDICATOR_COLUMNS = (
    N_("Code"),
    N_("Indicator"),
    N_("Unit"),
    N_("Baseline"),
    N_("Target"),
    N_("This period"),
    N_("Period target"),
    N_("To date"),
    N_("Progress"),
    N_("Status"),
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
    view = project_view(session, principal=principal, code=code, as_of=ref.end, language=language())
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
    progress(0.05, _("Reading the project's figures"))
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
                    str(r.status), _("Qualitative") if pd.isna(r.status) else str(r.status)
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
        notes.append(
            _(
                "Reporting period {period} is not locked: its figures may still change.",
                period=ref.label,
            )
        )
    cover = make_cover(
        title=_("Project progress report"),
        subtitle=f"{p['code']} · {p['title']}",
        principal=principal,
        lines=[
            _(
                "Reporting period {period}: {start} to {end}",
                period=ref.label,
                start=day(ref.start, "%d %B %Y"),
                end=day(ref.end, "%d %B %Y"),
            ),
            _("Provider: {provider}", provider=p["provider"]),
        ],
        notes=notes,
        today=today,
    )
    report = Report(cover=cover, name=f"progress-report-{p['code']}-{ref.label}")
    progress(0.2, _("Writing the summary"))
    _summary(report, data)
    progress(0.3, _("Drawing the results chain"))
    _chain(report, data)
    _narrative(report, data.narrative, data.photo)
    progress(0.4, _("Charting each outcome"))
    _outcomes(report, data, progress)
    progress(0.9, _("Listing evidence, evaluations and funding"))
    _annexes(report, data)
    progress(1.0, _("Done"))
    return report


def _summary(report: Report, data: ProjectData) -> None:
    view, p = data.view, data.view.project
    inds = view.indicators
    reported = period_rows(data)["actual"].notna().sum()
    report.add(Heading(_("Summary")))
    if data.narrative is not None and data.narrative.summary:
        report.add(Paragraph(data.narrative.summary))
    report.add(
        Facts(
            [
                (
                    _("Project period"),
                    _(
                        "{start} to {end}",
                        start=day(p["start_date"]),
                        end=day(p["end_date"]),
                    ),
                ),
                (_("Budget"), money(p["budget"], str(p["currency"]))),
                (
                    _("Funding"),
                    format_amounts(view.funding_totals(), unstated=not view.funding.empty),
                ),
                (_("Recipient countries"), ", ".join(view.countries["name"]) or "—"),
                (_("Indicators"), str(len(inds))),
                (
                    _("Indicators with an approved value for {period}", period=data.ref.label),
                    str(int(reported)),
                ),
            ]
        )
    )
    if view.nodes.empty:
        report.add(
            Paragraph(
                _(
                    "This project has no logframe yet: there are no results or indicators to "
                    "report on."
                ),
                "note",
            )
        )
        return
    if not reported:
        report.add(
            Paragraph(
                _(
                    "No value has been approved for {period} yet: the figures below are those "
                    "approved up to the end of the period.",
                    period=data.ref.label,
                ),
                "note",
            )
        )
    if inds.empty:
        return
    by_status = _("Indicators by status")
    report.add(Heading(by_status, 2), Facts(status_facts(inds["status"])))
    counts = inds["status"].dropna().value_counts()
    if not counts.empty:
        chart = charts.status_bars(counts, title=by_status)
        report.add(Figure(report_charts.png(chart, width=420), by_status, width_cm=12))


def _chain(report: Report, data: ProjectData) -> None:
    report.add(Heading(_("Results chain")))
    nodes = data.view.nodes
    if nodes.empty:
        report.add(Paragraph(_("No logframe: no results chain to draw."), "note"))
        return
    chart = report_charts.results_chain(nodes)
    report.add(
        Figure(
            report_charts.png(chart, width=chart.to_dict()["width"]),
            _("The logframe from impact to outputs, each result coloured by its rolled-up status."),
        )
    )


def _narrative(report: Report, n: NarrativeView | None, photo: bytes | None) -> None:
    report.add(Heading(_("Narrative")))
    if n is None:
        report.add(Paragraph(_("No narrative has been approved for this period."), "note"))
        return
    for title, body in (
        (_("Achievements"), n.achievements),
        (_("Challenges"), n.challenges),
        (_("Changes to assumptions and risks"), n.assumptions_risks),
    ):
        if body:
            report.add(Heading(title, 2), Paragraph(body))
    if n.story or photo is not None:
        report.add(Heading(_("A human story"), 2))
        if n.story:
            report.add(Paragraph(n.story, "quote"))
        if photo is not None:
            consent = _("Photo used with consent: {consent}", consent=n.photo_consent)
            report.add(Figure(photo, consent, width_cm=10))
        elif n.photo_id is not None:
            report.add(Paragraph(_("The story's photo is not a readable image; left out."), "note"))


def _outcomes(report: Report, data: ProjectData, progress: Progress) -> None:
    nodes, inds = data.view.nodes, data.view.indicators
    if nodes.empty:
        return
    sections = data.narrative.sections if data.narrative is not None else {}
    heads = nodes[nodes["level"].isin(["impact", "outcome"])]
    for i, node in enumerate(records(heads)):
        progress(0.4 + 0.5 * i / max(len(heads), 1), _("Outcome {code}", code=node.code))
        level = label(str(node.level), ResultLevel)
        report.add(
            PageBreak(),
            Heading(_("{level} {code}: {title}", level=level, code=node.code, title=node.title)),
        )
        if node.status in STATUS_LABELS:
            report.add(
                Paragraph(_("Status: {status}", status=STATUS_LABELS[str(node.status)]), "caption")
            )
        if int(node.id) in sections:
            report.add(Paragraph(sections[int(node.id)]))
        elif node.level == "outcome":
            report.add(Paragraph(_("No progress narrative for this outcome."), "note"))
        if node.assumptions or node.risks:
            report.add(
                Facts(
                    [
                        (_("Assumptions"), node.assumptions or "—"),
                        (_("Risks"), node.risks or "—"),
                    ]
                )
            )
        _indicators(report, data, inds[inds["result_node_id"] == node.id])
        if node.level != "outcome":
            continue
        outputs = nodes[(nodes["parent_id"] == node.id) & (nodes["level"] == "output")]
        for out in records(outputs):
            report.add(Heading(_("Output {code}: {title}", code=out.code, title=out.title), 2))
            if int(out.id) in sections:
                report.add(Paragraph(sections[int(out.id)]))
            _indicators(report, data, inds[inds["result_node_id"] == out.id])


def _indicators(report: Report, data: ProjectData, rows: pd.DataFrame) -> None:
    if rows.empty:
        report.add(Paragraph(_("No indicators on this result."), "note"))
        return
    report.add(Table([_(c) for c in INDICATOR_COLUMNS], indicator_rows(data, rows)))
    upto = data.long[data.long["period_end"] <= pd.Timestamp(data.ref.end)]
    for r in records(rows):
        upto_lop = pd.concat([upto, data.long[data.long["period"] == LOP]])
        points = trajectory(upto_lop, code=str(r.code))
        if points[points["series"] == "Actual"].empty:
            continue
        chart = charts.trend(
            points, title=_("{code}: actual against target", code=r.code), unit=str(r.unit or "")
        )
        trend = _("Trend of {code}", code=r.code)
        report.add(Figure(report_charts.png(chart, width=440), trend, width_cm=13))
    _breakdowns(report, data, rows)
    flags = data.quality[data.quality["code"].isin(rows["code"])]
    if not flags.empty:
        report.add(
            Heading(_("Quality flags"), 3),
            Table(
                (_("Indicator"), _("Flag"), _("Period end"), _("Detail")),
                [
                    [
                        str(f.code),
                        FLAG_REASONS.get(str(f.flag), str(f.flag).replace("_", " ")),
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
        Heading(_("Breakdowns for {period}", period=data.ref.label), 3),
        Table(
            (_("Indicator"), _("Dimension"), _("Part"), _("Value")),
            [
                [str(codes[b.indicator_id]), str(b.dimension), str(b.part), number(b.value)]
                for b in records(mine)
            ],
        ),
    )


def _annexes(report: Report, data: ProjectData) -> None:
    report.add(PageBreak(), Heading(_("Evidence")))
    report.add(
        Table(
            (_("Indicator"), _("Period"), _("File or link")),
            [
                [str(e.indicator), str(e.period), str(e.url or e.filename)]
                for e in records(data.evidence)
            ],
            empty=_("No evidence is attached to the approved values up to this period."),
        )
    )
    report.add(Heading(_("Evaluations")))
    report.add(
        Table(
            (_("Evaluation"), _("Type"), _("Ended"), _("Recommendations"), _("Open actions")),
            [
                [
                    str(e.title),
                    label(str(getattr(e.type, "value", e.type)), EvaluationType),
                    day(e.end_date, "%b %Y"),
                    str(e.recommendations),
                    str(e.open_actions),
                ]
                for e in records(data.evaluations)
            ],
            empty=_("No evaluation of this project has been recorded."),
        )
    )
    report.add(Heading(_("Open recommendations"), 2))
    report.add(
        Table(
            (_("Evaluation"), _("No."), _("Recommendation"), _("Response"), _("State")),
            [
                [
                    str(r.evaluation),
                    str(r.number),
                    str(r.text),
                    label(str(r.response), ResponseKind) if r.response else "—",
                    state_label(r.state),
                ]
                for r in records(data.recommendations)
            ],
            empty=_("No recommendation is open."),
        )
    )
    view = data.view
    report.add(Heading(_("Financial summary")))
    report.add(
        Facts([(_("Budget"), money(view.project["budget"], str(view.project["currency"])))]),
        Table(
            (_("Donor"), _("Amount"), _("Currency"), _("From"), _("To")),
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
            empty=_("No funding is recorded for this project."),
        ),
    )
