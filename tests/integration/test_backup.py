"""`rbm backup` and `rbm restore` round-trip the whole database, attachments included."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from rbm.backup import backup, restore
from rbm.db import Database
from rbm.errors import ValidationFailed
from rbm.models import Attachment, AuditEvent, User
from rbm.models.enums import Role, ScopeType
from rbm.services import evidence
from tests.utils.builders import LogframeBuilder, make_user


def _snapshot(db: Database) -> tuple[int, int, bytes | None]:
    with db.read() as session:
        return (
            session.scalar(select(func.count(User.id))) or 0,
            session.scalar(select(func.count(AuditEvent.id))) or 0,
            session.scalar(select(Attachment.content)),
        )


def test_restore_brings_back_exactly_what_was_backed_up(db: Database, tmp_path: Path) -> None:
    from rbm.services import measurements as svc

    with db.write() as session:
        admin = make_user(session, Role.ADMIN)
        built = LogframeBuilder().with_indicator("1.a").build(session, admin)
        officer = make_user(
            session,
            Role.OFFICER,
            scope={"scope_type": ScopeType.PROJECT, "project_id": built.project_id},
        )
        m = svc.save_draft(
            session,
            principal=officer,
            indicator_id=built.indicator_ids["1.a"],
            period_id=built.period_ids["2024-Q1"],
            values=svc.Values(value=5),
        )  # type: ignore[arg-type]
        evidence.attach(
            session,
            principal=officer,
            measurement_id=m.id,
            filename="list.pdf",
            content=b"%PDF-1.4 evidence",
        )
    before = _snapshot(db)
    out = backup(db, tmp_path / "rbm.backup")
    with db.write() as session:
        make_user(session, Role.DONOR)
    assert _snapshot(db) != before
    restore(db, out)
    assert _snapshot(db) == before
    assert before[2] == b"%PDF-1.4 evidence"


def test_restore_refuses_a_file_that_is_not_a_backup(db: Database, tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.backup"
    bogus.write_bytes(b"hello, not a database")
    with pytest.raises(ValidationFailed, match="not a"):
        restore(db, bogus)


def _foreign_backup(db: Database, tmp_path: Path) -> Path:
    """A genuine backup, in the right format, of a database that is not this product's."""
    from sqlalchemy import text

    from tests.conftest import _pg_database

    urls = iter([f"sqlite:///{tmp_path / 'other.sqlite3'}"]) if db.is_sqlite else _pg_database()
    other = Database(next(urls))
    with other.engine.begin() as conn:
        conn.execute(text("CREATE TABLE invoices (id integer primary key, total integer)"))
    out = backup(other, tmp_path / "other.backup")
    other.dispose()
    for _ in urls:  # drops the PostgreSQL database
        pass
    return out


def test_restore_refuses_a_backup_of_another_schema_and_touches_nothing(
    db: Database, tmp_path: Path
) -> None:
    with db.write() as session:
        make_user(session, Role.DONOR)
    before = _snapshot(db)
    with pytest.raises(ValidationFailed, match="not a backup of this product's database"):
        restore(db, _foreign_backup(db, tmp_path))
    assert _snapshot(db) == before


def test_restore_refuses_a_backup_of_another_schema_version(db: Database, tmp_path: Path) -> None:
    from sqlalchemy import text

    out = backup(db, tmp_path / "rbm.backup")
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0000_older'"))
    stale = backup(db, tmp_path / "stale.backup")
    restore(db, out)  # the current version is accepted
    with pytest.raises(ValidationFailed, match="schema version 0000_older"):
        restore(db, stale)


def test_rbm_restore_yes_refuses_a_foreign_file_with_a_message(
    db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from rbm import cli
    from rbm.settings import get_settings

    with db.write() as session:
        make_user(session, Role.DONOR)
    before = _snapshot(db)
    foreign = _foreign_backup(db, tmp_path)
    monkeypatch.setenv("RBM_DATABASE_URL", db.url)
    monkeypatch.setattr("sys.argv", ["rbm", "restore", str(foreign), "--yes"])
    get_settings.cache_clear()
    with pytest.raises(SystemExit) as exited:
        cli.run()
    assert exited.value.code == 1
    assert "is not a backup of this product's database" in capsys.readouterr().err
    assert _snapshot(db) == before
