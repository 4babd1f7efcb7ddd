"""Self-assessment checklist: a State's focal point answers for their country, provision by
provision, in sections (one per instrument) with progress shown; every change is saved as it is
made. The guide for respondents is built in (help on each field, a printable guide), earlier
answers come from the previous cycle or from a spreadsheet. Managers and admins review and
accept a submitted checklist, which locks it."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from rbm.errors import RbmError
from rbm.exchange import checklist_guide as guide
from rbm.exchange import checklist_import as imp
from rbm.models.enums import AssistanceKind, Implementation, Priority, Role
from rbm.principal import focal_countries
from rbm.queries.checklist import checklist_form, countries, cycles, self_assessments
from rbm.services import checklist
from rbm.ui.session import get_db, require_principal
from rbm.ui.widgets import message, plain

STATUS = {
    "draft": ("Draft", "gray"),
    "submitted": ("Submitted, awaiting acceptance", "orange"),
    "accepted": ("Accepted, locked", "green"),
}
DONE = {
    "submit": "Checklist submitted. A manager will review and accept it.",
    "accept": "Checklist accepted: its answers are now locked.",
}
FLASH, LOADED = "cl_flash", "cl_loaded"

principal = require_principal()
reviewer = principal.has_role(Role.ADMIN, Role.MANAGER)
st.title("Self-assessment checklist")
st.caption(
    "Your country's implementation of the Organized Crime Convention and its Protocols, "
    "provision by provision, and where technical assistance is needed."
)

with get_db().read() as session:
    cycle_list = cycles(session)
    listing = self_assessments(session, principal=principal)
    everywhere = countries(session) if principal.has_role(Role.ADMIN) else None
if cycle_list.empty:
    st.info("No checklist cycle is loaded yet.")
    st.stop()

if reviewer and not listing.empty:
    with st.expander("All checklists", expanded=bool((listing["status"] == "submitted").any())):
        st.dataframe(
            listing[
                [
                    "country",
                    "cycle",
                    "status",
                    "answered",
                    "questions",
                    "submitted_by",
                    "submitted_at",
                    "accepted_by",
                ]
            ],
            hide_index=True,
            width="stretch",
        )

names = dict(zip(listing["country_code"], listing["country"], strict=True))
if everywhere is not None:
    names |= dict(zip(everywhere["code"], everywhere["name"], strict=True))
own = sorted(focal_countries(principal))
names |= {c: names.get(c, c) for c in own}
choices = own + sorted((c for c in names if c not in own), key=lambda c: names[c])
if not choices:
    st.info("There is no checklist you can open yet.")
    st.stop()
left, right = st.columns(2)
country = str(left.selectbox("Country", choices, format_func=names.__getitem__, key="cl_country"))
cycle = str(right.selectbox("Cycle", cycle_list["code"].tolist(), key="cl_cycle"))

with get_db().read() as session:
    form = checklist_form(session, principal=principal, country_code=country, cycle_code=cycle)
if form is None:
    st.error("You may not open this checklist.")
    st.stop()
may_answer = checklist.may_answer(principal, country)

if flash := st.session_state.pop(FLASH, None):
    kind, text = flash
    (st.success if kind == "ok" else st.error)(message(text))

if form.assessment is None:
    st.info(f"The {plain(cycle)} checklist of {plain(form.country)} is not started yet.")
    if form.previous_cycle:
        st.caption(
            f"Starting it fills in {plain(form.country)}'s answers from the "
            f"{plain(form.previous_cycle)} "
            "checklist, question by question: you then change only what is different now."
        )
    if may_answer and st.button(f"Start the {cycle} checklist", type="primary", key="cl_start"):
        try:
            with get_db().write() as session:
                checklist.start(
                    session, principal=principal, country_code=country, cycle_code=cycle
                )
            st.rerun()
        except RbmError as exc:
            st.error(message(exc))
    st.stop()

sa: dict[str, Any] = form.assessment
questions, previous_cycle = form.questions, form.previous_cycle
editable = may_answer and sa["status"] == "draft"
answered = int(questions["implementation"].notna().sum())


def _keys(aid: int) -> dict[str, str]:
    return {f: f"cl_{aid}_{f}" for f in imp.ANSWER_COLUMNS}


# Widgets show the database's answers whenever the checklist changed other than through them
# (first load, an import, someone else's save); otherwise they keep what the person typed.
stale = st.session_state.get(LOADED) != (sa["id"], sa["version"])
for _, q in questions.iterrows():
    for field, key in _keys(int(q["answer_id"])).items():
        value = q[field]
        value = None if value is None or (isinstance(value, float) and pd.isna(value)) else value
        if field in ("measure_cited", "obstacles", "comments"):
            value = value or ""
        if field == "assistance_needed":
            value = bool(value)
        if stale or key not in st.session_state:
            st.session_state[key] = value
st.session_state[LOADED] = (sa["id"], sa["version"])


def _autosave(aid: int) -> None:
    s, keys = st.session_state, _keys(aid)
    values = checklist.AnswerValues(
        implementation=Implementation(s[keys["implementation"]])
        if s[keys["implementation"]]
        else None,
        measure_cited=s[keys["measure_cited"]] or "",
        obstacles=s[keys["obstacles"]] or "",
        assistance_needed=bool(s[keys["assistance_needed"]]),
        assistance_kind=AssistanceKind(s[keys["assistance_kind"]])
        if s.get(keys["assistance_kind"])
        else None,
        priority=Priority(s[keys["priority"]]) if s.get(keys["priority"]) else None,
        comments=s[keys["comments"]] or "",
    )
    try:
        with get_db().write() as session:
            saved = checklist.save_answer(
                session,
                principal=principal,
                answer_id=aid,
                values=values,
                expected_version=s[LOADED][1],
            )
        s[LOADED] = (saved.id, saved.version)
    except RbmError as exc:
        s[FLASH] = ("error", str(exc))
        s[LOADED] = None  # show the database's answers again


label, colour = STATUS[sa["status"]]
head, bar = st.columns([1, 2])
with head:
    st.badge(label, color=colour)  # type: ignore[arg-type]
bar.progress(answered / max(len(questions), 1), text=f"{answered} of {len(questions)} answered")
needs_marked = int(questions["assistance_needed"].fillna(False).astype(bool).sum())
st.caption(
    f"{plain(form.country)} · {plain(cycle)} · technical assistance needed for "
    f"{needs_marked} provision(s)"
    + (f" · prefilled from {plain(form.previous_cycle)}" if form.previous_cycle else "")
    + (" · every change is saved as you make it" if editable else "")
)


def _act(action: str) -> None:
    fn = {"submit": checklist.submit, "accept": checklist.accept}[action]
    try:
        with get_db().write() as session:
            fn(
                session,
                principal=principal,
                self_assessment_id=sa["id"],
                expected_version=sa["version"],
            )
        st.session_state[FLASH] = ("ok", DONE[action])
        st.rerun()
    except RbmError as exc:
        st.error(message(exc))


if editable and st.button("Submit the checklist", type="primary", key="cl_submit"):
    _act("submit")
if reviewer and sa["status"] == "submitted":
    if sa["submitted_by_id"] == principal.user_id:
        st.caption("You submitted this checklist: another manager accepts it (four eyes).")
    elif st.button("Accept the checklist", type="primary", key="cl_accept"):
        _act("accept")
if sa["status"] == "accepted":
    st.caption(f"Accepted on {sa['accepted_at']:%d %b %Y}; the answers are locked.")

with st.expander("Guide for respondents"):
    st.markdown("\n".join(f"{n}. {plain(step)}" for n, step in enumerate(guide.STEPS, 1)))
    with get_db().read() as session:
        printable = guide.guide_html(session, cycle_code=cycle)
    st.download_button(
        "Printable guide (HTML)",
        printable,
        file_name=f"checklist-{cycle}-guide.html",
        mime="text/html",
        key="cl_guide",
        icon=":material/print:",
    )


def _import_panel() -> None:
    with get_db().read() as session:
        blank = imp.template(session, principal=principal, self_assessment_id=sa["id"])
    st.caption(
        "A CSV or Excel file, one row per question (columns: instrument, article, "
        "implementation, measure_cited, obstacles, assistance_needed, assistance_kind, "
        "priority, comments). The guide describes them. Download the checklist as a template."
    )
    a, b = st.columns(2)
    a.download_button(
        "Template (CSV)",
        imp.to_bytes(blank, fmt="csv"),
        file_name=f"checklist-{country}-{cycle}.csv",
        key="cl_tpl_csv",
    )
    b.download_button(
        "Template (Excel)",
        imp.to_bytes(blank, fmt="xlsx"),
        file_name=f"checklist-{country}-{cycle}.xlsx",
        key="cl_tpl_xlsx",
    )
    upload = st.file_uploader("File of earlier answers", type=["csv", "xlsx"], key="cl_upload")
    if upload is not None and st.button("Import the answers", key="cl_import"):
        try:
            df = imp.read_upload(upload.name, upload.getvalue())
            with get_db().write() as session:
                report = imp.import_answers(
                    session,
                    principal=principal,
                    self_assessment_id=sa["id"],
                    df=df,
                    expected_version=sa["version"],
                )
            st.session_state[FLASH] = ("ok", str(report))
            st.rerun()
        except RbmError as exc:
            st.error(message(exc))


if editable:
    with st.expander("Import earlier answers (CSV or Excel)"):
        _import_panel()

sections = questions.groupby("instrument", sort=False)
progress = {
    str(code): (int(part["implementation"].notna().sum()), len(part)) for code, part in sections
}
section = str(
    st.radio(
        "Section",
        list(progress),
        horizontal=True,
        key="cl_section",
        format_func=lambda c: f"{c} ({progress[c][0]}/{progress[c][1]})",
    )
)
part = questions[questions["instrument"] == section]
st.subheader(plain(str(part.iloc[0]["instrument_title"])))
done, total = progress[section]
st.progress(done / total, text=f"{done} of {total} answered in this section")


def _question(q: pd.Series) -> None:
    aid = int(q["answer_id"])
    keys, prev = _keys(aid), previous_cycle
    tags = " · :violet[new in this cycle]" if q["new_question"] else ""
    tags += f" · :violet[reworded since {prev}]" if q["reworded"] else ""
    st.markdown(f"**{plain(q['article'])} · {plain(q['title'])}**{tags}")
    st.markdown(plain(q["text"]))
    if q["help_text"]:
        st.caption(plain(q["help_text"]))
    if prev and isinstance(q["previous_implementation"], str):
        was = guide.IMPLEMENTATION_LABELS[q["previous_implementation"]]
        st.caption(
            f"In {prev}: {was}"
            + (" · assistance needed" if q["previous_assistance_needed"] in (True, 1) else "")
        )
    common: dict[str, Any] = {"disabled": not editable, "on_change": _autosave, "args": (aid,)}
    a, b = st.columns([1, 2])
    a.selectbox(
        "Implementation status",
        list(guide.IMPLEMENTATION_LABELS),
        format_func=guide.IMPLEMENTATION_LABELS.__getitem__,
        placeholder="Choose",
        help=guide.FIELD_HELP["implementation"],
        key=keys["implementation"],
        **common,
    )
    b.text_area(
        "Legislation or measure cited",
        height=68,
        key=keys["measure_cited"],
        help=guide.FIELD_HELP["measure_cited"],
        **common,
    )
    st.text_area(
        "Obstacles", height=68, key=keys["obstacles"], help=guide.FIELD_HELP["obstacles"], **common
    )
    st.checkbox(
        "Technical assistance needed",
        key=keys["assistance_needed"],
        help=guide.FIELD_HELP["assistance_needed"],
        **common,
    )
    if st.session_state[keys["assistance_needed"]]:
        c, d = st.columns(2)
        c.selectbox(
            "Kind of assistance",
            list(guide.KIND_LABELS),
            format_func=guide.KIND_LABELS.__getitem__,
            placeholder="Choose",
            help=guide.FIELD_HELP["assistance_kind"],
            key=keys["assistance_kind"],
            **common,
        )
        d.selectbox(
            "Priority",
            list(guide.PRIORITY_LABELS),
            format_func=guide.PRIORITY_LABELS.__getitem__,
            placeholder="Choose",
            help=guide.FIELD_HELP["priority"],
            key=keys["priority"],
            **common,
        )
    st.text_area(
        "Comments", height=68, key=keys["comments"], help=guide.FIELD_HELP["comments"], **common
    )


for _, q in part.iterrows():
    with st.container(border=True):
        _question(q)

codes = list(progress)
at = codes.index(section)
if at + 1 < len(codes):
    st.button(
        f"Next section: {plain(str(codes[at + 1]))}",
        key="cl_next",
        on_click=lambda: st.session_state.update(cl_section=codes[at + 1]),
    )
