"""Enumerations of the domain. Indicator enums come from the indicator engine."""

from __future__ import annotations

from enum import StrEnum

from indicators.types import (
    Accumulation,
    Direction,
    Measure,
    MeasurementStatus,
)
from rbm.i18n import N_, _

__all__ = [
    "COVERING_STATUSES",
    "OPEN_ACTION",
    "REPORTED_ASSESSMENT",
    "REPORTED_MEASUREMENT",
    "Accumulation",
    "ActionStatus",
    "AssistanceKind",
    "Coverage",
    "DacCriterion",
    "Direction",
    "EvaluationScope",
    "EvaluationType",
    "Frequency",
    "Implementation",
    "Measure",
    "MeasurementStatus",
    "OrgType",
    "PartnerRole",
    "Priority",
    "ProjectStatus",
    "ResponseKind",
    "ResultLevel",
    "Role",
    "ScopeType",
    "SelfAssessmentStatus",
    "label",
    "labels_of",
]


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    OFFICER = "officer"
    EVALUATOR = "evaluator"
    DONOR = "donor"
    STATE_FOCAL_POINT = "state_focal_point"

    @property
    def label(self) -> str:
        """The role as people read it, in the current language."""
        return label(self)


class ScopeType(StrEnum):
    GLOBAL = "global"
    ORGANISATION = "organisation"
    PROJECT = "project"
    COUNTRY = "country"


class OrgType(StrEnum):
    """IATI OrganisationType codes by name."""

    GOVERNMENT = "government"
    MULTILATERAL = "multilateral"
    NGO = "ngo"
    ACADEMIC = "academic"
    FOUNDATION = "foundation"
    PRIVATE = "private"
    OTHER_PUBLIC = "other_public"


class PartnerRole(StrEnum):
    IMPLEMENTING = "implementing"
    ACCOUNTABLE = "accountable"


class ProjectStatus(StrEnum):
    """IATI ActivityStatus 1-6."""

    PIPELINE = "pipeline"
    IMPLEMENTATION = "implementation"
    FINALISATION = "finalisation"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    SUSPENDED = "suspended"


#: Projects in these states address a need; closed, cancelled or suspended ones no longer do.
COVERING_STATUSES = (
    ProjectStatus.PIPELINE,
    ProjectStatus.IMPLEMENTATION,
    ProjectStatus.FINALISATION,
)
#: A measurement that counts as reported (for overdue reports and the stored report dates).
REPORTED_MEASUREMENT = (MeasurementStatus.SUBMITTED, MeasurementStatus.APPROVED)


class ResultLevel(StrEnum):
    IMPACT = "impact"
    OUTCOME = "outcome"
    OUTPUT = "output"
    ACTIVITY = "activity"

    @property
    def rank(self) -> int:
        return list(ResultLevel).index(self)


