"""Administration: the audit log, filtered by user, entity, action and dates, exportable."""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from rbm.exchange import spreadsheet
from rbm.queries.admin import audit_choices, audit_count, audit_log
from rbm.ui.session import cached_query, get_db, require_principal

principal = require_principal()
st.title("Audit log")
st.caption("Every write: who, when, what, the state before and after, and the reason.")

with get_db().read() as session:
    options = audit_choices(session, principal=principal)

c1, c2, c3, c4, c5 = st.columns(5)
user = c1.selectbox(
    "User", [None, *options["user"]], key="al_user", format_func=lambda v: "All" if v is None else v
)
entity = c2.selectbox(
    "Entity",
    [None, *options["entity_type"]],
    key="al_entity",
    format_func=lambda v: "All" if v is None else v,
)
action = c3.selectbox(
    "Action",
    [None, *options["action"]],
    key="al_action",
    format_func=lambda v: "All" if v is None else v,
)
date_from: date | None = c4.date_input("From", value=None, key="al_from")
date_to: date | None = c5.date_input("To", value=None, key="al_to")

filters: dict[str, Any] = dict(
    user_email=user, entity_type=entity, action=action, date_from=date_from, date_to=date_to
)
events = cached_query(audit_log, principal, **filters)
total = cached_query(audit_count, principal, **filters)
st.metric("Events", f"{total:,}")
if total > len(events):
    st.warning(
        f"Showing the newest {len(events):,} of {total:,} matching events: narrow the filters "
        "to see older ones. The CSV export holds all of them."
    )
st.dataframe(
    events,
    hide_index=True,
    width="stretch",
    column_config={
        "at": st.column_config.DatetimeColumn("When"),
        "user": "E-mail",
        "name": "Who",
        "action": "Action",
        "entity_type": "Entity",
        "entity_id": "Id",
        "reason": "Reason",
        "before": "Before",
        "after": "After",
    },
)


def _all_as_csv() -> bytes:
    with get_db().read() as session:
        every = audit_log(session, principal=principal, limit=None, **filters)
    return spreadsheet.csv_bytes(every)


st.download_button(
    f"Download all {total:,} as CSV",
    _all_as_csv if total > len(events) else spreadsheet.csv_bytes(events),
    file_name="audit-log.csv",
    mime="text/csv",
    key="al_download",
)
