"""The audit log: sign-ins under the person's name, a count of every matching event when the
list is cut, and the full list for the CSV export."""

from __future__ import annotations

from rbm.db import Database
from rbm.models.enums import Role
from rbm.queries.admin import audit_count, audit_log
from rbm.services.users import authenticate
from tests.utils.builders import PASSWORD, make_user


def test_a_sign_in_shows_the_person_signing_in(db: Database) -> None:
    with db.write() as session:
        admin = make_user(session, Role.ADMIN)
        officer = make_user(session, Role.OFFICER, admin=admin)
    authenticate(db, email=officer.email, password=PASSWORD)
    with db.read() as session:
        events = audit_log(session, principal=admin, action="sign_in")
        mine = audit_log(session, principal=admin, user_email=officer.email)
    assert list(events["name"]) == [officer.name]
    assert list(events["user"]) == [officer.email]
    assert "sign_in" in set(mine["action"])


def test_a_cut_list_is_counted_whole_and_the_export_holds_everything(db: Database) -> None:
    with db.write() as session:
        admin = make_user(session, Role.ADMIN)
        for _ in range(4):
            make_user(session, Role.DONOR, admin=admin)
    with db.read() as session:
        shown = audit_log(session, principal=admin, action="create", limit=2)
        total = audit_count(session, principal=admin, action="create")
        every = audit_log(session, principal=admin, action="create", limit=None)
    assert len(shown) == 2
    assert total == len(every) == 5  # the admin and four donors
