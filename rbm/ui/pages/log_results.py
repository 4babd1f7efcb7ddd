"""Log results: starts from what is due (returned, overdue, drafts, open periods; most urgent
first). One value with its context, breakdown and evidence; a grid for a project and period;
or a spreadsheet template to fill offline and upload."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd
import streamlit as st

from rbm.errors import RbmError, ValidationFailed
from rbm.exchange import measurement_import as imp
from rbm.queries import workflow
from rbm.services import evidence, measurements
from rbm.ui.session import cached_query, get_db, require_principal
from rbm.ui.widgets import message, number, plain, shown

DUE_LABELS = {"returned": "Returned", "overdue": "Overdue", "draft": "Draft", "open": "Open"}

principal = require_principal()
st.title("Log results")
due = cached_query(workflow.due, principal)
one, grid, sheet = st.tabs(["What's due", "Grid", "Spreadsheet"])


def _label(row: pd.Series) -> str:
    late = f", {row['days_overdue']} days late" if row["due"] == "overdue" else ""
    return f"{DUE_LABELS[row['due']]}{late} · {_item(row)} — {row['title']}"


def _item(row: pd.Series) -> str:
    return f"{row['project']} {row['indicator']} · {row['period']}"


def _dec(value: Any) -> Decimal | None:
    return None if value is None or pd.isna(value) else Decimal(str(value))


def _old(old: pd.Series | None, column: str) -> Any:
    """The stored draft's value of `column`, or None (a new value)."""
    if old is None or column not in old or old[column] is None or pd.isna(old[column]):
        return None
    return old[column]


def _value_inputs(row: pd.Series, old: pd.Series | None, key: str) -> measurements.Values:
    measure = row["measure"]
    labels = list(old["ordinal_labels"] or []) if old is not None else []
    value = _old(old, "value")
    if measure == "percentage":
        a, b, c = st.columns(3)
        num = a.number_input(
            "Numerator", min_value=0.0, value=_old(old, "numerator"), key=f"{key}_num"
        )
        den = b.number_input(
            "Denominator", min_value=0.0, value=_old(old, "denominator"), key=f"{key}_den"
        )
        c.metric("Percentage", number(num / den * 100, suffix=" %") if num and den else "—")
        return measurements.Values(numerator=_dec(num), denominator=_dec(den))
    if measure == "yes_no":
        yes = st.radio(
            "Achieved?",
            ["Yes", "No"],
            index=None if value is None else (0 if value == 1 else 1),
            horizontal=True,
            key=f"{key}_yn",
        )
        return measurements.Values(value=None if yes is None else Decimal(yes == "Yes"))
    if measure == "ordinal" and labels:
        score = st.selectbox(
            "Score",
            range(len(labels)),
            index=None if value is None else int(value),
            key=f"{key}_ord",
            format_func=lambda i: f"{i} — {labels[i]}",
        )
        return measurements.Values(value=_dec(score))
    if measure == "qualitative":
        text = st.text_area("Narrative", value=_old(old, "narrative") or "", key=f"{key}_txt")
        return measurements.Values(narrative=text)
    entered = st.number_input("Value", value=value, key=f"{key}_val")
    return measurements.Values(value=_dec(entered))


def _breakdown(
    row: pd.Series, total: Decimal | None, stored: pd.DataFrame, key: str
) -> dict[int, Decimal]:
    parts = cached_query(
        workflow.indicator_dimensions, principal, indicator_id=int(row["indicator_id"])
    )
    if parts.empty:
        return {}
    kept = {(str(r["dimension"]), str(r["part"])): r["value"] for _, r in stored.iterrows()}
    out: dict[int, Decimal] = {}
    with st.expander("Breakdown", expanded=True):
        for dimension, group in parts.groupby("dimension", sort=False):
            cols = st.columns(len(group))
            entered = Decimal(0)
            for col, (_, part) in zip(cols, group.iterrows(), strict=True):
                before = kept.get((str(dimension), str(part["label"])))
                v = col.number_input(
                    plain(str(part["label"])),
                    min_value=0.0,
                    value=None if before is None or pd.isna(before) else float(before),
                    key=f"{key}_bd_{part['dimension_value_id']}",
                )
                if v is not None:
                    out[int(part["dimension_value_id"])] = Decimal(str(v))
                    entered += Decimal(str(v))
            if total is not None and entered and bool(group["exhaustive"].iloc[0]):
                if entered == total:
                    st.success(f"{plain(str(dimension))}: the parts add up to the total ({total}).")
                else:
                    st.warning(
                        f"{plain(str(dimension))}: the parts add up to {entered}, not {total}."
                    )
    return out


