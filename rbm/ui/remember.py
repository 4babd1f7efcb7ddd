"""Staying signed in across reloads and new tabs: the signed session cookie.

Streamlit reads cookies (`st.context.cookies`, sent with the page's connection) but has no call
that sets one, so the cookie is written by a line of JavaScript (`st.html` with scripts on).
It is `SameSite=Strict`, `Secure` on HTTPS, and expires with the idle timeout; being written by
script it cannot be `HttpOnly`, which is why it holds only a signed, expiring token that the
server checks against the account on every use (`rbm.services.sessions`). Activity renews it
(at most every few minutes), so the idle timeout still signs out a person who walked away."""

from __future__ import annotations

import time

import streamlit as st

from rbm.principal import Principal
from rbm.services import sessions
from rbm.settings import get_settings
from rbm.ui.session import get_db

COOKIE = "rbm_session"
ISSUED = "session_cookie_issued"  # (monotonic time of the last cookie, sign-in epoch seconds)
SIGNED_OUT = "signed_out"


def _idle_seconds() -> float:
    return get_settings().idle_timeout_minutes * 60


def _write(value: str, max_age: int) -> None:
    secure = "; Secure" if (st.context.url or "").startswith("https://") else ""
    st.html(
        f"<script>document.cookie = '{COOKIE}={value}; Path=/; Max-Age={max_age}; "
        f"SameSite=Strict{secure}';</script>",
        unsafe_allow_javascript=True,
    )


def restore() -> Principal | None:
    """The principal the browser's cookie signs in (a reload, a new tab), or None."""
    token = st.context.cookies.get(COOKIE)
    if not token or st.session_state.get(SIGNED_OUT):
        return None
    settings = get_settings()
    with get_db().read() as session:
        found = sessions.restore(
            session,
            token=token,
            secret=settings.secret_key,
            idle_seconds=_idle_seconds(),
            max_seconds=settings.session_max_hours * 3600,
        )
    if found is None:
        return None
    principal, signed_in_at = found
    st.session_state[ISSUED] = (0.0, signed_in_at)  # renewed on this run
    return principal


def keep(principal: Principal) -> None:
    """Write (or renew) the cookie after a sign-in, and on activity every few minutes."""
    last, signed_in_at = st.session_state.get(ISSUED, (None, time.time()))
    now = time.monotonic()
    if last and now - last < min(300.0, _idle_seconds() / 4):
        return
    with get_db().read() as session:
        token = sessions.issue(
            session,
            principal=principal,
            secret=get_settings().secret_key,
            signed_in_at=signed_in_at,
        )
    _write(token, int(_idle_seconds()))
    st.session_state[ISSUED] = (now, signed_in_at)


def renew_soon() -> None:
    """Write a fresh cookie on the next run: after the person's own password change, which
    ends every token issued before (the password is part of its fingerprint), including the
    one this browser holds, so a reload would have signed them out."""
    _last, signed_in_at = st.session_state.get(ISSUED, (None, time.time()))
    st.session_state[ISSUED] = (0.0, signed_in_at)


def forget(principal: Principal | None) -> None:
    """On sign-out: end every remembered session of the account; the browser's cookie is
    cleared on the next run (`clear_if_signed_out`)."""
    if principal is not None:
        with get_db().write() as session:
            sessions.end_sessions(session, principal=principal)


def clear_if_signed_out() -> None:
    if st.session_state.get(SIGNED_OUT) and not st.session_state.get("cookie_cleared"):
        _write("", 0)
        st.session_state["cookie_cleared"] = True
