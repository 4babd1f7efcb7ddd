"""The Logframe editor page: a manager creates a project for their own organisation and builds
its logframe; a refusal names the field; an officer's change waits as a proposal until a
manager applies it; the project page explains what to do for a project without results."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from rbm.db import Database
from rbm.models import ChangeProposal, Project, ResultNode
from rbm.models.enums import Role, ScopeType
from rbm.principal import Principal
from tests.app.conftest import open_app
from tests.utils.builders import LogframeBuilder, make_org, make_user

PAGE = "rbm/ui/pages/logframe_editor.py"


def _manager(db: Database) -> tuple[Principal, int]:
    with db.write() as session:
        admin = make_user(session, Role.ADMIN)
        org = make_org(session, admin, "UNODC")
        manager = make_user(
            session,
            Role.MANAGER,
            scope={"scope_type": ScopeType.ORGANISATION, "organisation_id": org},
        )
    return manager, org


def _press(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click().run()
    return at


def test_a_manager_creates_a_project_for_their_own_organisation(app_db: Database) -> None:
    manager, org = _manager(app_db)
    at = open_app(manager, page=PAGE)
    assert not at.exception
    assert "no project you can edit" in at.info[0].value
    at.text_input(key="le_np_code").set_value("FP-CA")
    at.text_input(key="le_np_title").set_value("Firearms Protocol in Central America")
    at.date_input(key="le_np_start").set_value(date(2025, 1, 1))
    at.date_input(key="le_np_end").set_value(date(2027, 12, 31))
    at.text_input(key="le_np_c").set_value("HN 40; GT 35; SV 25")
    _press(at, "Create the project")
    assert not at.exception
    assert "Project FP-CA created" in at.success[0].value
    with app_db.read() as session:
        project = session.scalars(select(Project)).one()
    assert (project.code, project.provider_id) == ("FP-CA", org)


def test_shares_not_adding_up_are_refused_naming_the_field(app_db: Database) -> None:
    manager, _org = _manager(app_db)
    at = open_app(manager, page=PAGE)
    at.text_input(key="le_np_code").set_value("FP-CA")
    at.text_input(key="le_np_title").set_value("Firearms")
    at.text_input(key="le_np_c").set_value("HN 40; GT 35")
    _press(at, "Create the project")
    assert "recipient countries: shares add up to 75, not 100" in at.error[0].value
    with app_db.read() as session:
        assert session.scalar(select(Project.id)) is None


def _project(db: Database) -> tuple[Principal, Principal, int]:
    with db.write() as session:
        admin = make_user(session, Role.ADMIN)
        built = LogframeBuilder(code="LE-1").with_indicator("1.a").build(session, admin)
        manager = make_user(
            session,
            Role.MANAGER,
            scope={"scope_type": ScopeType.ORGANISATION, "organisation_id": built.provider_id},
        )
        officer = make_user(
            session,
            Role.OFFICER,
            scope={"scope_type": ScopeType.PROJECT, "project_id": built.project_id},
        )
    return manager, officer, built.project_id


def _add_output(at: AppTest, code: str, statement: str) -> AppTest:
    level = at.selectbox(key="le_ar_level")
    level.select_index(1).run()  # output (impact is the root and exists)
    at.text_input(key="le_ar_code").set_value(code)
    at.text_input(key="le_ar_statement").set_value(statement)
    return _press(at, "Add the result")


def test_a_manager_adds_a_result_and_a_missing_statement_is_refused(app_db: Database) -> None:
    manager, _officer, pid = _project(app_db)
    at = open_app(manager, page=PAGE)
    assert not at.exception
    _add_output(at, "1.1", "")
    assert "statement: a result needs a statement" in at.error[0].value
    _add_output(at, "1.1", "Draft amendments prepared")
    assert not at.exception
    assert "Saved: add output 1.1" in at.success[0].value
    with app_db.read() as session:
        codes = set(session.scalars(select(ResultNode.code).where(ResultNode.project_id == pid)))
    assert codes == {"I", "1", "1.1"}


def test_an_officers_change_waits_until_a_manager_applies_it(app_db: Database) -> None:
    manager, officer, _pid = _project(app_db)
    at = open_app(officer, page=PAGE)
    assert "You propose changes" in at.caption[0].value
    _add_output(at, "1.1", "Draft amendments prepared")
    assert "Proposed" in at.success[0].value
    with app_db.read() as session:
        assert session.scalar(select(ResultNode.id).where(ResultNode.code == "1.1")) is None
        assert session.scalar(select(ChangeProposal.status)) == "pending"
    at = open_app(manager, page=PAGE)
    at.button(key="le_prop_apply").click().run()
    assert not at.exception
    assert at.success[0].value == "Change applied."
    with app_db.read() as session:
        assert session.scalar(select(ResultNode.id).where(ResultNode.code == "1.1")) is not None


def test_the_project_page_explains_what_to_do_when_there_are_no_results(
    app_db: Database,
) -> None:
    manager, _org = _manager(app_db)
    at = open_app(manager, page=PAGE)
    at.text_input(key="le_np_code").set_value("EMPTY-1")
    at.text_input(key="le_np_title").set_value("Nothing yet")
    _press(at, "Create the project")
    at = open_app(manager, page="rbm/ui/pages/project.py", query={"code": "EMPTY-1"})
    assert not at.exception
    assert any("no results yet" in i.value for i in at.info)


def test_choosing_a_result_in_the_results_chain_opens_its_indicators(app_db: Database) -> None:
    manager, _officer, _pid = _project(app_db)
    at = open_app(manager, page="rbm/ui/pages/project.py", query={"code": "LE-1"})
    assert not at.exception

    def tables_of_1a() -> int:
        return sum(
            1 for d in at.dataframe if "Code" in d.value and d.value["Code"].tolist() == ["1.a"]
        )

    before = tables_of_1a()
    at.selectbox(key="pj_chain").set_value("1").run()
    assert not at.exception
    assert tables_of_1a() == before + 1


def test_a_manager_imports_the_example_spreadsheet_on_the_page(app_db: Database) -> None:
    from pathlib import Path

    from rbm.services.reference import create_dimension, create_library_indicator

    example = Path(__file__).resolve().parents[2] / "fixtures" / "logframe_firearms_protocol.csv"
    with app_db.write() as session:
        admin = make_user(session, Role.ADMIN)
        create_dimension(
            session,
            principal=admin,
            code="sex",
            name="Sex",
            exhaustive=True,
            values=[("female", "Female"), ("male", "Male")],
        )
        from rbm.models.enums import Measure

        create_library_indicator(
            session,
            principal=admin,
            code="LIB-TRAINED",
            title="Trained",
            unit="people",
            measure=Measure.NUMBER,
        )
        LogframeBuilder(code="FP-CA", start=date(2025, 1, 1), end=date(2027, 12, 31)).build(
            session, admin
        )
    # The builder's own results I and 1 are matched by code and updated in place.
    at = open_app(admin, page=PAGE, query={"code": "FP-CA"})
    at.get("file_uploader")[0].set_value((example.name, example.read_bytes(), "text/csv"))
    at.run()
    at.button(key="le_import").click().run()
    assert not at.exception
    assert "added result 2.2.1" in at.success[0].value
    assert "updated result I" in at.success[0].value
    with app_db.read() as session:
        assert len(session.scalars(select(ResultNode.code)).all()) == 11