def _context(row: pd.Series) -> workflow.MeasurementDetail | None:
    earlier = cached_query(
        workflow.previous_values, principal, indicator_id=int(row["indicator_id"])
    )
    detail = None
    if pd.notna(row["measurement_id"]):
        detail = cached_query(
            workflow.measurement_detail, principal, measurement_id=int(row["measurement_id"])
        )
    head = detail.measurement if detail is not None else None
    comments = detail.comments if detail is not None else pd.DataFrame()
    if head is not None and head["status"] == "returned" and not comments.empty:
        last = comments.iloc[-1]
        st.warning(
            f"Returned by {plain(str(last['author']))}: {plain(str(last['text']))}",
            icon=":material/undo:",
        )
    yes_no = row["measure"] == "yes_no"
    a, b, c = st.columns(3)
    a.metric("Baseline", shown(head["baseline"], yes_no) if head is not None else "—")
    b.metric("Target this period", shown(head["target"], yes_no) if head is not None else "—")
    c.metric("Current value", shown(row["value"], yes_no))
    if not earlier.empty:
        st.caption("Earlier approved values")
        earlier = earlier.assign(value=earlier["value"].map(lambda v: shown(v, yes_no)))
        st.dataframe(earlier[["period", "value"]], hide_index=True)
    return detail


def _save(
    row: pd.Series, values: measurements.Values, files: list[Any], link: str, submit: bool
) -> str:
    version = None if pd.isna(row["version"]) else int(row["version"])
    with get_db().write() as session:
        m = measurements.save_draft(
            session,
            principal=principal,
            indicator_id=int(row["indicator_id"]),
            period_id=int(row["period_id"]),
            values=values,
            expected_version=version,
        )
        for f in files:
            evidence.attach(
                session,
                principal=principal,
                measurement_id=m.id,
                filename=f.name,
                content=f.getvalue(),
            )
        if link.strip():
            evidence.attach(
                session,
                principal=principal,
                measurement_id=m.id,
                filename=link.strip(),
                url=link.strip(),
            )
        if submit:
            measurements.submit(session, principal=principal, measurement_id=m.id)
    what = "Submitted for approval" if submit else "Draft saved"
    return f"{what}: {_item(row)} ({_saved_value(row, values)})."


def _saved_value(row: pd.Series, values: measurements.Values) -> str:
    if row["measure"] == "percentage":
        return f"{values.numerator} of {values.denominator}"
    if row["measure"] == "qualitative":
        return "narrative"
    return shown(values.value, row["measure"] == "yes_no")


def _key_of(row: pd.Series) -> str:
    return f"{int(row['indicator_id'])}:{int(row['period_id'])}"


def _wanted(keys: list[str]) -> None:
    """Point the picker at the item asked for (a link's query string, or the item just saved)
    and never at a key that is no longer due."""
    asked = st.session_state.pop("lr_goto", None)
    params = st.query_params
    if asked is None and "indicator" in params and "period" in params:
        asked = f"{params['indicator']}:{params['period']}"
        st.session_state.pop("lr_pick", None)
    if asked in keys:
        st.session_state["lr_pick"] = asked
    elif st.session_state.get("lr_pick") not in keys:
        st.session_state.pop("lr_pick", None)


