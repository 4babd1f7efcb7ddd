"""Lessons learned: ranked full-text search in the database itself, lessons relevant to a
project, and a digest per priority area or country with a Markdown export (the Excel one:
`rbm.exchange.lessons_workbook`).

One interface, two engines (revision 0002 creates both):
- SQLite: the FTS5 table `lesson_fts` (porter stemming), ranked by `bm25`;
- PostgreSQL: the GIN expression index on `PG_DOCUMENT`, matched with `websearch_to_tsquery`
  and ranked by `ts_rank`.
Search text follows web-search syntax on both: words must all appear (in any form: "mentor"
finds "mentoring"), "quoted words" form a phrase, `or` between words accepts either, a leading
`-` excludes a word. English stop words are ignored. A higher `rank` is a better match; its
scale depends on the engine, so compare ranks only within one result.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypedDict, Unpack

import pandas as pd
from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    Select,
    bindparam,
    func,
    literal_column,
    select,
    text,
)
from sqlalchemy.orm import Session

from rbm.errors import NotFound
from rbm.frames.sql import enum_values, frame
from rbm.models import (
    Country,
    Evaluation,
    Lesson,
    LessonCountry,
    LessonPriorityArea,
    LessonTag,
    PriorityArea,
    Project,
    ProjectCountry,
    ProjectPriorityArea,
    User,
)
from rbm.models.enums import DacCriterion, ResultLevel
from rbm.principal import Principal, lesson_condition, visible_condition
from rbm.queries.evaluations import CRITERIA, evaluations_table, open_recommendations, ratings
from rbm.queries.reference import named_choices

#: PostgreSQL's English stop words (tsearch_data/english.stop), ignored on both engines.
STOP_WORDS = frozenset(
    "a about above after again against all am an and any are as at be because been before "  # noqa: SIM905
    "being below between both but by can did do does doing don down during each few for from "
    "further had has have having he her here hers herself him himself his how i if in into is "
    "it its itself just me more most my myself no nor not now of off on once only or other our "
    "ours ourselves out over own s same she should so some such t than that the their theirs "
    "them themselves then there these they this those through to too under until up very was "
    "we were what when where which while who whom why will with you your yours yourself "
    "yourselves".split()
)
#: The indexed document on PostgreSQL: the same expression as the index of revision 0002.
PG_DOCUMENT = (
    "setweight(to_tsvector('english'::regconfig, lesson.title), 'A')"
    " || setweight(to_tsvector('english'::regconfig, lesson.\"text\"), 'B')"
    " || setweight(to_tsvector('english'::regconfig, lesson.what_worked), 'C')"
    " || setweight(to_tsvector('english'::regconfig, lesson.what_did_not), 'C')"
    " || setweight(to_tsvector('english'::regconfig, lesson.evidence), 'D')"
)
#: bm25 column weights on SQLite, in lesson_fts column order (title ... evidence).
BM25_WEIGHTS = "10.0, 5.0, 2.0, 2.0, 1.0"
#: Relevance to a project: points for the same project, priority area and country; similar
#: text adds up to one point (its rank relative to the best match).
SAME_PROJECT, SAME_AREA, SAME_COUNTRY = 3.0, 2.0, 1.0
#: Words too common in this domain to make two texts similar.
COMMON_WORDS = frozenset(
    "assistance technical project programme program support strengthening strengthen capacity "  # noqa: SIM905
    "building national implementation convention protocol crime organized organised united "
    "nations office including through".split()
)
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')
_WORD = re.compile(r"\w+")


# --- Search text -------------------------------------------------------------------------------


def fts5_query(search: str) -> str | None:
    """The FTS5 MATCH expression for web-search text; None when nothing is left to search for
    (only stop words or only exclusions). Every term is quoted, so no input is FTS5 syntax."""
    groups: list[list[str]] = []
    excluded: list[str] = []
    join_next = False
    for neg_phrase, phrase, neg_word, word in _TOKEN.findall(search):
        if not phrase and word.lower() == "or" and not neg_word:
            join_next = bool(groups)
            continue
        words = _WORD.findall(phrase or word)
        if not phrase:
            words = [w for w in words if w.lower() not in STOP_WORDS]
        if not words:
            continue
        term = '"' + " ".join(words) + '"'
        if neg_phrase or neg_word:
            excluded.append(term)
        elif join_next:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = False
    if not groups:
        return None
    positive = " AND ".join("(" + " OR ".join(g) + ")" for g in groups)
    return "(" + positive + ")" + "".join(f" NOT {t}" for t in excluded)


def _keywords(*texts: str, limit: int = 40) -> list[str]:
    """Distinct significant words of the texts, in order of first appearance."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(" ".join(texts).lower()):
        if len(word) > 2 and not word.isdigit() and word not in STOP_WORDS | COMMON_WORDS:
            seen.setdefault(word, None)
    return list(seen)[:limit]


