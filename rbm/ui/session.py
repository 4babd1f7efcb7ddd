"""Per-browser-session state and shared resources: the database (one per process), the
signed-in principal, idle timeout, and caching keyed on scope and data version."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st
from streamlit import config as st_config

from rbm import i18n
from rbm.db import Database
from rbm.principal import Principal
from rbm.services import preferences, principals
from rbm.services.users import must_change_password
from rbm.settings import get_settings

PRINCIPAL = "principal"
LAST_SEEN = "last_seen"
MUST_CHANGE = "must_change_password"
PRINCIPAL_VERSION = "principal_data_version"
#: The language of this browser session (a code of `rbm.i18n.LANGUAGES`, or the pseudo-locale).
LANGUAGE = "language"


@st.cache_resource(show_spinner=False)
def _database(url: str) -> Database:
    return Database(url)


def apply_language() -> str:
    """Set the language of this run: the session's choice, else the browser's language
    (its `navigator.language`, then the Accept-Language header), else English. Called first
    thing in every run of app.py."""
    chosen = st.session_state.get(LANGUAGE)
    if not chosen:
        try:
            # The WebSocket's headers may not carry the browser's choice (headless Chromium
            # sends en-US there whatever its locale); the browser's own locale does.
            browser = getattr(st.context, "locale", None)
            header = st.context.headers.get("Accept-Language")
        except (AttributeError, RuntimeError):  # no browser (AppTest, bare script run)
            browser = header = None
        chosen = i18n.negotiate(", ".join(str(x) for x in (browser, header) if x))
    i18n.set_language(str(chosen))
    return i18n.language()


def choose_language(principal: Principal, code: str) -> None:
    """Switch this session to language `code` at once and store it with the account, so the
    next sign-in, on any browser, opens in it too."""
    st.session_state[LANGUAGE] = code
    i18n.set_language(code)
    with get_db().write() as session:
        preferences.set_language(
            session, principal=principal, user_id=principal.user_id, language=code
        )


def get_db() -> Database:
    return _database(get_settings().database_url)


def current_principal() -> Principal | None:
    principal = st.session_state.get(PRINCIPAL)
    return principal if isinstance(principal, Principal) else None


def require_principal() -> Principal:
    principal = current_principal()
    if principal is None:
        st.stop()
    return principal


def sign_in(principal: Principal) -> None:
    """Sign `principal` in to this browser session, in the language stored with the account
    (when none is stored, the language already in use stays)."""
    with get_db().read() as session:
        st.session_state[MUST_CHANGE] = must_change_password(session, user_id=principal.user_id)
        stored = preferences.language_of(session, user_id=principal.user_id)
    if stored is not None:
        st.session_state[LANGUAGE] = stored
        i18n.set_language(stored)
    st.session_state[PRINCIPAL] = principal
    st.session_state[LAST_SEEN] = time.monotonic()


def apply_upload_limit() -> None:
    """Hold Streamlit's own upload limit (browser and server, whole megabytes of 2**20 bytes)
    to RBM_MAX_UPLOAD_MB, the limit the services and the CLI apply."""
    limit = max(1, math.ceil(get_settings().max_upload_mb))
    if st_config.get_option("server.maxUploadSize") != limit:
        st_config.set_option("server.maxUploadSize", limit)


def client_address() -> str:
    """The browser's network address as the server sees it ("" when unknown): a sign-in
    throttling key."""
    return str(st.context.ip_address or "")


def sso_configured() -> bool:
    """Single sign-on is on when `.streamlit/secrets.toml` has an [auth] section."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets file at all
        return False


def sign_out() -> None:
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    if sso_configured() and st.user.is_logged_in:
        st.logout()


def check_idle_timeout() -> bool:
    """Sign out a session idle for longer than the configured timeout; True if it was."""
    now = time.monotonic()
    last = st.session_state.get(LAST_SEEN, now)
    if current_principal() and now - last > get_settings().idle_timeout_minutes * 60:
        sign_out()
        return True
    st.session_state[LAST_SEEN] = now
    return False


def refresh_principal() -> bool:
    """Re-load the signed-in principal (grants, active flag) whenever the data version moved
    since it was loaded (grants and deactivations are audited writes, so they move it): a
    revoked grant takes effect on the next rerun. Signs out a deactivated account; True if so."""
    principal = current_principal()
    if principal is None:
        return False
    version = get_db().data_version()
    if st.session_state.get(PRINCIPAL_VERSION) == version:
        return False
    with get_db().read() as session:
        fresh = principals.reload(session, user_id=principal.user_id)
    if fresh is None:
        sign_out()
        return True
    st.session_state[PRINCIPAL] = fresh
    st.session_state[PRINCIPAL_VERSION] = version
    return False


T = TypeVar("T")


@st.cache_data(show_spinner=False, max_entries=512, ttl=3600)
def _cached(
    name: str,
    scope: str,
    version: int,
    language: str,
    items: tuple[tuple[str, Any], ...],
    _fn: Callable[..., Any],
    _principal: Principal,
) -> Any:
    with get_db().read() as session:
        return _fn(session, principal=_principal, **dict(items))


#: Query modules whose results show sign-in bookkeeping (last sign-in, sign-in events): keyed
#: on the audit version, which sign-ins move; every other query on the data version.
SESSION_READERS = frozenset({"rbm.queries.admin"})


def cached_query(fn: Callable[..., T], principal: Principal, **kwargs: Any) -> T:
    """Run a read query through the cache. The key holds the query, the principal's scope,
    the filters, the data version (bumped by every write) and the reader's language (a query
    may label its rows): never stale, never foreign, never in another language. Streamlit
    computes a missing entry once: sessions asking for it meanwhile wait for it."""
    # The database is part of the key too: two databases can share a data version.
    db = get_db()
    name = f"{db.url}|{fn.__module__}.{fn.__qualname__}"
    reads_sessions = fn.__module__ in SESSION_READERS
    result: T = _cached(
        name,
        principal.cache_key,
        db.audit_version() if reads_sessions else db.data_version(),
        i18n.language(),
        tuple(sorted(kwargs.items())),
        fn,
        principal,
    )
    return result


def inbox_count(principal: Principal) -> int:
    """How many items wait in the principal's inbox (the sidebar shows it beside Inbox)."""
    from rbm.queries.inbox import inbox

    return cached_query(inbox, principal).count
