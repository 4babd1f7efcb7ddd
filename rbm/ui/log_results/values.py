"""Entering one value: the inputs its measure asks for (numerator and denominator, yes/no, a
score, a narrative or a number), its breakdown by disaggregation part, and the context beside
it (reviewer's comment, baseline, target, earlier approved values)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd
import streamlit as st

from rbm.i18n import _
from rbm.principal import Principal
from rbm.queries import workflow
from rbm.services import measurements
from rbm.ui.entry_labels import headed
from rbm.ui.session import cached_query
from rbm.ui.widgets import number, plain, shown

YES, NO = "yes", "no"


def dec(value: Any) -> Decimal | None:
    return None if value is None or pd.isna(value) else Decimal(str(value))


def old(stored: pd.Series | None, column: str) -> Any:
    """The stored draft's value of `column`, or None (a new value)."""
    if stored is None or column not in stored or stored[column] is None:
        return None
    return None if pd.isna(stored[column]) else stored[column]


def value_inputs(row: pd.Series, stored: pd.Series | None, key: str) -> measurements.Values:
    measure = row["measure"]
    labels = list(stored["ordinal_labels"] or []) if stored is not None else []
    value = old(stored, "value")
    if measure == "percentage":
        return _percentage(stored, key)
    if measure == "yes_no":
        yes = st.radio(
            _("Achieved?"),
            [YES, NO],
            index=None if value is None else (0 if value == 1 else 1),
            format_func=lambda v: _("Yes") if v == YES else _("No"),
            horizontal=True,
            key=f"{key}_yn",
        )
        return measurements.Values(value=None if yes is None else Decimal(yes == YES))
    if measure == "ordinal" and labels:
        score = st.selectbox(
            _("Score"),
            range(len(labels)),
            index=None if value is None else int(value),
            key=f"{key}_ord",
            format_func=lambda i: f"{i} — {labels[i]}",
        )
        return measurements.Values(value=dec(score))
    if measure == "qualitative":
        text = st.text_area(_("Narrative"), value=old(stored, "narrative") or "", key=f"{key}_txt")
        return measurements.Values(narrative=text)
    entered = st.number_input(_("Value"), value=value, key=f"{key}_val")
    return measurements.Values(value=dec(entered))


def _percentage(stored: pd.Series | None, key: str) -> measurements.Values:
    a, b, c = st.columns(3)
    num = a.number_input(
        _("Numerator"), min_value=0.0, value=old(stored, "numerator"), key=f"{key}_num"
    )
    den = b.number_input(
        _("Denominator"), min_value=0.0, value=old(stored, "denominator"), key=f"{key}_den"
    )
    c.metric(_("Percentage"), number(num / den * 100, suffix=" %") if num and den else "—")
    return measurements.Values(numerator=dec(num), denominator=dec(den))


def breakdown(
    principal: Principal, row: pd.Series, total: Decimal | None, stored: pd.DataFrame, key: str
) -> dict[int, Decimal]:
    """The parts entered per dimension, with a check against the total for exhaustive ones."""
    parts = cached_query(
        workflow.indicator_dimensions, principal, indicator_id=int(row["indicator_id"])
    )
    if parts.empty:
        return {}
    kept = {(str(r["dimension"]), str(r["part"])): r["value"] for _i, r in stored.iterrows()}
    out: dict[int, Decimal] = {}
    with st.expander(_("Breakdown"), expanded=True):
        for dimension, group in parts.groupby("dimension", sort=False):
            entered = _parts_of(group, str(dimension), kept, key, out)
            if total is not None and entered and bool(group["exhaustive"].iloc[0]):
                _check_total(str(dimension), entered, total)
    return out


def _parts_of(
    group: pd.DataFrame, dimension: str, kept: dict[Any, Any], key: str, out: dict[int, Decimal]
) -> Decimal:
    entered = Decimal(0)
    for col, (_i, part) in zip(st.columns(len(group)), group.iterrows(), strict=True):
        before = kept.get((dimension, str(part["label"])))
        v = col.number_input(
            plain(str(part["label"])),
            min_value=0.0,
            value=None if before is None or pd.isna(before) else float(before),
            key=f"{key}_bd_{part['dimension_value_id']}",
        )
        if v is not None:
            out[int(part["dimension_value_id"])] = Decimal(str(v))
            entered += Decimal(str(v))
    return entered


def _check_total(dimension: str, entered: Decimal, total: Decimal) -> None:
    if entered == total:
        st.success(
            _(
                "{dimension}: the parts add up to the total ({total}).",
                dimension=plain(dimension),
                total=total,
            )
        )
    else:
        st.warning(
            _(
                "{dimension}: the parts add up to {entered}, not {total}.",
                dimension=plain(dimension),
                entered=entered,
                total=total,
            )
        )


def context(principal: Principal, row: pd.Series) -> workflow.MeasurementDetail | None:
    """What is shown above the inputs: the reviewer's comment on a returned value, baseline,
    target, current value and earlier approved values; the stored value's detail, if any."""
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
            _(
                "Returned by {author}: {text}",
                author=plain(str(last["author"])),
                text=plain(str(last["text"])),
            ),
            icon=":material/undo:",
        )
    yes_no = row["measure"] == "yes_no"
    a, b, c = st.columns(3)
    a.metric(_("Baseline"), shown(head["baseline"], yes_no) if head is not None else "—")
    b.metric(_("Target this period"), shown(head["target"], yes_no) if head is not None else "—")
    c.metric(_("Current value"), shown(row["value"], yes_no))
    if not earlier.empty:
        st.caption(_("Earlier approved values"))
        earlier = earlier.assign(value=earlier["value"].map(lambda v: shown(v, yes_no)))
        st.dataframe(headed(earlier[["period", "value"]]), hide_index=True)
    return detail
