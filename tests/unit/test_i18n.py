"""The translation seam: the run's language, templates and their parameters, plurals, the
pseudo-locale, negotiation with the browser, and numbers, money and dates per locale."""

from __future__ import annotations

from datetime import date

import pytest

from indicators.types import Status
from rbm import i18n
from rbm.errors import NotFound
from rbm.i18n import (
    Labels,
    Msg,
    _,
    country_name,
    format_date,
    format_money,
    format_number,
    format_percent,
    negotiate,
    ngettext,
    using,
)
from rbm.models.enums import Role, label
from rbm.ui.palette import FLAG_REASONS, STATUS_LABELS

DAY = date(2026, 12, 3)


@pytest.mark.parametrize(
    ("code", "expected"),
    [("en", "1,234,567.8"), ("es", "1.234.567,8"), ("fr", "1\u202f234\u202f567,8")],
)
def test_numbers_use_each_locales_decimal_mark_and_thousands_separator(
    code: str, expected: str
) -> None:
    with using(code):
        assert format_number(1234567.84) == expected


def test_a_number_shows_no_decimals_when_none_are_asked_for_or_needed() -> None:
    with using("fr"):
        assert format_number(1200.0, digits=0) == "1\u202f200"
        assert format_number(3.0) == "3"


@pytest.mark.parametrize(
    ("code", "expected"), [("en", "45.3%"), ("es", "45,3\u00a0%"), ("fr", "45,3\u00a0%")]
)
def test_percentages_follow_the_locale(code: str, expected: str) -> None:
    with using(code):
        assert format_percent(45.26) == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("en", "USD\u00a01,200,000"),
        ("es", "1.200.000\u00a0USD"),
        ("fr", "1\u202f200\u202f000\u00a0USD"),
    ],
)
def test_money_is_whole_units_placed_as_each_locale_places_currencies(
    code: str, expected: str
) -> None:
    with using(code):
        assert format_money(1_199_999.6) == expected


@pytest.mark.parametrize(
    ("code", "medium", "long"),
    [
        ("en", "3 Dec 2026", "3 December 2026"),
        ("es", "3 dic 2026", "3 de diciembre de 2026"),
        ("fr", "3 déc. 2026", "3 décembre 2026"),
    ],
)
def test_dates_are_written_as_each_locale_writes_them(code: str, medium: str, long: str) -> None:
    with using(code):
        assert format_date(DAY) == medium
        assert format_date(DAY, style="long") == long


def test_missing_values_read_as_a_dash_in_every_format() -> None:
    assert {format_number(None), format_percent(float("nan")), format_money(None)} == {"—"}
    assert format_date(None) == "—"


def test_country_names_follow_the_language_and_fall_back_to_the_stored_name() -> None:
    with using("fr"):
        assert country_name("CI") == "Côte d’Ivoire"
    with using("es"):
        assert country_name("HN") == "Honduras"
        assert country_name("XX", fallback="Nowhere") == "Nowhere"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("es-HN,es;q=0.9,en;q=0.8", "es"),
        ("fr-CI", "fr"),
        ("de-DE,fr;q=0.7,es;q=0.5", "fr"),
        ("en-US;q=0.4,es;q=0.9", "es"),
        ("de,pt", "en"),
        ("", "en"),
        (None, "en"),
        ("*;q=bad, ;q=", "en"),
    ],
)
def test_the_browsers_language_is_the_best_supported_one_else_english(
    header: str | None, expected: str
) -> None:
    assert negotiate(header) == expected


def test_an_unknown_language_falls_back_to_english() -> None:
    with using("de"):
        assert i18n.language() == "en"


def test_a_template_is_translated_before_its_parameters_are_filled() -> None:
    with using("es"):
        assert _("Generated on {day} for {name}.", day="3", name="Ana") == (
            "Generado el 3 para Ana."
        )
    with using("en"):
        assert _("Generated on {day} for {name}.", day="3", name="Ana") == (
            "Generated on 3 for Ana."
        )


