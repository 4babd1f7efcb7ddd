"""Earlier questionnaire answers into a draft checklist, from a CSV or Excel file, so that a
State never re-types what it already reported. The columns are documented in
docs/checklist.md (and `COLUMNS` below); `template` gives a file with them, prefilled with the
checklist's questions and current answers.

The file is validated whole with pandera (`lazy=True`); each problem names its row (as a
spreadsheet numbers it, the header being row 1) and its column. Nothing is saved unless every
row is valid, and the rows are saved through `checklist.save_answer` in the caller's
transaction, so a refusal there undoes the whole import too.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors
from sqlalchemy import select
from sqlalchemy.orm import Session

from rbm.errors import NotFound, RbmError, ValidationFailed
from rbm.exchange import spreadsheet, workbook_guard
from rbm.models import Answer, Instrument, Provision, Question, SelfAssessment
from rbm.models.checklist import ANSWER_FIELDS
from rbm.models.enums import AssistanceKind, Implementation, Priority
from rbm.principal import Principal
from rbm.services import checklist

KEY_COLUMNS = ["instrument", "article"]
ANSWER_COLUMNS = list(ANSWER_FIELDS)
COLUMNS = [*KEY_COLUMNS, "provision", "question", *ANSWER_COLUMNS]

IMPLEMENTATION_WORDS = {
    "fully": Implementation.FULLY,
    "fully implemented": Implementation.FULLY,
    "yes": Implementation.FULLY,
    "partly": Implementation.PARTLY,
    "partially": Implementation.PARTLY,
    "partly implemented": Implementation.PARTLY,
    "partially implemented": Implementation.PARTLY,
    "not implemented": Implementation.NOT_IMPLEMENTED,
    "no": Implementation.NOT_IMPLEMENTED,
    "not applicable": Implementation.NOT_APPLICABLE,
    "n/a": Implementation.NOT_APPLICABLE,
    "na": Implementation.NOT_APPLICABLE,
}
YES = {"yes", "y", "true", "1", "x"}
NO = {"no", "n", "false", "0"}


@dataclass(frozen=True)
class ImportReport:
    saved: int
    skipped_blank: int

    def __str__(self) -> str:
        return f"{self.saved} answers imported; {self.skipped_blank} blank rows skipped."


def _word(value: object) -> str:
    """A cell as a lower-case phrase: underscores and runs of spaces become one space."""
    return re.sub(r"[\s_]+", " ", str(value).strip().lower())


def article_key(article: object) -> str:
    """'Art. 5', 'article 5' and '5' all become '5'; 'Arts. 12-14' becomes '12-14'."""
    return re.sub(r"[^0-9,\-]", "", str(article)).strip(",-")


def _implementation(value: object) -> Implementation | None:
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return None
    return IMPLEMENTATION_WORDS.get(_word(value))


def _choice(enum_cls: Any, value: object) -> Any:
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return None
    code = _word(value).replace(" ", "_")
    return next((m for m in enum_cls if m.value == code), None)


def _needed(value: object) -> bool | None:
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return False
    word = _word(value)
    return True if word in YES else False if word in NO else None


# --- reading ------------------------------------------------------------------------------


def read_upload(filename: str, content: bytes) -> pd.DataFrame:
    """Read an uploaded CSV or Excel file as text cells; raises ValidationFailed when it
    cannot be read or lacks a required column."""
    ext = PurePath(filename).suffix.lower()
    workbook_guard.check_size(filename, content)
    try:
        if ext == ".csv":
            df = pd.read_csv(
                io.BytesIO(content), dtype=str, keep_default_na=False, encoding="utf-8-sig"
            )
        elif ext == ".xlsx":
            df = workbook_guard.read_workbook(filename, content)
        else:
            raise ValidationFailed(
                "{filename}: upload a .csv or .xlsx file (not {ext}).",
                filename=filename,
                ext=ext or "none",
            )
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise ValidationFailed(
            "{filename}: the file cannot be read ({exc}).", filename=filename, exc=exc
        ) from exc
    df.columns = [_word(c).replace(" ", "_") for c in df.columns]
    missing = [c for c in (*KEY_COLUMNS, "implementation") if c not in df]
    if missing:
        raise ValidationFailed(
            "{filename}: missing column(s) {missing}. See the guide for respondents"
            " for the columns.",
            filename=filename,
            missing=", ".join(missing),
        )
    for col in ANSWER_COLUMNS:
        if col not in df:
            df[col] = ""
    cells = df.map(lambda v: v.strip() if isinstance(v, str) else v)
    return cells.replace("", None)


# --- validation ---------------------------------------------------------------------------


def _questions(session: Session, sa: SelfAssessment) -> pd.DataFrame:
    rows = session.execute(
        select(
            Instrument.code.label("instrument"),
            Provision.article,
            Provision.code.label("provision"),
            Question.text.label("question"),
            Answer.id.label("answer_id"),
        )
        .join(Question, Question.id == Answer.question_id)
        .join(Provision, Provision.id == Question.provision_id)
        .join(Instrument, Instrument.id == Provision.instrument_id)
        .where(Answer.self_assessment_id == sa.id)
        .order_by(Instrument.id, Provision.position)
    ).all()
    return pd.DataFrame(
        rows, columns=["instrument", "article", "provision", "question", "answer_id"]
    )


def _answer_ids(questions: pd.DataFrame) -> dict[tuple[str, str], int]:
    """(instrument, article key) -> answer id. An article range also answers to its first
    article ('12' finds 'Arts. 12-14'), unless that is another provision's own article."""
    exact = {
        (i.upper(), article_key(a)): int(aid)
        for i, a, aid in zip(
            questions["instrument"], questions["article"], questions["answer_id"], strict=True
        )
    }
    first = {
        (i, re.split(r"[,\-]", k)[0]): aid
        for (i, k), aid in exact.items()
        if re.search(r"[,\-]", k)
    }
    return {**first, **exact}


