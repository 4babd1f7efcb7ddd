"""Change your own password (required after an administrator reset it)."""

from __future__ import annotations

import streamlit as st

from rbm.errors import RbmError
from rbm.services.users import change_own_password
from rbm.ui.session import MUST_CHANGE, get_db, require_principal
from rbm.ui.widgets import message

principal = require_principal()
st.title("Change password")
if st.session_state.get(MUST_CHANGE):
    st.warning("Your password was reset by an administrator: choose a new one to continue.")
if st.session_state.pop("cp_done", False):
    st.success("Password changed. Every page of the menu is open to you again.")

with st.form("change_password_form"):
    current = st.text_input("Current password", type="password", key="cp_current")
    new = st.text_input(
        "New password",
        type="password",
        key="cp_new",
        help="At least 10 characters, with letters and digits.",
    )
    again = st.text_input("New password again", type="password", key="cp_again")
    submitted = st.form_submit_button("Change password", type="primary")

if submitted:
    if new != again:
        st.error("The two new passwords differ.")
    else:
        try:
            with get_db().write() as session:
                change_own_password(session, principal=principal, current=current, new_password=new)
        except RbmError as exc:
            st.error(message(exc))
        else:
            st.session_state[MUST_CHANGE] = False
            st.session_state["cp_done"] = True
            st.rerun()
