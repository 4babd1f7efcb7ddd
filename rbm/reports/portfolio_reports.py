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
from rbm.i18n import _, format_amounts, format_percent
from rbm.models import Project
from rbm.models.enums import Priority, Role, label
from rbm.principal import Principal
from rbm.queries.coordination import area_coverage
from rbm.queries.country import country_view
from rbm.queries.donor import donor_view
from rbm.queries.evaluations import open_recommendations
from rbm.queries.narratives import NarrativeView, approved_narratives
from rbm.queries.needs import needs_for_country
from rbm.queries.portfolio import PortfolioFilters, filtered_ids, other_currencies
from rbm.queries.reports import periods_in_span
from rbm.reports import charts as report_charts
from rbm.reports.common import PeriodSpan, make_cover, period_span, state_label
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
from rbm.ui.palette import STATUS_LABELS, other_currencies_text

STATUS_KEYS = list(STATUS_LABELS)
#: Indicators named per flagged project in the donor report (the rest are counted).
WORST = 3


def _lock_notes(session: Session, ids: Select[Any], span: PeriodSpan) -> list[str]:
    periods = periods_in_span(session, project_ids=ids, start=span.start, end=span.end)
    if periods.empty:
        return [_("No project has a reporting period ending in {period}.", period=span.label)]
    open_ = periods[~periods["locked"]]
    if open_.empty:
        return []
    n = open_["project_id"].nunique()
    return [
        _(
            "{n} of {total} projects have a reporting period ending in {period} that is not "
            "locked: their figures may still change.",
            n=n,
            total=periods["project_id"].nunique(),
            period=span.label,
        )
    ]


def _figures_as_at(span: PeriodSpan) -> str:
    return _(
        "Period {period}: figures as at {day}",
        period=span.label,
        day=day(span.end, "%d %B %Y"),
    )


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
    progress(0.05, _("Reading the donor's portfolio"))
    view = donor_view(session, principal=principal, donor_id=donor_id, as_of=span.end)
    ids = filtered_ids(principal, PortfolioFilters(donor_id=donor_id))
    notes = _lock_notes(session, ids, span)
    report = Report(
        cover=make_cover(
            title=_("Donor portfolio report"),
            subtitle=view.name,
            principal=principal,
            lines=[_figures_as_at(span)],
            notes=notes,
            today=today,
        ),
        name=f"donor-report-{donor_id}-{span.label}",
    )
    p = view.projects
    report.add(
        Heading(_("Summary")),
        Facts(
            [
                (_("Funded projects"), str(len(p))),
                (_("Contribution"), money(float(p["donor_amount"].sum()))),
                (_("Recipient countries"), str(len(view.by_country))),
                (
                    _("Projects with indicators off track or at risk"),
                    str(view.warnings["project"].nunique()),
                ),
            ]
        ),
        Heading(_("Indicators by status"), 2),
        Facts(_status_totals(p)),
    )
    if p.empty:
        report.add(Paragraph(_("This donor funds no project you can see."), "note"))
    _other_currencies(report, session, principal, PortfolioFilters(donor_id=donor_id))
    progress(0.3, _("Drawing the map and the money"))
    _donor_money(session, report, principal, donor_id, p, view.by_area)
    progress(0.6, _("Listing the projects and results"))
    report.add(
        Heading(_("Funded projects")),
        Table(
            (
                _("Project"),
                _("Title"),
                _("Provider"),
                _("Countries"),
                _("Contribution"),
                *STATUS_LABELS.values(),
            ),
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
            empty=_("No funded project."),
        ),
        Heading(_("Results on library indicators")),
        Paragraph(
            _(
                "Rolled up by the engine's rules: only indicators linked to the same library "
                "indicator with the same unit; percentages pooled from numerators and "
                "denominators."
            ),
            "caption",
        ),
        Table(
            (
                _("Library indicator"),
                _("Unit"),
                _("Rule"),
                _("Projects"),
                _("Total"),
                _("Percentage"),
                _("Note"),
            ),
            [
                [
                    f"{r.library_code} {r.library_title}",
                    str(r.unit or ""),
                    str(r.aggregation),
                    str(r.n_projects),
                    number(r.total),
                    format_percent(r.percentage),
                    "" if pd.isna(r.refused_reason) else str(r.refused_reason),
                ]
                for r in records(view.results)
            ],
            empty=_("No funded indicator is linked to a library indicator."),
        ),
    )
    progress(0.8, _("Explaining what is off track"))
    _off_track(session, report, principal, view.warnings, p, span)
    progress(1.0, _("Done"))
    return report


