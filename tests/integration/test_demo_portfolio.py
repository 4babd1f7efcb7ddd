"""The demo portfolio: realistic, complete, loaded through the services, and idempotent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import distinct, func, select

from rbm.db import Database
from rbm.demo import demo_accounts, load_demo_portfolio
from rbm.models import (
    AuditEvent,
    Comment,
    Evaluation,
    Indicator,
    Lesson,
    Measurement,
    MeasurementBreakdown,
    Need,
    Project,
    ProjectCountry,
    ResultNode,
    User,
)
from rbm.models.enums import (
    Accumulation,
    Measure,
    MeasurementStatus,
    ResultLevel,
    Role,
    ScopeType,
)
from rbm.services.users import authenticate
from tests.conftest import demo_database

pytestmark = pytest.mark.slow  # the first to ask builds the demo portfolio for the run


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    yield from demo_database(request, tmp_path_factory)


def _count(db: Database, stmt) -> int:  # type: ignore[no-untyped-def]
    with db.read() as session:
        return int(session.scalar(stmt) or 0)


def test_the_demo_has_at_least_15_projects_in_10_countries(demo: Database) -> None:
    assert _count(demo, select(func.count(Project.id))) >= 15
    assert _count(demo, select(func.count(distinct(ProjectCountry.country_code)))) >= 10


def test_every_measure_and_accumulation_mode_is_represented(demo: Database) -> None:
    with demo.read() as session:
        pairs = set(session.execute(select(Indicator.measure, Indicator.accumulation)).all())
    assert {m for m, _ in pairs} == set(Measure)
    assert {a for _, a in pairs} == set(Accumulation)


def test_every_project_has_a_full_logframe(demo: Database) -> None:
    with demo.read() as session:
        levels = session.execute(select(ResultNode.project_id, ResultNode.level).distinct()).all()
    per_project: dict[int, set[ResultLevel]] = {}
    for pid, level in levels:
        per_project.setdefault(pid, set()).add(level)
    assert all(v == set(ResultLevel) for v in per_project.values())


def test_measurements_exist_in_every_status_with_comments_breakdowns_and_evidence(
    demo: Database,
) -> None:
    with demo.read() as session:
        statuses = set(session.scalars(select(Measurement.status).distinct()))
    assert statuses == set(MeasurementStatus)
    assert _count(demo, select(func.count(Comment.id))) > 0
    assert _count(demo, select(func.count()).select_from(MeasurementBreakdown)) > 0


def test_evaluations_lessons_and_needs_are_loaded(demo: Database) -> None:
    assert _count(demo, select(func.count(Evaluation.id))) >= 3
    assert _count(demo, select(func.count(Lesson.id))) >= 5
    assert _count(demo, select(func.count(Need.id))) >= 3


def test_there_is_a_demo_account_for_every_role_and_each_signs_in(demo: Database) -> None:
    accounts = demo_accounts()
    assert {a["role"] for a in accounts} >= {r.label for r in Role}
    for account in accounts:
        assert authenticate(demo, email=account["email"], password=account["password"])


def test_loading_twice_adds_nothing(demo: Database) -> None:
    tables = (Project.id, Measurement.id, User.id, Evaluation.id, Lesson.id, Need.id)
    before = [_count(demo, select(func.count(c))) for c in tables]
    report = load_demo_portfolio(demo)
    assert [_count(demo, select(func.count(c))) for c in tables] == before
    assert report.startswith("Demo portfolio: 0 projects, 0 measurements")


def test_demo_writes_went_through_the_services_and_are_audited(demo: Database) -> None:
    measurements = _count(demo, select(func.count(Measurement.id)))
    approvals = _count(
        demo, select(func.count(AuditEvent.id)).where(AuditEvent.action == "approve")
    )
    assert approvals == _count(
        demo,
        select(func.count(Measurement.id)).where(Measurement.status == MeasurementStatus.APPROVED),
    )
    assert (
        _count(
            demo,
            select(func.count(AuditEvent.id)).where(
                AuditEvent.entity_type == "measurement", AuditEvent.action == "create"
            ),
        )
        == measurements
    )


def test_officers_logged_every_value_and_managers_have_a_queue_to_clear(demo: Database) -> None:
    from rbm.models import RoleGrant
    from rbm.queries.workflow import approvals_queue
    from rbm.services.users import load_principal

    officers = select(RoleGrant.user_id).where(RoleGrant.role == Role.OFFICER)
    assert (
        _count(
            demo,
            select(func.count(Measurement.id)).where(Measurement.created_by_id.not_in(officers)),
        )
        == 0
    )
    with demo.read() as session:
        manager_id = session.scalar(select(User.id).where(User.email == "manager@demo.rbm"))
        manager = load_principal(session, user_id=int(manager_id or 0))
        queue = approvals_queue(session, principal=manager)
    assert len(queue) > 0


def test_the_stored_indicator_figures_equal_a_fresh_computation(demo: Database) -> None:
    from tests.integration.test_stored_figures import assert_figures_true

    assert_figures_true(demo)


def _fixture_grants(db: Database) -> dict[str, set[tuple[str, str, object]]]:
    """Each demo account's grants as the fixture lists them (role, scope type, scope key)."""
    from rbm.demo import read_fixture
    from rbm.models import Organisation

    with db.read() as session:
        orgs = {n: i for n, i in session.execute(select(Organisation.name, Organisation.id))}
        codes = {c: i for c, i in session.execute(select(Project.code, Project.id))}
    data = read_fixture("portfolio.yaml")
    names = {o["key"]: o["name"] for o in data["organisations"]}
    wanted: dict[str, set[tuple[str, str, object]]] = {}
    for spec in data["users"]:
        scopes = spec.get("scopes") or [spec.get("scope")]
        rows = set()
        for scope in scopes:
            if isinstance(scope, dict) and "organisation" in scope:
                rows.add((spec["role"], "organisation", orgs[names[scope["organisation"]]]))
            elif isinstance(scope, dict) and "project" in scope:
                rows.add((spec["role"], "project", codes[scope["project"]]))
            elif isinstance(scope, dict) and "country" in scope:
                rows.add((spec["role"], "country", scope["country"]))
            else:
                rows.add((spec["role"], "global", None))
        wanted[spec["email"]] = rows
    return wanted


