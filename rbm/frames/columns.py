"""Column sets that several reads select alike, named once so that they stay alike."""

from __future__ import annotations

from rbm.models import ReportingPeriod, ResultNode

#: A reporting period as the pages list it: id, label, start and end date.
PERIOD = (
    ReportingPeriod.id,
    ReportingPeriod.label,
    ReportingPeriod.start_date,
    ReportingPeriod.end_date,
)

#: Where a result stands in its logframe: id, parent, level and code.
RESULT_PLACE = (ResultNode.id, ResultNode.parent_id, ResultNode.level, ResultNode.code)
