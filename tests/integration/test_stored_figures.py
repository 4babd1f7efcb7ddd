"""The stored indicator figures stay equal to a fresh computation through every write, and the
pages' summary is the same whether it reads them or the measurements."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from indicators.figures import FIGURE_COLUMNS, figures
from rbm.db import Database
from rbm.errors import ValidationFailed
from rbm.frames import engine
from rbm.models import IndicatorFigure, Project
from rbm.models.enums import Accumulation, Measure, Role
from rbm.principal import Principal
from rbm.queries import indicator_status
from rbm.services import measurements
from tests.utils.builders import BuiltProject, LogframeBuilder, log_approved, make_user


def stored_and_fresh(session: Session) -> tuple[pd.DataFrame, pd.DataFrame]:
    every = select(Project.id)
    inds = engine.indicator_frame(session, every, with_figures=True)
    values = engine.measurement_frame(session, every)
    fresh = figures(inds[engine.ENGINE_INDICATOR_COLUMNS], values, validate=False)
    stored = inds[FIGURE_COLUMNS]
    order = ["indicator_id"]
    return (
        stored.sort_values(order, ignore_index=True),
        fresh.sort_values(order, ignore_index=True),
    )


def assert_figures_true(db: Database) -> None:
    with db.read() as session:
        stored, fresh = stored_and_fresh(session)
    pd.testing.assert_frame_equal(stored, fresh, check_dtype=False, rtol=1e-12)


@pytest.fixture
def setup(db: Database) -> tuple[Principal, Principal, Principal, BuiltProject]:
    with db.write() as session:
        admin = make_user(session, Role.ADMIN)
        officer = make_user(session, Role.OFFICER)
        manager = make_user(session, Role.MANAGER)
        built = (
            LogframeBuilder(code=f"FIG-{id(session)}")
            .with_indicator("count")
            .with_indicator("rate", measure=Measure.PERCENTAGE, accumulation=Accumulation.LEVEL)
            .with_indicator("total", accumulation=Accumulation.CUMULATIVE, baseline=None)
            .build(session, admin)
        )
    return admin, officer, manager, built


def test_every_write_keeps_the_figures_true(
    db: Database, setup: tuple[Principal, Principal, Principal, BuiltProject]
) -> None:
    _admin, officer, manager, built = setup
    count, rate = built.indicator_ids["count"], built.indicator_ids["rate"]
    periods = sorted(built.period_ids.values())
    assert_figures_true(db)  # indicators without values have rows too
    with db.write() as session:
        first = log_approved(
            session,
            officer=officer,
            manager=manager,
            indicator_id=count,
            period_id=periods[0],
            value=10,
        )
        log_approved(
            session,
            officer=officer,
            manager=manager,
            indicator_id=count,
            period_id=periods[1],
            value=15,
        )
        log_approved(
            session,
            officer=officer,
            manager=manager,
            indicator_id=rate,
            period_id=periods[0],
            numerator=3,
            denominator=4,
        )
    assert_figures_true(db)
    with db.read() as session:
        row = session.get(IndicatorFigure, count)
        assert row is not None and (row.n_values, row.total) == (2, 25.0)
    # A correction: the draft revision does not count until it is approved, then replaces 10.
    with db.write() as session:
        draft = measurements.save_draft(
            session,
            principal=officer,
            indicator_id=count,
            period_id=periods[0],
            values=measurements.Values(value=Decimal("12")),
        )
        assert draft.id != first
    with db.read() as session:
        assert session.get(IndicatorFigure, count).total == 25.0  # type: ignore[union-attr]
    with db.write() as session:
        measurements.submit(session, principal=officer, measurement_id=draft.id)
        measurements.approve(session, principal=manager, measurement_id=draft.id)
    assert_figures_true(db)
    with db.read() as session:
        assert session.get(IndicatorFigure, count).total == 27.0  # type: ignore[union-attr]


def test_a_rolled_back_write_leaves_the_figures_alone(
    db: Database, setup: tuple[Principal, Principal, Principal, BuiltProject]
) -> None:
    _admin, officer, manager, built = setup
    count = built.indicator_ids["count"]
    period = min(built.period_ids.values())
    with pytest.raises(ValidationFailed), db.write() as session:
        log_approved(
            session,
            officer=officer,
            manager=manager,
            indicator_id=count,
            period_id=period,
            value=7,
        )
        raise ValidationFailed("changed my mind")
    assert_figures_true(db)
    with db.read() as session:
        assert session.get(IndicatorFigure, count).n_values == 0  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "as_of",
    [
        pytest.param(date(2025, 6, 30), id="figures answer"),
        pytest.param(date(2024, 10, 15), id="figures count later periods"),
        # Five reports after the cutoff: more than the four end dates a figure keeps.
        pytest.param(date(2024, 2, 1), id="more recent reports than kept dates"),
    ],
)
def test_the_summary_is_the_same_from_figures_and_from_measurements(
    db: Database, setup: tuple[Principal, Principal, Principal, BuiltProject], as_of: date
) -> None:
    admin, officer, manager, built = setup
    periods = sorted(built.period_ids.values())
    with db.write() as session:
        for n, period in enumerate(periods[:5]):
            for code, values in (
                ("count", {"value": 5 + n}),
                ("rate", {"numerator": n, "denominator": 10}),
                ("total", {"value": 20 * (n + 1)}),
            )[: 3 if n < 3 else 2]:  # the third is reported for the first three periods only
                log_approved(
                    session,
                    officer=officer,
                    manager=manager,
                    indicator_id=built.indicator_ids[code],
                    period_id=period,
                    **values,
                )
    projects = select(Project.id).where(Project.id == built.project_id)

    def both() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        with db.read() as session:
            overdue = indicator_status.overdue_reports(
                session, principal=admin, project_ids=projects, as_of=as_of
            )
            inputs = indicator_status.engine_inputs(
                session, principal=admin, project_ids=projects, as_of=as_of
            )
            summary = indicator_status.summary(inputs)
            forecasts = indicator_status.forecast_misses(inputs)
        return summary.sort_values("indicator_id", ignore_index=True), forecasts, overdue

    from_figures, misses, overdue = both()
    with db.write() as session:
        assert session.scalar(select(func.count()).select_from(IndicatorFigure)) > 0
        session.execute(delete(IndicatorFigure))
    from_values, misses_from_values, overdue_from_values = both()
    pd.testing.assert_frame_equal(overdue, overdue_from_values, check_dtype=False)
    # 2025: five periods ended by the cutoff (30 days before), the third indicator missing in two.
    assert overdue["overdue"].tolist() == ([2] if as_of.year == 2025 else [])
    expected = {
        date(2025, 6, 30): (5, date(2025, 6, 30)),
        date(2024, 10, 15): (3, date(2024, 9, 30)),
    }
    pd.testing.assert_frame_equal(from_figures, from_values)
    pd.testing.assert_frame_equal(
        misses.sort_values("indicator_id", ignore_index=True),
        misses_from_values.sort_values("indicator_id", ignore_index=True),
    )
    values, judged_at = expected.get(as_of, (0, date(2023, 12, 31)))
    counted = from_figures.set_index("indicator_id")["n_values"]
    assert counted[built.indicator_ids["count"]] == values
    assert (
        from_figures["latest_period_end"].fillna(pd.Timestamp(judged_at)) <= pd.Timestamp(judged_at)
    ).all()
