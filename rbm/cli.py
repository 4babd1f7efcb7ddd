"""The `rbm` command line: the same services the pages use."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from sqlalchemy.orm import Session

from rbm.db import Database
from rbm.errors import RbmError
from rbm.models.enums import Role, ScopeType
from rbm.principal import Grant, Principal
from rbm.settings import get_settings


def _db() -> Database:
    return Database(get_settings().database_url)


@click.group()
def main() -> None:
    """Results-based management tracker for technical-assistance programmes."""


@main.command()
def migrate() -> None:
    """Upgrade the database schema to the latest version and sync reference data."""
    from rbm import migrate as migrations

    db = _db()
    migrations.upgrade(db)
    click.echo(f"Database is at the latest schema: {db.engine.url.render_as_string()}")


@main.command("load-demo")
@click.option("--if-empty", is_flag=True, help="Only load when the database has no project.")
def load_demo(if_empty: bool) -> None:
    """Load the demo portfolio (and the demo accounts). Loading twice does not duplicate.
    Outside demo mode (RBM_DEMO_MODE=false) the demo accounts are created deactivated, with
    random passwords printed once instead of the published ones."""
    from rbm.demo import load_demo_portfolio, portfolio_is_empty

    db = _db()
    if if_empty and not portfolio_is_empty(db):
        click.echo("The database already holds projects; demo portfolio not loaded.")
        return
    report = load_demo_portfolio(db, sealed=not get_settings().demo_mode)
    click.echo(report)


@main.command("load-checklist")
@click.argument(
    "source",
    required=False,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
def load_checklist(source: Path | None) -> None:
    """Load the self-assessment checklist (instruments, provisions, cycles, questions) from
    SOURCE, by default the project's fixtures/checklist.yaml. Loading twice adds nothing."""
    import yaml

    from rbm.services.checklist_content import load_content
    from rbm.settings import PROJECT_ROOT

    path = source or PROJECT_ROOT / "fixtures" / "checklist.yaml"
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    with _db().write() as session:
        added = load_content(session, principal=None, spec=spec)
    click.echo(f"Checklist loaded from {path.name}: {added} question(s) added.")


@main.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice([r.value for r in Role]),
    help="A role held everywhere; repeat for several.",
)
@click.option(
    "--project",
    "project_code",
    default=None,
    help="Scope the roles to this project code instead of everywhere.",
)
@click.option(
    "--country",
    "country_code",
    default=None,
    help="Scope the roles to this ISO country code instead of everywhere.",
)
@click.password_option()
def create_user(
    email: str,
    name: str,
    roles: tuple[str, ...],
    project_code: str | None,
    country_code: str | None,
    password: str,
) -> None:
    """Create a local account."""
    from sqlalchemy import select

    from rbm.models import Project
    from rbm.services.users import create_user as create

    db = _db()
    with db.write() as session:
        scope: dict[str, object] = {"scope_type": ScopeType.GLOBAL}
        if project_code:
            pid = session.scalar(select(Project.id).where(Project.code == project_code))
            if pid is None:
                raise click.ClickException(f"No project with code {project_code!r}.")
            scope = {"scope_type": ScopeType.PROJECT, "project_id": pid}
        elif country_code:
            scope = {"scope_type": ScopeType.COUNTRY, "country_code": country_code.upper()}
        grants = [Grant(role=Role(r), **scope) for r in roles]  # type: ignore[arg-type]
        create(session, principal=None, email=email, name=name, password=password, grants=grants)
    click.echo(f"Created {email} with {', '.join(roles)}.")


