"""Log results: starts from what is due (returned, overdue, drafts, open periods; most urgent
first). One value with its context, breakdown and evidence; a grid for a project and period;
or a spreadsheet template to fill offline and upload. Each tab is laid out by its module in
`rbm.ui.log_results`."""

from __future__ import annotations

import streamlit as st

from rbm.i18n import _
from rbm.queries import workflow
from rbm.ui.log_results.due import due_tab
from rbm.ui.log_results.spreadsheet import grid_tab, sheet_tab
from rbm.ui.session import cached_query, require_principal

principal = require_principal()
st.title(_("Log results"))
due = cached_query(workflow.due, principal)
one, grid, sheet = st.tabs([_("What's due"), _("Grid"), _("Spreadsheet")])
projects = sorted(due["project"].unique()) if not due.empty else []
with one:
    due_tab(principal, due)
with grid:
    grid_tab(principal, due, projects)
with sheet:
    sheet_tab(principal, projects)
