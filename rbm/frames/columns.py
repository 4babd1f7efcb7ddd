"""Column sets that several reads select alike, named once so that they stay alike."""

from __future__ import annotations

from rbm.models import (
    Dimension,
    DimensionValue,
    Indicator,
    Measurement,
    Project,
    ReportingPeriod,
    ResultNode,
)

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

#: An indicator as the workflow lists it: its project's code (as project), its code (as
#: indicator) and its title.
INDICATOR = (Project.code.label("project"), Indicator.code.label("indicator"), Indicator.title)

#: A measured value: the value, or the numerator and denominator of a percentage.
MEASURED = (Measurement.value, Measurement.numerator, Measurement.denominator)

#: A breakdown part as the value forms take it: its dimension's name (as dimension), whether
#: the dimension's parts add up to the total, the part's id and label.
BREAKDOWN_PART = (
    Dimension.name.label("dimension"),
    Dimension.exhaustive,
    DimensionValue.id.label("dimension_value_id"),
    DimensionValue.label,
)
