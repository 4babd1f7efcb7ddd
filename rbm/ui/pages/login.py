"""Sign in with a local account. In demo mode the demo accounts are listed."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from rbm.demo import demo_accounts
from rbm.i18n import _, set_language
from rbm.services.users import authenticate
from rbm.settings import get_settings
from rbm.ui.session import LANGUAGE, client_address, get_db, sign_in, sso_configured
from rbm.ui.widgets import language_choice, reported, show_table


def _switch_language() -> None:
    # Before signing in there is no account to store the choice with: this session only.
    st.session_state[LANGUAGE] = st.session_state["login_language"]
    set_language(str(st.session_state["login_language"]))


head, choice = st.columns([4, 1])
head.title(_("RBM tracker"))
language_choice(choice, key="login_language", on_change=_switch_language)
st.caption(_("Results-based management for technical-assistance programmes"))

with st.form("login_form"):
    email = st.text_input(_("E-mail"), key="login_email")
    password = st.text_input(_("Password"), type="password", key="login_password")
    submitted = st.form_submit_button(_("Sign in"), type="primary")

if sso_configured():
    st.button(
        _("Sign in with single sign-on"),
        on_click=st.login,
        key="login_sso",
        icon=":material/key:",
    )

if submitted:
    # A refusal or a busy database: a message, never a traceback.
    with reported():
        principal = authenticate(get_db(), email=email, password=password, client=client_address())
        sign_in(principal)
        st.rerun()

if get_settings().demo_mode:
    st.divider()
    st.subheader(_("Demo accounts"))
    st.caption(
        _(
            "This instance runs in demo mode with a sample portfolio. "
            "Sign in with any of these accounts to see the product from that role."
        )
    )
    try:
        accounts = pd.DataFrame(demo_accounts())[["role", "email", "password", "name"]]
    except FileNotFoundError:
        st.info(_("The demo portfolio files are missing."))
    else:
        show_table(
            accounts,
            column_config={
                "role": _("Role"),
                "email": _("E-mail"),
                "password": _("Password"),
                "name": _("Name"),
            },
        )