def _row_check(column: str, reason: str, fn: Callable[[pd.DataFrame], pd.Series]) -> pa.Check:
    """A row-wise check; its name carries the column so a failure is reported there."""
    return pa.Check(fn, name=f"{column}|{reason}", error=f"{column}|{reason}")


def _each(ok: Callable[[Any], bool]) -> Callable[[pd.Series], pd.Series]:
    """A cell check that lets blank cells through."""
    return lambda s: s.map(lambda v: v is None or pd.isna(v) or ok(v)).astype(bool)


def _schema(ids: dict[tuple[str, str], int], country_code: str) -> pa.DataFrameSchema:
    def key(df: pd.DataFrame) -> pd.Series:
        return pd.Series(
            list(
                zip(
                    df["instrument"].map(lambda v: str(v).upper()),
                    df["article"].map(article_key),
                    strict=True,
                )
            ),
            index=df.index,
        )

    def known(df: pd.DataFrame) -> pd.Series:
        return key(df).map(lambda k: k in ids).astype(bool)

    def once(df: pd.DataFrame) -> pd.Series:
        answer = key(df).map(ids.get)
        return ~(answer.notna() & answer.duplicated(keep=False))

    def described(df: pd.DataFrame, col: str) -> pd.Series:
        needed = df["assistance_needed"].map(_needed).fillna(False).astype(bool)
        return ~needed | df[col].notna()

    instruments = sorted({i for i, _ in ids})

    def choice(ok: Callable[[Any], bool], error: str) -> pa.Column:
        return pa.Column(checks=pa.Check(_each(ok), error=error), nullable=True)

    columns = {
        "instrument": pa.Column(
            checks=pa.Check(
                lambda s: s.map(lambda v: str(v).upper()).isin(instruments),
                error=f"is not one of {', '.join(instruments)}",
            )
        ),
        "article": pa.Column(),
        "implementation": choice(
            lambda v: _implementation(v) is not None,
            "is not fully, partly, not implemented or not applicable",
        ),
        "assistance_needed": choice(lambda v: _needed(v) is not None, "is not yes or no"),
        "assistance_kind": choice(
            lambda v: _choice(AssistanceKind, v) is not None,
            "is not one of " + ", ".join(k.value for k in AssistanceKind),
        ),
        "priority": choice(
            lambda v: _choice(Priority, v) is not None, "is not high, medium or low"
        ),
    }

    def same_country(df: pd.DataFrame) -> pd.Series:
        if "country" not in df:
            return pd.Series(True, index=df.index)
        return (df["country"].isna() | (df["country"].str.upper() == country_code)).astype(bool)

    checks = [
        _row_check("article", "is not a question of this checklist", known),
        _row_check("article", "is answered more than once in the file", once),
        _row_check(
            "assistance_kind",
            "is required when assistance is needed",
            lambda df: described(df, "assistance_kind"),
        ),
        _row_check(
            "priority",
            "is required when assistance is needed",
            lambda df: described(df, "priority"),
        ),
        _row_check(
            "country", f"is not {country_code}, the country of this checklist", same_country
        ),
    ]
    return pa.DataFrameSchema(columns, checks=checks)


