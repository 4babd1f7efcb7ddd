"""The Log results page: what is due, most urgent first; one value saved and submitted; a bad
spreadsheet refused with row-level reasons."""

from __future__ import annotations

from sqlalchemy import select

from rbm.db import Database
from rbm.models import Measurement
from rbm.models.enums import MeasurementStatus, Role, ScopeType
from rbm.principal import Principal
from tests.app.conftest import open_app, unescaped
from tests.utils.builders import BuiltProject, LogframeBuilder, make_user

PAGE = "rbm/ui/pages/log_results.py"


def _project(db: Database) -> tuple[BuiltProject, Principal]:
    with db.write() as session:
        admin = make_user(session, Role.ADMIN)
        built = LogframeBuilder(code="LR-1").with_indicator("1.a").build(session, admin)
        officer = make_user(
            session,
            Role.OFFICER,
            scope={"scope_type": ScopeType.PROJECT, "project_id": built.project_id},
        )
    return built, officer


def test_the_page_starts_with_the_most_overdue_period(app_db: Database) -> None:
    _built, officer = _project(app_db)
    at = open_app(officer, page=PAGE)
    assert not at.exception
    assert unescaped(at.title[0].value) == "Log results"
    first = at.selectbox(key="lr_pick")
    assert first.format_func(first.value).startswith("Overdue")
    assert "LR-1 1.a · 2024-Q1" in first.format_func(first.value)


def test_an_officer_submits_a_value_from_the_due_list(app_db: Database) -> None:
    built, officer = _project(app_db)
    at = open_app(officer, page=PAGE)
    key = f"lr_{built.indicator_ids['1.a']}_{built.period_ids['2024-Q1']}_v0_val"
    at.number_input(key=key).set_value(42.0).run()
    at.button(key="lr_Submit").click().run()
    assert not at.exception
    assert unescaped(at.success[0].value) == "Submitted for approval: LR-1 1.a · 2024-Q1 (42)."
    with app_db.read() as session:
        m = session.scalars(select(Measurement)).one()
    assert (float(m.value or 0), m.status) == (42.0, MeasurementStatus.SUBMITTED)


def _with_sex(db: Database, built: BuiltProject) -> list[int]:
    from rbm.models import DimensionValue, IndicatorDimension
    from rbm.services import reference

    with db.write() as session:
        admin = make_user(session, Role.ADMIN)
        sex = reference.create_dimension(
            session,
            principal=admin,
            code="sex",
            name="Sex",
            exhaustive=True,
            values=[("f", "Female"), ("m", "Male")],
        )
        session.add(
            IndicatorDimension(indicator_id=built.indicator_ids["1.a"], dimension_id=sex.id)
        )
        session.flush()
        return list(
            session.scalars(
                select(DimensionValue.id)
                .where(DimensionValue.dimension_id == sex.id)
                .order_by(DimensionValue.position)
            )
        )


def test_a_reopened_draft_keeps_its_breakdown_and_note_when_submitted(app_db: Database) -> None:
    from decimal import Decimal

    from rbm.models import MeasurementBreakdown
    from rbm.services import measurements

    built, officer = _project(app_db)
    female, male = _with_sex(app_db, built)
    with app_db.write() as session:
        measurements.save_draft(
            session,
            principal=officer,
            indicator_id=built.indicator_ids["1.a"],
            period_id=built.period_ids["2024-Q1"],
            values=measurements.Values(
                value=Decimal(10),
                narrative="From the March register",
                breakdown={female: Decimal(6), male: Decimal(4)},
            ),
        )
    at = open_app(officer, page=PAGE)
    pick = f"{built.indicator_ids['1.a']}:{built.period_ids['2024-Q1']}"
    at.selectbox(key="lr_pick").set_value(pick).run()
    key = f"lr_{pick.replace(':', '_')}_v1"
    assert at.number_input(key=f"{key}_val").value == 10
    assert at.number_input(key=f"{key}_bd_{female}").value == 6
    assert at.text_area(key=f"{key}_note").value == "From the March register"
    at.button(key="lr_Submit").click().run()
    assert not at.exception
    with app_db.read() as session:
        m = session.scalars(select(Measurement)).one()
        parts = dict(
            session.execute(
                select(MeasurementBreakdown.dimension_value_id, MeasurementBreakdown.value)
            ).all()
        )
    assert m.status is MeasurementStatus.SUBMITTED and m.narrative == "From the March register"
    assert {k: float(v or 0) for k, v in parts.items()} == {female: 6.0, male: 4.0}


def test_after_saving_the_picker_and_the_form_name_the_saved_item(app_db: Database) -> None:
    built, officer = _project(app_db)
    at = open_app(officer, page=PAGE)
    second = f"{built.indicator_ids['1.a']}:{built.period_ids['2024-Q2']}"
    at.selectbox(key="lr_pick").set_value(second).run()
    key = f"lr_{second.replace(':', '_')}_v0"
    at.number_input(key=f"{key}_val").set_value(5.0).run()
    at.text_area(key=f"{key}_note").set_value("checked").run()
    at.button(key="lr_Save draft").click().run()
    assert not at.exception
    assert unescaped(at.success[0].value) == "Draft saved: LR-1 1.a · 2024-Q2 (5)."
    assert at.selectbox(key="lr_pick").value == second
    # The form now belongs to the saved draft (version 1), prefilled from what is stored.
    assert at.number_input(key=f"lr_{second.replace(':', '_')}_v1_val").value == 5
    assert at.text_area(key=f"lr_{second.replace(':', '_')}_v1_note").value == "checked"
    at.button(key="lr_Submit").click().run()
    with app_db.read() as session:
        saved = session.scalars(select(Measurement)).all()
    assert [(m.reporting_period_id, m.status) for m in saved] == [
        (built.period_ids["2024-Q2"], MeasurementStatus.SUBMITTED)
    ]
    assert at.selectbox(key="lr_pick").value != second
