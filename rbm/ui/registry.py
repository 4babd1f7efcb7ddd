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


@dataclass(frozen=True, kw_only=True)
class PageSpec:
    file: str
    title: str
    icon: str
    roles: frozenset[Role]
    section: str = N_("Results")
    url_path: str | None = None

    @property
    def path(self) -> Path:
        return PAGES_DIR / self.file


PAGES: tuple[PageSpec, ...] = (
    PageSpec(
        file="portfolio.py",
        title=N_("Portfolio"),
        icon=":material/folder_open:",
        roles=ALL_ROLES,
        url_path="portfolio",
    ),
    PageSpec(
        file="project.py",
        title=N_("Project"),
        icon=":material/account_tree:",
        roles=ALL_ROLES,
        url_path="project",
    ),
    PageSpec(
        file="country.py",
        title=N_("Country"),
        icon=":material/flag:",
        roles=ALL_ROLES,
        url_path="country",
    ),
    PageSpec(
        file="donor.py",
        title=N_("Donor"),
        icon=":material/volunteer_activism:",
        roles=frozenset({Role.DONOR, Role.MANAGER, Role.ADMIN, Role.EVALUATOR}),
        url_path="donor",
    ),
    PageSpec(
        file="coordination.py",
        title=N_("Coordination"),
        icon=":material/hub:",
        roles=frozenset(
            {Role.MANAGER, Role.ADMIN, Role.EVALUATOR, Role.DONOR, Role.STATE_FOCAL_POINT}
        ),
        url_path="coordination",
    ),
    # The State answers its checklist; managers and admins review and accept it.
    PageSpec(
        file="checklist.py",
        title=N_("Self-assessment checklist"),
        icon=":material/checklist:",
        roles=frozenset({Role.STATE_FOCAL_POINT, Role.MANAGER, Role.ADMIN}),
        section=N_("Needs"),
        url_path="checklist",
    ),
    # Donors and evaluators read the register; the others in scope also write to it.
    PageSpec(
        file="needs.py",
        title=N_("Needs and resources"),
        icon=":material/assignment_late:",
        roles=frozenset(
            {Role.STATE_FOCAL_POINT, Role.MANAGER, Role.ADMIN, Role.DONOR, Role.EVALUATOR}
        ),
        section=N_("Needs"),
        url_path="needs",
    ),
    # Managers and admins edit projects and logframes; officers propose draft changes.
    PageSpec(
        file="logframe_editor.py",
        title=N_("Logframe editor"),
        icon=":material/schema:",
        roles=frozenset({Role.ADMIN, Role.MANAGER, Role.OFFICER}),
        section=N_("Workflow"),
        url_path="logframe-editor",
    ),
    PageSpec(
        file="inbox.py",
        title=N_("Inbox"),
        icon=":material/inbox:",
        roles=ALL_ROLES,
        section=N_("Workflow"),
        url_path="inbox",
    ),
    PageSpec(
        file="log_results.py",
        title=N_("Log results"),
        icon=":material/edit_note:",
        roles=frozenset({Role.OFFICER, Role.MANAGER, Role.ADMIN}),
        section=N_("Workflow"),
        url_path="log-results",
    ),
    PageSpec(
        file="approvals.py",
        title=N_("Approvals"),
        icon=":material/task_alt:",
        roles=frozenset({Role.MANAGER, Role.ADMIN}),
        section=N_("Workflow"),
        url_path="approvals",
    ),
    PageSpec(
        file="measurement.py",
        title=N_("Measurement history"),
        icon=":material/history:",
        roles=ALL_ROLES,
        section=N_("Workflow"),
        url_path="measurement",
    ),
    # Everyone exports what they can see; the import section shows for admins and managers
    # only (and the import service refuses any other role anyway).
    PageSpec(
        file="iati.py",
        title=N_("IATI exchange"),
        icon=":material/swap_horiz:",
        roles=ALL_ROLES,
        section=N_("Exchange"),
        url_path="iati",
    ),
    # Everyone in scope reads evaluations and lessons; only evaluators and admins see the
    # recording controls, only managers and admins the response controls (services refuse
    # anyone else anyway).
    PageSpec(
        file="evaluations.py",
        title=N_("Evaluations"),
        icon=":material/fact_check:",
        roles=ALL_ROLES,
        section=N_("Learning"),
        url_path="evaluations",
    ),
    PageSpec(
        file="lessons.py",
        title=N_("Lessons learned"),
        icon=":material/lightbulb:",
        roles=ALL_ROLES,
        section=N_("Learning"),
        url_path="lessons",
    ),
    PageSpec(
        file="admin_users.py",
        title=N_("Users and roles"),
        icon=":material/manage_accounts:",
        roles=frozenset({Role.ADMIN}),
        section=N_("Administration"),
        url_path="admin-users",
    ),
    PageSpec(
        file="audit_log.py",
        title=N_("Audit log"),
        icon=":material/history:",
        roles=frozenset({Role.ADMIN}),
        section=N_("Administration"),
        url_path="audit-log",
    ),
)

CHANGE_PASSWORD = PageSpec(
    file="change_password.py",
    title=N_("Change password"),
    icon=":material/password:",
    roles=ALL_ROLES,
    section=N_("Account"),
    url_path="change-password",
)

LOGIN = PageSpec(
    file="login.py",
    title=N_("Sign in"),
    icon=":material/login:",
    roles=frozenset(),
    section="",
    url_path="login",
)


def pages_for(principal: Principal, *, must_change_password: bool = False) -> list[PageSpec]:
    """The pages the principal's roles open, in menu order; only the password change while a
    reset password has not been replaced."""
    if must_change_password:
        return [CHANGE_PASSWORD]
    return [p for p in (*PAGES, CHANGE_PASSWORD) if p.roles & principal.roles]
