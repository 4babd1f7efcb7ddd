"""Enumerations of the domain. Indicator enums come from the indicator engine."""

from __future__ import annotations

from enum import StrEnum

from indicators.types import Accumulation, Direction, Measure, MeasurementStatus

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
        return {"state_focal_point": "State focal point"}.get(self.value, self.value.title())


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


#: A self-assessment that counts as reported for its cycle.
REPORTED_ASSESSMENT = (SelfAssessmentStatus.SUBMITTED, SelfAssessmentStatus.ACCEPTED)


class Coverage(StrEnum):
    """A need's coverage: by no, one, or several providers whose projects address it."""

    UNCOVERED = "uncovered"
    COVERED = "covered"
    SEVERAL = "several"

    @property
    def label(self) -> str:
        return {
            "uncovered": "Uncovered",
            "covered": "Covered",
            "several": "Covered by several providers",
        }[self.value]

    @classmethod
    def of(cls, providers: int) -> Coverage:
        """A need's coverage from the number of distinct providers whose projects address it."""
        if providers <= 0:
            return cls.UNCOVERED
        return cls.COVERED if providers == 1 else cls.SEVERAL
