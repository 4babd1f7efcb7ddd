"""Remembered sessions: a signed, expiring token that a browser cookie carries, so a reload
or a new tab keeps the person signed in.

The token names the account and a fingerprint of what signing in depended on: the password
hash, the account being active, the role grants and the account's session epoch. Changing the
password, deactivating the account, changing a grant or signing out (which bumps the epoch)
changes the fingerprint, so every token issued before stops working. The signature uses the
instance's `RBM_SECRET_KEY` (shared by every process, never generated per process); a token
older than the idle timeout, or from a sign-in older than the absolute limit, is refused.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import astuple
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from rbm.models import User
from rbm.principal import Principal
from rbm.services import audit
from rbm.services.principals import stored_grants
from rbm.services.users import load_principal

_SALT = "rbm.session"


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=_SALT)


def fingerprint(session: Session, user: User) -> str:
    """What a remembered session depends on, hashed: any change ends the session."""
    grants = [astuple(g) for g in stored_grants(session, user_id=user.id)]
    parts = [
        user.password_hash or "",
        str(user.is_active),
        str(user.session_epoch),
        *sorted("|".join(str(getattr(v, "value", v)) for v in g) for g in grants),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def issue(
    session: Session, *, principal: Principal, secret: str, signed_in_at: float | None = None
) -> str:
    """A token for the principal's account; `signed_in_at` (epoch seconds) is kept across
    renewals so the absolute limit counts from the sign-in."""
    user = session.get(User, principal.user_id)
    if user is None:
        return ""
    payload = {
        "u": user.id,
        "f": fingerprint(session, user),
        "a": signed_in_at if signed_in_at is not None else time.time(),
    }
    return _serializer(secret).dumps(payload)


def restore(
    session: Session,
    *,
    token: str,
    secret: str,
    idle_seconds: float,
    max_seconds: float,
    now: float | None = None,
) -> tuple[Principal, float] | None:
    """The principal a token signs in and when they signed in, or None when the token is
    forged, expired, from a sign-in too long ago, or its account changed since."""
    payload = _payload(token, secret, idle_seconds)
    if payload is None:
        return None
    signed_in_at = float(payload.get("a", 0))
    if (now if now is not None else time.time()) - signed_in_at > max_seconds:
        return None
    user = session.get(User, int(payload.get("u", 0)))
    if user is None or not user.is_active or payload.get("f") != fingerprint(session, user):
        return None
    return load_principal(session, user_id=user.id), signed_in_at


def _payload(token: str, secret: str, idle_seconds: float) -> dict[str, Any] | None:
    try:
        payload = _serializer(secret).loads(token, max_age=max(1, int(idle_seconds)))
    except BadSignature:  # includes an expired signature
        return None
    return payload if isinstance(payload, dict) else None


def end_sessions(session: Session, *, principal: Principal) -> None:
    """Sign out: every remembered session of the account ends (the epoch moves on)."""
    user = session.get(User, principal.user_id)
    if user is None:
        return
    user.session_epoch += 1
    audit.record(
        session, principal=principal, action="sign_out", entity_type="user", entity_id=user.id
    )
