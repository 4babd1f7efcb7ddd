"""A small world for checklist and needs tests: the demo priority areas and the demo accounts
the checklist fixture names, five projects (two providers in Nigeria, one closed project),
the demo portfolio's needs of Honduras, Guatemala and Nigeria, then `load_checklist_demo`.

Built through the services once per backend and test process, then copied for each test
(a file copy on SQLite, `CREATE DATABASE ... TEMPLATE` on PostgreSQL): every test gets a fresh
database in a fraction of a second."""

from __future__ import annotations

import atexit
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from rbm import migrate
from rbm.db import Database
from rbm.demo import read_fixture
from rbm.demo_checklist import load_checklist_demo
from rbm.models import PriorityArea
from rbm.models.enums import AssistanceKind, OrgType, Priority, ProjectStatus, Role, ScopeType
from rbm.principal import Grant, Principal
from rbm.services import needs, projects
from rbm.services.reference import create_priority_area
from rbm.services.users import create_user, load_principal
from tests.utils.builders import make_org

#: code, country, provider, donor, amount, priority areas, status
PROJECTS = [
    (
        "WP-HND",
        "HN",
        "UNODC",
        "Norway",
        1_800_000,
        ["witness-protection", "legislative-assistance"],
        ProjectStatus.IMPLEMENTATION,
    ),
    (
        "WP-GTM",
        "GT",
        "UNODC",
        "Canada",
        2_400_000,
        ["witness-protection"],
        ProjectStatus.IMPLEMENTATION,
    ),
    (
        "TIP-NGA",
        "NG",
        "UNODC",
        "European Commission",
        2_200_000,
        ["trafficking-protocol"],
        ProjectStatus.IMPLEMENTATION,
    ),
    (
        "TIP-NGA-EF",
        "NG",
        "Expertise France",
        "European Commission",
        3_000_000,
        ["trafficking-protocol"],
        ProjectStatus.IMPLEMENTATION,
    ),
    ("DATA-HND-OLD", "HN", "UNODC", "Norway", 100_000, ["data-collection"], ProjectStatus.CLOSED),
]


@dataclass(frozen=True)
class World:
    admin: Principal
    manager: Principal
    focal_hn: Principal
    focal_gt: Principal
    donor_norway: Principal
    evaluator: Principal
    officer: Principal
    project_ids: dict[str, int]
    org_ids: dict[str, int]


def _account(
    session: Session, admin: Principal | None, email: str, role: Role, **scope: Any
) -> Principal:
    """A single-sign-on account (no password to hash: tests act as the principal)."""
    grant = Grant(role=role, **(scope or {"scope_type": ScopeType.GLOBAL}))
    user = create_user(
        session,
        principal=admin,
        email=email,
        name=f"{role.label} {email}",
        password=None,
        grants=[grant],
    )
    return load_principal(session, user_id=user.id)


def _areas(session: Session, admin: Principal) -> dict[str, int]:
    for a in read_fixture("portfolio.yaml")["priority_areas"]:
        create_priority_area(session, principal=admin, code=a["code"], name=a["name"])
    return {code: aid for code, aid in session.execute(select(PriorityArea.code, PriorityArea.id))}


def _projects(
    session: Session, admin: Principal, areas: dict[str, int]
) -> tuple[dict[str, int], dict[str, int]]:
    ids: dict[str, int] = {}
    orgs: dict[str, int] = {}
    for code, country, provider, donor, amount, area_codes, status in PROJECTS:
        orgs[provider] = make_org(session, admin, provider)
        orgs[donor] = make_org(session, admin, donor, OrgType.GOVERNMENT)
        new = projects.NewProject(
            code=code,
            title=f"Project {code}",
            provider_id=orgs[provider],
            status=status,
            start_date=date(2023, 1, 1),
            end_date=date(2027, 12, 31),
            countries={country: Decimal(100)},
            priority_area_ids=[areas[a] for a in area_codes],
            funding=[
                projects.FundingLine(
                    donor_id=orgs[donor], amount=Decimal(amount), date_from=date(2023, 1, 1)
                )
            ],
        )
        ids[code] = projects.create_project(session, principal=admin, new=new).id
    return ids, orgs


