"""Consistent copies of the live database, attachments included (they live in the database).

SQLite uses its online backup API (a consistent snapshot while the app runs); PostgreSQL uses
`pg_dump --format=custom` and `pg_restore --clean`. A restore first checks that the source is a
backup of this schema (same migration version, every table present) and touches nothing if not.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from rbm.db import Database
from rbm.errors import ConfigurationError, ValidationFailed
from rbm.models import Base

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


def _sqlite_path(db: Database) -> str:
    path = make_url(db.url).database
    if not path or path == ":memory:":
        raise ConfigurationError("An in-memory SQLite database cannot be backed up.")
    return path


def _libpq_url(db: Database) -> str:
    url = make_url(db.url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise ConfigurationError(
            "{name} is not installed (Debian package postgresql-client).", name=name
        )
    return found


def backup(db: Database, out: Path) -> Path:
    """Write a consistent copy of the database to `out`."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if db.is_sqlite:
        with sqlite3.connect(_sqlite_path(db)) as src, sqlite3.connect(out) as dst:
            src.backup(dst)
        return out
    subprocess.run(
        [_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(out), _libpq_url(db)],
        check=True,
        capture_output=True,
    )
    return out


def restore(db: Database, source: Path) -> None:
    """Replace the database's content with a backup made by `backup` for the same backend.
    Raises ValidationFailed, before touching anything, unless `source` is such a backup of this
    schema."""
    check_backup(db, source)
    db.dispose()
    if db.is_sqlite:
        with sqlite3.connect(source) as src, sqlite3.connect(_sqlite_path(db)) as dst:
            src.backup(dst)
        return
    subprocess.run(
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--dbname",
            _libpq_url(db),
            str(source),
        ],
        check=True,
        capture_output=True,
    )


def check_backup(db: Database, source: Path) -> None:
    """Refuse a source that is not a backup of this schema: the wrong format for the backend,
    a migration version other than this code's, or any of the product's tables missing."""
    with source.open("rb") as f:
        head = f.read(16)
    if db.is_sqlite:
        if not head.startswith(SQLITE_MAGIC):
            raise ValidationFailed("{name} is not a SQLite backup.", name=source.name)
        version, tables = _sqlite_contents(source)
    else:
        if not head.startswith(PGDUMP_MAGIC):
            raise ValidationFailed(
                "{name} is not a PostgreSQL backup (pg_dump custom format).", name=source.name
            )
        version, tables = _pg_contents(source)
    missing = sorted(set(Base.metadata.tables) - tables)
    if version is None or missing:
        shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
        raise ValidationFailed(
            f"{source.name} is not a backup of this product's database"
            + (f" (tables missing: {shown})." if missing else " (no schema version).")
        )
    expected = schema_version()
    if version != expected:
        raise ValidationFailed(
            "{name} holds schema version {version}; this version of the product "
            "needs {expected}. Restore it with the release that made it, then run "
            "`rbm migrate`.",
            name=source.name,
            version=version,
            expected=expected,
        )


def schema_version() -> str:
    """The migration version this code runs (the head of migrations/)."""
    from rbm.migrate import alembic_config

    heads = ScriptDirectory.from_config(alembic_config("")).get_heads()
    return ",".join(sorted(heads))


def _sqlite_contents(source: Path) -> tuple[str | None, set[str]]:
    try:
        with sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True) as conn:
            tables = {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            if "alembic_version" not in tables:
                return None, tables
            rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.DatabaseError as exc:
        raise ValidationFailed(
            "{name} is not a readable SQLite backup ({exc}).", name=source.name, exc=exc
        ) from exc
    return ",".join(sorted(r[0] for r in rows)) or None, tables


def _pg_contents(source: Path) -> tuple[str | None, set[str]]:
    listing = _pg_restore_output(source, "--list")
    tables = {
        parts[parts.index("TABLE") + 2]
        for line in listing.splitlines()
        if not line.startswith(";") and "TABLE" in (parts := line.split()) and "DATA" not in parts
        and len(parts) > parts.index("TABLE") + 2
    }  # fmt: skip
    if "alembic_version" not in tables:
        return None, tables
    data = _pg_restore_output(source, "--data-only", "--table=alembic_version", "--file=-")
    rows = data.split("COPY public.alembic_version", 1)[-1].split("\\.", 1)[0].splitlines()[1:]
    return ",".join(sorted(r.strip() for r in rows if r.strip())) or None, tables


def _pg_restore_output(source: Path, *args: str) -> str:
    done = subprocess.run(
        [_tool("pg_restore"), *args, str(source)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise ValidationFailed("{name} is not a readable PostgreSQL backup.", name=source.name)
    return done.stdout
