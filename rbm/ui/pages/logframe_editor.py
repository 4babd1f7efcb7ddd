"""Logframe editor: create a project for your own organisation, edit or close it, build its
logframe (results, indicators with their reference sheet, baselines, targets and targets per
disaggregation part), import or download the logframe spreadsheet, and apply officers'
proposed changes. Managers and admins change things directly; an officer's change is saved as
a proposal that a manager applies. Every rule lives in the services; this page only lays out."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from rbm.errors import RbmError, ValidationFailed
from rbm.exchange.logframe_sheet import export_logframe, read_logframe
from rbm.exchange.logframe_sheet_import import import_logframe
from rbm.models.enums import (
    Accumulation,
    Direction,
    Frequency,
    Measure,
    PartnerRole,
    ProjectStatus,
    ResultLevel,
    Role,
    ScopeType,
)
from rbm.queries import logframe_editor as q
from rbm.services import project_editor, projects, proposals
from rbm.ui import logframe_forms as forms
from rbm.ui.session import cached_query, get_db, require_principal

principal = require_principal()
is_manager = principal.has_role(Role.ADMIN, Role.MANAGER)
st.title("Logframe editor")
# Always the same slot: an element that comes and goes would shift the tabs below it, and
# Streamlit would then reopen the first tab.
flash = st.empty()
if done := st.session_state.pop("le_done", None):
    flash.success(done)


def _fmt(names: dict[Any, Any]) -> Callable[[Any], str]:
    return lambda key: str(names.get(key, key))


def _int(value: Any) -> int:
    return int(value)


def _write(action: Callable[[Session], object], done: str) -> None:
    """Run one change in one transaction; show the refusal, or rerun with the outcome (the
    action's own words when it returns text)."""
    try:
        with get_db().write() as session:
            said = action(session)
    except RbmError as exc:
        st.error(str(exc))
        return
    st.session_state["le_done"] = said if isinstance(said, str) else done
    st.rerun()


def _orgs() -> pd.DataFrame:
    with get_db().read() as session:
        return q.organisations(session)


orgs = _orgs()
org_names = dict(zip(orgs["id"], orgs["name"], strict=True))


def _own_orgs() -> list[int]:
    if principal.has_role(Role.ADMIN):
        return list(org_names)
    return [
        g.organisation_id
        for g in principal.grants_for(Role.MANAGER)
        if g.scope_type is ScopeType.ORGANISATION
        and g.organisation_id is not None
        and g.organisation_id in org_names
    ]


def _new_project_form() -> None:
    own = _own_orgs()
    if not own:
        st.info("You create projects for your own organisation; you manage none.")
        return
    with st.form("le_new_project"):
        a, b = st.columns(2)
        code = a.text_input("Code", key="le_np_code")
        provider = b.selectbox(
            "Provider (your organisation)", own, format_func=_fmt(org_names), key="le_np_provider"
        )
        title = st.text_input("Title", key="le_np_title")
        description = st.text_area("Description", key="le_np_description")
        c, d, e = st.columns(3)
        start = c.date_input("Start date", value=date.today(), key="le_np_start")
        end = d.date_input("End date", value=date(date.today().year + 2, 12, 31), key="le_np_end")
        frequency = e.selectbox("Reporting frequency", list(Frequency), 1, key="le_np_freq")
        countries = st.text_input(
            "Recipient countries and shares (%)", placeholder="HN 50; GT 30; SV 20", key="le_np_c"
        )
        sectors = st.text_input(
            "DAC sectors and shares (%)", placeholder="15130 100", key="le_np_s"
        )
        areas = cached_query(_areas, principal)
        area_ids = st.multiselect(
            "Priority areas",
            areas["id"].tolist(),
            format_func=_fmt(dict(zip(areas["id"], areas["name"], strict=True))),
            key="le_np_areas",
        )
        partners = st.multiselect(
            "Implementing partners", list(org_names), format_func=_fmt(org_names), key="le_np_p"
        )
        f1, f2, f3 = st.columns(3)
        donor = f1.selectbox(
            "Donor",
            [None, *org_names],
            format_func=lambda o: "—" if o is None else org_names[o],
            key="le_np_donor",
        )
        amount = f2.text_input("Funding amount", key="le_np_amount")
        currency = f3.text_input("Currency", value="USD", key="le_np_currency")
        if st.form_submit_button("Create the project", type="primary"):
            _write(
                lambda s: _create(
                    s,
                    code,
                    title,
                    description,
                    provider,
                    start,
                    end,
                    frequency,
                    countries,
                    sectors,
                    area_ids,
                    partners,
                    donor,
                    amount,
                    currency,
                ),
                "Project created.",
            )


def _areas(session: Session, *, principal: Any) -> pd.DataFrame:
    return q.priority_areas(session)


def _create(
    session: Session,
    code: str,
    title: str,
    description: str,
    provider: int | None,
    start: date,
    end: date,
    frequency: Frequency | None,
    countries: str,
    sectors: str,
    area_ids: list[int],
    partners: list[int],
    donor: int | None,
    amount: str,
    currency: str,
) -> str:
    if provider is None or frequency is None:
        raise ValidationFailed("provider and frequency: choose both.")
    funding = []
    if donor is not None:
        funding.append(
            projects.FundingLine(
                donor_id=donor,
                amount=forms.number(amount or "0", field="funding amount"),
                currency=currency.strip().upper() or "USD",
                date_from=start,
                date_to=end,
            )
        )
    new = projects.NewProject(
        code=code.strip(),
        title=title.strip(),
        description=description,
        provider_id=provider,
        start_date=start,
        end_date=end,
        frequency=frequency,
        currency=currency.strip().upper() or "USD",
        countries=forms.shares(countries, field="recipient countries"),
        sectors=forms.shares(sectors, field="sectors"),
        priority_area_ids=area_ids,
        partners=[(o, PartnerRole.IMPLEMENTING) for o in partners],
        funding=funding,
    )
    project = projects.create_project(session, principal=principal, new=new)
    st.session_state["le_project"] = project.code  # open the new project after the rerun
    return f"Project {project.code} created with its reporting periods. Now add its results."


if is_manager:
    with st.expander("Create a project", expanded=False):
        _new_project_form()

editable = cached_query(q.editable_projects, principal)
if editable.empty:
    st.info(
        "There is no project you can edit or propose changes to yet. "
        + ("Create one above." if is_manager else "A manager creates projects.")
    )
    st.stop()

codes = editable["code"].tolist()
titles = dict(zip(editable["code"], editable["title"], strict=True))
wanted = st.query_params.get("code")
code = str(
    st.selectbox(
        "Project",
        codes,
        # The choice kept in the session (a project just created) wins over the URL.
        index=codes.index(wanted)
        if wanted in codes and "le_project" not in st.session_state
        else 0,
        format_func=lambda c: f"{c} — {titles[c]}",
        key="le_project",
    )
)
st.query_params["code"] = code
row = editable.set_index("code").loc[code]
pid, can_edit = _int(row["id"]), bool(row["can_edit"])
st.caption(
    "You change this project directly."
    if can_edit
    else "You propose changes: a manager of the project applies or rejects them."
)


def _change(operation: str, args: dict[str, Any], summary: str) -> None:
    """A manager's change runs now; an officer's is kept as a proposal."""
    if can_edit:
        _write(
            lambda s: proposals.OPERATIONS[operation](s, principal, pid, args),
            f"Saved: {summary}.",
        )
    else:
        _write(
            lambda s: proposals.propose(
                s,
                principal=principal,
                project_id=pid,
                operation=operation,
                arguments=args,
                summary=summary,
            ),
            "Proposed: a manager of the project will apply or reject it.",
        )


tree = cached_query(q.logframe_tree, principal, project_id=pid)
inds = cached_query(q.logframe_indicators, principal, project_id=pid)
t_results, t_indicators, t_targets, t_project, t_sheet, t_proposals = st.tabs(
    ["Results", "Indicators", "Targets", "Project", "Spreadsheet", "Proposed changes"]
)

# --- results -----------------------------------------------------------------------------

LEVELS = list(ResultLevel)


def _node_label(node_id: Any) -> str:
    n = tree.set_index("id").loc[node_id]
    return f"{n['level'].title()} {n['code']} — {n['statement']}"


def _results_tab() -> None:
    if tree.empty:
        st.info("This logframe has no results yet: start with its impact below.")
    else:
        shown = tree.assign(
            result=[
                "\u2003" * int(d) + str(c) for d, c in zip(tree["depth"], tree["code"], strict=True)
            ]
        )
        st.dataframe(
            shown[["result", "level", "statement", "assumptions", "risks", "archived"]],
            hide_index=True,
            width="stretch",
            key="le_tree",
        )
    _add_result_form()
    if not tree.empty:
        _edit_result_form()


def _add_result_form() -> None:
    st.subheader("Add a result")
    live = tree[~tree["archived"]] if not tree.empty else tree
    levels = [ResultLevel.IMPACT] if tree.empty else LEVELS[1:]
    level = st.selectbox("Level", levels, format_func=lambda v: v.value.title(), key="le_ar_level")
    parents = (
        [] if tree.empty else live[live["level"] == LEVELS[level.rank - 1].value]["id"].tolist()
    )
    with st.form("le_add_result", clear_on_submit=True):
        parent = (
            st.selectbox("Under", parents, format_func=_node_label, key="le_ar_parent")
            if level is not ResultLevel.IMPACT
            else None
        )
        a, b = st.columns([1, 3])
        code_in = a.text_input("Code", key="le_ar_code")
        statement = b.text_input("Statement", key="le_ar_statement")
        assumptions = st.text_area("Assumptions", key="le_ar_assumptions")
        risks = st.text_area("Risks", key="le_ar_risks")
        if st.form_submit_button("Add the result", type="primary"):
            args = {
                "level": level.value,
                "code": code_in,
                "statement": statement,
                "parent_id": None if parent is None else int(parent),
                "assumptions": assumptions,
                "risks": risks,
            }
            _change("add_result", args, f"add {level.value} {code_in}")


def _edit_result_form() -> None:
    st.subheader("Change a result")
    node_id = st.selectbox(
        "Result to change", tree["id"].tolist(), format_func=_node_label, key="le_er_node"
    )
    node = tree.set_index("id").loc[node_id]
    with st.form(f"le_edit_result_{node_id}"):
        statement = st.text_input("Statement", value=node["statement"], key=f"le_er_s_{node_id}")
        assumptions = st.text_area(
            "Assumptions", value=node["assumptions"], key=f"le_er_a_{node_id}"
        )
        risks = st.text_area("Risks", value=node["risks"], key=f"le_er_r_{node_id}")
        if st.form_submit_button("Save the result"):
            args = {
                "node_id": int(node_id),
                "statement": statement,
                "assumptions": assumptions,
                "risks": risks,
                "description": node["description"],
            }
            _change("edit_result", args, f"edit result {node['code']}")
    if can_edit:
        _structure_controls(int(node_id), node)


def _structure_controls(node_id: int, node: pd.Series) -> None:
    from rbm.services import logframe_editor as ed

    up, down, remove = st.columns(3)
    if up.button("Move up", key="le_up"):
        _write(
            lambda s: ed.move_result(s, principal=principal, node_id=node_id, offset=-1),
            "Moved up.",
        )
    if down.button("Move down", key="le_down"):
        _write(
            lambda s: ed.move_result(s, principal=principal, node_id=node_id, offset=1),
            "Moved down.",
        )
    if remove.button("Remove", key="le_remove"):
        _write(lambda s: ed.remove_result(s, principal=principal, node_id=node_id), "Removed.")
    rank = ResultLevel(node["level"]).rank
    if rank > 0:
        options = tree[
            (tree["level"] == LEVELS[rank - 1].value) & (tree["id"] != node["parent_id"])
        ]
        if not options.empty:
            new_parent = st.selectbox(
                "Move under", options["id"].tolist(), format_func=_node_label, key="le_parent"
            )
            if st.button("Change parent", key="le_change_parent"):
                _write(
                    lambda s: ed.change_parent(
                        s, principal=principal, node_id=node_id, parent_id=int(new_parent)
                    ),
                    "Parent changed.",
                )
    reason = st.text_input("Why archive it?", key="le_archive_reason")
    if st.button("Archive (hide from entry, keep history)", key="le_archive"):
        _write(
            lambda s: ed.archive_result(s, principal=principal, node_id=node_id, reason=reason),
            "Archived.",
        )


with t_results:
    _results_tab()

# --- indicators --------------------------------------------------------------------------


def _indicator_form(key: str, current: pd.Series | None) -> dict[str, Any] | None:
    """The reference sheet form; the sheet as JSON-ready arguments when submitted."""

    def val(col: str, default: Any = "") -> Any:
        if (
            current is None
            or current[col] is None
            or (isinstance(current[col], float) and pd.isna(current[col]))
        ):
            return default
        return current[col]

    parts = cached_query(_parts, principal)
    dims = parts.drop_duplicates("dimension_id")
    dim_names = dict(zip(dims["dimension_id"], dims["dimension"], strict=True))
    library = cached_query(_library, principal)
    lib_names = dict(zip(library["id"], library["code"] + " — " + library["title"], strict=True))
    chosen_dims = [d for d, n in dim_names.items() if n in forms.labels(str(val("dimensions")))]
    with st.form(key):
        a, b = st.columns([1, 3])
        code_in = a.text_input(
            "Code", value=val("code"), disabled=current is not None, key=f"{key}_code"
        )
        title = b.text_input("Title", value=val("title"), key=f"{key}_title")
        definition = st.text_area("Definition", value=val("definition"), key=f"{key}_def")
        c, d, e, f = st.columns(4)
        measure = c.selectbox(
            "Measure",
            [m.value for m in Measure],
            [m.value for m in Measure].index(val("measure", "number")),
            key=f"{key}_measure",
        )
        direction = d.selectbox(
            "Direction",
            [x.value for x in Direction],
            [x.value for x in Direction].index(val("direction", "increase")),
            key=f"{key}_direction",
        )
        accumulation = e.selectbox(
            "Accumulation",
            [x.value for x in Accumulation],
            [x.value for x in Accumulation].index(val("accumulation", "incremental")),
            key=f"{key}_acc",
        )
        unit = f.text_input("Unit", value=val("unit"), key=f"{key}_unit")
        denominator_rule = st.text_input(
            "Denominator rule (percentages)", value=val("denominator_rule"), key=f"{key}_den"
        )
        labels = st.text_input(
            "Scale labels (ordinal; separated by ;)",
            value="; ".join(val("ordinal_labels", []) or []),
            key=f"{key}_labels",
        )
        g, h = st.columns(2)
        data_source = g.text_input("Data source", value=val("data_source"), key=f"{key}_src")
        mov = h.text_input(
            "Means of verification", value=val("means_of_verification"), key=f"{key}_mov"
        )
        method = g.text_input("Collection method", value=val("method"), key=f"{key}_method")
        responsible = h.text_input(
            "Responsible person", value=val("responsible"), key=f"{key}_resp"
        )
        frequency = g.selectbox(
            "Frequency",
            [x.value for x in Frequency],
            [x.value for x in Frequency].index(val("frequency", "quarterly")),
            key=f"{key}_freq",
        )
        dimensions = h.multiselect(
            "Disaggregation dimensions",
            list(dim_names),
            default=chosen_dims,
            format_func=_fmt(dim_names),
            key=f"{key}_dims",
        )
        lib_code = val("library_code", None)
        lib_ids = [None, *lib_names]
        current_lib = next((i for i in lib_names if lib_names[i].split(" — ")[0] == lib_code), None)
        library_id = st.selectbox(
            "Library indicator",
            lib_ids,
            lib_ids.index(current_lib),
            format_func=lambda i: "—" if i is None else lib_names[i],
            key=f"{key}_lib",
        )
        if not st.form_submit_button("Save the indicator", type="primary"):
            return None
    return {
        "code": str(code_in).strip(),
        "title": title,
        "definition": definition,
        "measure": measure,
        "direction": direction,
        "accumulation": accumulation,
        "unit": unit,
        "denominator_rule": denominator_rule,
        "ordinal_labels": forms.labels(labels) or None,
        "data_source": data_source,
        "means_of_verification": mov,
        "method": method,
        "responsible": responsible,
        "frequency": frequency,
        "dimension_ids": [int(x) for x in dimensions],
        "library_indicator_id": None if library_id is None else int(library_id),
    }


def _parts(session: Session, *, principal: Any) -> pd.DataFrame:
    return q.dimension_parts(session)


def _library(session: Session, *, principal: Any) -> pd.DataFrame:
    return q.library_indicators(session)


def _indicators_tab() -> None:
    live = tree[~tree["archived"]] if not tree.empty else tree
    if live.empty:
        st.info("Add a result first; indicators sit on results.")
        return
    node_id = st.selectbox(
        "Result measured", live["id"].tolist(), format_func=_node_label, key="le_ind_node"
    )
    mine = inds[inds["result_node_id"] == node_id]
    if not mine.empty:
        st.dataframe(
            mine[
                [
                    "code",
                    "title",
                    "unit",
                    "measure",
                    "direction",
                    "accumulation",
                    "baseline_value",
                    "target_lop",
                    "approved_values",
                    "archived",
                ]
            ],
            hide_index=True,
            width="stretch",
            key="le_ind_table",
        )
    with st.expander("Add an indicator", expanded=mine.empty):
        if (sheet := _indicator_form(f"le_new_ind_{node_id}", None)) is not None:
            _change(
                "add_indicator",
                {"result_node_id": int(node_id), "sheet": sheet},
                f"add indicator {sheet['code']}",
            )
    if not mine.empty:
        _edit_indicator(mine)


def _edit_indicator(mine: pd.DataFrame) -> None:
    st.subheader("Change an indicator")
    pick = st.selectbox("Indicator to change", mine["code"].tolist(), key="le_ind_pick")
    current = mine.set_index("code").loc[pick].copy()
    current["code"] = pick
    iid = int(current["indicator_id"])
    if int(current["approved_values"]):
        st.caption(
            f"{pick} has {int(current['approved_values'])} approved values: its measure, "
            "accumulation, direction and unit can no longer change."
        )
    if (sheet := _indicator_form(f"le_edit_ind_{iid}", current)) is not None:
        _change("edit_indicator", {"indicator_id": iid, "sheet": sheet}, f"edit indicator {pick}")
    _baseline_form(iid, current)
    if can_edit:
        _archive_indicator(iid)
    st.markdown("**Target history**")
    st.dataframe(
        cached_query(q.target_history, principal, indicator_id=iid),
        hide_index=True,
        width="stretch",
        key="le_history",
    )


def _baseline_form(iid: int, current: pd.Series) -> None:
    with st.form(f"le_baseline_{iid}"):
        st.markdown("**Baseline**")
        a, b, c, d = st.columns(4)
        day = a.date_input(
            "Date",
            value=current["baseline_date"]
            if isinstance(current["baseline_date"], date)
            else date.today(),
            key=f"le_b_date_{iid}",
        )
        value = b.text_input(
            "Value", value=_text(current["baseline_value"]), key=f"le_b_value_{iid}"
        )
        num = c.text_input(
            "Numerator", value=_text(current["baseline_numerator"]), key=f"le_b_num_{iid}"
        )
        den = d.text_input(
            "Denominator", value=_text(current["baseline_denominator"]), key=f"le_b_den_{iid}"
        )
        if st.form_submit_button("Save the baseline"):
            args = {
                "indicator_id": iid,
                "baseline_date": day.isoformat(),
                "value": value or None,
                "numerator": num or None,
                "denominator": den or None,
            }
            _change("set_baseline", args, f"baseline of {current['code']}")


def _text(v: Any) -> str:
    return (
        ""
        if v is None or (isinstance(v, float) and pd.isna(v))
        else f"{v:g}"
        if isinstance(v, float)
        else str(v)
    )


def _archive_indicator(iid: int) -> None:
    from rbm.services import logframe_editor as ed

    a, b = st.columns([3, 1])
    reason = a.text_input("Why archive or remove it?", key=f"le_ia_reason_{iid}")
    if b.button("Archive", key=f"le_ia_{iid}"):
        _write(
            lambda s: ed.archive_indicator(s, principal=principal, indicator_id=iid, reason=reason),
            "Indicator archived.",
        )
    if b.button("Remove", key=f"le_ir_{iid}"):
        _write(
            lambda s: ed.remove_indicator(s, principal=principal, indicator_id=iid),
            "Indicator removed.",
        )


with t_indicators:
    _indicators_tab()

# --- targets -----------------------------------------------------------------------------


def _targets_tab() -> None:
    live = inds[~inds["archived"]]
    if live.empty:
        st.info("Add an indicator first.")
        return
    labels = dict(zip(live["indicator_id"], live["code"] + " — " + live["title"], strict=True))
    iid = st.selectbox(
        "Indicator to set targets for", list(labels), format_func=_fmt(labels), key="le_t_ind"
    )
    current = live.set_index("indicator_id").loc[iid]
    periods = cached_query(q.periods, principal, project_id=pid)
    targets = cached_query(q.period_targets, principal, project_id=pid)
    mine = targets[targets["indicator_id"] == iid].set_index("period_id")["value"]
    table = pd.DataFrame(
        {"period": periods["label"], "target": periods["id"].map(mine).astype(float)}
    )
    st.caption(
        f"Baseline: {_text(current['baseline_value']) or '—'}. Leave a period empty for no target."
    )
    with st.form(f"le_targets_{iid}"):
        lop = st.text_input(
            "Life-of-project target", value=_text(current["target_lop"]), key=f"le_lop_{iid}"
        )
        edited = st.data_editor(
            table, hide_index=True, disabled=["period"], key=f"le_t_table_{iid}", width="stretch"
        )
        reason = st.text_input(
            "Reason (required once the project has started)", key=f"le_t_reason_{iid}"
        )
        if st.form_submit_button("Save the targets", type="primary"):
            _save_targets(int(iid), lop, current, table, edited, periods, reason)
    _parts_form(int(iid), current, periods)


def _save_targets(
    iid: int,
    lop: str,
    current: pd.Series,
    before: pd.DataFrame,
    after: pd.DataFrame,
    periods: pd.DataFrame,
    reason: str,
) -> None:
    changes: list[dict[str, Any]] = []
    if lop.strip() != _text(current["target_lop"]):
        changes.append(
            {"indicator_id": iid, "period_id": None, "value": lop.strip() or None, "reason": reason}
        )
    for (_, old), (_, new), period_id in zip(
        before.iterrows(), after.iterrows(), periods["id"], strict=True
    ):
        if _text(old["target"]) != _text(new["target"]):
            value = None if pd.isna(new["target"]) else str(new["target"])
            changes.append(
                {"indicator_id": iid, "period_id": int(period_id), "value": value, "reason": reason}
            )
    if not changes:
        st.info("No target changed.")
        return
    if can_edit:
        _write(lambda s: _apply_all(s, changes), f"Saved {len(changes)} target(s).")
    else:
        _write(lambda s: _propose_all(s, changes), f"Proposed {len(changes)} target change(s).")


def _apply_all(session: Session, changes: list[dict[str, Any]]) -> None:
    for args in changes:
        proposals.OPERATIONS["revise_target"](session, principal, pid, args)


def _propose_all(session: Session, changes: list[dict[str, Any]]) -> None:
    for args in changes:
        proposals.propose(
            session,
            principal=principal,
            project_id=pid,
            operation="revise_target",
            arguments=args,
            summary=f"target {args['value']} ({args['reason'] or 'no reason given'})",
        )


def _parts_form(iid: int, current: pd.Series, periods: pd.DataFrame) -> None:
    dims = forms.labels(str(current["dimensions"] or ""))
    if not dims or not can_edit:
        return
    from rbm.services import logframe_editor as ed

    parts = cached_query(_parts, principal)
    mine = parts[parts["dimension"].isin(dims)]
    st.markdown("**Targets per disaggregation part**")
    with st.form(f"le_parts_{iid}"):
        period = st.selectbox(
            "Period",
            periods["id"].tolist(),
            format_func=_fmt(dict(zip(periods["id"], periods["label"], strict=True))),
            key=f"le_p_period_{iid}",
        )
        total = st.text_input("Total target of the period", key=f"le_p_total_{iid}")
        values = {
            _int(i): st.text_input(f"{dim}: {label}", key=f"le_p_{iid}_{i}")
            for i, dim, label in mine[["id", "dimension", "label"]].itertuples(index=False)
        }
        reason = st.text_input(
            "Reason (required once the project has started)", key=f"le_p_reason_{iid}"
        )
        if st.form_submit_button("Save the parts"):

            def run(s: Session) -> None:
                ed.revise_target(
                    s,
                    principal=principal,
                    indicator_id=iid,
                    period_id=int(period),
                    value=forms.number(total, field="total target"),
                    parts={
                        k: forms.number(v, field="target part")
                        for k, v in values.items()
                        if v.strip()
                    },
                    reason=reason,
                )

            _write(run, "Targets per part saved.")


with t_targets:
    _targets_tab()

# --- project -----------------------------------------------------------------------------


def _project_tab() -> None:
    if not can_edit:
        st.info("Managers of the project edit its details.")
        return
    with get_db().read() as session:
        setup = q.project_setup(session, principal=principal, project_id=pid)
    p = setup["project"]
    with st.form("le_project_form"):
        title = st.text_input("Title", value=p["title"], key="le_pf_title")
        description = st.text_area("Description", value=p["description"], key="le_pf_desc")
        a, b, c, d = st.columns(4)
        status = a.selectbox(
            "Status",
            [s.value for s in ProjectStatus],
            [s.value for s in ProjectStatus].index(p["status"]),
            key="le_pf_status",
        )
        start = b.date_input("Start date", value=p["start_date"], key="le_pf_start")
        end = c.date_input("End date", value=p["end_date"], key="le_pf_end")
        frequency = d.selectbox(
            "Reporting frequency",
            [f.value for f in Frequency],
            [f.value for f in Frequency].index(p["reporting_frequency"]),
            key="le_pf_freq",
        )
        countries = st.text_input(
            "Recipient countries and shares (%)",
            value="; ".join(f"{k} {v.normalize():f}" for k, v in setup["countries"].items()),
            key="le_pf_countries",
        )
        sectors = st.text_input(
            "DAC sectors and shares (%)",
            value="; ".join(f"{k} {v.normalize():f}" for k, v in setup["sectors"].items()),
            key="le_pf_sectors",
        )
        funding = st.data_editor(
            setup["funding"],
            num_rows="dynamic",
            hide_index=True,
            key="le_pf_funding",
            column_config={
                "donor_id": st.column_config.SelectboxColumn(
                    "Donor", options=list(org_names), format_func=lambda o: org_names.get(o, str(o))
                )
            },
        )
        if st.form_submit_button("Save the project", type="primary"):

            def run(s: Session) -> str:
                new = projects.NewProject(
                    code=p["code"],
                    title=title,
                    description=description,
                    provider_id=p["provider_id"],
                    start_date=start,
                    end_date=end,
                    status=ProjectStatus(status),
                    budget=p["budget"],
                    currency=p["currency"],
                    frequency=Frequency(frequency),
                    iati_identifier=p["iati_identifier"],
                    countries=forms.shares(countries, field="recipient countries"),
                    sectors=forms.shares(sectors, field="sectors"),
                    priority_area_ids=setup["areas"],
                    partners=[(o, PartnerRole(r)) for o, r in setup["partners"]],
                    funding=[
                        _funding_line(r)
                        for r in funding.dropna(subset=["donor_id"]).to_dict("records")
                    ],
                )
                change = project_editor.edit_project(
                    s, principal=principal, project_id=pid, new=new
                )
                return "Project saved. " + change.describe()

            _write(run, "Project saved.")
    reason = st.text_input("Why close the project?", key="le_close_reason")
    if st.button("Close the project", key="le_close"):
        _write(
            lambda s: project_editor.close_project(
                s, principal=principal, project_id=pid, reason=reason
            ),
            "Project closed.",
        )


def _funding_line(r: dict[str, Any]) -> projects.FundingLine:
    to = r.get("date_to")
    return projects.FundingLine(
        donor_id=int(r["donor_id"]),
        amount=forms.number(r["amount"], field="funding amount"),
        currency=str(r.get("currency") or "USD"),
        date_from=pd.Timestamp(r["date_from"]).date(),
        date_to=None if to is None or pd.isna(to) else pd.Timestamp(to).date(),
    )


with t_project:
    _project_tab()

# --- spreadsheet -------------------------------------------------------------------------


def _sheet_tab() -> None:
    st.caption(
        "One sheet for results, one for indicators with baselines and life-of-project targets, "
        "one for period targets (columns in docs/logframe.md). Rows match by code: importing "
        "the same file again changes nothing."
    )
    a, b = st.columns(2)
    with get_db().read() as session:
        xlsx = export_logframe(session, principal=principal, project_id=pid)
        csv = export_logframe(session, principal=principal, project_id=pid, fmt="csv")
    a.download_button(
        "Download the logframe (Excel)", xlsx, file_name=f"logframe-{code}.xlsx", key="le_dl_xlsx"
    )
    b.download_button(
        "Download the logframe (CSV)", csv, file_name=f"logframe-{code}.csv", key="le_dl_csv"
    )
    if not can_edit:
        return
    upload = st.file_uploader(
        "Import a logframe spreadsheet", type=["xlsx", "csv"], key="le_upload"
    )
    if upload is not None and st.button("Import", key="le_import", type="primary"):

        def run(s: Session) -> str:
            frame = read_logframe(upload.name, upload.getvalue())
            report = import_logframe(
                s, principal=principal, project_code=code, frame=frame, filename=upload.name
            )
            return f"{upload.name}: {report.summary()}"

        _write(run, "Imported.")


with t_sheet:
    _sheet_tab()

# --- proposals ---------------------------------------------------------------------------


def _proposals_tab() -> None:
    listed = cached_query(q.proposals, principal, project_id=pid)
    if listed.empty:
        st.info("No change has been proposed for this project.")
        return
    st.dataframe(
        listed.drop(columns=["arguments"]), hide_index=True, width="stretch", key="le_prop_table"
    )
    pending = listed[listed["status"] == "pending"]
    if not can_edit or pending.empty:
        return
    pick = st.selectbox(
        "Proposed change",
        pending["id"].tolist(),
        format_func=_fmt(
            dict(
                zip(
                    pending["id"],
                    "#" + pending["id"].astype(str) + " " + pending["summary"],
                    strict=True,
                )
            )
        ),
        key="le_prop_pick",
    )
    note = st.text_input("Note to the officer", key="le_prop_note")
    if pick is None:
        return
    a, b = st.columns(2)
    if a.button("Apply", key="le_prop_apply", type="primary"):
        _write(
            lambda s: proposals.apply_proposal(
                s, principal=principal, proposal_id=_int(pick), note=note
            ),
            "Change applied.",
        )
    if b.button("Reject", key="le_prop_reject"):
        _write(
            lambda s: proposals.reject_proposal(
                s, principal=principal, proposal_id=_int(pick), note=note
            ),
            "Change rejected.",
        )


with t_proposals:
    _proposals_tab()
