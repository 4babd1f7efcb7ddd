"""The blocks a report is written in, independent of the output format: a cover, headings,
paragraphs, notes, key-value lists, tables, figures and page breaks. Every string is plain
text; the renderers never interpret it as markup."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from rbm.i18n import N_

#: Reports progress as (fraction done 0..1, what is being done).
Progress = Callable[[float, str], None]


def no_progress(done: float, what: str) -> None:
    """The default progress callback: says nothing."""


@dataclass(frozen=True)
class Cover:
    organisation: str
    title: str
    subtitle: str
    logo: bytes | None = None
    lines: Sequence[str] = ()
    notes: Sequence[str] = ()  # shown prominently: unlocked period, missing logo ...


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: Literal["body", "note", "caption", "quote"] = "body"


@dataclass(frozen=True)
class Facts:
    """Label: value lines (key figures)."""

    items: Sequence[tuple[str, str]]


@dataclass(frozen=True)
class Table:
    columns: Sequence[str]
    rows: Sequence[Sequence[str]]
    empty: str = N_("Nothing to show.")  # said instead of an empty table (translated there)


@dataclass(frozen=True)
class Figure:
    png: bytes | None
    caption: str
    note: str = ""  # said instead of the picture when there is none
    width_cm: float = 16.0


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Heading | Paragraph | Facts | Table | Figure | PageBreak


@dataclass
class Report:
    """A report: its cover and body, and the file name stem it is saved under."""

    cover: Cover
    name: str
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> None:
        self.blocks.extend(blocks)
