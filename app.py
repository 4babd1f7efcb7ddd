"""Entry point: settings, the sign-in gate, and `st.navigation` built from the principal's
roles. The only router: every page is a script under rbm/ui/pages/."""

from __future__ import annotations

import streamlit as st

from rbm.settings import get_settings
from rbm.ui.registry import LOGIN, pages_for
from rbm.ui.session import check_idle_timeout, current_principal, sign_out

st.set_page_config(page_title="RBM tracker", page_icon=":material/insights:", layout="wide")
settings = get_settings()

if check_idle_timeout():
    st.toast("You were signed out after a period of inactivity.")

principal = current_principal()
if principal is None:
    page = st.navigation(
        [st.Page(LOGIN.path, title=LOGIN.title, icon=LOGIN.icon, url_path=LOGIN.url_path)],
        position="hidden",
    )
else:
    sections: dict[str, list[st.Page]] = {}
    for spec in pages_for(principal):
        sections.setdefault(spec.section, []).append(
            st.Page(spec.path, title=spec.title, icon=spec.icon, url_path=spec.url_path)
        )
    page = st.navigation(sections)
    with st.sidebar:
        st.caption("Signed in as")
        st.text(principal.name)
        st.caption(", ".join(sorted(r.label for r in principal.roles)))
        if st.button("Sign out", icon=":material/logout:", key="sign_out"):
            sign_out()
            st.rerun()
        if settings.demo_mode:
            st.caption("Demo mode: sample data, not for real use.")
page.run()
