"""Consistent copies of the live database, attachments included (they live in the database).

SQLite uses its online backup API (a consistent snapshot while the app runs); PostgreSQL uses
`pg_dump --format=custom` and `pg_restore --clean`.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from rbm.db import Database
from rbm.errors import ConfigurationError, ValidationFailed

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
        raise ConfigurationError(f"{name} is not installed (Debian package postgresql-client).")
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
    """Replace the database's content with a backup made by `backup` for the same backend."""
    head = source.read_bytes()[:16]
    db.dispose()
    if db.is_sqlite:
        if not head.startswith(SQLITE_MAGIC):
            raise ValidationFailed(f"{source} is not a SQLite backup.")
        with sqlite3.connect(source) as src, sqlite3.connect(_sqlite_path(db)) as dst:
            src.backup(dst)
        return
    if not head.startswith(PGDUMP_MAGIC):
        raise ValidationFailed(f"{source} is not a PostgreSQL backup (pg_dump custom format).")
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