def _other_currencies(
    report: Report, session: Session, principal: Principal, filters: PortfolioFilters
) -> None:
    """The note of funding left out of the report's dollar figures, where there is some."""
    others = other_currencies(session, principal=principal, filters=filters)
    if not others.empty:
        report.add(Paragraph(other_currencies_text(others), "note"))


def _gaps(needs: pd.DataFrame) -> str:
    """The needs' funding gap per currency (needs are costed in their own currencies, which
    are never added), the largest first; "—" without needs."""
    gaps = needs.groupby("currency")["gap"].sum().sort_values(ascending=False)
    return format_amounts([(str(c), float(g)) for c, g in gaps.items()])


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
    report.add(Heading(_("Money by country and priority area")))
    if by_country.empty:
        report.add(Paragraph(_("No money to show."), "note"))
        return
    world = charts.choropleth(by_country, title=_("Contribution by recipient country (USD)"))
    report.add(Figure(report_charts.png(world, width=620), _("Contribution by recipient country")))
    ranked = by_country.sort_values("money", ascending=False)
    report.add(
        Table(
            (_("Country"), _("Contribution (USD)"), _("Projects")),
            [[str(r.country), number(r.money, digits=0), str(r.projects)] for r in records(ranked)],
        )
    )
    if not by_area.empty:
        bars = charts.money_bars(by_area.head(15), category="area", title=_("By priority area"))
        by_area_caption = _("Contribution by priority area")
        report.add(Figure(report_charts.png(bars, width=420), by_area_caption, width_cm=13))


def _off_track(
    session: Session,
    report: Report,
    principal: Principal,
    warnings: pd.DataFrame,
    projects: pd.DataFrame,
    span: PeriodSpan,
) -> None:
    report.add(Heading(_("Off track or at risk, and why")))
    if warnings.empty:
        report.add(Paragraph(_("No funded indicator is off track or at risk."), "note"))
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
            _(
                "Per project, how many indicators are off track or at risk and the {n} furthest "
                "behind (progress against the progress expected by now).",
                n=WORST,
            ),
            "caption",
        ),
        Table(
            (_("Project"), _("Off track"), _("At risk"), _("Furthest behind")),
            [_flag_row(code, warnings[warnings["project"] == code]) for code in flagged],
        ),
        Heading(_("Why, in the projects' approved narratives"), 2),
    )
    periods: dict[int, set[str]] = {}
    for pid, period_label in zip(labels["project_id"], labels["label"], strict=True):
        periods.setdefault(int(pid), set()).add(str(period_label))
    latest: dict[int, NarrativeView] = {}
    for (pid, _period), view in sorted(narratives.items(), key=lambda kv: kv[1].period):
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
                _(
                    "{n} of {total} projects have no approved narrative for {period} that "
                    "explains this yet.",
                    n=len(flagged) - explained,
                    total=len(flagged),
                    period=span.label,
                ),
                "note",
            )
        )


