"""Administration: the audit log, filtered by user, entity, action and dates, exportable."""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from rbm.exchange import spreadsheet
from rbm.i18n import _, format_number, ngettext
from rbm.queries.admin import audit_choices, audit_count, audit_log
from rbm.ui.session import cached_query, get_db, require_principal
from rbm.ui.widgets import in_language, show_table

principal = require_principal()
st.title(_("Audit log"))
st.caption(_("Every write: who, when, what, the state before and after, and the reason."))

options = cached_query(audit_choices, principal)


def _all(value: str | None) -> str:
    return _("All") if value is None else value


c1, c2, c3, c4, c5 = st.columns(5)
user = c1.selectbox(_("User"), [None, *options["user"]], key="al_user", format_func=_all)
entity = c2.selectbox(
    _("Entity"), [None, *options["entity_type"]], key="al_entity", format_func=_all
)
action = c3.selectbox(_("Action"), [None, *options["action"]], key="al_action", format_func=_all)
date_from: date | None = c4.date_input(_("From"), value=None, key="al_from")
date_to: date | None = c5.date_input(_("To"), value=None, key="al_to")

filters: dict[str, Any] = dict(
    user_email=user, entity_type=entity, action=action, date_from=date_from, date_to=date_to
)
events = cached_query(audit_log, principal, **filters)
total = cached_query(audit_count, principal, **filters)
st.metric(_("Events"), format_number(total, digits=0))
if total > len(events):
    st.warning(
        _(
            "Showing the newest {shown} of {total} matching events: narrow the filters to see "
            "older ones. The CSV export holds all of them.",
            shown=format_number(len(events), digits=0),
            total=format_number(total, digits=0),
        )
    )
show_table(
    events,
    column_config={
        "at": st.column_config.DatetimeColumn(_("When")),
        "user": _("E-mail"),
        "name": _("Who"),
        "action": _("Action"),
        "entity_type": _("Entity"),
        "entity_id": _("Id"),
        "reason": _("Reason"),
        "before": _("Before"),
        "after": _("After"),
    },
)


def _all_as_csv() -> bytes:
    with get_db().read() as session:
        every = audit_log(session, principal=principal, limit=None, **filters)
    return spreadsheet.csv_bytes(every)


st.download_button(
    ngettext(
        "Download {count} event as CSV",
        "Download all {count} events as CSV",
        total,
        count=format_number(total, digits=0),
    ),
    in_language(_all_as_csv) if total > len(events) else spreadsheet.csv_bytes(events),
    file_name="audit-log.csv",
    mime="text/csv",
    key="al_download",
)
