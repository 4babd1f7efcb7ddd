"""The portfolio report at scale: a donor report over every project of the loaded portfolio
(200 at size M), built and rendered to PDF and to Word, each timed once (wall clock, and the
process's CPU time, which a busy machine does not inflate).

Run as `python -m bench.reports URL ADMIN_ID` (the harness does, at size M): it adds one donor
funding every project (bench data, written directly), then prints one JSON line."""

from __future__ import annotations

import json
import sys
import time
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from rbm.db import Database
from rbm.models import Funding, Organisation, Project
from rbm.models.enums import OrgType
from rbm.reports.portfolio_reports import donor_report
from rbm.reports.render import render
from rbm.services.users import load_principal

DONOR = "Bench portfolio donor"


def fund_everything(db: Database) -> int:
    """Add one donor funding every project; its id."""
    with db.write() as session:
        donor = Organisation(name=DONOR, type=OrgType.GOVERNMENT)
        session.add(donor)
        session.flush()
        for pid, start in session.execute(select(Project.id, Project.start_date)).all():
            session.add(
                Funding(project_id=pid, donor_id=donor.id, amount=Decimal(100_000), date_from=start)
            )
        return donor.id


def main() -> None:
    db = Database(sys.argv[1])
    donor_id = fund_everything(db)
    with db.read() as session:
        principal = load_principal(session, user_id=int(sys.argv[2]))
        n = session.scalar(select(func.count()).where(Funding.donor_id == donor_id))
        latest = session.scalar(select(func.max(Project.start_date))) or date.today()
    period = str(max(latest.year, 2000))
    started, cpu = time.perf_counter(), time.process_time()
    with db.read() as session:
        report = donor_report(session, principal=principal, donor_id=donor_id, period=period)
    timings = {
        "projects": n,
        "build": time.perf_counter() - started,
        "build_cpu": time.process_time() - cpu,
    }
    for fmt in ("pdf", "docx"):
        t, cpu = time.perf_counter(), time.process_time()
        data = render(report, fmt)
        timings[fmt] = time.perf_counter() - t
        timings[f"{fmt}_cpu"] = time.process_time() - cpu
        timings[f"{fmt}_kb"] = len(data) / 1e3
    print(json.dumps(timings))


if __name__ == "__main__":
    main()
