"""Schema migrations (Alembic) as functions the CLI and the tests call."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from rbm import figures
from rbm.db import Database
from rbm.services.reference import sync_countries
from rbm.settings import PROJECT_ROOT


def alembic_config(database_url: str) -> Config:
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    cfg.attributes["database_url"] = database_url
    return cfg


def upgrade(db: Database, revision: str = "heads") -> None:
    """Bring the schema to `revision`, then make sure reference data is present."""
    with db.engine.begin() as conn:
        cfg = alembic_config(db.url)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    if revision in ("head", "heads"):
        with db.write() as session:
            sync_countries(session)
            figures.refresh_missing(session)


def downgrade(db: Database, revision: str = "base") -> None:
    with db.engine.begin() as conn:
        cfg = alembic_config(db.url)
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)