def _flag_row(code: str, rows: pd.DataFrame) -> list[str]:
    gap = rows["progress"].fillna(0) - rows["expected_progress"].fillna(0)
    worst = rows.assign(gap=gap, off=rows["status"] != "off_track").sort_values(["off", "gap"])
    named = "; ".join(
        _(
            "{code} {status} ({progress} of {expected} expected)",
            code=r.code,
            status=STATUS_LABELS.get(str(r.status), ""),
            progress=percent(r.progress),
            expected=percent(r.expected_progress),
        )
        for r in records(worst.head(WORST))
    )
    more = len(rows) - WORST
    return [
        code,
        str(int((rows["status"] == "off_track").sum())),
        str(int((rows["status"] == "at_risk").sum())),
        named + (_("; and {n} more", n=more) if more > 0 else ""),
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
    progress(0.05, _("Reading the assistance in the country"))
    view = country_view(session, principal=principal, country_code=code, as_of=span.end)
    ids = filtered_ids(principal, PortfolioFilters(country=code))
    needs = needs_for_country(session, principal=principal, country_code=code)
    recs = open_recommendations(session, principal=principal, country_code=code)
    report = Report(
        cover=make_cover(
            title=_("Recipient-State report"),
            subtitle=view.name,
            principal=principal,
            lines=[_figures_as_at(span)],
            notes=_lock_notes(session, ids, span),
            today=today,
        ),
        name=f"country-report-{code}-{span.label}",
    )
    p = view.projects
    providers = sorted(set(p["provider"])) if not p.empty else []
    report.add(
        Heading(_("Summary")),
        Facts(
            [
                (_("Projects"), str(len(p))),
                (_("Providers"), ", ".join(providers) or "—"),
                (_("Money in the country"), money(float(p["money_in_country"].sum()))),
                (_("Needs identified"), str(len(needs))),
                (_("Funding gap of the needs"), _gaps(needs)),
            ]
        ),
    )
    _other_currencies(report, session, principal, PortfolioFilters(country=code))
    report.add(
        Heading(_("Indicators by status"), 2),
        Facts(_status_totals(p)),
    )
    progress(0.4, _("Listing the projects and outcomes"))
    report.add(
        Heading(_("Assistance in the country")),
        Table(
            (
                _("Project"),
                _("Title"),
                _("Provider"),
                _("Donors"),
                _("Share %"),
                _("Money in country"),
            ),
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
            empty=_("No project you can see works in this country."),
        ),
    )
    if not view.coverage.empty:
        by_area = pd.DataFrame(view.coverage.groupby("area", as_index=False)["money"].sum())
        money_by_area = _("Money by priority area")
        bars = charts.money_bars(by_area, category="area", title=money_by_area)
        report.add(Figure(report_charts.png(bars, width=420), money_by_area, width_cm=13))
    report.add(
        Heading(_("Outcomes and impact measured here")),
        Table(
            (
                _("Project"),
                _("Indicator"),
                _("Title"),
                _("Scope"),
                _("Baseline"),
                _("Target"),
                _("To date"),
                _("Status"),
            ),
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
            empty=_("No outcome indicator is measured here."),
        ),
    )
    progress(0.7, _("Comparing needs and coverage"))
    report.add(
        Heading(_("Needs, coverage and funding gaps")),
        Table(
            (
                _("Area"),
                _("Need"),
                _("Priority"),
                _("Coverage"),
                _("Projects"),
                _("Estimated cost"),
                _("Funding"),
                _("Gap"),
            ),
            [
                [
                    str(r.area),
                    str(r.description),
                    label(str(getattr(r.priority, "value", r.priority)), Priority),
                    str(r.coverage),
                    str(r.projects),
                    number(r.estimated_cost, digits=0),
                    number(r.funding, digits=0),
                    number(r.gap, digits=0),
                ]
                for r in records(needs)
            ],
            empty=_("No need from the self-assessment that you can see."),
        ),
        Heading(_("Providers working on the same area at the same time"), 2),
        Table(
            (
                _("Area"),
                _("Project"),
                _("Provider"),
                _("Project"),
                _("Provider"),
                _("From"),
                _("To"),
            ),
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
            empty=_("No overlap."),
        ),
        Heading(_("Open recommendations from evaluations")),
        Table(
            (_("Evaluation"), _("No."), _("Recommendation"), _("State")),
            [
                [str(r.evaluation), str(r.number), str(r.text), state_label(r.state)]
                for r in records(recs)
            ],
            empty=_("No recommendation is open."),
        ),
    )
    progress(1.0, _("Done"))
    return report
