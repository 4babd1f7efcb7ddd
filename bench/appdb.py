"""Databases for the browser benchmarks, built once and reused: the demo portfolio
(`rbm load-demo`) and the synthetic sizes S, M and L (`bench.generate`) with one password
account per role, so a browser can sign in as a person would.

`python -m bench.appdb demo M L` builds what is missing under bench/out/ (size L takes
minutes; the file is kept for later runs).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from bench import loading
from bench.generate import SIZES
from rbm import migrate
from rbm.db import Database
from rbm.demo import load_demo_portfolio
from rbm.models import Organisation, ProjectCountry
from rbm.models.enums import Role, ScopeType
from rbm.principal import Grant
from rbm.services.users import create_user

OUT = Path(__file__).with_name("out")


@dataclass(frozen=True)
class Account:
    email: str
    password: str
    role: Role


#: The demo portfolio's accounts (fixtures/portfolio.yaml), one per role.
DEMO_ACCOUNTS = (
    Account("manager@demo.rbm", "Demo-manager-2026", Role.MANAGER),
    Account("officer@demo.rbm", "Demo-officer-2026", Role.OFFICER),
    Account("donor@demo.rbm", "Demo-donor-2026", Role.DONOR),
    Account("evaluator@demo.rbm", "Demo-evaluator-2026", Role.EVALUATOR),
    Account("admin@demo.rbm", "Demo-admin-2026", Role.ADMIN),
    Account("focal.hn@demo.rbm", "Demo-focal-2026", Role.STATE_FOCAL_POINT),
)

#: The synthetic sizes' password accounts (added by `build`), one per role.
SIZE_ACCOUNTS = tuple(
    Account(f"{role.value}.browser@bench.rbm", f"Bench-{role.value}-2026!", role)
    for role in (
        Role.MANAGER,
        Role.OFFICER,
        Role.DONOR,
        Role.EVALUATOR,
        Role.ADMIN,
        Role.STATE_FOCAL_POINT,
    )
)


def accounts(name: str) -> tuple[Account, ...]:
    return DEMO_ACCOUNTS if name == "demo" else SIZE_ACCOUNTS


def path_of(name: str) -> Path:
    return OUT / f"app-{name.lower()}.sqlite3"


def database_file(name: str) -> Path:
    """The SQLite file of `name` ("demo", "S", "M" or "L"), built on first use."""
    path = path_of(name)
    if not path.exists():
        build(name, path)
    return path


def build(name: str, path: Path) -> None:
    """Build into a temporary file and move it into place, so a broken build leaves nothing."""
    OUT.mkdir(exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    db = Database(f"sqlite:///{partial}")
    migrate.upgrade(db)
    if name == "demo":
        load_demo_portfolio(db)
    else:
        people = loading.add_people(db)
        loading.load_validated(db, people, loading.frames_for(db, SIZES[name], people))
        add_accounts(db)
    with db.engine.connect() as conn:  # fold the WAL into the file so the file is complete
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    partial.rename(path)


def add_accounts(db: Database) -> None:
    """One password account per role: global scope where the role allows it, the first donor
    organisation for the donor, the first project's country for the focal point."""
    with db.write() as session:
        donor = session.scalar(
            select(Organisation.id).where(Organisation.name == "Donor 0").limit(1)
        )
        country = session.scalar(
            select(ProjectCountry.country_code).order_by(ProjectCountry.project_id).limit(1)
        )
        for account in SIZE_ACCOUNTS:
            grant = Grant(role=account.role, scope_type=ScopeType.GLOBAL)
            if account.role is Role.DONOR:
                grant = Grant(
                    role=account.role, scope_type=ScopeType.ORGANISATION, organisation_id=donor
                )
            elif account.role is Role.STATE_FOCAL_POINT:
                grant = Grant(role=account.role, scope_type=ScopeType.COUNTRY, country_code=country)
            create_user(
                session,
                principal=None,
                email=account.email,
                name=f"Bench {account.role.label}",
                password=account.password,
                grants=[grant],
            )


if __name__ == "__main__":
    for wanted in sys.argv[1:] or ["demo", "M"]:
        print(database_file(wanted if wanted == "demo" else wanted.upper()))
