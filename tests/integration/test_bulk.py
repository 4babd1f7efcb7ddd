"""The validated bulk path: a synthetic portfolio loads whole and audited; a bad frame is refused
with the table, row and column of each problem, and nothing is written."""

from __future__ import annotations

from functools import partial

import pandas as pd
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from bench.generate import Size, portfolio_frames
from rbm.db import Database
from rbm.errors import PermissionDenied, ValidationFailed
from rbm.frames.sql import foreign_keys_checked_after, indexes_built_after
from rbm.models import AuditEvent, Base, Country, Measurement, MeasurementBreakdown, Project
from rbm.models.enums import Role, ScopeType
from rbm.principal import Principal
from rbm.queries.portfolio import home
from rbm.services import bulk
from tests.utils.builders import make_user

TWO_PROJECTS = Size("test", 2, 2)
People = tuple[Principal, Principal, Principal]


@pytest.fixture
def people(db: Database) -> People:
    with db.write() as session:
        admin = make_user(session, Role.ADMIN)
        officer = make_user(session, Role.OFFICER, admin=admin)
        manager = make_user(session, Role.MANAGER, admin=admin)
    return admin, officer, manager


def _frames(
    db: Database, people: tuple[Principal, Principal, Principal]
) -> dict[str, pd.DataFrame]:
    _, officer, manager = people
    with db.read() as session:
        codes = list(session.scalars(select(Country.code).order_by(Country.code)))
        first = {t: bulk.next_id(session, t) for t in ("organisation", "project", "measurement")}
    return portfolio_frames(
        TWO_PROJECTS,
        country_codes=codes,
        officer_id=officer.user_id,
        manager_id=manager.user_id,
        first_ids=first,
    )


def _count(db: Database, model: type) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_small_portfolio_loads_whole_and_each_batch_is_audited(db: Database, people) -> None:
    admin = people[0]
    with db.write() as session:
        written = bulk.load_portfolio(session, principal=admin, frames=_frames(db, people))
    assert written["project"] == 2
    assert written["measurement"] == 2 * 20 * 25
    assert _count(db, Measurement) == 1000
    assert _count(db, MeasurementBreakdown) == 2 * 2 * 25 * 2
    with db.read() as session:
        events = session.scalars(
            select(AuditEvent.after).where(AuditEvent.entity_type == "bulk_load")
        ).all()
        table = home(session, principal=admin).table
    assert {"table": "measurement", "batch": 1, "rows": 1000} in events
    assert table["code"].tolist() == ["BEN-00000", "BEN-00001"]


def test_ids_after_a_bulk_load_continue_past_the_loaded_ones(db: Database, people) -> None:
    with db.write() as session:
        bulk.load_portfolio(session, principal=people[0], frames=_frames(db, people))
    with db.write() as session:
        assert bulk.next_id(session, "project") == 3
        session.add(
            Project(
                code="AFTER",
                title="Made after the load",
                status="pipeline",
                start_date=pd.Timestamp("2024-01-01").date(),
                end_date=pd.Timestamp("2025-01-01").date(),
                provider_id=1,
            )
        )
        session.flush()
    assert _count(db, Project) == 3


def test_a_bad_frame_is_refused_with_rows_and_columns_and_nothing_is_written(
    db: Database, people
) -> None:
    frames = _frames(db, people)
    frames["measurement"].loc[4, "status"] = "finished"
    frames["measurement"].loc[6, "indicator_id"] = 999_999
    frames["project_country"].loc[0, "share"] = 150
    with pytest.raises(ValidationFailed) as refused, db.write() as session:
        bulk.load_portfolio(session, principal=people[0], frames=frames)
    problems = refused.value.problems
    assert any(p.startswith("measurement row 5, column status: isin") for p in problems)
    assert any(p.startswith("project_country row 1, column share: less_than") for p in problems)
    assert _count(db, Project) == 0
    assert _count(db, Measurement) == 0


def test_a_dangling_reference_is_named_by_table_row_and_column(db: Database, people) -> None:
    frames = _frames(db, people)
    frames["measurement"].loc[6, "indicator_id"] = 999_999
    with pytest.raises(ValidationFailed) as refused, db.write() as session:
        bulk.load_portfolio(session, principal=people[0], frames=frames)
    assert refused.value.problems == [
        "measurement row 7, column indicator_id: no indicator with id 999999"
    ]
    assert _count(db, Measurement) == 0


def test_only_a_global_administrator_may_bulk_load(db: Database, people) -> None:
    with db.write() as session:
        scoped = make_user(
            session,
            Role.ADMIN,
            scope={"scope_type": ScopeType.COUNTRY, "country_code": "HN"},
            admin=people[0],
        )
    with pytest.raises(PermissionDenied), db.write() as session:
        bulk.load_portfolio(session, principal=scoped, frames=_frames(db, people))
    assert _count(db, Project) == 0


#: Cells a CSV text could garble: separators, quotes, line ends, PostgreSQL's null marker.
AWKWARD_TEXT = [
    "a, b",
    'she said "no"',
    "two\nlines",
    "carriage\rreturn",
    "crlf\r\nend",
    "tab\there",
    "back\\slash",
    "\\N",
    "\\N\\N",
    "Côte d’Ivoire – 2 000 €",
    "",
    " leading and trailing ",
]


