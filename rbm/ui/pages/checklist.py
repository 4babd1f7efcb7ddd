"""Self-assessment checklist: a State's focal point answers for their country, provision by
provision, in sections (one per instrument) with progress shown; every change is saved as it is
made. The guide for respondents is built in (help on each field, a printable guide), earlier
answers come from the previous cycle or from a spreadsheet. Managers and admins review and
accept a submitted checklist, which locks it. The checklist's content shows in the person's
language (English where it has no translation); the answers' widgets are in
`rbm.ui.checklist_form`."""

from __future__ import annotations

from typing import Any

import streamlit as st

from rbm.exchange import checklist_guide as guide
from rbm.i18n import N_, _, country_name, format_date, language
from rbm.models.enums import Role
from rbm.principal import focal_countries
from rbm.queries.checklist import checklist_form, countries, cycles, self_assessments
from rbm.services import checklist
from rbm.ui import checklist_form as ui
from rbm.ui.session import get_db, require_principal
from rbm.ui.widgets import message, plain, reported, show_table

STATUS = {
    "draft": (N_("Draft"), "gray"),
    "submitted": (N_("Submitted, awaiting acceptance"), "orange"),
    "accepted": (N_("Accepted, locked"), "green"),
}
DONE = {
    "submit": N_("Checklist submitted. A manager will review and accept it."),
    "accept": N_("Checklist accepted: its answers are now locked."),
}
LISTING = {
    "country": N_("Country"),
    "cycle": N_("Cycle"),
    "status": N_("Status"),
    "answered": N_("Answered"),
    "questions": N_("Questions"),
    "submitted_by": N_("Submitted by"),
    "submitted_at": N_("Submitted on"),
    "accepted_by": N_("Accepted by"),
}

principal = require_principal()
reviewer = principal.has_role(Role.ADMIN, Role.MANAGER)
st.title(_("Self-assessment checklist"))
st.caption(
    _(
        "Your country's implementation of the Organized Crime Convention and its Protocols, "
        "provision by provision, and where technical assistance is needed."
    )
)

with get_db().read() as session:
    cycle_list = cycles(session)
    listing = self_assessments(session, principal=principal)
    everywhere = countries(session) if principal.has_role(Role.ADMIN) else None
if cycle_list.empty:
    st.info(_("No checklist cycle is loaded yet."))
    st.stop()

if reviewer and not listing.empty:
    with st.expander(_("All checklists"), expanded=bool((listing["status"] == "submitted").any())):
        show_table(
            listing[list(LISTING)]
            .assign(
                status=listing["status"].map(lambda s: _(STATUS[s][0])),
                country=[
                    country_name(c, n)
                    for c, n in zip(listing["country_code"], listing["country"], strict=True)
                ],
            )
            .rename(columns={c: _(label) for c, label in LISTING.items()}),
        )

names = dict(zip(listing["country_code"], listing["country"], strict=True))
if everywhere is not None:
    names |= dict(zip(everywhere["code"], everywhere["name"], strict=True))
own = sorted(focal_countries(principal))
names |= {c: names.get(c, c) for c in own}
choices = own + sorted((c for c in names if c not in own), key=lambda c: names[c])
if not choices:
    st.info(_("There is no checklist you can open yet."))
    st.stop()
left, right = st.columns(2)
country = str(
    left.selectbox(
        _("Country"), choices, format_func=lambda c: country_name(c, names[c]), key="cl_country"
    )
)
cycle = str(right.selectbox(_("Cycle"), cycle_list["code"].tolist(), key="cl_cycle"))

place = country_name(country, names[country])
with get_db().read() as session:
    form = checklist_form(
        session, principal=principal, country_code=country, cycle_code=cycle, language=language()
    )
if form is None:
    st.error(_("You may not open this checklist."))
    st.stop()
may_answer = checklist.may_answer(principal, country)

if flash := st.session_state.pop(ui.FLASH, None):
    kind, text = flash
    (st.success if kind == "ok" else st.error)(message(text))

