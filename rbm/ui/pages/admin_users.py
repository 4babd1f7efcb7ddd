"""Administration: accounts (create, deactivate, reset password with a forced change at next
sign-in, the language each person reads in) and role grants with their scopes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from rbm.i18n import LANGUAGES, _
from rbm.models.enums import Role, ScopeType, label
from rbm.principal import Grant
from rbm.queries.admin import grants_table, scope_choices, users_table
from rbm.services import preferences, users
from rbm.services.users import MIN_PASSWORD_LENGTH
from rbm.ui.session import cached_query, get_db, require_principal
from rbm.ui.widgets import reported, show_flash, show_table

principal = require_principal()
st.title(_("Users and roles"))
db = get_db()
FLASH = "au_done"
show_flash(FLASH)

accounts = cached_query(users_table, principal)
grants = cached_query(grants_table, principal)
choices = cached_query(scope_choices, principal)
orgs, projects, countries = choices["organisation"], choices["project"], choices["country"]
#: The language column: a name in itself, or a note that the browser's language applies.
BROWSER = _("Browser's language")

ROLES = [r.value for r in Role]


def _role(value: str) -> str:
    return label(value, Role)


def _run(done: str, fn: Callable[..., object], **kwargs: Any) -> None:
    """Run a write; on success rerun, so the tables and the account lists below show it (a new
    account could not be managed or granted a role until something else reran the page), and
    say `done` at the top."""
    with reported():
        with db.write() as session:
            fn(session, principal=principal, **kwargs)
        st.session_state[FLASH] = done
        st.rerun()


show_table(
    accounts.drop(columns=["id"]).assign(
        language=accounts["language"].map(lambda c: LANGUAGES.get(c, BROWSER))
    ),
    column_config={
        "email": _("E-mail"),
        "name": _("Name"),
        "is_active": _("Active"),
        "must_change_password": _("Must change password"),
        "language": _("Language"),
        "last_login_at": st.column_config.DatetimeColumn(_("Last sign-in")),
        "created_at": st.column_config.DatetimeColumn(_("Created")),
    },
)
show_table(
    grants[["email", "role", "scope_type", "scope"]].assign(
        role=grants["role"].map(lambda r: label(r, Role)),
        scope_type=grants["scope_type"].map(lambda s: label(s, ScopeType)),
    ),
    column_config={
        "email": _("E-mail"),
        "role": _("Role"),
        "scope_type": _("Scope type"),
        "scope": _("Scope"),
    },
)


def _scope_inputs(prefix: str) -> dict[str, Any]:
    scope = ScopeType(
        st.selectbox(
            _("Scope"),
            [s.value for s in ScopeType],
            format_func=lambda s: label(s, ScopeType),
            key=f"{prefix}_scope",
        )
    )
    if scope is ScopeType.ORGANISATION:
        return {
            "scope_type": scope,
            "organisation_id": st.selectbox(
                _("Organisation"), list(orgs), format_func=orgs.__getitem__, key=f"{prefix}_org"
            ),
        }
    if scope is ScopeType.PROJECT:
        return {
            "scope_type": scope,
            "project_id": st.selectbox(
                _("Project"), list(projects), format_func=projects.__getitem__, key=f"{prefix}_proj"
            ),
        }
    if scope is ScopeType.COUNTRY:
        return {
            "scope_type": scope,
            "country_code": st.selectbox(
                _("Country"),
                list(countries),
                format_func=countries.__getitem__,
                key=f"{prefix}_country",
            ),
        }
    return {"scope_type": scope}


create, manage, grant = st.tabs([_("Create an account"), _("Manage an account"), _("Grant a role")])
# Passwords are typed in forms: outside one, a password left with Tab stays on screen but
# never reaches the server (Streamlit sends it on blur, and Tab only moves to the field's own
# show-password button), so the account would be refused for an empty password.
with create:
    role = Role(st.selectbox(_("Role"), ROLES, key="au_role", format_func=_role))
    scope = _scope_inputs("au")  # outside the form: the scope decides the field that follows
    with st.form("au_create_form", clear_on_submit=True):
        email = st.text_input(_("E-mail"), key="au_email")
        name = st.text_input(_("Name"), key="au_name")
        password = st.text_input(
            _("Temporary password"),
            type="password",
            key="au_password",
            help=_(
                "At least {n} characters with letters and digits; the user must change it at "
                "first sign-in.",
                n=MIN_PASSWORD_LENGTH,
            ),
        )
        created = st.form_submit_button(_("Create account"), type="primary", key="au_create")
    if created:
        _run(
            _("Account {email} created.", email=email),
            users.create_user,
            email=email,
            name=name,
            password=password,
            must_change_password=True,
            grants=[Grant(role=role, **scope)],
        )

labels = dict(zip(accounts["id"], accounts["email"], strict=True))
with manage:
    uid = st.selectbox(_("Account"), list(labels), format_func=labels.__getitem__, key="au_manage")
    if uid is not None:
        account = accounts.set_index("id").loc[uid]
        active = bool(account["is_active"])
        if active and st.button(_("Deactivate"), key="au_deactivate"):
            _run(_("Account deactivated."), users.set_active, user_id=int(uid), active=False)
        if not active and st.button(_("Reactivate"), key="au_reactivate"):
            _run(_("Account reactivated."), users.set_active, user_id=int(uid), active=True)
        with st.form("au_reset_form", clear_on_submit=True):
            temp = st.text_input(_("New temporary password"), type="password", key="au_reset_pw")
            reset = st.form_submit_button(_("Reset password"), key="au_reset")
        if reset:
            _run(
                _("Password reset: the user must change it at next sign-in."),
                users.reset_password,
                user_id=int(uid),
                new_password=temp,
            )
        options: list[str | None] = [None, *LANGUAGES]
        stored = account["language"] if account["language"] in LANGUAGES else None
        chosen = st.selectbox(
            _("Language"),
            options,
            index=options.index(stored),
            format_func=lambda c: BROWSER if c is None else LANGUAGES[c],
            key=f"au_language_{uid}",
        )
        if st.button(_("Set language"), key="au_set_language"):
            _run(
                _("Language set."),
                preferences.set_language,
                user_id=int(uid),
                language=chosen,
            )
        own = grants[grants["user_id"] == uid]
        for _index, row in own.iterrows():
            c1, c2 = st.columns([4, 1])
            c1.text(f"{label(row['role'], Role)} · {row['scope']}")
            if c2.button(_("Revoke"), key=f"au_revoke_{row['id']}"):
                _run(_("Role revoked."), users.revoke_grant, grant_id=int(row["id"]))

with grant:
    g_uid = st.selectbox(
        _("Account"), list(labels), format_func=labels.__getitem__, key="au_grant_user"
    )
    g_role = Role(st.selectbox(_("Role"), ROLES, key="au_grant_role", format_func=_role))
    g_scope = _scope_inputs("ag")
    if st.button(_("Grant role"), type="primary", key="au_grant") and g_uid is not None:
        _run(
            _("Role granted."),
            users.grant_role,
            user_id=int(g_uid),
            grant=Grant(role=g_role, **g_scope),
        )
