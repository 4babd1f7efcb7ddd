"""The checks of a filled measurement template, run over the whole frame at once.

Every rule is a vectorised test over all rows, run through one pandera schema (`lazy=True`), so
one pass reports every problem of every row, each with its row, column, a short excerpt of the
cell and the fix ("use yes or no", not "'yes' is not a number"). Nothing here writes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from rbm.i18n import N_, _

#: Words accepted for yes/no measures (English, French, Spanish), lower-cased.
YES_NO = {"yes": 1, "no": 0, "y": 1, "n": 0, "oui": 1, "non": 0, "sí": 1, "si": 1, "1": 1, "0": 0,
          "true": 1, "false": 0}  # fmt: skip
MAX_NARRATIVE = 4000
#: The value columns are Numeric(20, 4): at most 16 digits before the point and 4 after.
MAX_DECIMALS, MAX_INTEGER_DIGITS = 4, 16
EXCERPT = 30
NUMBER_COLUMNS = ("value", "numerator", "denominator")


@dataclass(frozen=True)
class Rule:
    column: str
    #: What to do, in English (marked; translated when reported).
    fix: str
    bad: Callable[[pd.DataFrame], pd.Series]
    #: Rules on the same cell reported after a more basic one are left out.
    shows_value: bool = True


def excerpt(value: object) -> str:
    """A bad cell as shown back: quoted, control characters made visible, cut short."""
    text = "" if value is None else str(value)
    text = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)
    return "'" + text[:EXCERPT] + ("…" if len(text) > EXCERPT else "") + "'"


def numbers(text: pd.Series) -> pd.Series:
    """Text cells as floats (NaN where empty or not a number; inf where written so)."""
    return pd.to_numeric(text, errors="coerce").astype("float64")


def yes_no(text: pd.Series) -> pd.Series:
    return text.map(lambda v: YES_NO.get(str(v).strip().lower()) if v is not None else None)


def _not_a_number(text: pd.Series, parsed: pd.Series) -> pd.Series:
    return text.notna() & parsed.isna() & ~text.astype(str).str.lower().isin(["nan", "-nan"])


def beyond_precision(text: pd.Series, parsed: pd.Series) -> pd.Series:
    """Finite numbers with more decimals or integer digits than the column stores."""
    out = pd.Series(False, index=text.index)
    finite = parsed.notna() & np.isfinite(parsed.fillna(0))
    plain = text[finite].astype(str).str.lstrip("+-")
    if plain.empty:
        return out
    split = plain.str.partition(".")
    whole, frac = split[0], split[2]
    digits = frac.str.rstrip("0").str.len()
    width = whole.str.lstrip("0").str.len()
    exponent = plain.str.contains("e", case=False, regex=False)
    out[finite] = ~exponent & ((digits > MAX_DECIMALS) | (width > MAX_INTEGER_DIGITS))
    return out


def rules(df: pd.DataFrame, breakdown_columns: list[str]) -> list[Rule]:
    """The rules over the prepared frame (see `prepare`): for each cell the more basic come
    first (a NUL byte, then the key, then the number's form, then its meaning)."""
    m = df["measure"]
    numeric_measure = m.isin(["number", "ordinal"])
    count = (m == "number") & df["accumulation"].isin(["incremental", "cumulative"])
    out = [
        Rule(col, N_("holds a NUL character; retype the cell"), _has_nul(col))
        for col in ("project", "indicator", "period", *NUMBER_COLUMNS, "narrative",
                    *breakdown_columns)
    ]  # fmt: skip
    out += [
        Rule("project", N_("is not a project you may log results for; use the template's code"),
             lambda d: d["project"].notna() & ~d["_project_ok"]),
        Rule("project", N_("is empty; copy the project code from the template"),
             lambda d: d["project"].isna()),
        Rule("indicator", N_("is not an indicator of this project; use the template's codes"),
             lambda d: d["_project_ok"] & ~d["_indicator_ok"]),
        Rule("period", N_("is not a reporting period of this project; use the template's labels"),
             lambda d: d["_indicator_ok"] & d["indicator_id"].isna()),
        Rule("period", N_("is locked; ask a manager to unlock it or leave the row blank"),
             lambda d: d["_locked"]),
        Rule("period", N_("has not started yet; leave the row blank until it starts"),
             lambda d: d["_not_started"]),
        Rule("period", N_("repeats an earlier row for the same indicator and period; keep one row"),
             lambda d: d["_duplicate"]),
        Rule("period", N_("holds a value awaiting approval; it cannot change until it is reviewed"),
             lambda d: d["_awaiting"]),
    ]  # fmt: skip
    for col in NUMBER_COLUMNS:
        applies = numeric_measure if col == "value" else m == "percentage"
        out += _number_rules(col, applies)
    for col in breakdown_columns:
        out.append(Rule(col, N_("is not a breakdown of this indicator; leave the cell blank"),
                        _not_a_part(col)))  # fmt: skip
        out += _number_rules(col, df[col].notna())
        out.append(Rule(col, N_("is negative; a part cannot be below 0"), _negative(col)))
    out += [
        Rule("narrative", N_("is too long; shorten it to at most {max_narrative} characters"),
             lambda d: d["narrative"].fillna("").str.len() > MAX_NARRATIVE),
        Rule("narrative", N_("is required for a qualitative indicator; write the narrative"),
             lambda d: (m == "qualitative") & d["narrative"].isna(), shows_value=False),
        Rule("value", N_("is not yes or no; use yes or no (oui/non, sí/no, 1/0 also work)"),
             lambda d: (m == "yes_no") & d["value"].notna() & d["_yes_no"].isna()),
        Rule("value", N_("is required for a number, yes/no or ordinal indicator; fill it"),
             lambda d: m.isin(["number", "yes_no", "ordinal"]) & d["value"].isna(),
             shows_value=False),
        Rule("value", N_("is a score outside this indicator's scale; use one of its scores"),
             lambda d: (m == "ordinal") & d["_value"].notna() & ~d["_score_ok"]),
        Rule("value", N_("is negative; a count cannot be below 0"),
             lambda d: count & (d["_value"] < 0)),
        Rule("numerator", N_("is required for a percentage indicator; fill it"),
             lambda d: (m == "percentage") & d["numerator"].isna(), shows_value=False),
        Rule("denominator", N_("is required for a percentage indicator; fill it"),
             lambda d: (m == "percentage") & d["denominator"].isna(), shows_value=False),
        Rule("denominator", N_("must be greater than 0"), lambda d: d["_denominator"] <= 0),
        Rule("numerator", N_("is negative; a numerator cannot be below 0"),
             lambda d: d["_numerator"] < 0),
        Rule("numerator", N_("is above the denominator; a percentage's numerator is at most "
             "its denominator"),
             lambda d: (d["_denominator"] > 0) & (d["_numerator"] > d["_denominator"])),
    ]  # fmt: skip
    return out


def _has_nul(col: str) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda d: d[col].fillna("").astype(str).str.contains("\x00", regex=False)


def _not_a_part(col: str) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda d: d[col].notna() & ~d[f"_has:{col}"]


def _negative(col: str) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda d: numbers(d[col]) < 0


def _number_rules(col: str, applies: pd.Series) -> list[Rule]:
    """The form of a number cell, read from its parsed column `_n:<col>`."""
    return [
        Rule(col, N_("is not a number; write digits only, e.g. 12.5"),
             lambda d: applies & _not_a_number(d[col], d[f"_n:{col}"])),
        Rule(col, N_("is not a finite number; write a number"),
             lambda d: applies & d[col].notna() & np.isinf(d[f"_n:{col}"]) | applies
             & d[col].notna() & d[col].astype(str).str.lower().isin(["nan", "-nan"])),
        Rule(col, N_("has more digits than are stored; round it to {max_decimals} decimals"),
             lambda d: applies & beyond_precision(d[col], d[f"_n:{col}"])),
    ]  # fmt: skip


def sum_problems(df: pd.DataFrame, groups: dict[str, list[str]]) -> list[tuple[int, str, str]]:
    """Exhaustive dimensions whose parts, where any is given, do not add up to the total."""
    out = []
    total = np.where(df["measure"] == "percentage", df["_numerator"], df["_value"])
    for dimension, cols in groups.items():
        parts = pd.concat([numbers(df[c]) for c in cols], axis=1)
        given = parts.notna().any(axis=1)
        sums = parts.sum(axis=1, min_count=1)
        bad = given & pd.notna(total) & ~np.isclose(sums, total.astype(float))
        for index in df.index[bad]:
            t = float(total[df.index.get_loc(index)])
            said = _(
                "the {dimension} parts add up to {parts}, not the total {total}; correct the parts",
                dimension=dimension,
                parts=_fmt(sums[index]),
                total=_fmt(t),
            )
            out.append((index, cols[0], said))
    return out


def _fmt(x: float) -> str:
    return str(int(x)) if math.isfinite(x) and float(x).is_integer() else f"{x:g}"


def check(df: pd.DataFrame, all_rules: list[Rule]) -> list[tuple[int, str, str]]:
    """(index, column, message) for every failing cell; for each cell only the first (most
    basic) failing rule is kept. Each rule's result is one boolean column, validated by one
    lazy pandera schema whose failure cases name the rows."""
    passed = pd.DataFrame(
        {str(i): ~r.bad(df).fillna(False).astype(bool) for i, r in enumerate(all_rules)},
        index=df.index,
    )
    schema = pa.DataFrameSchema(
        {name: pa.Column(bool, pa.Check(lambda s: s, name=name)) for name in passed.columns}
    )
    try:
        schema.validate(passed, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases[["column", "index"]].dropna().drop_duplicates()
    else:
        return []
    seen: set[tuple[int, str]] = set()
    out = []
    for number, index in sorted(
        ((int(c), int(i)) for c, i in cases.itertuples(index=False)), key=lambda c: c[0]
    ):
        rule = all_rules[number]
        if (index, rule.column) in seen:
            continue
        seen.add((index, rule.column))
        cell = df.at[index, rule.column]
        shown = f"{excerpt(cell)} " if rule.shows_value and cell is not None else ""
        fix = _(rule.fix, max_narrative=MAX_NARRATIVE, max_decimals=MAX_DECIMALS)
        out.append((index, rule.column, f"{shown}{fix}"))
    return out