def _no_hits() -> pd.DataFrame:
    return pd.DataFrame({"lesson_id": pd.Series(dtype="int64"), "rank": pd.Series(dtype="float64")})


def ranked_statement(
    dialect: str, search: str, conditions: Sequence[ColumnElement[bool]], limit: int | None
) -> Select[int, float] | None:
    """The statement selecting lesson_id and rank of the lessons matching `search` (web-search
    text) and `conditions`, best first; None when the text leaves nothing to search for."""
    match = fts5_query(search)
    if match is None:
        return None
    if dialect == "sqlite":
        hits = (
            text(
                f"SELECT rowid AS lesson_id, -bm25(lesson_fts, {BM25_WEIGHTS}) AS rank "
                "FROM lesson_fts WHERE lesson_fts MATCH :match"
            )
            .bindparams(match=match)
            .columns(lesson_id=Integer, rank=Float)
            .subquery("hits")
        )
        rank: ColumnElement[float] = hits.c.rank
        stmt = select(Lesson.id.label("lesson_id"), rank.label("rank")).join(
            hits, hits.c.lesson_id == Lesson.id
        )
    else:
        document: ColumnElement[Any] = literal_column(PG_DOCUMENT)
        query = func.websearch_to_tsquery(
            literal_column("'english'::regconfig"), bindparam("search", search)
        )
        rank = func.ts_rank(document, query, type_=Float)
        stmt = select(Lesson.id.label("lesson_id"), rank.label("rank")).where(
            document.op("@@", is_comparison=True)(query)
        )
    return stmt.where(*conditions).order_by(rank.desc(), Lesson.id).limit(limit)


def _ranked(
    session: Session, search: str, conditions: Sequence[ColumnElement[bool]], limit: int | None
) -> pd.DataFrame:
    stmt = ranked_statement(session.get_bind().dialect.name, search, conditions, limit)
    if stmt is None:
        return _no_hits()
    return frame(session, stmt).astype({"lesson_id": "int64", "rank": "float64"})


# --- Search ------------------------------------------------------------------------------------


class LessonFilters(TypedDict, total=False):
    """The lesson search's filters, each left out or empty for "any": all of these free tags,
    the country (ISO code), the priority area (code), the DAC criterion and result level
    (values), the project or the evaluation."""

    tags: Sequence[str]
    country: str | None
    priority_area: str | None
    dac_criterion: str | None
    result_level: str | None
    project_id: int | None
    evaluation_id: int | None


def _filters(
    *,
    tags: Sequence[str] = (),
    country: str | None = None,
    priority_area: str | None = None,
    dac_criterion: str | None = None,
    result_level: str | None = None,
    project_id: int | None = None,
    evaluation_id: int | None = None,
) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    for tag in {t.strip().lower() for t in tags if t.strip()}:
        conds.append(Lesson.id.in_(select(LessonTag.lesson_id).where(LessonTag.tag == tag)))
    if country:
        conds.append(
            Lesson.id.in_(
                select(LessonCountry.lesson_id).where(LessonCountry.country_code == country)
            )
        )
    if priority_area:
        conds.append(
            Lesson.id.in_(
                select(LessonPriorityArea.lesson_id)
                .join(PriorityArea, PriorityArea.id == LessonPriorityArea.priority_area_id)
                .where(PriorityArea.code == priority_area)
            )
        )
    if dac_criterion:
        conds.append(Lesson.dac_criterion == DacCriterion(dac_criterion))
    if result_level:
        conds.append(Lesson.result_level == ResultLevel(result_level))
    if project_id is not None:
        conds.append(Lesson.project_id == project_id)
    if evaluation_id is not None:
        conds.append(Lesson.evaluation_id == evaluation_id)
    return conds