def test_a_message_without_a_translation_reads_in_english() -> None:
    with using("fr"):
        assert _("A sentence nobody has translated") == "A sentence nobody has translated"


def test_a_msg_is_translated_when_it_is_read_not_when_it_is_made() -> None:
    kept = Msg("Trend of {code}", code="1.a")
    with using("fr"):
        assert str(kept) == "Tendance de 1.a"
    with using("es"):
        assert str(kept) == "Tendencia de 1.a"
    assert kept == Msg("Trend of {code}", code="1.a")


def test_a_named_error_is_translated_when_it_is_shown() -> None:
    error = NotFound("No account #{user_id}.", user_id=7)
    with using("fr"):
        assert str(error) == "Aucun compte n° 7."
    assert str(error) == "No account #7."


@pytest.mark.parametrize(
    ("n", "expected"), [(1, "Descargar 1 evento en CSV"), (2, "Descargar los 2 eventos en CSV")]
)
def test_plurals_choose_the_form_for_the_count(n: int, expected: str) -> None:
    with using("es"):
        text = ngettext(
            "Download {count} event as CSV", "Download all {count} events as CSV", n, count=n
        )
    assert text == expected


def test_english_plurals_need_no_catalogue() -> None:
    assert ngettext("{n} project", "{n} projects", 1) == "1 project"
    assert ngettext("{n} project", "{n} projects", 3) == "3 projects"


def test_the_pseudo_locale_wraps_every_translated_string_in_markers() -> None:
    with using(i18n.PSEUDO):
        assert _("Summary") == "⟦Summary⟧"
        assert ngettext("{n} project", "{n} projects", 2) == "⟦2 projects⟧"
        assert STATUS_LABELS["on_track"] == "⟦On track⟧"


def test_label_tables_read_in_the_language_current_at_each_lookup() -> None:
    table = Labels({"a": "Summary"})
    with using("es"):
        assert dict(table) == {"a": "Resumen"}
    with using("fr"):
        assert list(table.values()) == ["Résumé"]
    assert table.english("a") == "Summary"


def test_enum_labels_are_translated_by_value_or_member() -> None:
    with using("fr"):
        assert Role.STATE_FOCAL_POINT.label == "Point focal de l'État"
        assert label("off_track", Status) == "Hors trajectoire"
    assert label(None) == "—"
    assert label("brand_new", Status) == "brand new"


def test_reports_and_pages_call_each_enumeration_value_by_the_same_word() -> None:
    from rbm.exchange.checklist_guide import IMPLEMENTATION_LABELS, KIND_LABELS, PRIORITY_LABELS
    from rbm.models.enums import (
        AssistanceKind,
        Coverage,
        EvaluationType,
        Implementation,
        Priority,
        ResultLevel,
    )
    from rbm.queries.evaluations import TYPE_LABELS
    from rbm.ui.labels import LEVEL_LABELS
    from rbm.ui.needs_register import COVERAGE

    # The reports read `label`; the pages read these tables. Both came from one table: an
    # ex-post evaluation was "Ex post" in a report and "Ex-post" on its page.
    pages = [
        (IMPLEMENTATION_LABELS, Implementation),
        (KIND_LABELS, AssistanceKind),
        (PRIORITY_LABELS, Priority),
        (TYPE_LABELS, EvaluationType),
        (LEVEL_LABELS, ResultLevel),
        (COVERAGE, Coverage),
    ]
    with using("fr"):
        for table, kind in pages:
            assert list(table) == [m.value for m in kind]
            assert {v: _(table[v]) for v in table} == {m.value: label(m) for m in kind}
        assert label(EvaluationType.EX_POST) == _("Ex-post")
    assert label(Implementation.FULLY) == "Fully implemented"
    assert label(Coverage.SEVERAL) == "Covered by several providers"


def test_every_data_quality_flag_has_its_engine_reason_marked_for_translation() -> None:
    from indicators.quality import FLAG_REASONS as ENGINE

    assert {str(k): v for k, v in ENGINE.items()} == {
        k: FLAG_REASONS.english(k) for k in FLAG_REASONS
    }