with one:
    if done := st.session_state.pop("lr_done", None):
        st.success(message(done))
    if due.empty:
        st.info("Nothing is due: every open period of your projects has a value in the workflow.")
    else:
        counts = due["due"].value_counts()
        # Overdue by the one rule (drafts and returned values of late periods included), the
        # same count the portfolio, country and donor pages show.
        counts["overdue"] = int(due["overdue"].sum())
        st.caption(" · ".join(f"{DUE_LABELS[k]}: {counts.get(k, 0)}" for k in DUE_LABELS))
        by_key = {_key_of(r): r for _, r in due.iterrows()}
        _wanted(list(by_key))
        pick = st.selectbox(
            "Indicator and period",
            list(by_key),
            format_func=lambda k: _label(by_key[k]),
            key="lr_pick",
        )
        row = by_key[pick]
        # Every widget of the form is keyed on the item and the version of its stored value:
        # another item, or the same one after a save, starts from what is stored.
        version = 0 if pd.isna(row["version"]) else int(row["version"])
        key = f"lr_{pick.replace(':', '_')}_v{version}"
        detail = _context(row)
        old = detail.measurement if detail is not None else None
        stored = detail.breakdown if detail is not None else pd.DataFrame()
        values = _value_inputs(row, old, key)
        total = values.value if values.numerator is None else values.numerator
        parts = _breakdown(row, total, stored, key)
        if row["measure"] != "qualitative":
            note = st.text_area(
                "Note (optional)", value=_old(old, "narrative") or "", key=f"{key}_note"
            )
            values = measurements.Values(
                value=values.value,
                numerator=values.numerator,
                denominator=values.denominator,
                narrative=note,
            )
        values = measurements.Values(**{**values.__dict__, "breakdown": parts})
        files = st.file_uploader(
            "Evidence files",
            accept_multiple_files=True,
            key=f"{key}_files",
            type=[e.lstrip(".") for e in evidence.ALLOWED],
        )
        link = st.text_input("Or a link to the evidence", key=f"{key}_link")
        left, right = st.columns(2)
        for column, submit, label in ((left, False, "Save draft"), (right, True, "Submit")):
            if column.button(label, key=f"lr_{label}", type="primary" if submit else "secondary"):
                try:
                    st.session_state["lr_done"] = _save(
                        row, values, list(files or []), link, submit
                    )
                    st.session_state["lr_goto"] = pick
                    st.query_params.clear()
                    st.rerun()
                except RbmError as exc:
                    st.error(message(exc))


def _refused(exc: ValidationFailed) -> None:
    st.error(exc.headline())
    # The cells are echoed as plain text: never rendered as Markdown or HTML.
    if exc.problems:
        st.code("\n".join(map(str, exc.problems)), language=None, wrap_lines=True)


def _import(df: pd.DataFrame, submit: bool) -> None:
    bar = st.progress(0.0, text="Checking the values")

    def progress(fraction: float, text: str) -> None:
        bar.progress(fraction, text=text)

    try:
        with get_db().write() as session:
            report = imp.import_measurements(
                session,
                principal=principal,
                df=df,
                submit=submit,
                progress=progress,
            )
        st.success(message(report))
    except ValidationFailed as exc:
        _refused(exc)
    except RbmError as exc:
        st.error(message(exc))


projects = sorted(due["project"].unique()) if not due.empty else []
with grid:
    if not projects:
        st.info("No project has an open period.")
    else:
        g_project = st.selectbox("Project", projects, key="lr_g_project")
        periods = due.loc[due["project"] == g_project, "period"].unique().tolist()
        g_period = st.selectbox("Period", periods, key="lr_g_period")
        rows = due[(due["project"] == g_project) & (due["period"] == g_period)]
        table = rows[["project", "indicator", "title", "measure", "period", "value"]].copy()
        for col in ("numerator", "denominator", "narrative"):
            table[col] = None
        edited = st.data_editor(
            table,
            hide_index=True,
            key="lr_grid",
            disabled=["project", "indicator", "title", "measure", "period"],
        )
        if st.button("Save the grid as drafts", key="lr_grid_save"):
            _import(edited.astype(object).where(edited.notna(), None), submit=False)

with sheet:
    if projects:
        s_project = st.selectbox("Project", projects, key="lr_s_project")
        with get_db().read() as session:
            blank = imp.template(session, principal=principal, project_code=s_project)
        a, b = st.columns(2)
        a.download_button(
            "Download CSV template",
            imp.to_bytes(blank, fmt="csv"),
            f"{s_project}-measurements.csv",
            "text/csv",
        )
        b.download_button(
            "Download Excel template",
            imp.to_bytes(blank, fmt="xlsx"),
            f"{s_project}-measurements.xlsx",
        )
    upload = st.file_uploader("Filled template (.csv or .xlsx)", type=["csv", "xlsx"], key="lr_up")
    also_submit = st.checkbox("Submit the values for approval", key="lr_up_submit")
    if upload is not None and st.button("Import", key="lr_import", type="primary"):
        try:
            _import(imp.read_upload(upload.name, upload.getvalue()), submit=also_submit)
        except ValidationFailed as exc:
            _refused(exc)
        except RbmError as exc:
            st.error(message(exc))
