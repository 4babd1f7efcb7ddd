"""Primary keys for the rows an import creates, handed out before the rows are written, so
that the ORM inserts each table's new rows of an activity in one statement: a row whose id
it must fetch back costs one INSERT on its own (SQLite cannot say which generated id belongs
to which row of a batch).

PostgreSQL: blocks of ids from the table's own sequence (one statement per block). SQLite:
counting on from the table's largest id, read once per import; the import's transaction
holds SQLite's write lock, so no other writer takes an id meanwhile. Every row the import
creates in these tables takes its id from here. An id whose row is rolled back is not used
again (a gap, as with a sequence)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

BLOCK = 256


class Ids:
    """`Ids(session).next(Model)`: a fresh primary key of the model's table."""

    def __init__(self, session: Session) -> None:
        self.s = session
        self.postgres = session.get_bind().dialect.name == "postgresql"
        self.free: dict[str, list[int]] = {}
        self.last: dict[str, int] = {}

    def next(self, model: Any) -> int:
        table: str = model.__tablename__
        if not self.postgres:
            if table not in self.last:
                self.last[table] = self.s.scalar(select(func.max(model.id))) or 0
            self.last[table] += 1
            return self.last[table]
        free = self.free.setdefault(table, [])
        if not free:
            free.extend(
                reversed(
                    self.s.scalars(
                        text(
                            "SELECT nextval(pg_get_serial_sequence(:t, 'id'))"
                            " FROM generate_series(1, :n)"
                        ),
                        {"t": table, "n": BLOCK},
                    ).all()
                )
            )
        return free.pop()