def search_lessons(
    session: Session,
    *,
    principal: Principal,
    text: str = "",
    limit: int | None = 50,
    **filters: Unpack[LessonFilters],
) -> pd.DataFrame:
    """The lessons the principal may read that match the search text (ranked, best first) and
    every filter: all the free `tags`, the country (ISO code), the priority area (code), the
    DAC criterion and result level (values), the project or evaluation. Without text, the
    newest lessons come first. Read-only; five statements whatever the number of lessons."""
    conds = [lesson_condition(principal), *_filters(**filters)]
    if text.strip():
        hits = _ranked(session, text, conds, limit)
    else:
        hits = frame(
            session,
            select(Lesson.id.label("lesson_id"))
            .where(*conds)
            .order_by(Lesson.recorded_at.desc(), Lesson.id.desc())
            .limit(limit),
        )
        hits["rank"] = float("nan")
    return hits.merge(lesson_details(session, hits["lesson_id"].tolist()), on="lesson_id")


def lesson_details(session: Session, ids: Sequence[int]) -> pd.DataFrame:
    """The lessons with these ids (no scope check: callers pass ids already in scope), with
    their source, recorder and tags; countries, priority areas and tags joined by ", "."""
    ids = [int(i) for i in ids]
    rows = frame(
        session,
        select(
            Lesson.id.label("lesson_id"),
            Lesson.title,
            Lesson.text,
            Lesson.what_worked,
            Lesson.what_did_not,
            Lesson.evidence,
            Lesson.dac_criterion,
            Lesson.result_level,
            Lesson.project_id,
            Project.code.label("project"),
            Lesson.evaluation_id,
            Evaluation.title.label("evaluation"),
            User.name.label("recorded_by"),
            Lesson.recorded_at,
        )
        .outerjoin(Project, Project.id == Lesson.project_id)
        .outerjoin(Evaluation, Evaluation.id == Lesson.evaluation_id)
        .join(User, User.id == Lesson.recorded_by_id)
        .where(Lesson.id.in_(ids)),
    )
    enum_values(rows, "dac_criterion", "result_level")
    for name, stmt in (
        (
            "countries",
            select(LessonCountry.lesson_id, Country.name)
            .join(Country, Country.code == LessonCountry.country_code)
            .where(LessonCountry.lesson_id.in_(ids)),
        ),
        (
            "priority_areas",
            select(LessonPriorityArea.lesson_id, PriorityArea.name)
            .join(PriorityArea, PriorityArea.id == LessonPriorityArea.priority_area_id)
            .where(LessonPriorityArea.lesson_id.in_(ids)),
        ),
        ("tags", select(LessonTag.lesson_id, LessonTag.tag).where(LessonTag.lesson_id.in_(ids))),
    ):
        parts = frame(session, stmt)
        joined = parts.groupby("lesson_id")[parts.columns[1]].agg(lambda s: ", ".join(sorted(s)))
        rows[name] = [str(joined.get(i, "")) for i in rows["lesson_id"]]
    return rows


def lesson_choices(session: Session, *, principal: Principal) -> dict[str, pd.DataFrame]:
    """Filter choices among the lessons the principal may read: tags, countries (code, name)
    and priority areas (code, name)."""
    readable = select(Lesson.id).where(lesson_condition(principal))
    return {
        "tag": frame(
            session,
            select(LessonTag.tag)
            .distinct()
            .where(LessonTag.lesson_id.in_(readable))
            .order_by(LessonTag.tag),
        ),
        "country": named_choices(
            session,
            Country.code,
            Country.name,
            (LessonCountry, LessonCountry.country_code == Country.code),
            where=LessonCountry.lesson_id.in_(readable),
        ),
        "priority_area": named_choices(
            session,
            PriorityArea.code,
            PriorityArea.name,
            (LessonPriorityArea, LessonPriorityArea.priority_area_id == PriorityArea.id),
            where=LessonPriorityArea.lesson_id.in_(readable),
        ),
    }


