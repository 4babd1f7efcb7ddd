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
    key = f"lr_{built.indicator_ids['1.a']}_{built.period_ids['2024-Q1']}_val"
    at.number_input(key=key).set_value(42.0).run()
    at.button(key="lr_Submit").click().run()
    assert not at.exception
    assert unescaped(at.success[0].value) == "Submitted for approval."
    with app_db.read() as session:
        m = session.scalars(select(Measurement)).one()
    assert (float(m.value or 0), m.status) == (42.0, MeasurementStatus.SUBMITTED)
