"""Small readers shared by the import: narratives (any language-code case) and ISO dates."""

from __future__ import annotations

from datetime import date

from lxml import etree

from rbm.exchange.iati_codes import XML_LANG


def narrative(element: etree._Element | None) -> str:
    """The English (or language-neutral) narrative of an element, else its first one.
    Language codes are compared without regard to case ("EN" is "en")."""
    if element is None:
        return ""
    narratives = element.findall("narrative")
    for n in narratives:
        if (n.get(XML_LANG) or "").lower() in ("", "en", "eng"):
            return n.text or ""
    return (narratives[0].text or "") if narratives else ""


def iso_date(text: str | None) -> date | None:
    """The date of an xs:date (a datetime's date part is accepted), else None."""
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None
