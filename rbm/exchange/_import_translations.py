"""The other languages of an imported activity's texts (`rbm/models/translation.py`): compared
with what is stored, and written once the activity's own rows are, a few statements in all.
Nothing is written when they are the same, so a re-import writes nothing."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from rbm.exchange._import_refs import References
from rbm.exchange._import_text import Translations
from rbm.models import TRANSLATED


class TranslationWriter:
    """One activity's translations: the stored ones of the rows it reads (`load`), the wanted
    ones of the rows it writes (`want`), written by `write` after the rows are flushed."""

    def __init__(self, session: Session, refs: References) -> None:
        self.s, self.refs = session, refs
        self.stored: dict[str, dict[int, Translations]] = {entity: {} for entity in TRANSLATED}
        self._pending: list[tuple[str, Any, Translations, Translations]] = []

    def load(self, entity: str, owner_ids: Any) -> None:
        """Read the stored translations of the given owners (ids, or a select of ids)."""
        table = TRANSLATED[entity][1]
        stored = self.stored[entity]
        for owner, name, lang, text in self.s.execute(
            select(table.owner_id, table.field, table.language, table.text).where(
                table.owner_id.in_(owner_ids)
            )
        ):
            stored.setdefault(owner, {}).setdefault(name, {})[lang] = text

    def of(self, entity: str, owner_id: int | None) -> Translations:
        """The stored translations of a row (none for a row not stored yet)."""
        return self.stored[entity].get(owner_id, {}) if owner_id is not None else {}

    def want(self, entity: str, row: Any, wanted: Translations, *, stored: bool = True) -> bool:
        """Have `row`'s translations be `wanted`; True when that writes anything. `stored`:
        the row was read from the database (a row just added has none to compare)."""
        current = self.of(entity, row.id) if stored else {}
        if current == wanted:
            return False
        self._pending.append((entity, row, current, wanted))
        return True

    def write(self) -> None:
        """Replace the translations that differ (the rows are flushed: they have ids), each
        owner's change audited."""
        stale: dict[str, list[int]] = defaultdict(list)
        rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for entity, row, current, wanted in self._pending:
            if current:
                stale[entity].append(row.id)
            rows[entity].extend(
                {"owner_id": row.id, "field": name, "language": lang, "text": text}
                for name, texts in sorted(wanted.items())
                for lang, text in sorted(texts.items())
            )
            self.stored[entity][row.id] = wanted
            self.refs.audit(
                "import_update" if current else "import",
                entity,
                row.id,
                before={"translations": current} if current else None,
                after={"translations": wanted},
            )
        for entity, ids in stale.items():
            table = TRANSLATED[entity][1]
            self.s.execute(delete(table).where(table.owner_id.in_(ids)))
        for entity, values in rows.items():
            if values:
                self.s.connection().execute(insert(TRANSLATED[entity][1].__table__), values)  # type: ignore[attr-defined]
        self._pending = []
