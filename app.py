"""Entry point: settings, the sign-in gate, and `st.navigation` built from the principal's
roles. The only router: every page is a script under rbm/ui/pages/, and a page outside the
principal's roles is not registered, so its URL does not open it either."""

from __future__ import annotations

import time

import streamlit as st

from rbm.errors import RbmError
from rbm.i18n import _
from rbm.principal import Principal
from rbm.services.users import principal_for_sso
from rbm.settings import get_settings
from rbm.ui import remember, run_log
from rbm.ui.registry import CHANGE_PASSWORD, LOGIN, PAGES, pages_for
from rbm.ui.session import (
    MUST_CHANGE,
    apply_language,
    apply_upload_limit,
    check_idle_timeout,
    choose_language,
    current_principal,
    get_db,
    inbox_count,
    refresh_principal,
    sign_in,
    sign_out,
    sso_configured,
)
from rbm.ui.widgets import language_choice, message, plain, reported

started = time.perf_counter()  # the run's server time, when RBM_RUN_LOG asks (bench.load)
apply_language()
st.set_page_config(page_title=_("RBM tracker"), page_icon=":material/insights:", layout="wide")
settings = get_settings()
apply_upload_limit()

if check_idle_timeout():
    st.toast(_("You were signed out after a period of inactivity."))
if refresh_principal():
    st.toast(_("You were signed out: your account has been deactivated."))

if current_principal() is None and (remembered := remember.restore()) is not None:
    sign_in(remembered)  # a reload or a new tab: the signed session cookie

if current_principal() is None and sso_configured() and st.user.is_logged_in:
    # Identity from the provider; roles and scopes from our database, by e-mail.
    try:
        sso_principal = principal_for_sso(get_db(), email=str(st.user.email or ""))
    except RbmError as exc:
        st.error(message(exc))
        st.stop()
    if sso_principal is None:
        st.title(_("RBM tracker"))
        st.error(
            _(
                "{email} has no access yet: ask an administrator to grant you a role.",
                email=plain(str(st.user.email)),
            )
        )
        if st.button(_("Sign out")):
            st.logout()
        st.stop()
    sign_in(sso_principal)


def _switch_language(principal: Principal) -> None:
    """The sidebar's language choice: this session at once, and the account for next time."""
    with reported():
        choose_language(principal, str(st.session_state["sidebar_language"]))


principal = current_principal()
if principal is None:
    # Every page's address opens the sign-in form, keeping the address and its query string,
    # so a link (page + project + indicator) opens where it points once signed in.
    page = st.navigation(
        [
            st.Page(LOGIN.path, title=_(LOGIN.title), icon=LOGIN.icon, url_path=LOGIN.url_path),
            *(
                st.Page(LOGIN.path, title=_(LOGIN.title), url_path=spec.url_path)
                for spec in (*PAGES, CHANGE_PASSWORD)
            ),
        ],
        position="hidden",
    )
    home = LOGIN.url_path
    remember.clear_if_signed_out()
else:
    sections: dict[str, list[st.Page]] = {}
    waiting = inbox_count(principal)
    specs = pages_for(principal, must_change_password=bool(st.session_state.get(MUST_CHANGE)))
    home = specs[0].url_path  # the first page is the default, whose address is ""
    for spec in specs:
        title = _(spec.title)
        if spec.url_path == "inbox" and waiting:
            title = _("{page} ({count})", page=title, count=waiting)
        sections.setdefault(_(spec.section), []).append(
            st.Page(spec.path, title=title, icon=spec.icon, url_path=spec.url_path)
        )
    page = st.navigation(sections, expanded=True)
    with st.sidebar:
        st.caption(_("Signed in as"))
        st.text(principal.name)
        st.caption(", ".join(sorted(r.label for r in principal.roles)))
        language_choice(
            st.sidebar, key="sidebar_language", on_change=_switch_language, args=(principal,)
        )
        if st.button(_("Sign out"), icon=":material/logout:", key="sign_out"):
            remember.forget(principal)
            sign_out()
            st.session_state[remember.SIGNED_OUT] = True
            st.rerun()
        remember.keep(principal)
        if settings.demo_mode:
            st.caption(_("Demo mode: sample data, not for real use."))
with run_log.timed(page.url_path or str(home), started):
    page.run()
