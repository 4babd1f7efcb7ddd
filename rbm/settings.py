"""One typed settings object, read from the environment.

Every tunable (database, demo mode, secrets, upload limits, status thresholds, idle timeout)
lives here; pages and services read `get_settings()` instead of scattering literals.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from indicators.types import StatusThresholds
from rbm.errors import ConfigurationError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'data' / 'rbm.sqlite3'}"
DEFAULT_LOGO = Path(__file__).resolve().parent / "reports" / "assets" / "logo.png"
#: One megabyte, the same in every module and in Streamlit's own upload limit (2**20 bytes).
BYTES_PER_MB = 1024 * 1024
UNSAFE_SECRETS = {"", "change-me", "changeme", "secret", "demo-only-secret"}
#: Outside demo mode the secret key must be at least this many bytes and look random.
MIN_SECRET_BYTES = 32


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ConfigurationError(
            "{name} must be a number, got {raw!r}", name=name, raw=raw
        ) from exc


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Configuration of one running instance."""

    database_url: str = DEFAULT_DATABASE_URL
    demo_mode: bool = True
    secret_key: str = "demo-only-secret"
    max_upload_mb: float = 20.0
    workbook_max_rows: int = 100_000
    workbook_max_columns: int = 100
    idle_timeout_minutes: float = 60.0
    session_max_hours: float = 12.0
    overdue_grace_days: int = 30
    thresholds: StatusThresholds = field(default_factory=StatusThresholds)
    # The cover of every report: the organisation's name and logo (a PNG or JPEG file).
    organisation_name: str = "Results-based management programme"
    report_logo: str = str(DEFAULT_LOGO)

    @property
    def max_upload_bytes(self) -> int:
        """RBM_MAX_UPLOAD_MB in bytes: every upload (app and CLI) is held to it."""
        return int(self.max_upload_mb * BYTES_PER_MB)

    def check(self) -> None:
        """Refuse an unsafe configuration outside demo mode."""
        if not self.demo_mode and not secret_is_strong(self.secret_key):
            raise ConfigurationError(
                "RBM_SECRET_KEY must be at least {min_secret_bytes} random bytes; "
                "generate one with `python -c 'import secrets; "
                "print(secrets.token_urlsafe(32))'` (or set RBM_DEMO_MODE=true for a "
                "demonstration instance)",
                min_secret_bytes=MIN_SECRET_BYTES,
            )
        if self.max_upload_mb <= 0 or min(self.workbook_max_rows, self.workbook_max_columns) < 1:
            raise ConfigurationError(
                "RBM_MAX_UPLOAD_MB, RBM_WORKBOOK_MAX_ROWS and RBM_WORKBOOK_MAX_COLUMNS must be "
                "positive"
            )


def secret_is_strong(secret: str) -> bool:
    """At least MIN_SECRET_BYTES bytes, not a known default, and not a short pattern repeated
    (a random key of that length has far more than 16 distinct characters)."""
    key = secret.strip()
    return (
        key.lower() not in UNSAFE_SECRETS
        and len(key.encode("utf-8")) >= MIN_SECRET_BYTES
        and len(set(key)) >= 16
    )


def load_settings() -> Settings:
    """Build settings from RBM_* environment variables."""
    defaults = StatusThresholds()
    settings = Settings(
        database_url=os.environ.get("RBM_DATABASE_URL") or DEFAULT_DATABASE_URL,
        demo_mode=_env_bool("RBM_DEMO_MODE", True),
        secret_key=os.environ.get("RBM_SECRET_KEY", "demo-only-secret"),
        max_upload_mb=_env_float("RBM_MAX_UPLOAD_MB", 20.0),
        workbook_max_rows=int(_env_float("RBM_WORKBOOK_MAX_ROWS", 100_000)),
        workbook_max_columns=int(_env_float("RBM_WORKBOOK_MAX_COLUMNS", 100)),
        idle_timeout_minutes=_env_float("RBM_IDLE_TIMEOUT_MINUTES", 60.0),
        session_max_hours=_env_float("RBM_SESSION_MAX_HOURS", 12.0),
        overdue_grace_days=int(_env_float("RBM_OVERDUE_GRACE_DAYS", 30)),
        thresholds=StatusThresholds(
            on_track_ratio=_env_float("RBM_STATUS_ON_TRACK", defaults.on_track_ratio),
            at_risk_ratio=_env_float("RBM_STATUS_AT_RISK", defaults.at_risk_ratio),
        ),
        organisation_name=os.environ.get("RBM_ORGANISATION_NAME")
        or "Results-based management programme",
        report_logo=os.environ.get("RBM_REPORT_LOGO", str(DEFAULT_LOGO)),
    )
    settings.check()
    return settings


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached; tests call `get_settings.cache_clear()`)."""
    return load_settings()
