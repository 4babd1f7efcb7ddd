"""Texts in the reader's language: an imported narrative in any language its publisher gave
(see `rbm/models/translation.py`), else the text as stored (English, else the original).

For the pages: after reading the rows they show (their own queries decide what the principal
may see), they ask `localized` for the texts of those rows in the user's language."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from rbm.errors import ValidationFailed
from rbm.models import TRANSLATED

#: What can be localized: entity -> the fields translated.
LOCALIZED = {entity: fields for entity, (_, _, fields) in TRANSLATED.items()}


def localized(
    session: Session, *, entity: str, field: str, ids: Iterable[int], language: str
) -> dict[int, str]:
    """Each row's `field` in `language`, by id: its text in that language when there is one
    (`fr-CA` finds `fr-ca`, else `fr`), else the row's own text (English, else the publisher's
    original). Ids that name no row are left out. Raises ValidationFailed for an entity or a
    field that is not translated (`LOCALIZED`). Two statements; a read-only operation."""
    if field not in LOCALIZED.get(entity, ()):
        raise ValidationFailed(
            f"{entity}.{field} has no translations; translated: "
            + ", ".join(f"{e}.{f}" for e, fields in LOCALIZED.items() for f in fields)
        )
    model, table, _ = TRANSLATED[entity]
    wanted = list(dict.fromkeys(ids))
    column = getattr(model, field)
    own: dict[int, str | None] = {
        i: text
        for i, text in session.execute(select(model.id, column).where(model.id.in_(wanted)))  # type: ignore[attr-defined]
    }
    code = language.strip().lower().replace("_", "-")
    codes = list(dict.fromkeys((code, code.split("-")[0])))
    found: dict[int, dict[str, str]] = {}
    for owner, lang, text in session.execute(
        select(table.owner_id, table.language, table.text).where(
            table.owner_id.in_(list(own)), table.field == field, table.language.in_(codes)
        )
    ):
        found.setdefault(owner, {})[lang] = text
    return {
        i: next((found[i][c] for c in codes if c in found.get(i, {})), text or "")
        for i, text in own.items()
    }
