"""The ids the IATI import hands out for the rows it creates: above every stored id, never
twice, and leaving the table's own numbering intact for the rows written after the import."""

from __future__ import annotations

from sqlalchemy import func, select

from rbm.db import Database
from rbm.exchange._import_ids import BLOCK, Ids
from rbm.models import Dimension


def test_handed_out_ids_are_fresh_and_the_tables_own_numbering_goes_on_after_them(
    db: Database,
) -> None:
    with db.write() as session:
        session.add(Dimension(code="sex", name="Sex", exhaustive=True))
        session.flush()
        stored = session.scalar(select(func.max(Dimension.id))) or 0
        ids = Ids(session)
        given = [ids.next(Dimension) for _ in range(BLOCK + 3)]  # more than one block
        assert len(set(given)) == len(given)
        assert min(given) > stored
        session.add_all(
            Dimension(id=i, code=f"d{i}", name=f"D{i}", exhaustive=False) for i in given[:2]
        )
        session.flush()
        later = Dimension(code="age", name="Age", exhaustive=False)
        session.add(later)
        session.flush()  # the database numbers it: no clash with the ids handed out
        assert later.id not in given[:2]
        assert later.id > stored
