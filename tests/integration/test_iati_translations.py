"""IATI narratives in every language (issue 19, item 7): each narrative the importer stores
keeps its other languages, the export writes them back as `narrative xml:lang` siblings, a
round trip keeps them, a re-import writes nothing, and `localized` picks a text in a language
with the stored (English, else original) text as fallback. On a small file written here."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import func, select

from rbm.db import Database
from rbm.errors import ValidationFailed
from rbm.exchange.iati_export import export_iati
from rbm.exchange.iati_import import ImportReport, import_iati
from rbm.exchange.iati_xml import schema_errors
from rbm.models import (
    TRANSLATED,
    AuditEvent,
    Baseline,
    Indicator,
    Measurement,
    Project,
    ResultNode,
    Target,
)
from rbm.models.enums import Role
from rbm.principal import Principal
from rbm.queries.project import project_view
from rbm.queries.translations import localized
from tests.integration.test_iati_examples import an_importer, fresh_database
from tests.utils.builders import make_user

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
STAMP = datetime(2026, 1, 1, tzinfo=UTC)


def narratives(**texts: str) -> str:
    """`<narrative>` elements: `en` is written without xml:lang, the others with it."""
    return "".join(
        f"<narrative>{text}</narrative>"
        if lang == "en"
        else f'<narrative xml:lang="{lang.upper()}">{text}</narrative>'
        for lang, text in texts.items()
    )


def activity(
    *,
    title: str = narratives(en="Water for all", fr="De l'eau pour tous", es="Agua para todos"),
    description: str = narratives(fr="Seulement en français"),
    comment: str = narratives(en="Measured in May", fr="Mesuré en mai"),
    lang: str = "",
) -> bytes:
    default = f' xml:lang="{lang}"' if lang else ""
    return f"""<iati-activities version="2.03"><iati-activity{default}>
      <iati-identifier>XM-TR-1</iati-identifier>
      <reporting-org ref="XM-TR" type="40"><narrative>Provider</narrative></reporting-org>
      <title>{title}</title>
      <description type="1">{description}</description>
      <activity-date iso-date="2022-01-01" type="2"/>
      <activity-date iso-date="2024-12-31" type="3"/>
      <result type="2"><title>{narratives(en="Safe water", fr="Eau potable")}</title>
        <indicator measure="1">
          <title>{narratives(en="Households served", es="Hogares atendidos")}</title>
          <description>{narratives(fr="Ménages raccordés au réseau")}</description>
          <baseline year="2021" value="10">
            <comment>{narratives(en="Census", fr="Recensement")}</comment></baseline>
          <period><period-start iso-date="2022-01-01"/><period-end iso-date="2022-12-31"/>
            <target value="100"><comment>{narratives(es="Meta anual")}</comment></target>
            <actual value="40"><comment>{comment}</comment></actual></period>
        </indicator></result>
    </iati-activity></iati-activities>""".encode()


@pytest.fixture
def admin(db: Database) -> Principal:
    with db.write() as session:
        return make_user(session, Role.ADMIN)


def run(db: Database, who: Principal, data: bytes) -> ImportReport:
    with db.write() as session:
        return import_iati(session, principal=who, data=data)


def stored(db: Database) -> set[tuple[str, str, str, str]]:
    """Every translation: (entity, field, language, text)."""
    out = set()
    with db.read() as session:
        for entity, (_, table, _) in TRANSLATED.items():
            rows = session.execute(select(table.field, table.language, table.text))
            out |= {(entity, name, lang, text) for name, lang, text in rows}
    return out


def only_id(db: Database, model: type) -> int:
    with db.read() as session:
        return int(session.scalars(select(model.id)).one())  # type: ignore[attr-defined]


def test_every_language_of_every_narrative_read_is_kept(db: Database, admin: Principal) -> None:
    assert run(db, admin, activity()).activities[0].outcome == "created"
    assert stored(db) == {
        # with other languages, English is a row too (the column's own language)
        ("project", "title", "en", "Water for all"),
        ("project", "title", "fr", "De l'eau pour tous"),
        ("project", "title", "es", "Agua para todos"),
        # only in French: the column holds it, and the row says it is French
        ("project", "description", "fr", "Seulement en français"),
        ("result_node", "title", "en", "Safe water"),
        ("result_node", "title", "fr", "Eau potable"),
        ("indicator", "title", "en", "Households served"),
        ("indicator", "title", "es", "Hogares atendidos"),
        ("indicator", "definition", "fr", "Ménages raccordés au réseau"),
        ("baseline", "comment", "en", "Census"),
        ("baseline", "comment", "fr", "Recensement"),
        ("target", "comment", "es", "Meta anual"),
        ("measurement", "narrative", "en", "Measured in May"),
        ("measurement", "narrative", "fr", "Mesuré en mai"),
    }
    with db.read() as session:
        project = session.scalars(select(Project)).one()
        assert (project.title, project.description) == ("Water for all", "Seulement en français")
        assert session.scalar(select(Indicator.title)) == "Households served"
        assert session.scalar(select(Measurement.narrative)) == "Measured in May"


def test_localized_picks_the_language_asked_else_the_stored_text(
    db: Database, admin: Principal
) -> None:
    run(db, admin, activity())
    pid, iid = only_id(db, Project), only_id(db, Indicator)
    with db.read() as session:

        def pick(entity: str, field: str, ids: list[int], lang: str) -> dict[int, str]:
            return localized(session, entity=entity, field=field, ids=ids, language=lang)

        assert pick("project", "title", [pid], "fr") == {pid: "De l'eau pour tous"}
        assert pick("project", "title", [pid], "es-MX") == {pid: "Agua para todos"}
        assert pick("project", "title", [pid], "de") == {pid: "Water for all"}
        assert pick("project", "title", [pid], "en") == {pid: "Water for all"}
        # a text only in French is French in every language (the original)
        assert pick("project", "description", [pid], "es") == {pid: "Seulement en français"}
        assert pick("indicator", "title", [iid, 999_999], "es") == {iid: "Hogares atendidos"}
        with pytest.raises(ValidationFailed, match=r"project\.code has no translations"):
            pick("project", "code", [pid], "fr")


def test_importing_the_same_languages_again_writes_nothing(db: Database, admin: Principal) -> None:
    run(db, admin, activity())
    with db.read() as session:
        events = session.scalar(select(func.count()).select_from(AuditEvent))
    assert run(db, admin, activity()).activities[0].outcome == "unchanged"
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_a_changed_or_dropped_language_is_updated_and_audited(
    db: Database, admin: Principal
) -> None:
    run(db, admin, activity())
    changed = activity(
        title=narratives(en="Water for all", fr="L'eau pour tous"),  # fr changed, es dropped
        comment=narratives(en="Measured in May", fr="Mesuré en juin"),
    )
    assert run(db, admin, changed).activities[0].outcome == "updated"
    rows = stored(db)
    assert ("project", "title", "fr", "L'eau pour tous") in rows
    assert {r[2] for r in rows if r[:2] == ("project", "title")} == {"en", "fr"}
    # a value's text in another language is part of the value: a new approved revision
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Measurement)) == 2
        current = session.scalars(select(Measurement).where(Measurement.is_current)).one()
        assert current.revision == 2
        audited = session.scalars(
            select(AuditEvent.entity_type).where(
                AuditEvent.action == "import_update", AuditEvent.entity_type == "project"
            )
        ).all()
    assert audited
    assert ("measurement", "narrative", "fr", "Mesuré en juin") in stored(db)
    assert run(db, admin, changed).activities[0].outcome == "unchanged"


def test_the_export_writes_each_language_beside_the_text(db: Database, admin: Principal) -> None:
    run(db, admin, activity())
    with db.read() as session:
        root = etree.fromstring(export_iati(session, principal=admin, generated_at=STAMP))
    assert schema_errors(root) == []
    a = root.find("iati-activity")
    assert a is not None

    def langs(path: str) -> list[tuple[str | None, str | None]]:
        return [(n.get(XML_LANG), n.text) for n in a.findall(path + "/narrative")]

    assert langs("title") == [
        ("en", "Water for all"),
        ("es", "Agua para todos"),
        ("fr", "De l'eau pour tous"),
    ]
    # a text whose column is French is written once, as French, not as English
    assert langs("description") == [("fr", "Seulement en français")]
    assert langs("result/indicator/description") == [("fr", "Ménages raccordés au réseau")]
    assert langs("result/indicator/period/target/comment") == [("es", "Meta anual")]
    assert langs("result/indicator/period/actual/comment") == [
        ("en", "Measured in May"),
        ("fr", "Mesuré en mai"),
    ]
    assert langs("result/indicator/baseline/comment")[1] == ("fr", "Recensement")


def test_a_round_trip_keeps_every_language_and_the_same_document(
    db: Database, admin: Principal, tmp_path: Path
) -> None:
    (tmp_path / "again").mkdir()
    run(db, admin, activity(lang="FR", title=narratives(fr="Titre", es="Título")))
    with db.read() as session:
        first = export_iati(session, principal=admin, generated_at=STAMP)
    with fresh_database("sqlite" if db.is_sqlite else "postgresql", tmp_path / "again") as again:
        other = an_importer(again)
        assert run(again, other, first).activities[0].outcome == "created"
        assert stored(again) == stored(db)
        with again.read() as session:
            assert export_iati(session, principal=other, generated_at=STAMP) == first
        assert run(again, other, first).activities[0].outcome == "unchanged"


def test_an_activitys_default_language_is_the_language_of_its_plain_narratives(
    db: Database, admin: Principal
) -> None:
    title = '<narrative>Titre</narrative><narrative xml:lang="EN">Title</narrative>'
    run(db, admin, activity(lang="FR", title=title))
    rows = stored(db)
    # English first in the column; the plain narrative is French, kept as such
    assert ("project", "title", "fr", "Titre") in rows
    # a French text alone stays in the column, and its row says it is French
    assert ("result_node", "title", "fr", "Safe water") in rows
    assert ("baseline", "comment", "fr", "Census") in rows
    with db.read() as session:
        assert session.scalar(select(Project.title)) == "Title"
        assert (
            session.scalar(select(ResultNode.title).where(ResultNode.code == "1")) == "Safe water"
        )
        assert session.scalar(select(Baseline.comment)) == "Census"
        assert session.scalar(select(Target.comment)) == "Meta anual"


def test_english_and_another_language_in_the_same_words_are_both_kept(
    db: Database, admin: Principal
) -> None:
    run(db, admin, activity(title=narratives(en="UN Women 2020", sv="UN Women 2020")))
    with db.read() as session:
        root = etree.fromstring(export_iati(session, principal=admin, generated_at=STAMP))
    title = root.find("iati-activity/title")
    assert title is not None
    assert [(n.get(XML_LANG), n.text) for n in title] == [
        ("en", "UN Women 2020"),
        ("sv", "UN Women 2020"),
    ]


def test_the_project_lens_reads_imported_texts_in_the_readers_language(
    db: Database, admin: Principal
) -> None:
    run(db, admin, activity())
    with db.read() as session:
        code = str(session.scalar(select(Project.code)))

        def view(lang: str) -> tuple[str, str, list[str], list[str]]:
            v = project_view(session, principal=admin, code=code, language=lang)
            return (
                str(v.project["title"]),
                str(v.project["description"]),
                list(v.nodes.loc[v.nodes["level"] != "impact", "title"]),  # a made-up root
                list(v.indicators["title"]),
            )

        assert view("fr") == (
            "De l'eau pour tous",
            "Seulement en français",
            ["Eau potable"],
            ["Households served"],  # no French title: the stored English
        )
        assert view("es") == (
            "Agua para todos",
            "Seulement en français",
            ["Safe water"],
            ["Hogares atendidos"],
        )
        assert view("en")[0] == "Water for all"
