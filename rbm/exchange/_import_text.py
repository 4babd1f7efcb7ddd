"""Small readers shared by the import: narratives in every language, and ISO dates."""

from __future__ import annotations

from datetime import date

from lxml import etree

from rbm.exchange.iati_codes import XML_LANG

#: Language codes read as English (compared lower-case, region ignored: `EN`, `en-GB`).
ENGLISH = ("en", "eng")

Texts = dict[str, str]  # language -> text
Translations = dict[str, Texts]  # field -> language -> text


def language(element: etree._Element) -> str:
    """An element's language: its own `xml:lang`, else its nearest ancestor's (an activity's
    default language), lower-case; empty when none is declared."""
    own = element.get(XML_LANG)
    if own is None:
        own = next((a.get(XML_LANG) for a in element.iterancestors() if a.get(XML_LANG)), None)
    return (own or "").strip().lower()[:10]


def _english(lang: str) -> bool:
    return lang.split("-")[0] in ENGLISH


def narratives(element: etree._Element | None) -> tuple[str, Texts]:
    """The text kept in the entity's own column, and the element's texts by language.

    The column gets the first English narrative, else the first of no declared language
    (taken for English, as IATI's default), else the first; blank narratives are ignored.
    The texts by language are each language's first narrative, the column's own among them,
    so its language is known on the way out (even when another language has the same
    words); a text in English alone has none (the column says it all)."""
    if element is None:
        return "", {}
    found = [(language(n), n.text) for n in element.iterchildren("narrative") if n.text]
    found = [(lang, text) for lang, text in found if text.strip()]
    if not found:
        return "", {}
    main = next((i for i, (lang, _) in enumerate(found) if _english(lang)), None)
    if main is None:
        main = next((i for i, (lang, _) in enumerate(found) if not lang), 0)
    texts: Texts = {}
    for i, (lang, text) in enumerate(found):
        lang = lang or ("en" if i == main else "")
        if lang:
            texts.setdefault(lang, text)
    if all(_english(lang) for lang in texts):
        texts = {}
    return found[main][1], texts


def narrative(element: etree._Element | None) -> str:
    """The text `narratives` keeps in the entity's column (English when there is one)."""
    return narratives(element)[0]


def translations(**fields: Texts) -> Translations:
    """Field -> language -> text, without the fields that have no other language."""
    return {name: texts for name, texts in fields.items() if texts}


def iso_date(text: str | None) -> date | None:
    """The date of an xs:date (a datetime's date part is accepted), else None."""
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None
