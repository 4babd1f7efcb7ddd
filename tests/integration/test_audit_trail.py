"""The audit steps the services share: a change recorded from its fields before to after, and a
deletion recorded with what the row held."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from rbm.db import Database
from rbm.models import AuditEvent, PriorityArea, User
from rbm.models.enums import Role
from rbm.services import audit
from rbm.services import reference as ref
from tests.utils.builders import make_user


def test_a_change_is_recorded_with_its_fields_before_the_block_and_after_it(db: Database) -> None:
    with db.write() as session:
        admin = make_user(session, Role.ADMIN)
        donor = make_user(session, Role.DONOR)
    with db.write() as session:
        user = session.get(User, donor.user_id)
        assert user is not None
        with audit.change(
            session,
            principal=admin,
            row=user,
            entity_type="user",
            fields=("name", "is_active"),
            action="rename",
            reason="typo",
        ):
            user.name = "Renamed donor"
    with db.read() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "rename")).one()
    assert (event.user_id, event.entity_type, event.entity_id, event.reason) == (
        admin.user_id,
        "user",
        donor.user_id,
        "typo",
    )
    assert event.before is not None and event.before["is_active"] is True
    assert event.before["name"] != "Renamed donor"
    assert event.after == {"name": "Renamed donor", "is_active": True}


def test_a_change_whose_block_fails_records_nothing(db: Database) -> None:
    with db.write() as session:
        admin = make_user(session, Role.ADMIN)
    with db.write() as session:
        user = session.get(User, admin.user_id)
        assert user is not None
        with (
            pytest.raises(RuntimeError),
            audit.change(
                session,
                principal=admin,
                row=user,
                entity_type="user",
                fields=("name",),
                action="rename",
            ),
        ):
            raise RuntimeError("refused half-way")
        session.flush()
        assert session.scalars(select(AuditEvent).where(AuditEvent.action == "rename")).all() == []


def test_a_deleted_row_is_gone_and_recorded_with_what_it_held(db: Database) -> None:
    with db.write() as session:
        admin = make_user(session, Role.ADMIN)
        area_id = ref.create_priority_area(
            session, principal=admin, code="XX", name="To be removed"
        ).id
    with db.write() as session:
        area = session.get(PriorityArea, area_id)
        assert area is not None
        audit.delete(
            session,
            principal=admin,
            row=area,
            entity_type="priority_area",
            before={"code": area.code, "name": area.name},
        )
    with db.read() as session:
        assert session.get(PriorityArea, area_id) is None
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "delete")).one()
    assert (event.entity_type, event.entity_id, event.before, event.after) == (
        "priority_area",
        area_id,
        {"code": "XX", "name": "To be removed"},
        None,
    )
