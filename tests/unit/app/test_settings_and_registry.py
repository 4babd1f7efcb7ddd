"""Settings refuse unsafe secrets outside demo mode; the page registry gives each role its
pages and nothing else; reporting periods are calendar-aligned."""

from __future__ import annotations

from datetime import date

import pytest

from rbm.errors import ConfigurationError
from rbm.models.enums import Frequency, Role, ScopeType
from rbm.principal import Grant, Principal
from rbm.services.projects import reporting_periods
from rbm.settings import load_settings
from rbm.ui.registry import CHANGE_PASSWORD, PAGES, pages_for


@pytest.mark.parametrize(
    "secret", ["", "change-me", "demo-only-secret", "x", "short-but-random-Q8z", "ab" * 20]
)
def test_outside_demo_mode_a_default_or_empty_secret_refuses_to_start(
    monkeypatch: pytest.MonkeyPatch, secret: str
) -> None:
    monkeypatch.setenv("RBM_DEMO_MODE", "false")
    monkeypatch.setenv("RBM_SECRET_KEY", secret)
    with pytest.raises(ConfigurationError, match="RBM_SECRET_KEY"):
        load_settings()


def test_outside_demo_mode_32_random_bytes_are_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    import secrets

    monkeypatch.setenv("RBM_DEMO_MODE", "false")
    monkeypatch.setenv("RBM_SECRET_KEY", secrets.token_urlsafe(32))
    assert not load_settings().demo_mode


def test_demo_mode_accepts_the_demo_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RBM_DEMO_MODE", "true")
    monkeypatch.delenv("RBM_SECRET_KEY", raising=False)
    assert load_settings().demo_mode


def test_a_non_numeric_threshold_is_reported_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RBM_STATUS_ON_TRACK", "ninety")
    with pytest.raises(ConfigurationError, match="RBM_STATUS_ON_TRACK"):
        load_settings()


def _principal(*roles: Role) -> Principal:
    return Principal(
        user_id=1,
        email="x@test.rbm",
        name="X",
        grants=tuple(Grant(role=r, scope_type=ScopeType.GLOBAL) for r in roles),
    )


@pytest.mark.parametrize("role", list(Role))
def test_each_role_gets_exactly_the_pages_registered_for_it(role: Role) -> None:
    files = {p.file for p in pages_for(_principal(role))}
    expected = {p.file for p in PAGES if role in p.roles} | {CHANGE_PASSWORD.file}
    assert files == expected
    assert "portfolio.py" in files


def test_only_admins_reach_the_administration_pages() -> None:
    for role in Role:
        files = {p.file for p in pages_for(_principal(role))}
        assert ("admin_users.py" in files) is (role is Role.ADMIN)
        assert ("audit_log.py" in files) is (role is Role.ADMIN)


def test_a_reset_password_leaves_only_the_password_page() -> None:
    assert pages_for(_principal(Role.ADMIN), must_change_password=True) == [CHANGE_PASSWORD]


def test_every_registered_page_file_exists_and_url_paths_are_unique() -> None:
    assert all(p.path.exists() for p in PAGES)
    paths = [p.url_path for p in PAGES]
    assert len(paths) == len(set(paths))


def test_quarterly_periods_are_calendar_quarters_clipped_to_the_project() -> None:
    periods = reporting_periods(date(2024, 2, 15), date(2024, 11, 30), Frequency.QUARTERLY)
    assert periods == [
        (date(2024, 2, 15), date(2024, 3, 31), "2024-Q1"),
        (date(2024, 4, 1), date(2024, 6, 30), "2024-Q2"),
        (date(2024, 7, 1), date(2024, 9, 30), "2024-Q3"),
        (date(2024, 10, 1), date(2024, 11, 30), "2024-Q4"),
    ]


def test_annual_periods_are_labelled_by_year() -> None:
    labels = [
        p[2] for p in reporting_periods(date(2023, 1, 1), date(2025, 6, 30), Frequency.ANNUAL)
    ]
    assert labels == ["2023", "2024", "2025"]
