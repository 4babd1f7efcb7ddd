"""Safe XML for IATI: a hardened parser that refuses hostile input before it costs anything,
and the vendored 2.03 schema.

A file is refused (with a message a person can act on) when it is larger than the configured
upload limit, declares a DTD or entities (entity bombs, external entities), or is not
well-formed. The parser never expands entities, never loads a DTD and never touches the
network; libxml2's own limits on depth and text size stay on (`huge_tree=False`).
"""

from __future__ import annotations

import codecs
import re
from functools import lru_cache
from pathlib import Path

from lxml import etree

from rbm.errors import ValidationFailed

SCHEMA_DIR = Path(__file__).resolve().parent / "iati_schema"
SCHEMA_FILE = SCHEMA_DIR / "iati-activities-schema.xsd"

_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
# Markup whose content may legitimately spell "<!DOCTYPE": character data, comments and
# processing instructions, consumed left to right as a parser would.
_QUOTED = re.compile(rb"<!\[CDATA\[.*?\]\]>|<!--.*?-->|<\?.*?\?>", re.DOTALL)
# How a document starts, by encoding (XML 1.0, appendix F), byte-order mark or not.
_ENCODINGS = (
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF16_BE, "utf-16"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<\x00", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
)


class FileRefused(ValidationFailed):
    """The file is not read at all: too large, hostile or not XML."""


def hardened_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _as_utf8(data: bytes) -> bytes:
    """The document in UTF-8 for the declaration check: UTF-16 and UTF-32 are recognised with
    or without a byte-order mark (a bomb must not hide behind its encoding)."""
    for start, encoding in _ENCODINGS:
        if data.startswith(start):
            return data.decode(encoding, errors="replace").encode("utf-8")
    return data


def _declares_dtd(data: bytes) -> bool:
    """A DOCTYPE or ENTITY declaration outside character data and comments (a narrative may
    quote `<![CDATA[<!DOCTYPE html>]]>`; that is text, not a declaration)."""
    return _DECLARATION.search(_QUOTED.sub(b"", _as_utf8(data))) is not None


def parse_safely(data: bytes, *, max_bytes: int) -> etree._Element:
    """Parse untrusted XML and return its root element, or raise FileRefused."""
    if len(data) > max_bytes:
        raise FileRefused(
            "The file is {count:.1f} MB; the limit is {max_bytes:.1f} MB.",
            count=len(data) / 1e6,
            max_bytes=max_bytes / 1e6,
        )
    if _declares_dtd(data):
        raise FileRefused(
            "The file declares a DTD or entities (<!DOCTYPE or <!ENTITY>). IATI files never "
            "need one, and such declarations can hide entity bombs or external entities, so "
            "the file is refused."
        )
    try:
        root = etree.fromstring(data, parser=hardened_parser())
    except etree.XMLSyntaxError as exc:
        # libxml2's own entry, said once with its place (the exception's text repeats the
        # line three times and ends with "(<string>, line N)").
        last = exc.error_log.last_error
        where = f"{last.message} (line {last.line}, column {last.column})" if last else str(exc)
        raise FileRefused("The file is not well-formed XML: {exc}", exc=where) from exc
    if root.getroottree().docinfo.doctype:
        raise FileRefused("The file declares a document type; it is refused.")
    return root


@lru_cache(maxsize=1)
def activity_schema() -> etree.XMLSchema:
    """The IATI 2.03 activity schema (loaded from its path so its includes resolve)."""
    return etree.XMLSchema(etree.parse(str(SCHEMA_FILE)))


def schema_errors(document: etree._Element, *, limit: int = 3) -> list[str]:
    """The first `limit` schema violations of a document (empty when it is valid)."""
    schema = activity_schema()
    if schema.validate(document):
        return []
    return [f"line {e.line}: {e.message}" for e in list(schema.error_log)[:limit]]
