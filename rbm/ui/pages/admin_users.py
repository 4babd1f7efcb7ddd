"""Administration: accounts (create, deactivate, reset password with a forced change at next
sign-in) and role grants with their scopes."""

from __future__ import annotations

from typing import Any

import streamlit as st
from sqlalchemy import select

from rbm.errors import RbmError
from rbm.models import Country, Organisation, Project
from rbm.models.enums import Role, ScopeType
from rbm.principal import Grant
from rbm.queries.admin import grants_table, users_table
from rbm.services import users
from rbm.ui.session import cached_query, get_db, require_principal
from rbm.ui.widgets import message

principal = require_principal()
st.title("Users and roles")
db = get_db()

accounts = cached_query(users_table, principal)
grants = cached_query(grants_table, principal)
with db.read() as session:
    orgs = dict(
        session.execute(
            select(Organisation.id, Organisation.name).order_by(Organisation.name)
        ).all()
    )
    projects = dict(session.execute(select(Project.id, Project.code).order_by(Project.code)).all())
    countries = dict(
        session.execute(select(Country.code, Country.name).order_by(Country.name)).all()
    )


def _run(action: str, fn, **kwargs) -> None:  # type: ignore[no-untyped-def]
    try:
        with db.write() as session:
            fn(session, principal=principal, **kwargs)
    except RbmError as exc:
        st.error(message(exc))
    else:
        st.success(message(action))


st.dataframe(
    accounts.drop(columns=["id"]),
    hide_index=True,
    width="stretch",
    column_config={
        "email": "E-mail",
        "name": "Name",
        "is_active": "Active",
        "must_change_password": "Must change password",
        "last_login_at": st.column_config.DatetimeColumn("Last sign-in"),
        "created_at": st.column_config.DatetimeColumn("Created"),
    },
)
st.dataframe(
    grants[["email", "role", "scope_type", "scope"]],
    hide_index=True,
    width="stretch",
    column_config={"email": "E-mail", "role": "Role", "scope_type": "Scope type", "scope": "Scope"},
)


def _scope_inputs(prefix: str) -> dict[str, Any]:
    scope = ScopeType(st.selectbox("Scope", [s.value for s in ScopeType], key=f"{prefix}_scope"))
    if scope is ScopeType.ORGANISATION:
        return {
            "scope_type": scope,
            "organisation_id": st.selectbox(
                "Organisation", list(orgs), format_func=orgs.__getitem__, key=f"{prefix}_org"
            ),
        }
    if scope is ScopeType.PROJECT:
        return {
            "scope_type": scope,
            "project_id": st.selectbox(
                "Project", list(projects), format_func=projects.__getitem__, key=f"{prefix}_proj"
            ),
        }
    if scope is ScopeType.COUNTRY:
        return {
            "scope_type": scope,
            "country_code": st.selectbox(
                "Country",
                list(countries),
                format_func=countries.__getitem__,
                key=f"{prefix}_country",
            ),
        }
    return {"scope_type": scope}


create, manage, grant = st.tabs(["Create an account", "Manage an account", "Grant a role"])
with create:
    email = st.text_input("E-mail", key="au_email")
    name = st.text_input("Name", key="au_name")
    password = st.text_input(
        "Temporary password",
        type="password",
        key="au_password",
        help="At least 10 characters with letters and digits; the user "
        "must change it at first sign-in.",
    )
    role = Role(
        st.selectbox(
            "Role", [r.value for r in Role], key="au_role", format_func=lambda r: Role(r).label
        )
    )
    scope = _scope_inputs("au")
    if st.button("Create account", type="primary", key="au_create"):
        _run(
            f"Account {email} created.",
            users.create_user,
            email=email,
            name=name,
            password=password,
            must_change_password=True,
            grants=[Grant(role=role, **scope)],
        )

labels = dict(zip(accounts["id"], accounts["email"], strict=True))
with manage:
    uid = st.selectbox("Account", list(labels), format_func=labels.__getitem__, key="au_manage")
    if uid is not None:
        active = bool(accounts.set_index("id").loc[uid, "is_active"])
        if active and st.button("Deactivate", key="au_deactivate"):
            _run("Account deactivated.", users.set_active, user_id=int(uid), active=False)
        if not active and st.button("Reactivate", key="au_reactivate"):
            _run("Account reactivated.", users.set_active, user_id=int(uid), active=True)
        temp = st.text_input("New temporary password", type="password", key="au_reset_pw")
        if st.button("Reset password", key="au_reset"):
            _run(
                "Password reset: the user must change it at next sign-in.",
                users.reset_password,
                user_id=int(uid),
                new_password=temp,
            )
        own = grants[grants["user_id"] == uid]
        for _, row in own.iterrows():
            c1, c2 = st.columns([4, 1])
            c1.text(f"{row['role']} · {row['scope']}")
            if c2.button("Revoke", key=f"au_revoke_{row['id']}"):
                _run("Role revoked.", users.revoke_grant, grant_id=int(row["id"]))

with grant:
    g_uid = st.selectbox(
        "Account", list(labels), format_func=labels.__getitem__, key="au_grant_user"
    )
    g_role = Role(
        st.selectbox(
            "Role",
            [r.value for r in Role],
            key="au_grant_role",
            format_func=lambda r: Role(r).label,
        )
    )
    g_scope = _scope_inputs("ag")
    if st.button("Grant role", type="primary", key="au_grant") and g_uid is not None:
        _run(
            "Role granted.",
            users.grant_role,
            user_id=int(g_uid),
            grant=Grant(role=g_role, **g_scope),
        )
