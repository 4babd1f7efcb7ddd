"""Column sets that several reads select alike, named once so that they stay alike."""

from __future__ import annotations

from rbm.models import Measurement, Project, ReportingPeriod, ResultNode

#: A project as the lists show it: id (as project_id), code, title and status.
PROJECT = (Project.id.label("project_id"), Project.code, Project.title, Project.status)

#: A reporting period as the pages list it: id, label, start and end date.
PERIOD = (
    ReportingPeriod.id,
    ReportingPeriod.label,
    ReportingPeriod.start_date,
    ReportingPeriod.end_date,
)

#: Where a result stands in its logframe: id, parent, level and code.
RESULT_PLACE = (ResultNode.id, ResultNode.parent_id, ResultNode.level, ResultNode.code)

#: A measured value: the value, or the numerator and denominator of a percentage.
MEASURED = (Measurement.value, Measurement.numerator, Measurement.denominator)
