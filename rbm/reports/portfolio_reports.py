"""The donor portfolio report (every project a donor funds, its money by country and priority
area with the map, results on library indicators rolled up by the engine's rules, what is
off track and why) and the recipient-State report (all assistance in one country across
providers, outcomes measured there, needs with their coverage and funding gaps).

Both are judged at the end of a calendar period ("2025", "2025-H2", "2025-Q4", "2025-07") and
read through the pages' scoped queries: a donor's report holds only approved data of the
projects it funds."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from rbm.errors import PermissionDenied
from rbm.models import Project
from rbm.models.enums import Role
from rbm.principal import Principal
from rbm.queries.coordination import area_coverage
from rbm.queries.country import country_view
from rbm.queries.donor import donor_view
from rbm.queries.evaluations import open_recommendations
from rbm.queries.narratives import NarrativeView, approved_narratives
from rbm.queries.needs import needs_for_country
from rbm.queries.portfolio import PortfolioFilters, filtered_ids
from rbm.queries.reports import periods_in_span
from rbm.reports import charts as report_charts
from rbm.reports.common import PeriodSpan, make_cover, period_span
from rbm.reports.document import (
    Facts,
    Figure,
    Heading,
    Paragraph,
    Progress,
    Report,
    Table,
    no_progress,
)
from rbm.reports.text import day, money, number, percent, records
from rbm.ui import charts
from rbm.ui.palette import STATUS_LABELS

STATUS_KEYS = list(STATUS_LABELS)
#: Indicators named per flagged project in the donor report (the rest are counted).
WORST = 3


def _lock_notes(session: Session, ids: Select[Any], span: PeriodSpan) -> list[str]:
    periods = periods_in_span(session, project_ids=ids, start=span.start, end=span.end)
    if periods.empty:
        return [f"No project has a reporting period ending in {span.label}."]
    open_ = periods[~periods["locked"]]
    if open_.empty:
        return []
    n = open_["project_id"].nunique()
    return [
        f"{n} of {periods['project_id'].nunique()} projects have a reporting period ending in "
        f"{span.label} that is not locked: their figures may still change."
    ]


def _status_totals(projects: pd.DataFrame) -> list[tuple[str, str]]:
    return [
        (label, str(int(projects[key].sum())) if key in projects else "0")
        for key, label in STATUS_LABELS.items()
    ]


def _donor_scope(principal: Principal, donor_id: int) -> None:
    """A donor's own account reads only its own organisation's report."""
    if principal.has_role(Role.ADMIN, Role.MANAGER, Role.EVALUATOR):
        return
    own = {g.organisation_id for g in principal.grants_for(Role.DONOR)}
    if donor_id not in own:
        raise PermissionDenied(
            "{name} may only read their own organisation's report.", name=principal.name
        )


def donor_report(
    session: Session,
    *,
    principal: Principal,
    donor_id: int,
    period: str,
    progress: Progress = no_progress,
    today: date | None = None,
) -> Report:
    """The donor portfolio report of organisation `donor_id`, judged at the end of `period`."""
    span = period_span(period)
    _donor_scope(principal, donor_id)
    progress(0.05, "Reading the donor's portfolio")
    view = donor_view(session, principal=principal, donor_id=donor_id, as_of=span.end)
    ids = filtered_ids(principal, PortfolioFilters(donor_id=donor_id))
    notes = _lock_notes(session, ids, span)
    report = Report(
        cover=make_cover(
            title="Donor portfolio report",
            subtitle=view.name,
            principal=principal,
            lines=[f"Period {span.label}: figures as at {span.end:%d %B %Y}"],
            notes=notes,
            today=today,
        ),
        name=f"donor-report-{donor_id}-{span.label}",
    )
    p = view.projects
    report.add(
        Heading("Summary"),
        Facts(
            [
                ("Funded projects", str(len(p))),
                ("Contribution", money(float(p["donor_amount"].sum()))),
                ("Recipient countries", str(len(view.by_country))),
                (
                    "Projects with indicators off track or at risk",
                    str(view.warnings["project"].nunique()),
                ),
            ]
        ),
        Heading("Indicators by status", 2),
        Facts(_status_totals(p)),
    )
    if p.empty:
        report.add(Paragraph("This donor funds no project you can see.", "note"))
    progress(0.3, "Drawing the map and the money")
    _donor_money(session, report, principal, donor_id, p, view.by_area)
    progress(0.6, "Listing the projects and results")
    report.add(
        Heading("Funded projects"),
        Table(
            ("Project", "Title", "Provider", "Countries", "Contribution", *STATUS_LABELS.values()),
            [
                [
                    str(r["code"]),
                    str(r["title"]),
                    str(r["provider"]),
                    str(r["countries"]),
                    number(r["donor_amount"], digits=0),
                    *(str(int(r[k])) for k in STATUS_KEYS),
                ]
                for _, r in p.iterrows()
            ],
            empty="No funded project.",
        ),
        Heading("Results on library indicators"),
        Paragraph(
            "Rolled up by the engine's rules: only indicators linked to the same library "
            "indicator with the same unit; percentages pooled from numerators and denominators.",
            "caption",
        ),
        Table(
            ("Library indicator", "Unit", "Rule", "Projects", "Total", "Percentage", "Note"),
            [
                [
                    f"{r.library_code} {r.library_title}",
                    str(r.unit or ""),
                    str(r.aggregation),
                    str(r.n_projects),
                    number(r.total),
                    number(r.percentage, suffix="%"),
                    "" if pd.isna(r.refused_reason) else str(r.refused_reason),
                ]
                for r in records(view.results)
            ],
            empty="No funded indicator is linked to a library indicator.",
        ),
    )
    progress(0.8, "Explaining what is off track")
    _off_track(session, report, principal, view.warnings, p, span)
    progress(1.0, "Done")
    return report


def _donor_money(
    session: Session,
    report: Report,
    principal: Principal,
    donor_id: int,
    projects: pd.DataFrame,
    by_area: pd.DataFrame,
) -> None:
    cov = area_coverage(session, principal=principal, filters=PortfolioFilters(donor_id=donor_id))
    own = projects.set_index("id")["donor_amount"]
    once = cov.drop_duplicates(["project_id", "country_code"])
    once = once.assign(money=once["project_id"].map(own).fillna(0.0) * once["share"] / 100)
    by_country = once.groupby(["country", "country_numeric"], as_index=False).agg(
        money=("money", "sum"), projects=("project_id", "nunique")
    )
    report.add(Heading("Money by country and priority area"))
    if by_country.empty:
        report.add(Paragraph("No money to show.", "note"))
        return
    world = charts.choropleth(by_country, title="Contribution by recipient country (USD)")
    report.add(Figure(report_charts.png(world, width=620), "Contribution by recipient country"))
    ranked = by_country.sort_values("money", ascending=False)
    report.add(
        Table(
            ("Country", "Contribution (USD)", "Projects"),
            [[str(r.country), number(r.money, digits=0), str(r.projects)] for r in records(ranked)],
        )
    )
    if not by_area.empty:
        bars = charts.money_bars(by_area.head(15), category="area", title="By priority area")
        report.add(
            Figure(report_charts.png(bars, width=420), "Contribution by priority area", width_cm=13)
        )


def _off_track(
    session: Session,
    report: Report,
    principal: Principal,
    warnings: pd.DataFrame,
    projects: pd.DataFrame,
    span: PeriodSpan,
) -> None:
    report.add(Heading("Off track or at risk, and why"))
    if warnings.empty:
        report.add(Paragraph("No funded indicator is off track or at risk.", "note"))
        return
    ids = projects.set_index("code")["id"]
    flagged = [c for c in dict.fromkeys(warnings["project"]) if c in ids.index]
    narratives = approved_narratives(
        session, principal=principal, project_ids=[int(ids[c]) for c in flagged]
    )
    labels = periods_in_span(
        session,
        project_ids=select(Project.id).where(Project.id.in_([int(ids[c]) for c in flagged])),
        start=span.start,
        end=span.end,
    )
    report.add(
        Paragraph(
            f"Per project, how many indicators are off track or at risk and the {WORST} furthest "
            "behind (progress against the progress expected by now).",
            "caption",
        ),
        Table(
            ("Project", "Off track", "At risk", "Furthest behind"),
            [_flag_row(code, warnings[warnings["project"] == code]) for code in flagged],
        ),
        Heading("Why, in the projects' approved narratives", 2),
    )
    periods: dict[int, set[str]] = {}
    for pid, label in zip(labels["project_id"], labels["label"], strict=True):
        periods.setdefault(int(pid), set()).add(str(label))
    latest: dict[int, NarrativeView] = {}
    for (pid, _), view in sorted(narratives.items(), key=lambda kv: kv[1].period):
        if view.period in periods.get(pid, set()) and (view.challenges or view.assumptions_risks):
            latest[pid] = view
    explained = 0
    for code in flagged:
        found = latest.get(int(ids[code]))
        if found is None:
            continue
        explained += 1
        report.add(Heading(f"{code} ({found.period})", 3))
        for body in (found.challenges, found.assumptions_risks):
            if body:
                report.add(Paragraph(body))
    if explained < len(flagged):
        report.add(
            Paragraph(
                f"{len(flagged) - explained} of {len(flagged)} projects have no approved "
                f"narrative for {span.label} that explains this yet.",
                "note",
            )
        )


def _flag_row(code: str, rows: pd.DataFrame) -> list[str]:
    gap = rows["progress"].fillna(0) - rows["expected_progress"].fillna(0)
    worst = rows.assign(gap=gap, off=rows["status"] != "off_track").sort_values(["off", "gap"])
    named = "; ".join(
        f"{r.code} {STATUS_LABELS.get(str(r.status), '')} ({percent(r.progress)} of "
        f"{percent(r.expected_progress)} expected)"
        for r in records(worst.head(WORST))
    )
    more = len(rows) - WORST
    return [
        code,
        str(int((rows["status"] == "off_track").sum())),
        str(int((rows["status"] == "at_risk").sum())),
        named + (f"; and {more} more" if more > 0 else ""),
    ]


def _country_scope(principal: Principal, country_code: str) -> None:
    """A State focal point's own account reads only their own country's report."""
    if not principal.has_role(Role.STATE_FOCAL_POINT) or principal.has_role(
        Role.ADMIN, Role.MANAGER, Role.EVALUATOR, Role.OFFICER, Role.DONOR
    ):
        return
    own = {g.country_code for g in principal.grants_for(Role.STATE_FOCAL_POINT)}
    if country_code not in own and None not in own:
        raise PermissionDenied(
            "{name} may only read their own country's report.", name=principal.name
        )


def country_report(
    session: Session,
    *,
    principal: Principal,
    country_code: str,
    period: str,
    progress: Progress = no_progress,
    today: date | None = None,
) -> Report:
    """The recipient-State report of `country_code`, judged at the end of `period`."""
    span = period_span(period)
    code = country_code.strip().upper()
    _country_scope(principal, code)
    progress(0.05, "Reading the assistance in the country")
    view = country_view(session, principal=principal, country_code=code, as_of=span.end)
    ids = filtered_ids(principal, PortfolioFilters(country=code))
    needs = needs_for_country(session, principal=principal, country_code=code)
    recs = open_recommendations(session, principal=principal, country_code=code)
    report = Report(
        cover=make_cover(
            title="Recipient-State report",
            subtitle=view.name,
            principal=principal,
            lines=[f"Period {span.label}: figures as at {span.end:%d %B %Y}"],
            notes=_lock_notes(session, ids, span),
            today=today,
        ),
        name=f"country-report-{code}-{span.label}",
    )
    p = view.projects
    providers = sorted(set(p["provider"])) if not p.empty else []
    report.add(
        Heading("Summary"),
        Facts(
            [
                ("Projects", str(len(p))),
                ("Providers", ", ".join(providers) or "—"),
                ("Money in the country", money(float(p["money_in_country"].sum()))),
                ("Needs identified", str(len(needs))),
                (
                    "Funding gap of the needs",
                    money(float(needs["gap"].fillna(0).sum())) if not needs.empty else "—",
                ),
            ]
        ),
        Heading("Indicators by status", 2),
        Facts(_status_totals(p)),
    )
    progress(0.4, "Listing the projects and outcomes")
    report.add(
        Heading("Assistance in the country"),
        Table(
            ("Project", "Title", "Provider", "Donors", "Share %", "Money in country"),
            [
                [
                    str(r["code"]),
                    str(r["title"]),
                    str(r["provider"]),
                    str(r["donors"]),
                    number(r["share"]),
                    number(r["money_in_country"], digits=0),
                ]
                for _, r in p.iterrows()
            ],
            empty="No project you can see works in this country.",
        ),
    )
    if not view.coverage.empty:
        by_area = pd.DataFrame(view.coverage.groupby("area", as_index=False)["money"].sum())
        bars = charts.money_bars(by_area, category="area", title="Money by priority area")
        report.add(
            Figure(report_charts.png(bars, width=420), "Money by priority area", width_cm=13)
        )
    report.add(
        Heading("Outcomes and impact measured here"),
        Table(
            ("Project", "Indicator", "Title", "Scope", "Baseline", "Target", "To date", "Status"),
            [
                [
                    str(r.project),
                    str(r.code),
                    str(r.title),
                    str(r.scope),
                    number(r.baseline),
                    number(r.target_value),
                    number(r.actual),
                    STATUS_LABELS.get(str(r.status), "—"),
                ]
                for r in records(view.outcomes)
            ],
            empty="No outcome indicator is measured here.",
        ),
    )
    progress(0.7, "Comparing needs and coverage")
    report.add(
        Heading("Needs, coverage and funding gaps"),
        Table(
            (
                "Area",
                "Need",
                "Priority",
                "Coverage",
                "Projects",
                "Estimated cost",
                "Funding",
                "Gap",
            ),
            [
                [
                    str(r.area),
                    str(r.description),
                    str(getattr(r.priority, "value", r.priority)),
                    str(r.coverage),
                    str(r.projects),
                    number(r.estimated_cost, digits=0),
                    number(r.funding, digits=0),
                    number(r.gap, digits=0),
                ]
                for r in records(needs)
            ],
            empty="No need from the self-assessment that you can see.",
        ),
        Heading("Providers working on the same area at the same time", 2),
        Table(
            ("Area", "Project", "Provider", "Project", "Provider", "From", "To"),
            [
                [
                    str(r.area),
                    str(r.code_a),
                    str(r.provider_a),
                    str(r.code_b),
                    str(r.provider_b),
                    day(r.overlap_from, "%b %Y"),
                    day(r.overlap_to, "%b %Y"),
                ]
                for r in records(view.overlaps)
            ],
            empty="No overlap.",
        ),
        Heading("Open recommendations from evaluations"),
        Table(
            ("Evaluation", "No.", "Recommendation", "State"),
            [[str(r.evaluation), str(r.number), str(r.text), str(r.state)] for r in records(recs)],
            empty="No recommendation is open.",
        ),
    )
    progress(1.0, "Done")
    return report
