"""The project page's Narrative tab: an officer drafts and submits a period's narrative, a
manager approves it, and a donor then reads it as typed (Markdown shown literally) beside
the period's figures."""

from __future__ import annotations

from datetime import date

import pytest

from rbm.db import Database
from rbm.models.enums import Role, ScopeType
from rbm.principal import Principal
from tests.app.conftest import open_app
from tests.utils.builders import BuiltProject, LogframeBuilder, make_user

PROJECT = "rbm/ui/pages/project.py"
TEXT = "**Forty** judges <b>trained</b>."


@pytest.fixture
def people(app_db: Database) -> tuple[BuiltProject, dict[str, Principal]]:
    with app_db.write() as session:
        admin = make_user(session, Role.ADMIN)
        built = (
            LogframeBuilder(code="NAR-APP", start=date(2024, 1, 1), end=date(2024, 12, 31))
            .with_indicator("1.a")
            .build(session, admin)
        )
        scope = {"scope_type": ScopeType.PROJECT, "project_id": built.project_id}
        who = {
            "officer": make_user(session, Role.OFFICER, scope=scope),
            "manager": make_user(session, Role.MANAGER, scope=scope),
            "donor": make_user(
                session,
                Role.DONOR,
                scope={"scope_type": ScopeType.ORGANISATION, "organisation_id": built.donor_id},
            ),
        }
    return built, who


def test_a_narrative_is_drafted_submitted_approved_and_read_by_a_donor(people) -> None:
    _built, who = people
    at = open_app(who["officer"], PROJECT)
    at.text_area(key="pj_nar_achievements").set_value(TEXT)
    submit = next(b for b in at.button if b.label == "Save and submit for approval")
    submit.click().run()
    assert not at.exception
    assert any("Open revision 1: submitted" in m.value for m in at.markdown)
    manager = open_app(who["manager"], PROJECT)
    manager.button(key="pj_nar_approve").click().run()
    assert not manager.exception
    donor = open_app(who["donor"], PROJECT)
    shown = [t.value for t in donor.text]
    assert TEXT in shown
    assert not any("No narrative has been approved" in i.value for i in donor.info)
    beside = [df.value for df in donor.dataframe if {"code", "achieved_pct"} <= set(df.value)]
    assert beside and beside[0]["code"].tolist() == ["1.a"]  # the period's figures beside it
