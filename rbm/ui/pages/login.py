"""Sign in with a local account. In demo mode the demo accounts are listed."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from rbm.demo import demo_accounts
from rbm.errors import RbmError
from rbm.services.users import authenticate
from rbm.settings import get_settings
from rbm.ui.session import client_address, get_db, sign_in, sso_configured
from rbm.ui.widgets import message

st.title("RBM tracker")
st.caption("Results-based management for technical-assistance programmes")

with st.form("login_form"):
    email = st.text_input("E-mail", key="login_email")
    password = st.text_input("Password", type="password", key="login_password")
    submitted = st.form_submit_button("Sign in", type="primary")

if sso_configured():
    st.button(
        "Sign in with single sign-on", on_click=st.login, key="login_sso", icon=":material/key:"
    )

if submitted:
    try:
        principal = authenticate(get_db(), email=email, password=password, client=client_address())
    except RbmError as exc:  # a refusal or a busy database: a message, never a traceback
        st.error(message(exc))
    else:
        sign_in(principal)
        st.rerun()

if get_settings().demo_mode:
    st.divider()
    st.subheader("Demo accounts")
    st.caption(
        "This instance runs in demo mode with a sample portfolio. "
        "Sign in with any of these accounts to see the product from that role."
    )
    try:
        accounts = pd.DataFrame(demo_accounts())[["role", "email", "password", "name"]]
    except FileNotFoundError:
        st.info("The demo portfolio files are missing.")
    else:
        st.dataframe(
            accounts,
            hide_index=True,
            width="stretch",
            column_config={
                "role": "Role",
                "email": "E-mail",
                "password": "Password",
                "name": "Name",
            },
        )
