"""Labels of the data-entry pages (logframe editor, log results, approvals, measurement
history, inbox): enum values and column headers as people read them, marked for translation
and translated where they are shown. Internal column names stay English; only what is shown
is renamed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from rbm.i18n import N_, _

#: Result levels, measures, directions, accumulations, frequencies and statuses by stored value.
ENUM_LABELS: dict[str, str] = {
    "impact": N_("Impact"),
    "outcome": N_("Outcome"),
    "output": N_("Output"),
    "activity": N_("Activity"),
    "number": N_("Number"),
    "percentage": N_("Percentage"),
    "yes_no": N_("Yes/no"),
    "ordinal": N_("Ordinal scale"),
    "qualitative": N_("Qualitative"),
    "increase": N_("Increase"),
    "decrease": N_("Decrease"),
    "incremental": N_("Incremental"),
    "cumulative": N_("Cumulative"),
    "level": N_("Level"),
    "monthly": N_("Monthly"),
    "quarterly": N_("Quarterly"),
    "semiannual": N_("Semiannual"),
    "annual": N_("Annual"),
    "pipeline": N_("Pipeline"),
    "implementation": N_("Implementation"),
    "finalisation": N_("Finalisation"),
    "closed": N_("Closed"),
    "cancelled": N_("Cancelled"),
    "suspended": N_("Suspended"),
    "draft": N_("Draft"),
    "submitted": N_("Submitted"),
    "approved": N_("Approved"),
    "returned": N_("Returned"),
    "pending": N_("Pending"),
    "applied": N_("Applied"),
    "rejected": N_("Rejected"),
    "create": N_("Create"),
    "update": N_("Update"),
    "submit": N_("Submit"),
    "approve": N_("Approve"),
    "return": N_("Return"),
    "comment": N_("Comment"),
    "add_result": N_("Add a result"),
    "edit_result": N_("Change a result"),
    "add_indicator": N_("Add an indicator"),
    "edit_indicator": N_("Change an indicator"),
    "set_baseline": N_("Set the baseline"),
    "revise_target": N_("Revise a target"),
}

#: Column headers of the tables these pages show, by internal column name.
COLUMNS: dict[str, str] = {
    "result": N_("Result"),
    "level": N_("Level"),
    "statement": N_("Statement"),
    "assumptions": N_("Assumptions"),
    "risks": N_("Risks"),
    "archived": N_("Archived"),
    "code": N_("Code"),
    "title": N_("Title"),
    "unit": N_("Unit"),
    "measure": N_("Measure"),
    "direction": N_("Direction"),
    "accumulation": N_("Accumulation"),
    "baseline_value": N_("Baseline"),
    "baseline": N_("Baseline"),
    "target_lop": N_("Life-of-project target"),
    "approved_values": N_("Approved values"),
    "period": N_("Period"),
    "target": N_("Target"),
    "old_value": N_("Before"),
    "new_value": N_("After"),
    "reason": N_("Reason"),
    "changed_by": N_("Changed by"),
    "changed_at": N_("Changed at"),
    "id": N_("No."),
    "operation": N_("Change"),
    "summary": N_("Summary"),
    "status": N_("Status"),
    "proposed_by": N_("Proposed by"),
    "proposed_at": N_("Proposed at"),
    "note": N_("Note"),
    "value": N_("Value"),
    "measurement_id": N_("Value no."),
    "project": N_("Project"),
    "indicator": N_("Indicator"),
    "submitted_by": N_("Submitted by"),
    "submitted_at": N_("Submitted at"),
    "approve": N_("Approve"),
    "numerator": N_("Numerator"),
    "denominator": N_("Denominator"),
    "narrative": N_("Narrative"),
    "revision": N_("Revision"),
    "end_date": N_("End date"),
    "dimension": N_("Dimension"),
    "part": N_("Part"),
    "filename": N_("File"),
    "url": N_("Link"),
    "size": N_("Size (bytes)"),
    "uploaded_by": N_("Added by"),
    "uploaded_at": N_("Added at"),
    "author": N_("Author"),
    "text": N_("Comment"),
    "created_at": N_("Date"),
    "at": N_("Date"),
    "action": N_("Action"),
    "actor": N_("By"),
    "by": N_("By"),
    "before": N_("Before"),
    "after": N_("After"),
    "approved_by": N_("Approved by"),
    "is_current": N_("Current"),
    "supersedes_id": N_("Replaces no."),
    "updated_at": N_("Updated at"),
    "who": N_("By"),
    "approved_at": N_("Approved at"),
}


def enum_label(value: object) -> str:
    """A stored enum value as people read it, in their language (unknown values as stored)."""
    key = str(getattr(value, "value", value))
    return _(ENUM_LABELS[key]) if key in ENUM_LABELS else key


def enum_format(*, lower: bool = False) -> Callable[[Any], str]:
    """A `format_func` for select boxes of enum values."""
    return lambda v: enum_label(v).lower() if lower else enum_label(v)


def headed(frame: pd.DataFrame, *, enums: tuple[str, ...] = ()) -> pd.DataFrame:
    """`frame` for display: the `enums` columns' values and every known header translated."""
    shown = frame.assign(**{c: frame[c].map(enum_label) for c in enums if c in frame})
    return shown.rename(columns=column_names(frame.columns))


def column_names(columns: Any) -> Mapping[str, str]:
    """Internal column name -> translated header, for the columns that have one."""
    return {c: _(COLUMNS[c]) for c in columns if c in COLUMNS}
