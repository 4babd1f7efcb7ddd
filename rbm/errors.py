"""Named domain errors. Services raise these; pages and the CLI turn them into messages."""

from __future__ import annotations


class RbmError(Exception):
    """Base of every error the product reports to a person."""


class ConfigurationError(RbmError):
    """The instance is configured unsafely or inconsistently."""


class PermissionDenied(RbmError):
    """The acting principal's roles and scopes do not allow this action."""


class NotFound(RbmError):
    """The record asked for does not exist (or is outside the principal's scope)."""


class ValidationFailed(RbmError):
    """Input is invalid; `problems` lists each problem with where it is."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []

    def __str__(self) -> str:
        base = super().__str__()
        if not self.problems:
            return base
        return base + "\n" + "\n".join(f"- {p}" for p in self.problems)


class AuthenticationFailed(RbmError):
    """Wrong e-mail or password, a deactivated account, or too many attempts."""


class Conflict(RbmError):
    """Someone else changed the record since it was read (optimistic locking)."""


class Unavailable(RbmError):
    """The service cannot answer right now (the database is busy); trying again later works."""