# --- Lessons relevant to a project ---------------------------------------------------------------


def relevant_lessons(
    session: Session, *, principal: Principal, project_id: int, limit: int = 5
) -> pd.DataFrame:
    """Lessons the principal may read that bear on a project, most relevant first: recorded on
    the project, sharing a priority area or a recipient country with it, or similar in text to
    its title and description. `score` adds SAME_PROJECT, SAME_AREA, SAME_COUNTRY and up to one
    point of text similarity; `reasons` says why each lesson is listed."""
    project = session.execute(
        select(Project.title, Project.description).where(
            Project.id == project_id, visible_condition(principal)
        )
    ).first()
    if project is None:
        raise NotFound("No project #{project_id} that you can see.", project_id=project_id)
    areas = select(ProjectPriorityArea.priority_area_id).where(
        ProjectPriorityArea.project_id == project_id
    )
    countries = select(ProjectCountry.country_code).where(ProjectCountry.project_id == project_id)
    same_area = Lesson.id.in_(
        select(LessonPriorityArea.lesson_id).where(LessonPriorityArea.priority_area_id.in_(areas))
    )
    same_country = Lesson.id.in_(
        select(LessonCountry.lesson_id).where(LessonCountry.country_code.in_(countries))
    )
    readable = lesson_condition(principal)
    tagged = frame(
        session,
        select(
            Lesson.id.label("lesson_id"),
            Lesson.project_id.label("source_project"),
            same_area.label("same_area"),
            same_country.label("same_country"),
        ).where(readable, (Lesson.project_id == project_id) | same_area | same_country),
    )
    words = _keywords(project.title, project.description)
    similar = _ranked(session, " or ".join(words), [readable], None) if words else _no_hits()
    scored = _score(tagged.merge(similar, on="lesson_id", how="outer"), project_id)
    top = scored.sort_values(["score", "lesson_id"], ascending=[False, True]).head(limit)
    details = lesson_details(session, top["lesson_id"].tolist())
    return top.merge(details, on="lesson_id")


def _score(df: pd.DataFrame, project_id: int) -> pd.DataFrame:
    df["same_project"] = (df["source_project"] == project_id).astype(bool)
    for col in ("same_area", "same_country"):
        df[col] = df[col].fillna(False).astype(bool)
    best = df["rank"].max() if df["rank"].notna().any() else 1.0
    df["similarity"] = (df["rank"].fillna(0.0) / (best or 1.0)).clip(0.0, 1.0)
    df["score"] = (
        SAME_PROJECT * df["same_project"]
        + SAME_AREA * df["same_area"]
        + SAME_COUNTRY * df["same_country"]
        + df["similarity"]
    )
    df["reasons"] = [_reasons(row) for row in df.to_dict("records")]
    df = df[df["score"] > 0]
    return df[["lesson_id", "score", "reasons", "similarity"]]


def _reasons(row: Mapping[Hashable, Any]) -> str:
    found = (
        ("this project", row["same_project"]),
        ("same priority area", row["same_area"]),
        ("same country", row["same_country"]),
        ("similar text", row["similarity"] > 0),
    )
    return ", ".join(reason for reason, hit in found if hit)


# --- Digest --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LessonDigest:
    """What an evaluator hands to a programme designer for an area or a country."""

    subject: str
    lessons: pd.DataFrame
    evaluations: pd.DataFrame
    ratings: pd.DataFrame  # criterion, mean score, number of evaluations
    open_recommendations: pd.DataFrame