def _portfolio_needs(
    session: Session, admin: Principal, areas: dict[str, int], project_ids: dict[str, int]
) -> None:
    for spec in read_fixture("portfolio.yaml")["needs"]:
        if spec["country"] not in ("HN", "GT", "NG"):
            continue
        need = needs.create_need(
            session,
            principal=admin,
            country_code=spec["country"],
            kind=AssistanceKind(spec["kind"]),
            priority=Priority(spec["priority"]),
            description=spec["description"],
            priority_area_id=areas[spec["priority_area"]],
            estimated_cost=Decimal(str(spec["estimated_cost"])),
        )
        for code in spec["projects"]:
            needs.link_project(
                session, principal=admin, need_id=need.id, project_id=project_ids[code]
            )


def build_world(db: Database, *, with_checklists: bool = True) -> World:
    """Fill a migrated, empty database with the world."""
    country, org = ScopeType.COUNTRY, ScopeType.ORGANISATION
    with db.write() as session:
        admin = _account(session, None, "admin@demo.rbm", Role.ADMIN)
        areas = _areas(session, admin)
        project_ids, orgs = _projects(session, admin, areas)
        world = World(
            admin=admin,
            manager=_account(session, admin, "manager@demo.rbm", Role.MANAGER),
            focal_hn=_account(
                session,
                admin,
                "focal.hn@demo.rbm",
                Role.STATE_FOCAL_POINT,
                scope_type=country,
                country_code="HN",
            ),
            focal_gt=_account(
                session,
                admin,
                "focal.gt@test.rbm",
                Role.STATE_FOCAL_POINT,
                scope_type=country,
                country_code="GT",
            ),
            donor_norway=_account(
                session,
                admin,
                "donor@test.rbm",
                Role.DONOR,
                scope_type=org,
                organisation_id=orgs["Norway"],
            ),
            evaluator=_account(session, admin, "evaluator@test.rbm", Role.EVALUATOR),
            officer=_account(
                session,
                admin,
                "officer@test.rbm",
                Role.OFFICER,
                scope_type=ScopeType.PROJECT,
                project_id=project_ids["TIP-NGA"],
            ),
            project_ids=project_ids,
            org_ids=orgs,
        )
        _portfolio_needs(session, admin, areas, project_ids)
        if with_checklists:
            load_checklist_demo(session, admin=admin)
    return world


# --- one template per backend, copied for each test ----------------------------------------

_TEMPLATES: dict[str, tuple[str, World]] = {}


def _sqlite_template() -> tuple[str, World]:
    folder = Path(tempfile.mkdtemp(prefix="rbm-world-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    db = Database(f"sqlite:///{folder / 'world.sqlite3'}")
    migrate.upgrade(db)
    world = build_world(db)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return str(folder / "world.sqlite3"), world


def _pg_template(admin_url: str) -> tuple[str, World]:
    name = f"rbm_world_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    db = Database(make_url(admin_url).set(database=name).render_as_string(hide_password=False))
    migrate.upgrade(db)
    world = build_world(db)
    db.dispose()

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()

    atexit.register(drop)
    return name, world


def world_database(
    backend: str, tmp_path: Path, pg_admin_url: str = ""
) -> Iterator[tuple[Database, World]]:
    """A fresh copy of the world's database on `backend` ("sqlite" or "postgresql")."""
    if backend not in _TEMPLATES:
        _TEMPLATES[backend] = (
            _sqlite_template() if backend == "sqlite" else _pg_template(pg_admin_url)
        )
    template, world = _TEMPLATES[backend]
    if backend == "sqlite":
        target = tmp_path / "rbm.sqlite3"
        shutil.copyfile(template, target)
        db = Database(f"sqlite:///{target}")
        yield db, world
        db.dispose()
        return
    name = f"rbm_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    db = Database(make_url(pg_admin_url).set(database=name).render_as_string(hide_password=False))
    try:
        yield db, world
    finally:
        db.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