@main.command("import-measurements")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--user", "email", required=True, help="E-mail of the account the values are from.")
@click.option("--submit", is_flag=True, help="Submit the values for approval after saving.")
def import_measurements(file: str, email: str, submit: bool) -> None:
    """Import a filled measurement template (CSV or Excel). Nothing is saved unless every row
    is valid; problems are listed by row and column and the command exits non-zero."""
    from pathlib import Path

    from sqlalchemy import select
    from tqdm import tqdm

    from rbm.exchange import measurement_import as imp
    from rbm.models import User
    from rbm.services.users import load_principal

    db = _db()
    path = Path(file)
    df = imp.read_upload(path.name, path.read_bytes())
    with db.write() as session:
        user_id = session.scalar(select(User.id).where(User.email == email.strip().lower()))
        if user_id is None:
            raise click.ClickException(f"No account with e-mail {email!r}.")
        principal = load_principal(session, user_id=user_id)
        with tqdm(total=100, unit="%", desc="Importing", disable=None) as bar:

            def progress(fraction: float, text: str) -> None:
                bar.set_postfix_str(text, refresh=False)
                bar.update(round(fraction * 100) - bar.n)

            report = imp.import_measurements(
                session, principal=principal, df=df, submit=submit, progress=progress
            )
    click.echo(f"{path.name}: {report}")


@main.command("import-logframe")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--project", "code", required=True, help="Code of the project to fill or update.")
@click.option("--user", "email", required=True, help="The importing account (admin or manager).")
def import_logframe(file: Path, code: str, email: str) -> None:
    """Create or update a project's logframe from the logframe spreadsheet (.xlsx or .csv,
    see docs/logframe.md). Every problem is listed and nothing is saved unless the whole file
    is valid; results and indicators are matched by code, so a re-import changes nothing."""
    from rbm.errors import RbmError
    from rbm.exchange.logframe_sheet import read_logframe
    from rbm.exchange.logframe_sheet_import import import_logframe as run_import

    try:
        frame = read_logframe(file.name, file.read_bytes())
        with _db().write() as session:
            principal = _account(session, email)
            report = run_import(
                session, principal=principal, project_code=code, frame=frame, filename=file.name
            )
    except RbmError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{file.name}: {report.summary()}")


@main.command()
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def backup(out: Path) -> None:
    """Write a consistent copy of the live database (attachments included) to OUT."""
    from rbm.backup import backup as make_backup

    make_backup(_db(), out)
    click.echo(f"Backup written to {out}.")


@main.command()
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore(source: Path, yes: bool) -> None:
    """Replace the database's content with the backup SOURCE, after checking that it is a
    backup of this schema (nothing is touched otherwise)."""
    from rbm.backup import check_backup
    from rbm.backup import restore as restore_backup

    db = _db()
    check_backup(db, source)  # before asking: a file that is not a backup is refused outright
    if not yes:
        click.confirm("This replaces everything in the database. Continue?", abort=True)
    restore_backup(db, source)
    click.echo(f"Database restored from {source}.")


#: The command line reads everything (whoever runs it can read the database anyway), unless
#: `--user` narrows an export to what that account may see.
OPERATOR = Principal(
    user_id=0,
    email="",
    name="command line",
    grants=(Grant(role=Role.ADMIN, scope_type=ScopeType.GLOBAL),),
)


def _account(session: Session, email: str) -> Principal:
    from sqlalchemy import select

    from rbm.models import User
    from rbm.services.users import load_principal

    user_id = session.scalar(select(User.id).where(User.email == email.strip().lower()))
    if user_id is None:
        raise click.ClickException(f"No account {email!r}.")
    return load_principal(session, user_id=user_id)


_CODES = click.option(
    "--project", "codes", multiple=True, help="Only this project code; repeat for several."
)
_AS_USER = click.option(
    "--user", "email", default=None, help="Export only what this account may see."
)


@main.command("export-iati")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@_CODES
@_AS_USER
def export_iati(out: Path, codes: tuple[str, ...], email: str | None) -> None:
    """Write the projects as an IATI 2.03 activity file (approved values only)."""
    from rbm.exchange.iati_export import export_iati_file

    with _db().read() as session:
        principal = _account(session, email) if email else OPERATOR
        count = export_iati_file(session, out, principal=principal, project_codes=codes or None)
    click.echo(f"Wrote {count} activities to {out}.")