def test_every_kind_of_cell_reads_back_as_it_was_given(db: Database, people) -> None:
    frames = _frames(db, people)
    measurements = frames["measurement"]
    first = int(measurements["id"].iloc[0])
    rows = range(len(AWKWARD_TEXT))
    measurements["narrative"] = "a narrative"
    measurements.loc[rows, "narrative"] = AWKWARD_TEXT
    measurements.loc[rows, "value"] = [0.1, 0.0001, 123456789.125, 0, -2.5, 7, 8, 9, 10, 11, 12, 13]
    submitted = pd.Timestamp("2024-03-31 23:59:58.123456", tz="UTC")
    measurements["submitted_at"] = submitted
    frames["project"]["iati_identifier"] = ["", None]
    with db.write() as session:
        bulk.load_portfolio(session, principal=people[0], frames=frames)
    with db.read() as session:
        stored = session.execute(
            select(
                Measurement.narrative,
                Measurement.value,
                Measurement.reviewed_by_id,
                Measurement.submitted_at,
            )
            .where(Measurement.id < first + len(AWKWARD_TEXT))
            .order_by(Measurement.id)
        ).all()
        identifiers = session.scalars(select(Project.iati_identifier).order_by(Project.id)).all()
    assert [s.narrative for s in stored] == AWKWARD_TEXT
    assert [float(s.value) for s in stored][:5] == [0.1, 0.0001, 123456789.125, 0, -2.5]
    given = measurements["reviewed_by_id"].iloc[: len(AWKWARD_TEXT)]
    assert [s.reviewed_by_id for s in stored] == [None if pd.isna(v) else v for v in given]
    assert identifiers == ["", None]
    assert {pd.Timestamp(s.submitted_at).tz_localize(None) for s in stored} == {
        submitted.tz_localize(None)
    }


def _foreign_keys(db: Database) -> list[str]:
    with db.read() as session:
        if db.is_sqlite:
            return sorted(
                f"{table}.{key[3]}->{key[2]}"
                for table in Base.metadata.tables
                for key in session.execute(text(f"PRAGMA foreign_key_list('{table}')"))
            )
        return sorted(
            session.scalars(text("SELECT conname FROM pg_constraint WHERE contype = 'f'"))
        )


def _indexes(db: Database) -> list[str]:
    """Every index, unique constraints' included, with its definition."""
    with db.read() as session:
        if db.is_sqlite:
            sql = "SELECT name || ' ' || coalesce(sql, '') FROM sqlite_master WHERE type = 'index'"
        else:
            sql = "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema()"
        return sorted(session.scalars(text(sql)))


def test_a_row_the_database_refuses_fails_the_whole_load_and_keys_stay(
    db: Database, people
) -> None:
    # Two values for one indicator, period and revision: no frame check sees it, the
    # database's unique constraint does, halfway through the inserts on SQLite, when it is
    # built again after the COPY on PostgreSQL.
    frames = _frames(db, people)
    measurements = frames["measurement"]
    for column in ("indicator_id", "reporting_period_id", "revision"):
        measurements.loc[900, column] = measurements.loc[899, column]
    before = _foreign_keys(db), _indexes(db)
    with (
        pytest.raises(DBAPIError, match="indicator_id, reporting_period_id, revision"),
        db.write() as session,
    ):
        bulk.load_portfolio(session, principal=people[0], frames=frames)
    assert (_foreign_keys(db), _indexes(db)) == before
    assert _count(db, Project) == 0
    assert _count(db, Measurement) == 0
    assert _count(db, AuditEvent) == 3  # the three people made by the fixture


def test_the_keys_set_aside_for_a_load_are_back_and_checked(db: Database, people) -> None:
    keys = partial(_foreign_keys, db)
    before, indexes = keys(), _indexes(db)
    with db.write() as session:
        bulk.load_portfolio(session, principal=people[0], frames=_frames(db, people))
    assert keys() == before
    assert _indexes(db) == indexes
    # A row that points nowhere, written while the keys are set aside, fails the transaction.
    with (
        pytest.raises(IntegrityError),
        db.write() as session,
        foreign_keys_checked_after(session, [Measurement.__table__]),
    ):
        session.execute(
            text(
                "INSERT INTO measurement (indicator_id, reporting_period_id, revision, "
                "is_current, status, narrative, created_by_id, version) "
                "VALUES (999999, 999999, 1, true, 'draft', '', 1, 1)"
            )
        )
    assert _count(db, Measurement) == 1000
    assert keys() == before


def test_the_indexes_set_aside_for_a_load_are_built_again_in_the_same_transaction(
    db: Database,
) -> None:
    catalogue = (
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'measurement'"
        if db.is_sqlite
        else "SELECT indexname FROM pg_indexes WHERE tablename = 'measurement'"
    )
    with db.write() as session:
        before = set(session.scalars(text(catalogue)))
        with indexes_built_after(session, [Measurement.__table__]):
            inside = set(session.scalars(text(catalogue)))
        after = set(session.scalars(text(catalogue)))
    assert after == before
    assert "ix_measurement_current" in before
    # On PostgreSQL the primary key stays (other tables' keys point at it) and the rest are
    # dropped for the block; SQLite keeps them all.
    assert inside == (before if db.is_sqlite else {"pk_measurement"})