if form.assessment is None:
    where = {"cycle": plain(cycle), "country": plain(place)}
    st.info(_("The {cycle} checklist of {country} is not started yet.", **where))
    if form.previous_cycle:
        st.caption(
            _(
                "Starting it fills in {country}'s answers from the {previous} checklist, "
                "question by question: you then change only what is different now.",
                country=plain(place),
                previous=plain(form.previous_cycle),
            )
        )
    if may_answer and st.button(
        _("Start the {cycle} checklist", cycle=cycle), type="primary", key="cl_start"
    ):
        with reported():
            with get_db().write() as session:
                checklist.start(
                    session, principal=principal, country_code=country, cycle_code=cycle
                )
            st.rerun()
    st.stop()

sa: dict[str, Any] = form.assessment
questions, previous_cycle = form.questions, form.previous_cycle
editable = may_answer and sa["status"] == "draft"
answered = int(questions["implementation"].notna().sum())
ui.load_answers(questions, sa)

label, colour = STATUS[sa["status"]]
head, bar = st.columns([1, 2])
with head:
    st.badge(_(label), color=colour)  # type: ignore[arg-type]
bar.progress(
    answered / max(len(questions), 1),
    text=_("{done} of {total} answered", done=answered, total=len(questions)),
)
needs_marked = int(questions["assistance_needed"].fillna(False).astype(bool).sum())
facts = [
    plain(place),
    plain(cycle),
    _("technical assistance needed for {n} provision(s)", n=needs_marked),
]
if previous_cycle:
    facts.append(_("prefilled from {cycle}", cycle=plain(previous_cycle)))
if editable:
    facts.append(_("every change is saved as you make it"))
st.caption(" · ".join(facts))


def _act(action: str) -> None:
    fn = {"submit": checklist.submit, "accept": checklist.accept}[action]
    with reported():
        with get_db().write() as session:
            fn(
                session,
                principal=principal,
                self_assessment_id=sa["id"],
                expected_version=sa["version"],
            )
        st.session_state[ui.FLASH] = ("ok", _(DONE[action]))
        st.rerun()


if editable and st.button(_("Submit the checklist"), type="primary", key="cl_submit"):
    _act("submit")
if reviewer and sa["status"] == "submitted":
    if sa["submitted_by_id"] == principal.user_id:
        st.caption(_("You submitted this checklist: another manager accepts it (four eyes)."))
    elif st.button(_("Accept the checklist"), type="primary", key="cl_accept"):
        _act("accept")
if sa["status"] == "accepted":
    st.caption(
        _(
            "Accepted on {day}; the answers are locked.",
            day=format_date(sa["accepted_at"]),
        )
    )

with st.expander(_("Guide for respondents")):
    st.markdown("\n".join(f"{n}. {plain(_(step))}" for n, step in enumerate(guide.STEPS, 1)))
    with get_db().read() as session:
        printable = guide.guide_html(session, cycle_code=cycle)
    st.download_button(
        _("Printable guide (HTML)"),
        printable,
        file_name=f"checklist-{cycle}-guide.html",
        mime="text/html",
        key="cl_guide",
        icon=":material/print:",
    )

if editable:
    with st.expander(_("Import earlier answers (CSV or Excel)")):
        ui.import_panel(principal, sa, country, cycle)

sections = questions.groupby("instrument", sort=False)
progress = {
    str(code): (int(part["implementation"].notna().sum()), len(part)) for code, part in sections
}
section = str(
    st.radio(
        _("Section"),
        list(progress),
        horizontal=True,
        key="cl_section",
        format_func=lambda c: f"{c} ({progress[c][0]}/{progress[c][1]})",
    )
)
part = questions[questions["instrument"] == section]
st.subheader(plain(str(part.iloc[0]["instrument_title"])))
done, total = progress[section]
st.progress(
    done / total, text=_("{done} of {total} answered in this section", done=done, total=total)
)

for _row, q in part.iterrows():
    with st.container(border=True):
        ui.question(principal, q, previous_cycle, editable)

codes = list(progress)
at = codes.index(section)
if at + 1 < len(codes):
    st.button(
        _("Next section: {section}", section=plain(str(codes[at + 1]))),
        key="cl_next",
        on_click=lambda: st.session_state.update(cl_section=codes[at + 1]),
    )
