"""Texts in other languages: the narratives of an IATI file in every language it gives them.

A translated entity keeps its text in its own column (English, else the publisher's original
language); each other language of that text is a row of the entity's translation table:
`(owner_id, field, language, text)`, the owner's id, the column translated (`title`,
`description`, ...), a lower-case language code (`fr`, `es`). A row whose text is the column's
own says which language the column is in, when it is not English. Rows go with their owner
(`ON DELETE CASCADE`). `rbm.queries.translations.localized` picks a text in a language.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, PrimaryKeyConstraint, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from rbm.models.base import Base
from rbm.models.logframe import Baseline, Indicator, ResultNode, Target
from rbm.models.measurement import Measurement
from rbm.models.project import Project


class _Translation:
    """The columns of every translation table; `__owner__` names the translated table, and the
    translation table is named after it (`<owner>_translation`)."""

    __owner__: str

    @declared_attr.directive
    def __tablename__(cls) -> str:
        return f"{cls.__owner__}_translation"

    @declared_attr
    def owner_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey(f"{cls.__owner__}.id", ondelete="CASCADE"))

    @declared_attr.directive
    def __table_args__(cls) -> tuple[PrimaryKeyConstraint]:
        return (PrimaryKeyConstraint("owner_id", "field", "language"),)

    field: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)


class ProjectTranslation(_Translation, Base):
    __owner__ = "project"


class ResultNodeTranslation(_Translation, Base):
    __owner__ = "result_node"


class IndicatorTranslation(_Translation, Base):
    __owner__ = "indicator"


class BaselineTranslation(_Translation, Base):
    __owner__ = "baseline"


class TargetTranslation(_Translation, Base):
    __owner__ = "target"


class MeasurementTranslation(_Translation, Base):
    __owner__ = "measurement"


#: Each translated entity: its model, its translation table, and the columns translated.
TRANSLATED: dict[str, tuple[type[Base], type[_Translation], tuple[str, ...]]] = {
    "project": (Project, ProjectTranslation, ("title", "description")),
    "result_node": (ResultNode, ResultNodeTranslation, ("title", "description")),
    "indicator": (Indicator, IndicatorTranslation, ("title", "definition")),
    "baseline": (Baseline, BaselineTranslation, ("comment",)),
    "target": (Target, TargetTranslation, ("comment",)),
    "measurement": (Measurement, MeasurementTranslation, ("narrative",)),
}
