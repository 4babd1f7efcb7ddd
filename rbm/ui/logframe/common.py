"""What every section of the logframe editor shares: the project being edited and who edits
it, and the one way a change is written (directly by a manager, as a proposal by an officer)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from rbm.i18n import _
from rbm.principal import Principal
from rbm.queries import logframe_editor as q
from rbm.services import proposals
from rbm.ui.session import get_db
from rbm.ui.widgets import reported

DONE = "le_done"


@dataclass(frozen=True)
class Editor:
    """The project open in the editor, its logframe as read this run, and who edits it."""

    principal: Principal
    pid: int
    code: str
    can_edit: bool
    org_names: dict[int, str]
    tree: pd.DataFrame
    inds: pd.DataFrame


def fmt(names: dict[Any, Any]) -> Callable[[Any], str]:
    return lambda key: str(names.get(key, key))


def text(v: Any) -> str:
    """A stored number as the editor shows it in a text field ("" when missing)."""
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return ""
    return f"{v:g}" if isinstance(v, float) else str(v)


def write(action: Callable[[Session], object], done: str) -> None:
    """Run one change in one transaction; show the refusal, or rerun with the outcome (the
    action's own words when it returns text)."""
    with reported():
        with get_db().write() as session:
            said = action(session)
        st.session_state[DONE] = said if isinstance(said, str) else done
        st.rerun()


def change(ed: Editor, operation: str, args: dict[str, Any], summary: str) -> None:
    """A manager's change runs now; an officer's is kept as a proposal."""
    if ed.can_edit:
        write(
            lambda s: proposals.OPERATIONS[operation](s, ed.principal, ed.pid, args),
            _("Saved: {summary}.", summary=summary),
        )
    else:
        write(
            lambda s: proposals.propose(
                s,
                principal=ed.principal,
                project_id=ed.pid,
                operation=operation,
                arguments=args,
                summary=summary,
            ),
            _("Proposed: a manager of the project will apply or reject it."),
        )


def organisations() -> pd.DataFrame:
    with get_db().read() as session:
        return q.organisations(session)
