"""Which pages exist and which roles may open them. `app.py` builds `st.navigation` from this
table, so a page outside a principal's roles is neither listed nor reachable by URL. Titles
and sections are English, marked for the catalogue; app.py shows them translated."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rbm.i18n import N_
from rbm.models.enums import Role
from rbm.principal import Principal

PAGES_DIR = Path(__file__).resolve().parent / "pages"
ALL_ROLES = frozenset(Role)


@dataclass(frozen=True)
class PageSpec:
    file: str
    title: str
    icon: str
    roles: frozenset[Role]
    section: str = N_("Results")

    @property
    def path(self) -> Path:
        return PAGES_DIR / self.file

    @property
    def url_path(self) -> str:
        """The page's address: its file's name, words joined by hyphens."""
        return self.file.removesuffix(".py").replace("_", "-")


_ADMINS = frozenset({Role.ADMIN})
_MANAGERS = _ADMINS | {Role.MANAGER}
_TEAM = _MANAGERS | {Role.OFFICER}
_NOT_OFFICERS = ALL_ROLES - {Role.OFFICER}

# One row per page, in menu order: file, title, icon, the roles that open it, section.
PAGES: tuple[PageSpec, ...] = (
    PageSpec("portfolio.py", N_("Portfolio"), ":material/folder_open:", ALL_ROLES),
    PageSpec("project.py", N_("Project"), ":material/account_tree:", ALL_ROLES),
    PageSpec("country.py", N_("Country"), ":material/flag:", ALL_ROLES),
    PageSpec(
        "donor.py",
        N_("Donor"),
        ":material/volunteer_activism:",
        _MANAGERS | {Role.DONOR, Role.EVALUATOR},
    ),
    PageSpec("coordination.py", N_("Coordination"), ":material/hub:", _NOT_OFFICERS),
    # The State answers its checklist; managers and admins review and accept it.
    PageSpec(
        "checklist.py",
        N_("Self-assessment checklist"),
        ":material/checklist:",
        _MANAGERS | {Role.STATE_FOCAL_POINT},
        N_("Needs"),
    ),
    # Donors and evaluators read the register; the others in scope also write to it.
    PageSpec(
        "needs.py",
        N_("Needs and resources"),
        ":material/assignment_late:",
        _NOT_OFFICERS,
        N_("Needs"),
    ),
    # Managers and admins edit projects and logframes; officers propose draft changes.
    PageSpec(
        "logframe_editor.py", N_("Logframe editor"), ":material/schema:", _TEAM, N_("Workflow")
    ),
    PageSpec("inbox.py", N_("Inbox"), ":material/inbox:", ALL_ROLES, N_("Workflow")),
    PageSpec("log_results.py", N_("Log results"), ":material/edit_note:", _TEAM, N_("Workflow")),
    PageSpec("approvals.py", N_("Approvals"), ":material/task_alt:", _MANAGERS, N_("Workflow")),
    PageSpec(
        "measurement.py", N_("Measurement history"), ":material/history:", ALL_ROLES, N_("Workflow")
    ),
    # Everyone exports what they can see; the import section shows for admins and managers
    # only (and the import service refuses any other role anyway).
    PageSpec("iati.py", N_("IATI exchange"), ":material/swap_horiz:", ALL_ROLES, N_("Exchange")),
    # Everyone in scope reads evaluations and lessons; only evaluators and admins see the
    # recording controls, only managers and admins the response controls (services refuse
    # anyone else anyway).
    PageSpec(
        "evaluations.py", N_("Evaluations"), ":material/fact_check:", ALL_ROLES, N_("Learning")
    ),
    PageSpec(
        "lessons.py", N_("Lessons learned"), ":material/lightbulb:", ALL_ROLES, N_("Learning")
    ),
    PageSpec(
        "admin_users.py",
        N_("Users and roles"),
        ":material/manage_accounts:",
        _ADMINS,
        N_("Administration"),
    ),
    PageSpec("audit_log.py", N_("Audit log"), ":material/history:", _ADMINS, N_("Administration")),
)

CHANGE_PASSWORD = PageSpec(
    "change_password.py", N_("Change password"), ":material/password:", ALL_ROLES, N_("Account")
)
LOGIN = PageSpec("login.py", N_("Sign in"), ":material/login:", frozenset(), section="")


def pages_for(principal: Principal, *, must_change_password: bool = False) -> list[PageSpec]:
    """The pages the principal's roles open, in menu order; only the password change while a
    reset password has not been replaced."""
    if must_change_password:
        return [CHANGE_PASSWORD]
    return [p for p in (*PAGES, CHANGE_PASSWORD) if p.roles & principal.roles]
