"""Turning the editor's text fields into values, naming the field when one cannot be read
("HN 50; GT 30; SV 20" for recipient countries and shares, numbers, dates). No Streamlit here,
so the parsing is tested on its own. `field` is the field's name as the person reads it (already
in their language); the refusals are translated when shown."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from rbm.errors import ValidationFailed


def shares(text: str, *, field: str) -> dict[str, Decimal]:
    """'HN 50; GT 30' -> {'HN': 50, 'GT': 30}; codes are upper-cased."""
    out: dict[str, Decimal] = {}
    for part in (p.strip() for p in text.replace(",", ";").split(";")):
        if not part:
            continue
        bits = part.replace("=", " ").split()
        if len(bits) != 2:
            raise ValidationFailed(
                "{field}: write each as CODE SHARE (e.g. HN 50), not {part!r}.",
                field=field,
                part=part,
            )
        out[bits[0].upper()] = number(bits[1], field=field)
    return out


def number(text: str | float | None, *, field: str) -> Decimal:
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        raise ValidationFailed(
            "{field}: {text!r} is not a number.", field=field, text=text
        ) from None
    if not value.is_finite():
        raise ValidationFailed("{field}: {text!r} is not a number.", field=field, text=text)
    return value


def labels(text: str) -> list[str]:
    return [p.strip() for p in text.split(";") if p.strip()]
