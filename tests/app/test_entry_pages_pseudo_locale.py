"""The data-entry pages (logframe editor, log results, approvals, measurement history, inbox)
in the pseudo-locale: every title, header, caption, notice, widget label, button, tab, metric
and table header carries the ⟦ ⟧ markers, so none of them bypasses the catalogue; people's
data (codes, titles, names) is shown as entered."""

from __future__ import annotations

from decimal import Decimal

from rbm.db import Database
from rbm.i18n import using
from rbm.models.enums import Role, ScopeType
from rbm.principal import Principal
from rbm.services import measurements, proposals
from tests.app.conftest import open_app
from tests.app.pseudo_labels import shown_labels, unmarked
from tests.utils.builders import BuiltProject, LogframeBuilder, make_user

PAGES = "rbm/ui/pages/"


def _team(db: Database) -> tuple[BuiltProject, Principal, Principal, int]:
    """A project with a submitted value, a returned one, a comment and a pending proposal."""
    with db.write() as session:
        admin = make_user(session, Role.ADMIN)
        built = (
            LogframeBuilder(code="PS-1")
            .with_indicator("1.a")
            .with_indicator("1.b")
            .build(session, admin)
        )
        scope = {"scope_type": ScopeType.PROJECT, "project_id": built.project_id}
        officer = make_user(session, Role.OFFICER, scope=scope)
        manager = make_user(
            session,
            Role.MANAGER,
            scope={"scope_type": ScopeType.ORGANISATION, "organisation_id": built.provider_id},
        )
        ids = {}
        for code in ("1.a", "1.b"):
            m = measurements.save_draft(
                session,
                principal=officer,
                indicator_id=built.indicator_ids[code],
                period_id=built.period_ids["2024-Q1"],
                values=measurements.Values(value=Decimal(3)),
            )
            measurements.submit(session, principal=officer, measurement_id=m.id)
            ids[code] = m.id
        measurements.return_for_revision(
            session, principal=manager, measurement_id=ids["1.a"], comment="Check the register"
        )
        proposals.propose(
            session,
            principal=officer,
            project_id=built.project_id,
            operation="revise_target",
            arguments={
                "indicator_id": built.indicator_ids["1.a"],
                "period_id": None,
                "value": "90",
                "reason": "",
            },
            summary="target 90",
        )
    return built, officer, manager, ids["1.b"]


def _assert_marked(
    principal: Principal, page: str, query: dict[str, str] | None = None
) -> dict[str, list[str]]:
    at = open_app(principal, page=PAGES + page, query=query, language="qps")
    assert not at.exception
    found = shown_labels(at)
    for kind in ("title", "button", "columns"):
        assert found[kind], f"the page shows no {kind}: the check would prove nothing"
    assert unmarked(found) == []
    return found


def test_the_logframe_editor_shows_only_catalogue_labels(app_db: Database) -> None:
    _built, _officer, manager, _mid = _team(app_db)
    _assert_marked(manager, "logframe_editor.py", {"code": "PS-1"})


def test_the_logframe_editors_indicator_sheet_shows_only_catalogue_labels(
    app_db: Database,
) -> None:
    _built, _officer, manager, _mid = _team(app_db)
    at = open_app(
        manager, page=PAGES + "logframe_editor.py", query={"code": "PS-1"}, language="qps"
    )
    # AppTest formats the options of select boxes in the test's own thread: the same language.
    with using("qps"):
        at.selectbox(key="le_ind_node").select_index(1).run()  # result 1, which has indicators
    assert not at.exception
    found = shown_labels(at)
    assert "⟦Change an indicator⟧" in found["subheader"]
    assert "⟦Life-of-project target⟧" in found["columns"]
    assert unmarked(found) == []


def test_log_results_shows_only_catalogue_labels(app_db: Database) -> None:
    _built, officer, _manager, _mid = _team(app_db)
    _assert_marked(officer, "log_results.py")


def test_approvals_shows_only_catalogue_labels(app_db: Database) -> None:
    _built, _officer, manager, _mid = _team(app_db)
    _assert_marked(manager, "approvals.py")


def test_the_measurement_history_shows_only_catalogue_labels(app_db: Database) -> None:
    _built, _officer, manager, mid = _team(app_db)
    _assert_marked(manager, "measurement.py", {"id": str(mid)})


def test_the_inbox_shows_only_catalogue_labels(app_db: Database) -> None:
    _built, officer, _manager, _mid = _team(app_db)
    at = open_app(officer, page=PAGES + "inbox.py", language="qps")
    assert not at.exception
    found = shown_labels(at)
    assert found["title"] and found["metric"] and found["page_link"]
    assert unmarked(found) == []


def test_an_officer_reads_log_results_in_spanish(app_db: Database) -> None:
    _built, officer, _manager, _mid = _team(app_db)
    at = open_app(officer, page=PAGES + "log_results.py", language="es")
    assert not at.exception
    found = shown_labels(at)
    assert found["title"] == ["Registrar resultados"]
    assert found["button"][:2] == ["Guardar borrador", "Enviar"]
    assert "Línea de base" in found["metric"]