def test_each_demo_account_holds_exactly_the_grants_the_fixture_lists(demo: Database) -> None:
    from rbm.models import RoleGrant

    with demo.read() as session:
        columns = (RoleGrant.role, RoleGrant.scope_type, RoleGrant.organisation_id,
                   RoleGrant.project_id, RoleGrant.country_code)  # fmt: skip
        rows = session.execute(
            select(User.email, *columns).join(RoleGrant, RoleGrant.user_id == User.id)
        ).all()
    held: dict[str, set[tuple[str, str, object]]] = {}
    for r in rows:
        scope = ScopeType(r.scope_type).value
        key = {"organisation": r.organisation_id, "project": r.project_id}.get(
            scope, r.country_code
        )
        held.setdefault(r.email, set()).add((Role(r.role).value, scope, key))
    assert held == _fixture_grants(demo)
    assert len(held["manager.partners@demo.rbm"]) == 3


def test_outside_demo_mode_load_demo_creates_the_accounts_disabled_with_fresh_passwords(
    db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import yaml

    from rbm import cli
    from rbm.demo import read_fixture
    from rbm.errors import AuthenticationFailed
    from rbm.settings import get_settings

    data = read_fixture("portfolio.yaml")  # the accounts, without the portfolio (fast)
    data["users"] = [u for u in data["users"] if "project" not in str(u.get("scope"))]
    for key in ("projects", "evaluations", "lessons", "needs"):
        data[key] = []
    (tmp_path / "portfolio.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    (tmp_path / "measurements.yaml").write_text("[]", encoding="utf-8")
    monkeypatch.setenv("RBM_DEMO_MODE", "false")
    monkeypatch.setenv("RBM_SECRET_KEY", "k8V0s2-XqLw9Rt3Zp7Jm4Nb6Hc1Gd5Fe0Ya")
    monkeypatch.setenv("RBM_DATABASE_URL", db.url)
    monkeypatch.setattr("sys.argv", ["rbm", "load-demo"])
    get_settings.cache_clear()
    from rbm import demo as demo_module

    monkeypatch.setattr(demo_module.load_demo_portfolio, "__defaults__", (tmp_path,), raising=True)
    cli.run()
    printed = capsys.readouterr().out
    assert "DEACTIVATED" in printed
    shown = dict(line.split() for line in printed.splitlines() if line.startswith("  "))
    assert set(shown) == {u["email"] for u in data["users"]}
    with db.read() as session:
        active = session.scalars(select(User.email).where(User.is_active)).all()
    assert active == []
    for spec in data["users"]:
        assert shown[spec["email"]] != spec["password"]
        with pytest.raises(AuthenticationFailed):  # published password: refused
            authenticate(db, email=spec["email"], password=spec["password"])
        with pytest.raises(AuthenticationFailed):  # even the new one, until re-activated
            authenticate(db, email=spec["email"], password=shown[spec["email"]])