def _problems(exc: SchemaErrors, df: pd.DataFrame) -> list[str]:
    out = set()
    for _, case in exc.failure_cases.iterrows():
        check = str(case["check"])
        column, reason = check.split("|", 1) if "|" in check else (case["column"], check)
        index = case["index"]
        row = "?" if index is None or pd.isna(index) else str(int(index) + 2)
        if reason.startswith(("not_nullable", "column_in_dataframe")):
            reason = "a value is required here"
        value = case["failure_case"]
        if "|" in check:  # a row check: show the cell of the column it names
            value = df.at[index, column] if row != "?" and column in df else None
        shown = isinstance(value, str) and value.strip()
        out.add(
            f"row {row}, column {column}: {value!r} {reason}"
            if shown
            else f"row {row}, column {column}: {reason}"
        )
    return sorted(out, key=_row_order)


def _row_order(line: str) -> tuple[int, str]:
    head = line.split(",", 1)[0].removeprefix("row ")
    return (int(head) if head.isdigit() else 0), line


def validate(
    session: Session, *, principal: Principal, self_assessment_id: int, df: pd.DataFrame
) -> pd.DataFrame:
    """The rows to import, each with the answer it replaces (`answer_id`), or
    ValidationFailed listing every problem by row and column. Blank rows are dropped."""
    sa = session.get(SelfAssessment, self_assessment_id)
    if sa is None or not checklist.may_answer(principal, sa.country_code):
        raise NotFound(
            "No checklist #{self_assessment_id} that you may answer.",
            self_assessment_id=self_assessment_id,
        )
    filled = df[df[ANSWER_COLUMNS].notna().any(axis=1)]
    if filled.empty:
        raise ValidationFailed("The file holds no answers: fill at least the implementation.")
    ids = _answer_ids(_questions(session, sa))
    try:
        _schema(ids, sa.country_code).validate(filled, lazy=True)
    except SchemaErrors as exc:
        found = _problems(exc, filled)
        raise ValidationFailed(
            "The file was not imported: {count} problem(s). Nothing was saved.",
            found,
            count=len(found),
        ) from exc
    keys = zip(filled["instrument"].str.upper(), filled["article"].map(article_key), strict=True)
    return filled.assign(answer_id=[ids[k] for k in keys])


def _values(row: pd.Series) -> checklist.AnswerValues:
    def text(col: str) -> str:
        v = row[col]
        return "" if v is None or pd.isna(v) else str(v)

    return checklist.AnswerValues(
        implementation=_implementation(row["implementation"]),
        measure_cited=text("measure_cited"),
        obstacles=text("obstacles"),
        assistance_needed=bool(_needed(row["assistance_needed"])),
        assistance_kind=_choice(AssistanceKind, row["assistance_kind"]),
        priority=_choice(Priority, row["priority"]),
        comments=text("comments"),
    )


def import_answers(
    session: Session,
    *,
    principal: Principal,
    self_assessment_id: int,
    df: pd.DataFrame,
    expected_version: int | None = None,
) -> ImportReport:
    """Validate the whole file, then replace the answer of each row's question. Questions
    without a row keep their answers. Any refusal names its row and undoes the import."""
    rows = validate(session, principal=principal, self_assessment_id=self_assessment_id, df=df)
    version = expected_version
    for index, row in rows.iterrows():
        try:
            sa = checklist.save_answer(
                session,
                principal=principal,
                answer_id=int(row["answer_id"]),
                values=_values(row),
                expected_version=version,
            )
        except RbmError as exc:
            raise ValidationFailed(
                "The file was not imported: row {index}: {exc}", index=int(str(index)) + 2, exc=exc
            ) from exc
        version = sa.version
    return ImportReport(saved=len(rows), skipped_blank=len(df) - len(rows))


# --- the template -------------------------------------------------------------------------


def template(session: Session, *, principal: Principal, self_assessment_id: int) -> pd.DataFrame:
    """The checklist's questions with their current answers, in the import's columns."""
    sa = session.get(SelfAssessment, self_assessment_id)
    if sa is None or not checklist.may_read(principal, sa.country_code):
        raise NotFound(
            "No checklist #{self_assessment_id} that you may open.",
            self_assessment_id=self_assessment_id,
        )
    questions = _questions(session, sa)
    answers = {
        a.id: a for a in session.scalars(select(Answer).where(Answer.self_assessment_id == sa.id))
    }
    out = questions.drop(columns="answer_id")
    for col in ANSWER_COLUMNS:
        cells = [_cell(getattr(answers[int(a)], col)) for a in questions["answer_id"]]
        out[col] = pd.Series(cells, index=out.index, dtype=object)
    return out[COLUMNS]


def _cell(value: object) -> object:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return getattr(value, "value", value) or ""


def to_bytes(df: pd.DataFrame, *, fmt: str) -> bytes:
    """The template as CSV (UTF-8) or Excel bytes."""
    if fmt == "csv":
        return spreadsheet.csv_bytes(df)
    return spreadsheet.xlsx_bytes({"answers": df})
