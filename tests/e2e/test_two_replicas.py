"""Two app servers on one PostgreSQL database, as behind a sticky load balancer: people on
both log, approve and read; what is approved on one shows on the other at the next page load
(the data version is read from the database, not held per process); the stored figures stay
equal to a fresh computation; every step is audited; and the session cookie one server signed
is honoured by the other (the signing key comes from the settings, not from the process).

Needs RBM_TEST_POSTGRES_URL and Chromium: skipped without them locally, failed under CI=true.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from sqlalchemy import select

from rbm.db import Database
from rbm.models import AuditEvent, Measurement, User
from rbm.models.enums import MeasurementStatus
from rbm.services.users import authenticate
from tests.conftest import demo_database, require_chromium
from tests.e2e.conftest import (
    ROOT,
    _free_port,
    _wait_healthy,
    sign_in,
    wait_idle,
)
from tests.e2e.test_log_and_approve import ITEM, PDF, choose, open_page, to_date
from tests.integration.test_stored_figures import assert_figures_true

SECRET = "replicas-share-this-key-" + "k3y" * 8  # one key for both, as the settings give it


@pytest.fixture(scope="module", params=["postgresql"])
def shared_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """A private copy of the demo portfolio on PostgreSQL (fails under CI=true without one)."""
    require_chromium()
    yield from demo_database(request, tmp_path_factory)


def _replica(database_url: str) -> tuple[str, subprocess.Popen[bytes]]:
    port = _free_port()
    env = {
        **os.environ,
        "RBM_DATABASE_URL": database_url,
        "RBM_DEMO_MODE": "true",
        "RBM_SECRET_KEY": SECRET,
    }
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
    command += ["--server.headless", "true", "--server.address", "127.0.0.1"]
    command += ["--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return f"http://127.0.0.1:{port}", process


@pytest.fixture(scope="module")
def replicas(shared_database: Database) -> Iterator[tuple[str, str]]:
    """Base URLs of two `streamlit run app.py` processes on the same database."""
    with ExitStack() as stack:
        urls = []
        for _ in range(2):
            url, process = _replica(shared_database.url)
            stack.callback(_stop, process)
            _wait_healthy(url, process)
            urls.append(url)
        yield urls[0], urls[1]


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def _person(browser: Any, base_url: str, email: str, password: str) -> Any:
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.set_default_timeout(60_000)
    sign_in(page, base_url, email, password)
    return page


def _submit(officer: Any) -> None:
    open_page(officer, "Log results")
    choose(officer, "Indicator and period", ITEM)
    officer.get_by_label("Value", exact=True).fill("7")
    officer.keyboard.press("Tab")
    wait_idle(officer)
    officer.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(
        files=[{"name": "attendance.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    wait_idle(officer)
    officer.get_by_role("button", name="Submit", exact=True).click()
    officer.get_by_text("Submitted for approval:").wait_for()


def _approve(manager: Any) -> None:
    open_page(manager, "Approvals")
    choose(manager, "Submission", ITEM)
    manager.get_by_text("attendance.pdf").first.wait_for(state="attached")
    manager.get_by_role("button", name="Approve", exact=True).click()
    manager.get_by_text("Approved 1 value(s).").wait_for()


def test_a_value_approved_on_one_server_shows_on_the_other_at_the_next_page_load(
    replicas: tuple[str, str], shared_database: Database, browser: Any
) -> None:
    first, second = replicas
    reader = _person(browser, first, "manager@demo.rbm", "Demo-manager-2026")
    before = to_date(reader)  # the first server has now computed (and cached) the figure
    officer = _person(browser, second, "officer@demo.rbm", "Demo-officer-2026")
    _submit(officer)
    approver = _person(browser, second, "manager@demo.rbm", "Demo-manager-2026")
    _approve(approver)
    assert to_date(reader) == before + 7
    assert to_date(approver) == before + 7


def test_the_stored_figures_equal_a_fresh_computation_after_both_servers_wrote(
    replicas: tuple[str, str], shared_database: Database
) -> None:
    assert_figures_true(shared_database)


def test_every_step_on_either_server_is_audited(
    replicas: tuple[str, str], shared_database: Database
) -> None:
    with shared_database.read() as session:
        ids = {email: user_id for email, user_id in session.execute(select(User.email, User.id))}
        approved = session.scalars(
            select(AuditEvent.entity_id)
            .where(AuditEvent.action == "approve", AuditEvent.entity_type == "measurement")
            .order_by(AuditEvent.id.desc())
        ).first()
        value = session.get(Measurement, approved)
        assert value is not None and value.value == 7
        assert value.status is MeasurementStatus.APPROVED
        steps = session.execute(
            select(AuditEvent.action, AuditEvent.user_id).where(
                AuditEvent.entity_type == "measurement", AuditEvent.entity_id == value.id
            )
        ).all()
        sign_ins = session.scalars(
            select(AuditEvent.entity_id).where(AuditEvent.action == "sign_in")
        ).all()
    officer, manager = ids["officer@demo.rbm"], ids["manager@demo.rbm"]
    assert ("submit", officer) in steps
    assert ("approve", manager) in steps
    assert sign_ins.count(manager) == 2 and sign_ins.count(officer) == 1


def test_the_session_cookie_signed_by_one_server_signs_in_on_the_other(
    replicas: tuple[str, str], browser: Any
) -> None:
    first, second = replicas
    page = _person(browser, first, "officer@demo.rbm", "Demo-officer-2026")
    cookies = [c["name"] for c in page.context.cookies()]
    assert "rbm_session" in cookies
    # Cookies belong to the host, not the port: the other server receives the same cookie.
    other = page.context.new_page()
    other.goto(second + "/")
    other.wait_for_selector("h1:has-text('Portfolio')")
    assert other.get_by_text("Olivia Officer").is_visible()
    assert other.get_by_label("E-mail").count() == 0


def test_a_sign_in_moves_the_audit_version_but_not_the_data_version(
    shared_database: Database,
) -> None:
    """Caches shared by every session stay warm while people sign in (the audit log, which
    shows sign-ins, is keyed on the audit version)."""
    data, audit = shared_database.data_version(), shared_database.audit_version()
    authenticate(shared_database, email="donor@demo.rbm", password="Demo-donor-2026")
    assert shared_database.data_version() == data
    assert shared_database.audit_version() > audit
