"""Figures off the happy path, on SQLite and PostgreSQL: one project holding every case of the
"figures you can trust" rules, built through the services (periods, a second baseline and the
values an IATI import brings without numerator and denominator are written as the import
writes them), and every figure on the project, country, donor and portfolio pages' data, in
What's due and in the IPTT workbooks checked against values worked out by hand below.

The project SC-1 runs 2024-01-01 to 2025-12-31 with quarterly periods, plus an annual period
"2024" (it starts the same day as 2024-Q1, as in many IATI files) and a period 2026-Q1 after
the project. Looked at on 2025-01-25 with RBM_OVERDUE_GRACE_DAYS=20, its figures are judged at
2024-12-31 (the latest period ended); a straight-line plan expects 365 / 730 = 0.5 there.

Per indicator (case numbers of the issue in brackets), with the figures worked by hand:

* A 1.a count, incremental, baseline 500, target 200 [1, 2, 5, 8, 10]: Q1-Q4 10, 20, 30, 40,
  the annual 150 set aside, 2025-Q1 25 not ended -> to date 100, progress 0.5, on track.
* B 1.b percentage, level, 20 -> 60 [3]: Q3 30 and Q4 40 as values only -> 40, 0.5, on track.
* C 1.c number, level, baselines 10 (2023) and 30 (dated 2022-06-30), target 80 [4, 9]: Q4 55;
  an annual 70 submitted, its period then locked -> 55, (55 - 30) / 50 = 0.5, on track.
* D 1.d count, cumulative, 0 -> 100: Q1 20, Q2 40, Q3 36 (drops) -> 36, 0.36, at risk.
* E 1.e count, incremental, 0 -> 100, milestones Q1 10, Q2 20 [6, 7]: Q1-Q4 10, 20, 15, 10 and
  5 in 2026-Q1 (outside) -> 55, 0.55; expected 0.30 + 0.70 x 184 / 549 = 0.5346, on track.
* F 1.f percentage, incremental, 0 -> 50: Q1 3 of 10, Q2 0 of 0 -> 30 %, 0.6, on track.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from rbm.db import Database
from rbm.errors import ValidationFailed
from rbm.exchange.iptt_workbook import iptt_excel
from rbm.exchange.tables import iptt_workbook
from rbm.models import Baseline, Measurement, ReportingPeriod
from rbm.models.enums import Accumulation, Measure, MeasurementStatus, Role, ScopeType
from rbm.principal import Principal
from rbm.queries import portfolio, workflow
from rbm.queries.country import country_view
from rbm.queries.donor import donor_view
from rbm.queries.iptt import LOP, iptt, trajectory
from rbm.queries.project import project_view
from rbm.services import logframe, measurements, periods
from rbm.settings import get_settings
from tests.utils.builders import LogframeBuilder, log_approved, make_user

AS_OF = date(2025, 1, 25)
JUDGED = date(2024, 12, 31)
CODE = "SC-1"


def _period(session, project_id: int, label: str, start: date, end: date) -> int:
    period = ReportingPeriod(project_id=project_id, label=label, start_date=start, end_date=end)
    session.add(period)
    session.flush()
    return period.id


def _imported(session, *, indicator_id: int, period_id: int, by: Principal, **values) -> None:
    """An approved value as the IATI import writes it (it may lack numerator and
    denominator, or carry a zero denominator, which hand entry refuses)."""
    session.add(
        Measurement(
            indicator_id=indicator_id,
            reporting_period_id=period_id,
            status=MeasurementStatus.APPROVED,
            created_by_id=by.user_id,
            **{k: Decimal(str(v)) for k, v in values.items()},
        )
    )
    session.flush()


def build(db: Database) -> dict:
    with db.write() as session:
        admin = make_user(session, Role.ADMIN)
        built = (
            LogframeBuilder(code=CODE)
            .with_indicator("1.a", baseline=500, target=200)
            .with_indicator(
                "1.b",
                measure=Measure.PERCENTAGE,
                accumulation=Accumulation.LEVEL,
                baseline=20,
                target=60,
            )
            .with_indicator("1.c", accumulation=Accumulation.LEVEL, baseline=10, target=80)
            .with_indicator("1.d", accumulation=Accumulation.CUMULATIVE, baseline=0, target=100)
            .with_indicator("1.e", baseline=0, target=100)
            .with_indicator("1.f", measure=Measure.PERCENTAGE, baseline=0, target=50)
            .build(session, admin)
        )
        scope = {"scope_type": ScopeType.PROJECT, "project_id": built.project_id}
        officer = make_user(session, Role.OFFICER, scope=scope)
        manager = make_user(session, Role.MANAGER, scope=scope)
        annual = _period(session, built.project_id, "2024", date(2024, 1, 1), date(2024, 12, 31))
        after = _period(session, built.project_id, "2026-Q1", date(2026, 1, 1), date(2026, 3, 31))
        ind, per = built.indicator_ids, built.period_ids
        # C: a second baseline recorded later but dated earlier: the reference (case 4).
        session.add(
            Baseline(
                indicator_id=ind["1.c"],
                value=Decimal(30),
                year=2022,
                baseline_date=date(2022, 6, 30),
            )
        )
        for quarter, target in (("2024-Q1", 10), ("2024-Q2", 20)):
            logframe.set_target(
                session,
                principal=admin,
                indicator_id=ind["1.e"],
                period_id=per[quarter],
                value=Decimal(target),
                reason="milestone",
            )

    def approved(code: str, period_id: int, **values: float) -> None:
        with db.write() as session:
            log_approved(
                session,
                officer=officer,
                manager=manager,
                indicator_id=ind[code],
                period_id=period_id,
                **values,
            )

    for label, value in zip(
        ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"], [10, 20, 30, 40], strict=True
    ):
        approved("1.a", per[label], value=value)
    approved("1.a", annual, value=150)
    approved("1.a", per["2025-Q1"], value=25)
    approved("1.c", per["2024-Q4"], value=55)
    for label, value in zip(["2024-Q1", "2024-Q2", "2024-Q3"], [20, 40, 36], strict=True):
        approved("1.d", per[label], value=value)
    for label, value in zip(
        ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"], [10, 20, 15, 10], strict=True
    ):
        approved("1.e", per[label], value=value)
    approved("1.e", after, value=5)
    approved("1.f", per["2024-Q1"], numerator=3, denominator=10)
    with db.write() as session:
        _imported(session, indicator_id=ind["1.b"], period_id=per["2024-Q3"], by=admin, value=30)
        _imported(session, indicator_id=ind["1.b"], period_id=per["2024-Q4"], by=admin, value=40)
        _imported(
            session,
            indicator_id=ind["1.f"],
            period_id=per["2024-Q2"],
            by=admin,
            numerator=0,
            denominator=0,
        )
        # C's annual value is submitted before the annual period is locked (case 9).
        draft = measurements.save_draft(
            session,
            principal=officer,
            indicator_id=ind["1.c"],
            period_id=annual,
            values=measurements.Values(value=Decimal(70)),
        )
        measurements.submit(session, principal=officer, measurement_id=draft.id)
        periods.lock_period(session, principal=manager, period_id=annual, reason="2024 closed")
        pending = draft.id
    return {
        "admin": admin,
        "officer": officer,
        "manager": manager,
        "built": built,
        "pending": pending,
    }


@pytest.fixture
def grace_20(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RBM_OVERDUE_GRACE_DAYS", "20")
    get_settings.cache_clear()


# Hand-worked figures (see the module docstring).
TO_DATE = {"1.a": 100, "1.b": 40, "1.c": 55, "1.d": 36, "1.e": 55, "1.f": 30}
PROGRESS = {"1.a": 0.5, "1.b": 0.5, "1.c": 0.5, "1.d": 0.36, "1.e": 0.55, "1.f": 0.6}
EXPECTED = {
    "1.a": 0.5,
    "1.b": 0.5,
    "1.c": 0.5,
    "1.d": 0.5,
    "1.e": (30 + 70 * 184 / 549) / 100,
    "1.f": 0.5,
}
STATUS = {c: "on_track" for c in TO_DATE} | {"1.d": "at_risk"}
RULES = {
    "1.a": "sum of periods",
    "1.b": "latest period (values without numerator and denominator)",
    "1.c": "latest period",
    "1.d": "latest period",
    "1.e": "sum of periods",
    "1.f": "pooled ratio",
}
STORED_FLAGS = {
    "1.a": "overlapping_period",
    "1.b": "missing_denominator",
    "1.c": "",
    "1.d": "cumulative_decrease",
    "1.e": "outside_project",
    "1.f": "zero_denominator",
}
# Overdue on 2025-01-25 with 20 days' grace (periods ended before 2025-01-05; the locked annual
# period is not overdue): B Q1, Q2; C Q1, Q2, Q3; D Q4; F Q3, Q4.
OVERDUE = {"1.b": 2, "1.c": 3, "1.d": 1, "1.f": 2}


def test_every_figure_of_a_project_off_the_happy_path_matches_the_hand_worked_values(
    db: Database, grace_20: None
) -> None:
    world = build(db)
    admin, officer = world["admin"], world["officer"]
    with db.read() as session:
        view = project_view(session, principal=admin, code=CODE, as_of=AS_OF)
        long = iptt(session, principal=admin, code=CODE, as_of=AS_OF)
        home = portfolio.home(session, principal=admin, as_of=AS_OF)
        country = country_view(session, principal=admin, country_code="HN", as_of=AS_OF)
        donor = donor_view(session, principal=admin, donor_id=world["built"].donor_id, as_of=AS_OF)
        due = workflow.due(session, principal=officer, today=AS_OF)
        workbook = iptt_workbook(session, principal=admin, project_codes=[CODE], as_of=AS_OF)

    # --- project page -----------------------------------------------------------------------
    figures = view.indicators.set_index("code")
    for code, value in TO_DATE.items():
        row = figures.loc[code]
        assert row["to_date"] == pytest.approx(value), code
        assert row["actual"] == pytest.approx(value), code  # one "to date" (case 5)
        assert row["progress"] == pytest.approx(PROGRESS[code]), code
        assert row["expected_progress"] == pytest.approx(EXPECTED[code]), code
        assert row["status"] == STATUS[code], code
        assert row["to_date_rule"] == RULES[code], code
        assert row["flags"] == STORED_FLAGS[code], code
    assert figures.loc["1.c", "baseline"] == 30  # the earliest-dated baseline (case 4)
    assert figures.loc["1.a", "baseline"] == 500  # shown, not added (case 8)
    assert view.judged_at == JUDGED  # said on the page next to the figures (case 10)
    flags = view.flags
    overdue = flags[flags["flag"] == "overdue_report"].groupby("code").size().to_dict()
    assert overdue == OVERDUE
    standing = flags[flags["flag"] != "overdue_report"]
    assert sorted(set(zip(standing["code"], standing["flag"], strict=True))) == sorted(
        (c, f) for c, f in STORED_FLAGS.items() if f
    )
    assert flags["reason"].notna().all()

    # --- IPTT on the page: values joined by period id (case 1) ---------------------------------
    a = long[long["code"] == "1.a"].set_index("period")
    assert a.loc["2024-Q1", "actual"] == 10
    assert a.loc["2024", "actual"] == 150  # the annual row holds only the annual value
    assert a.loc["2025-Q1", "actual"] == 25  # shown, not yet counted (case 10)
    assert a.loc[LOP, "actual"] == 100
    assert a.loc[LOP, "achieved_pct"] == pytest.approx(50)
    b = long[long["code"] == "1.b"].set_index("period")
    assert b.loc["2024-Q4", "actual"] == 40  # a value-only percentage is shown and counted
    # The trend of an incremental count runs from 0 (its target is new results), not from 500.
    points = trajectory(long, code="1.a")
    actual_line = points[points["series"] == "Actual"]["value"].tolist()
    assert actual_line[:4] == [10, 30, 60, 100]
    target_line = points[points["series"] == "Target"]["value"].tolist()
    assert target_line == [0, 200]
    e = long[long["code"] == "1.e"].set_index("period")
    assert e.loc["2024-Q2", "target"] == 20
    assert pd.isna(e.loc["2024", "target"])
    f = long[long["code"] == "1.f"].set_index("period")
    assert f.loc["2024-Q1", "actual"] == pytest.approx(30)
    excel = load_workbook(
        BytesIO(iptt_excel(long, title="IPTT", flags=view.flags, judged_at=view.judged_at))
    )
    sheet = excel["IPTT"]
    header = [c.value for c in sheet[2]]
    lop_actual = header.index(LOP) + 1  # the LOP block: target, actual, % achieved
    rows = {r[1].value: r for r in sheet.iter_rows(min_row=4, max_row=9)}
    assert rows["1.a"][lop_actual].value == 100
    assert rows["1.a"][lop_actual].number_format == "#,##0"
    assert rows["1.b"][lop_actual].value == 40
    assert rows["1.b"][lop_actual].number_format == "0.0"
    notes = [r[0].value for r in sheet.iter_rows(min_row=10) if r[0].value]
    assert any("judged at 31 Dec 2024" in str(n) for n in notes)
    quality = excel["Data quality"]
    assert quality.max_row - 1 == len(view.flags)

    # --- the IPTT workbook export: the same to-date figure, joined by period id ---------------
    table = pd.read_excel(BytesIO(workbook), sheet_name=CODE).set_index("Indicator")
    for code, value in TO_DATE.items():
        assert table.loc[code, "To date"] == pytest.approx(value), code
        assert table.loc[code, "Status"] == STATUS[code], code
    assert table.loc["1.a", "2024 actual"] == 150
    assert table.loc["1.a", "2024-Q1 actual"] == 10
    assert table.loc["1.b", "2024-Q3 actual"] == 30
    assert table.loc["1.a", "Data-quality flags"] == "overlapping_period"
    assert str(table.loc["1.a", "Judged at"])[:10] == "2024-12-31"

    # --- portfolio, country and donor pages --------------------------------------------------
    for projects in (home.table, country.projects, donor.projects):
        row = projects.set_index("code").loc[CODE]
        assert row["on_track"] == 5
        assert row["at_risk"] == 1
        assert row["overdue_reports"] == sum(OVERDUE.values())
        assert row["quality_flags"] == 5
    warnings = home.warnings.set_index("code")
    assert warnings.loc[CODE, "overdue_reports"] == sum(OVERDUE.values())
    outcomes = country.outcomes.set_index("code")
    assert outcomes.loc["1.a", "actual"] == 100
    assert str(outcomes.loc["1.a", "judged_at"])[:10] == "2024-12-31"
    assert donor.warnings["code"].tolist() == ["1.d"]

    # --- What's due: the same overdue count by the same rule (case 11) ---------------------
    mine = due[due["project"] == CODE]
    assert int(mine["overdue"].sum()) == sum(OVERDUE.values())
    assert "2024" not in set(mine["period"])  # the locked period takes no value


def test_the_grace_setting_changes_the_overdue_count_everywhere(db: Database) -> None:
    """With the default 30 days, 2024-Q4 (ended 31 Dec) is not yet overdue on 25 Jan 2025:
    D's Q4 and F's Q4 drop out (8 - 2 = 6)."""
    world = build(db)
    with db.read() as session:
        home = portfolio.home(session, principal=world["admin"], as_of=AS_OF)
        due = workflow.due(session, principal=world["officer"], today=AS_OF)
    assert home.table.set_index("code").loc[CODE, "overdue_reports"] == 6
    assert int(due["overdue"].sum()) == 6


def test_a_value_submitted_before_its_period_was_locked_cannot_be_approved_after(
    db: Database,
) -> None:
    world = build(db)
    with db.write() as session, pytest.raises(ValidationFailed, match="locked"):
        measurements.approve(session, principal=world["manager"], measurement_id=world["pending"])
    with db.write() as session:
        annual = session.scalar(select(ReportingPeriod.id).where(ReportingPeriod.label == "2024"))
        periods.unlock_period(
            session, principal=world["manager"], period_id=annual, reason="late 2024 figure"
        )
        measurements.approve(session, principal=world["manager"], measurement_id=world["pending"])
    with db.read() as session:
        view = project_view(session, principal=world["admin"], code=CODE, as_of=AS_OF)
    # Approved after the unlock, C's annual 70 overlaps its finer 2024-Q4 value: the quarter
    # counts and the annual value is a cross-check, flagged.
    row = view.indicators.set_index("code").loc["1.c"]
    assert row["to_date"] == 55
    assert row["flags"] == "overlapping_period"