class Frequency(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    SEMIANNUAL = "semiannual"
    ANNUAL = "annual"


class EvaluationType(StrEnum):
    MID_TERM = "mid_term"
    FINAL = "final"
    EX_POST = "ex_post"
    SELF_EVALUATION = "self_evaluation"
    THEMATIC = "thematic"


class EvaluationScope(StrEnum):
    PROJECT = "project"
    COUNTRY = "country"
    PRIORITY_AREA = "priority_area"
    THEME = "theme"


class DacCriterion(StrEnum):
    RELEVANCE = "relevance"
    COHERENCE = "coherence"
    EFFECTIVENESS = "effectiveness"
    EFFICIENCY = "efficiency"
    IMPACT = "impact"
    SUSTAINABILITY = "sustainability"


class ResponseKind(StrEnum):
    ACCEPTED = "accepted"

    PARTIALLY_ACCEPTED = "partially_accepted"
    REJECTED = "rejected"


class ActionStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


OPEN_ACTION = (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS)


class Implementation(StrEnum):
    FULLY = "fully"
    PARTLY = "partly"
    NOT_IMPLEMENTED = "not_implemented"
    NOT_APPLICABLE = "not_applicable"


class AssistanceKind(StrEnum):
    LEGISLATIVE_DRAFTING = "legislative_drafting"
    CAPACITY_BUILDING = "capacity_building"
    EQUIPMENT = "equipment"
    INSTITUTION_BUILDING = "institution_building"
    EXPERT_ADVICE = "expert_advice"
    DATA_SYSTEMS = "data_systems"
    OTHER = "other"


class Priority(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class SelfAssessmentStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"


#: How people read each value, per enumeration (English, marked for the catalogue; `label`
#: translates). A value missing here reads as itself with underscores as spaces.
_LABELS: dict[tuple[str, str], str] = {
    ("Role", "admin"): N_("Admin"),
    ("Role", "manager"): N_("Manager"),
    ("Role", "officer"): N_("Officer"),
    ("Role", "evaluator"): N_("Evaluator"),
    ("Role", "donor"): N_("Donor"),
    ("Role", "state_focal_point"): N_("State focal point"),
    ("ScopeType", "global"): N_("Global"),
    ("ScopeType", "organisation"): N_("Organisation"),
    ("ScopeType", "project"): N_("Project"),
    ("ScopeType", "country"): N_("Country"),
    ("OrgType", "government"): N_("Government"),
    ("OrgType", "multilateral"): N_("Multilateral"),
    ("OrgType", "ngo"): N_("NGO"),
    ("OrgType", "academic"): N_("Academic"),
    ("OrgType", "foundation"): N_("Foundation"),
    ("OrgType", "private"): N_("Private sector"),
    ("OrgType", "other_public"): N_("Other public"),
    ("PartnerRole", "implementing"): N_("Implementing"),
    ("PartnerRole", "accountable"): N_("Accountable"),
    ("ProjectStatus", "pipeline"): N_("Pipeline"),
    ("ProjectStatus", "implementation"): N_("Implementation"),
    ("ProjectStatus", "finalisation"): N_("Finalisation"),
    ("ProjectStatus", "closed"): N_("Closed"),
    ("ProjectStatus", "cancelled"): N_("Cancelled"),
    ("ProjectStatus", "suspended"): N_("Suspended"),
    ("ResultLevel", "impact"): N_("Impact"),
    ("ResultLevel", "outcome"): N_("Outcome"),
    ("ResultLevel", "output"): N_("Output"),
    ("ResultLevel", "activity"): N_("Activity"),
    ("Frequency", "monthly"): N_("Monthly"),
    ("Frequency", "quarterly"): N_("Quarterly"),
    ("Frequency", "semiannual"): N_("Semi-annual"),
    ("Frequency", "annual"): N_("Annual"),
    ("EvaluationType", "mid_term"): N_("Mid-term"),
    ("EvaluationType", "final"): N_("Final"),
    ("EvaluationType", "ex_post"): N_("Ex-post"),
    ("EvaluationType", "self_evaluation"): N_("Self-evaluation"),
    ("EvaluationType", "thematic"): N_("Thematic"),
    ("EvaluationScope", "project"): N_("Project"),
    ("EvaluationScope", "country"): N_("Country"),
    ("EvaluationScope", "priority_area"): N_("Priority area"),
    ("EvaluationScope", "theme"): N_("Theme"),
    ("DacCriterion", "relevance"): N_("Relevance"),
    ("DacCriterion", "coherence"): N_("Coherence"),
    ("DacCriterion", "effectiveness"): N_("Effectiveness"),
    ("DacCriterion", "efficiency"): N_("Efficiency"),
    ("DacCriterion", "impact"): N_("Impact"),
    ("DacCriterion", "sustainability"): N_("Sustainability"),
    ("ResponseKind", "accepted"): N_("Accepted"),
    ("ResponseKind", "partially_accepted"): N_("Partially accepted"),
    ("ResponseKind", "rejected"): N_("Rejected"),
    ("ActionStatus", "not_started"): N_("Not started"),
    ("ActionStatus", "in_progress"): N_("In progress"),
    ("ActionStatus", "completed"): N_("Completed"),
    ("ActionStatus", "cancelled"): N_("Cancelled"),
    ("Implementation", "fully"): N_("Fully implemented"),
    ("Implementation", "partly"): N_("Partly implemented"),
    ("Implementation", "not_implemented"): N_("Not implemented"),
    ("Implementation", "not_applicable"): N_("Not applicable"),
    ("AssistanceKind", "legislative_drafting"): N_("Legislative drafting"),
    ("AssistanceKind", "capacity_building"): N_("Capacity building"),
    ("AssistanceKind", "equipment"): N_("Equipment"),
    ("AssistanceKind", "institution_building"): N_("Institution building"),
    ("AssistanceKind", "expert_advice"): N_("Expert advice"),
    ("AssistanceKind", "data_systems"): N_("Data systems"),
    ("AssistanceKind", "other"): N_("Other"),
    ("Priority", "high"): N_("High"),
    ("Priority", "medium"): N_("Medium"),
    ("Priority", "low"): N_("Low"),
    ("SelfAssessmentStatus", "draft"): N_("Draft"),
    ("SelfAssessmentStatus", "submitted"): N_("Submitted"),
    ("SelfAssessmentStatus", "accepted"): N_("Accepted"),
    ("Measure", "number"): N_("Number"),
    ("Measure", "percentage"): N_("Percentage"),
    ("Measure", "yes_no"): N_("Yes/no"),
    ("Measure", "ordinal"): N_("Ordinal scale"),
    ("Measure", "qualitative"): N_("Qualitative"),
    ("Direction", "increase"): N_("Increase"),
    ("Direction", "decrease"): N_("Decrease"),
    ("Accumulation", "incremental"): N_("Incremental"),
    ("Accumulation", "cumulative"): N_("Cumulative"),
    ("Accumulation", "level"): N_("Level"),
    ("MeasurementStatus", "draft"): N_("Draft"),
    ("MeasurementStatus", "submitted"): N_("Submitted"),
    ("MeasurementStatus", "approved"): N_("Approved"),
    ("MeasurementStatus", "returned"): N_("Returned"),
    ("Status", "achieved"): N_("Achieved"),
    ("Status", "on_track"): N_("On track"),
    ("Status", "at_risk"): N_("At risk"),
    ("Status", "off_track"): N_("Off track"),
    ("Status", "no_data"): N_("No data"),
    ("Status", "not_started"): N_("Not started"),
    ("ProgressReason", "qualitative measure"): N_("qualitative measure"),
    ("ProgressReason", "no target"): N_("no target"),
    ("ProgressReason", "no baseline"): N_("no baseline"),
    ("ProgressReason", "target equals baseline"): N_("target equals baseline"),
    ("ProgressReason", "no data"): N_("no data"),
    ("ToDateRule", "sum of periods"): N_("sum of periods"),
    ("ToDateRule", "pooled ratio"): N_("pooled ratio"),
    ("ToDateRule", "latest period"): N_("latest period"),
    ("ToDateRule", "latest period (values without numerator and denominator)"): N_(
        "latest period (values without numerator and denominator)"
    ),
    ("Coverage", "uncovered"): N_("Uncovered"),
    ("Coverage", "covered"): N_("Covered"),
    ("Coverage", "several"): N_("Covered by several providers"),
}


def label(value: StrEnum | str | None, kind: type[StrEnum] | None = None) -> str:
    """An enumeration value as people read it, in the current language: `label(Role.DONOR)`,
    or `label("on_track", Status)` for a value stored as text. "—" for None."""
    if value is None:
        return "—"
    enum = kind or type(value)
    code = str(getattr(value, "value", value))
    english = _LABELS.get((enum.__name__, code))
    return _(english) if english else code.replace("_", " ")


def labels_of(kind: type[StrEnum]) -> dict[str, str]:
    """Each value of an enumeration with its English label (marked for the catalogue, not yet
    translated), in the enumeration's order: the one table that choice widgets and columns
    showing these values read."""
    return {member.value: _LABELS[(kind.__name__, member.value)] for member in kind}


#: A self-assessment that counts as reported for its cycle.
REPORTED_ASSESSMENT = (SelfAssessmentStatus.SUBMITTED, SelfAssessmentStatus.ACCEPTED)


class Coverage(StrEnum):
    """A need's coverage: by no, one, or several providers whose projects address it."""

    UNCOVERED = "uncovered"
    COVERED = "covered"
    SEVERAL = "several"

    @classmethod
    def of(cls, providers: int) -> Coverage:
        """A need's coverage from the number of distinct providers whose projects address it."""
        if providers <= 0:
            return cls.UNCOVERED
        return cls.COVERED if providers == 1 else cls.SEVERAL
