"""Named domain errors. Services raise these; pages and the CLI turn them into messages.

An error carries its English template and parameters (`raise NotFound("No project {code}",
code=code)`), and is translated into the reader's language when it is shown (`str(exc)`, see
`rbm.i18n`); templates are extracted into the catalogues like `_()` strings.
"""

from __future__ import annotations

from rbm.i18n import Msg, _


class RbmError(Exception):
    """Base of every error the product reports to a person."""

    def __init__(self, message: str | Msg = "", /, **params: object) -> None:
        template = message.template if isinstance(message, Msg) else message
        if isinstance(message, Msg):
            params = {**message.params, **params}
        super().__init__(template)
        self.template = template
        self.params = params

    def headline(self) -> str:
        """The message alone, in the reader's language (without a list of problems)."""
        return _(self.template, **self.params)

    def __str__(self) -> str:
        return self.headline()


class ConfigurationError(RbmError):
    """The instance is configured unsafely or inconsistently."""


class PermissionDenied(RbmError):
    """The acting principal's roles and scopes do not allow this action."""


class NotFound(RbmError):
    """The record asked for does not exist (or is outside the principal's scope)."""


class ValidationFailed(RbmError):
    """Input is invalid; `problems` lists each problem with where it is."""

    def __init__(
        self,
        message: str | Msg,
        problems: list[str] | list[Msg] | list[str | Msg] | None = None,
        /,
        **params: object,
    ) -> None:
        super().__init__(message, **params)
        self.problems: list[str | Msg] = list(problems or [])

    def __str__(self) -> str:
        base = self.headline()
        if not self.problems:
            return base
        return base + "\n" + "\n".join(f"- {p}" for p in self.problems)


class AuthenticationFailed(RbmError):
    """Wrong e-mail or password, a deactivated account, or too many attempts."""


class Conflict(RbmError):
    """Someone else changed the record since it was read (optimistic locking)."""


class Unavailable(RbmError):
    """The service cannot answer right now (the database is busy); trying again later works."""
