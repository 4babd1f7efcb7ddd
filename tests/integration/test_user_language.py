"""The language stored with each account: set by its holder or an administrator, audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from rbm.db import Database
from rbm.errors import PermissionDenied, ValidationFailed
from rbm.models import AuditEvent
from rbm.models.enums import Role
from rbm.services.preferences import language_of, set_language
from tests.utils.builders import make_user


def test_a_person_chooses_their_own_language_and_the_choice_is_audited(db: Database) -> None:
    with db.write() as session:
        officer = make_user(session, Role.OFFICER)
    with db.write() as session:
        set_language(session, principal=officer, user_id=officer.user_id, language="es")
    with db.read() as session:
        assert language_of(session, user_id=officer.user_id) == "es"
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "set_language")).one()
    assert (event.user_id, event.before, event.after) == (
        officer.user_id,
        {"language": None},
        {"language": "es"},
    )


def test_an_account_without_a_choice_has_no_language(db: Database) -> None:
    with db.write() as session:
        donor = make_user(session, Role.DONOR)
    with db.read() as session:
        assert language_of(session, user_id=donor.user_id) is None


def test_an_administrator_sets_another_persons_language(db: Database) -> None:
    with db.write() as session:
        admin = make_user(session, Role.ADMIN)
        focal = make_user(session, Role.STATE_FOCAL_POINT)
    with db.write() as session:
        set_language(session, principal=admin, user_id=focal.user_id, language="fr")
    with db.read() as session:
        assert language_of(session, user_id=focal.user_id) == "fr"


def test_nobody_else_sets_another_persons_language(db: Database) -> None:
    with db.write() as session:
        manager = make_user(session, Role.MANAGER)
        officer = make_user(session, Role.OFFICER)
    with pytest.raises(PermissionDenied), db.write() as session:
        set_language(session, principal=manager, user_id=officer.user_id, language="fr")
    with db.read() as session:
        assert language_of(session, user_id=officer.user_id) is None


def test_an_unknown_language_is_refused_with_the_choices(db: Database) -> None:
    with db.write() as session:
        officer = make_user(session, Role.OFFICER)
    with pytest.raises(ValidationFailed, match="en, es, fr"), db.write() as session:
        set_language(session, principal=officer, user_id=officer.user_id, language="de")


def test_choosing_the_same_language_again_records_nothing(db: Database) -> None:
    with db.write() as session:
        officer = make_user(session, Role.OFFICER)
    for _ in range(2):
        with db.write() as session:
            set_language(session, principal=officer, user_id=officer.user_id, language="fr")
    with db.read() as session:
        events = session.scalars(
            select(AuditEvent.id).where(AuditEvent.action == "set_language")
        ).all()
    assert len(events) == 1
