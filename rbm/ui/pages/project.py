"""Project: the project lens. Header (provider, partners, donors, countries, priority areas,
dates, money), then tabs: the logframe tree from impact to activity, the live results chain,
one indicator in detail, the IPTT with its exports, and the narrative; below them the progress
report, open recommendations and lessons that bear on the project. Each section is laid out by
a module of `rbm.ui.project`."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from rbm.i18n import _, language
from rbm.queries.iptt import iptt
from rbm.queries.narratives import project_periods
from rbm.queries.project import ProjectView, project_view, visible_projects
from rbm.ui import narrative, related, reporting
from rbm.ui.project.header import header
from rbm.ui.project.indicator import indicator_tab
from rbm.ui.project.iptt import iptt_tab
from rbm.ui.project.logframe import chain_tab, logframe_tab
from rbm.ui.session import cached_query, get_db, require_principal
from rbm.ui.widgets import plain, reported

principal = require_principal()
with get_db().read() as session:
    choices = visible_projects(session, principal=principal)
if choices.empty:
    st.title(_("Project"))
    st.info(_("There is no project you can see yet."))
    st.stop()

codes = choices["code"].tolist()
titles = dict(zip(choices["code"], choices["title"], strict=True))
wanted = st.query_params.get("code")
code = st.selectbox(
    _("Project"),
    codes,
    index=codes.index(wanted) if wanted in codes else 0,
    format_func=lambda c: f"{c} — {titles[c]}",
    key="pj_code",
)
if wanted and wanted not in codes:
    # The same words for a project that does not exist and one outside the person's scope.
    st.warning(
        _(
            "There is no project {code} that you can see; {shown} is shown instead.",
            code=plain(wanted),
            shown=plain(code),
        )
    )
st.query_params["code"] = code
view: ProjectView | None = None
with reported():
    view = cached_query(project_view, principal, code=code, language=language())
if view is None:
    st.stop()

header(view)
if view.nodes.empty:
    st.info(
        _(
            "This project has no results yet. Its logframe is built on the Logframe editor page "
            "(results, indicators, baselines and targets, or an imported logframe spreadsheet); "
            "officers propose changes there and a manager applies them. Figures, the results "
            "chain and the IPTT appear here once it has results."
        )
    )
    st.stop()

project_id = int(view.project["id"])
long = cached_query(iptt, principal, code=code)
tree, chain, detail, table, story = st.tabs(
    [_("Logframe"), _("Results chain"), _("Indicator detail"), _("IPTT"), _("Narrative")]
)
with tree:
    logframe_tab(view, long)
with chain:
    chain_tab(view, long)
with detail:
    indicator_tab(principal, view, long)
with table:
    iptt_tab(principal, view, long)
with story:
    narrative.narrative_section(principal, project_id=project_id, figures=long)

st.subheader(_("Progress report"))
periods = cached_query(project_periods, principal, project_id=project_id)
ended = periods[pd.to_datetime(periods["end_date"]) <= pd.Timestamp.today()]
reporting.report_download(
    principal,
    kind="project",
    subject=str(code),
    periods=periods["label"].tolist(),
    default=str(ended["label"].iloc[-1]) if not ended.empty else None,
    key="pj_report",
)
related.recommendations(principal, key="pj_recommendations", project_id=project_id)
related.lessons(principal, key="pj_lessons", project_id=project_id)
