"""Change your own password (required after an administrator reset it)."""

from __future__ import annotations

import streamlit as st

from rbm.i18n import _
from rbm.services.users import MIN_PASSWORD_LENGTH, change_own_password
from rbm.ui import remember
from rbm.ui.session import MUST_CHANGE, get_db, require_principal
from rbm.ui.widgets import reported

principal = require_principal()
st.title(_("Change password"))
if st.session_state.get(MUST_CHANGE):
    st.warning(_("Your password was reset by an administrator: choose a new one to continue."))
if st.session_state.pop("cp_done", False):
    st.success(_("Password changed. Every page of the menu is open to you again."))

with st.form("change_password_form", clear_on_submit=True):
    current = st.text_input(_("Current password"), type="password", key="cp_current")
    new = st.text_input(
        _("New password"),
        type="password",
        key="cp_new",
        help=_("At least {n} characters, with letters and digits.", n=MIN_PASSWORD_LENGTH),
    )
    again = st.text_input(_("New password again"), type="password", key="cp_again")
    submitted = st.form_submit_button(_("Change password"), type="primary")

if submitted:
    if new != again:
        st.error(_("The two new passwords differ."))
    else:
        with reported():
            with get_db().write() as session:
                change_own_password(session, principal=principal, current=current, new_password=new)
            st.session_state[MUST_CHANGE] = False
            st.session_state["cp_done"] = True
            remember.renew_soon()  # this browser stays signed in; every other session ends
            st.rerun()