@main.command("import-iati")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--user", "email", required=True, help="The importing account (admin or manager).")
def import_iati(file: Path, email: str) -> None:
    """Create or update projects from an IATI 2.03 activity file, keyed by iati-identifier.
    Prints what was imported and skipped per activity; fails when nothing was imported."""
    from rbm.exchange.iati_import import import_iati as run_import

    def progress(done: int, total: int) -> None:
        if done == total or done % 50 == 0:
            click.echo(f"  activity {done} of {total}", err=True)

    with _db().write() as session:
        principal = _account(session, email)
        report = run_import(
            session, principal=principal, data=file.read_bytes(), on_progress=progress
        )
    for note in report.file_notes():
        click.echo(f"note: {note}")
    for row in report.activities:
        counts = ", ".join(f"{k} {v}" for k, v in row.counts.items() if v)
        click.echo(f"{row.outcome:9} {row.identifier}  {counts}")
        for line in row.lines(row.skipped):
            click.echo(f"          skipped: {line}")
        for line in row.lines(row.notes):
            click.echo(f"          note: {line}")
        for line in row.warnings:
            click.echo(f"          warning: {line}")
    click.echo(report.summary())
    if report.imported == 0:
        raise click.ClickException("Nothing could be imported from this file.")


@main.command("export-tables")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@_CODES
@_AS_USER
@click.option("--iptt", is_flag=True, help="Write the IPTT workbook (.xlsx) instead.")
def export_tables(out: Path, codes: tuple[str, ...], email: str | None, iptt: bool) -> None:
    """Write the long table of measurements (.csv or .xlsx), or the IPTT workbook."""
    from rbm.exchange import tables

    suffix = out.suffix.lower()
    if suffix not in (".csv", ".xlsx") or (iptt and suffix != ".xlsx"):
        raise click.ClickException("Name the output .csv or .xlsx (the IPTT is .xlsx only).")
    with _db().read() as session:
        principal = _account(session, email) if email else OPERATOR
        selected = codes or None
        if iptt:
            data = tables.iptt_workbook(session, principal=principal, project_codes=selected)
        else:
            table = tables.long_table(session, principal=principal, project_codes=selected)
            data = tables.to_csv(table) if suffix == ".csv" else tables.to_xlsx(table)
    out.write_bytes(data)
    click.echo(f"Wrote {out}.")


@main.command("report")
@click.argument("kind", type=click.Choice(["project", "donor", "country"]))
@click.argument("subject")
@click.option(
    "--period",
    required=True,
    help="A project's reporting period (2025-Q4); for donor and country reports a year, half, "
    "quarter or month (2025, 2025-H2, 2025-Q4, 2025-07).",
)
@click.option("--format", "fmt", type=click.Choice(["docx", "pdf"]), default="pdf")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@_AS_USER
def report(kind: str, subject: str, period: str, fmt: str, out: Path, email: str | None) -> None:
    """Generate a report as Word or PDF: `project CODE`, `donor NAME-OR-ID` or `country CC`.
    Approved values and narratives only; with --user, only what that account may see."""
    from tqdm import tqdm

    from rbm.reports.render import ReportRequest, produce

    db = _db()
    with db.read() as session:
        principal = _account(session, email) if email else OPERATOR
    with tqdm(total=100, unit="%", file=sys.stderr) as bar:

        def progress(done: float, what: str) -> None:
            bar.set_description(what)
            bar.update(max(0, round(done * 100) - bar.n))

        request = ReportRequest(kind=kind, subject=subject, period=period, fmt=fmt)
        _name, data = produce(db, principal=principal, request=request, progress=progress)
    out.write_bytes(data)
    click.echo(f"Wrote {out} ({len(data) / 1e3:,.0f} kB).")


def run() -> None:
    try:
        main(standalone_mode=False)
    except RbmError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    except click.exceptions.Abort:
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
