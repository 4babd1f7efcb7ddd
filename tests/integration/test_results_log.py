"""Logging one result in one transaction: a value with its evidence saved and submitted
together, and nothing kept when one step is refused."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from rbm.db import Database
from rbm.errors import ValidationFailed
from rbm.models import Attachment, Measurement
from rbm.models.enums import MeasurementStatus, Role, ScopeType
from rbm.principal import Principal
from rbm.services import measurements
from rbm.services.results_log import Evidence, log_value
from tests.utils.builders import BuiltProject, LogframeBuilder, make_user

PDF = b"%PDF-1.4 attendance"


@pytest.fixture
def team(db: Database) -> tuple[BuiltProject, Principal]:
    with db.write() as session:
        admin = make_user(session, Role.ADMIN)
        built = LogframeBuilder().with_indicator("1.a").build(session, admin)
        officer = make_user(
            session,
            Role.OFFICER,
            scope={"scope_type": ScopeType.PROJECT, "project_id": built.project_id},
        )
    return built, officer


def _log(db: Database, built: BuiltProject, officer: Principal, items: list[Evidence]) -> None:
    with db.write() as session:
        log_value(
            session,
            principal=officer,
            indicator_id=built.indicator_ids["1.a"],
            period_id=built.period_ids["2024-Q1"],
            values=measurements.Values(value=Decimal(7)),
            evidence_items=items,
            submit=True,
        )


def test_a_value_is_saved_with_its_evidence_and_submitted_at_once(
    db: Database, team: tuple[BuiltProject, Principal]
) -> None:
    built, officer = team
    items = [
        Evidence("attendance.pdf", content=PDF),
        Evidence("https://example.org/register", url="https://example.org/register"),
    ]
    _log(db, built, officer, items)
    with db.read() as session:
        m = session.scalars(select(Measurement)).one()
        kept = session.execute(select(Attachment.filename, Attachment.url)).all()
    assert (m.value, m.status) == (Decimal(7), MeasurementStatus.SUBMITTED)
    assert len(kept) == 2
    assert ("attendance.pdf", None) in [(f, u) for f, u in kept]


def test_a_refused_file_leaves_no_draft_behind(
    db: Database, team: tuple[BuiltProject, Principal]
) -> None:
    built, officer = team
    with pytest.raises(ValidationFailed):
        _log(db, built, officer, [Evidence("virus.exe", content=b"MZ")])
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Measurement)) == 0
        assert session.scalar(select(func.count()).select_from(Attachment)) == 0


def test_evidence_sent_with_a_full_windows_path_keeps_only_the_file_name(
    db: Database, team: tuple[BuiltProject, Principal]
) -> None:
    # Some browsers send the whole path of the file chosen; evaluation reports already kept
    # only its name, and evidence now does the same.
    built, officer = team
    _log(db, built, officer, [Evidence(r"C:\Users\ana\Registro 2024\attendance.pdf", content=PDF)])
    with db.read() as session:
        kept = session.execute(select(Attachment.filename, Attachment.measurement_id)).one()
    assert kept.filename == "attendance.pdf"
    assert kept.measurement_id is not None
