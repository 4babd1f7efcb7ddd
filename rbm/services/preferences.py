"""A person's preferences stored with their account: the language they read the product in."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from rbm.errors import NotFound, PermissionDenied, ValidationFailed
from rbm.i18n import LANGUAGES
from rbm.models import User
from rbm.models.enums import Role
from rbm.principal import Principal
from rbm.services import audit


def set_language(
    session: Session, *, principal: Principal, user_id: int, language: str | None
) -> User:
    """Store the language of account `user_id` (a code of `rbm.i18n.LANGUAGES`; None: follow
    the browser). Anyone may set their own; only an administrator sets another person's."""
    if principal.user_id != user_id and not principal.has_role(Role.ADMIN):
        raise PermissionDenied("Only an administrator can choose another person's language.")
    if language is not None and language not in LANGUAGES:
        raise ValidationFailed(
            "Unknown language {language}: choose one of {choices}.",
            language=language,
            choices=", ".join(LANGUAGES),
        )
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No account #{user_id}.", user_id=user_id)
    if user.language == language:
        return user
    with audit.change(
        session,
        principal=principal,
        row=user,
        entity_type="user",
        fields=("language",),
        action="set_language",
    ):
        user.language = language
    return user


def language_of(session: Session, *, user_id: int) -> str | None:
    """The language stored with account `user_id`, or None when not chosen."""
    stored = session.scalar(select(User.language).where(User.id == user_id))
    return stored if stored in LANGUAGES else None