def lesson_digest(
    session: Session,
    *,
    principal: Principal,
    priority_area: str | None = None,
    country: str | None = None,
) -> LessonDigest:
    """The lessons tagged with the priority area (code) and/or country (ISO code), grouped by
    DAC criterion; the evaluations of that area or country with their mean ratings; and the
    recommendations still open. Neither given: everything the principal may read."""
    names = [
        _name(session, PriorityArea, PriorityArea.code, priority_area),
        _name(session, Country, Country.code, country),
    ]
    subject = " in ".join(n for n in names if n) or "All lessons"
    lessons = search_lessons(
        session, principal=principal, priority_area=priority_area, country=country, limit=None
    )
    lessons["order"] = lessons["dac_criterion"].map(
        lambda c: CRITERIA.index(c) if c in CRITERIA else len(CRITERIA)
    )
    lessons = lessons.sort_values(["order", "title"], kind="stable").drop(columns="order")
    evaluations = evaluations_table(
        session, principal=principal, country=country, priority_area=priority_area
    )
    scores = ratings(
        session, principal=principal, evaluation_ids=tuple(int(i) for i in evaluations["id"])
    )
    summary = (
        scores.groupby("criterion", sort=False)
        .agg(mean_score=("score", "mean"), evaluations=("evaluation_id", "nunique"))
        .reset_index()
    )
    summary = (
        summary.set_index("criterion")
        .reindex([c for c in CRITERIA if c in set(summary["criterion"])])
        .reset_index()
    )
    recs = open_recommendations(
        session, principal=principal, country_code=country, priority_area=priority_area
    )
    return LessonDigest(subject, lessons.reset_index(drop=True), evaluations, summary, recs)


def _name(session: Session, model: Any, key: Any, value: str | None) -> str | None:
    if not value:
        return None
    name = session.scalar(select(model.name).where(key == value))
    if name is None:
        raise NotFound(
            "No {value} {value2!r}.", value=model.__tablename__.replace("_", " "), value2=value
        )
    return str(name)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _one_line(value: object) -> str:
    return " ".join(str(value or "").split()).replace("|", "\\|")


def digest_markdown(digest: LessonDigest, *, as_of: date | None = None) -> str:
    """The digest as a Markdown document (user text on one line where Markdown needs it)."""
    out = [
        f"# Lessons learned: {_one_line(digest.subject)}",
        "",
        f"_Prepared on {(as_of or date.today()).isoformat()} from "
        f"{_count(len(digest.lessons), 'lesson')} and "
        f"{_count(len(digest.evaluations), 'evaluation')}._",
        "",
    ]
    if not digest.ratings.empty:
        out += ["## What evaluations found (mean DAC rating, 1-4)", ""]
        out += ["| Criterion | Mean score | Evaluations |", "|---|---|---|"]
        out += [
            f"| {r['criterion'].title()} | {r['mean_score']:.1f} | {r['evaluations']} |"
            for r in digest.ratings.to_dict("records")
        ]
        out.append("")
    out += ["## Lessons", ""]
    current = None
    for r in digest.lessons.to_dict("records"):
        criterion = str(r["dac_criterion"]).title() if r["dac_criterion"] else "Other"
        if criterion != current:
            out += [f"### {criterion}", ""]
            current = criterion
        out += _lesson_markdown(r)
    out += _section(
        "Recommendations still open",
        [
            f"R{r['number']} of _{_one_line(r['evaluation'])}_ ({_one_line(r['addressee'])}): "
            f"{_one_line(r['text'])} — {r['state']}"
            for r in digest.open_recommendations.to_dict("records")
        ],
    )
    out += _section(
        "Evaluations",
        [
            f"{_one_line(r['title'])} ({str(r['type']).replace('_', ' ')}, "
            f"{r['end_date'] or 'ongoing'}; {_one_line(r['evaluator']) or 'evaluator unknown'})"
            for r in digest.evaluations.to_dict("records")
        ],
    )
    return "\n".join(out).rstrip() + "\n"


def _lesson_markdown(r: Mapping[Hashable, Any]) -> list[str]:
    out = [f"#### {_one_line(r['title'])}", "", str(r["text"]), ""]
    for label, key in (
        ("What worked", "what_worked"),
        ("What did not", "what_did_not"),
        ("Evidence", "evidence"),
    ):
        if r[key]:
            out.append(f"- **{label}:** {_one_line(r[key])}")
    source = " · ".join(str(r[k]) for k in ("evaluation", "project") if isinstance(r[k], str))
    out.append(
        f"- _Source:_ {_one_line(source) or 'recorded directly'}; "
        f"_tags:_ {_one_line(r['tags']) or '—'}"
    )
    return [*out, ""]


def _section(title: str, items: list[str]) -> list[str]:
    return [f"## {title}", "", *(f"- {item}" for item in items), ""] if items else []
