"""Deterministic synthetic portfolios at three sizes, as one DataFrame per table for the bulk path.

Every project has the same shape, so per-project figures are comparable across sizes: a
logframe of seven result nodes (impact, two outcomes, four outputs) carrying 20 indicators,
25 quarterly reporting periods between 2018 and 2025, one value per indicator and period
(98% approved, 2% submitted), and, for one indicator in ten, a breakdown by sex. At size L
that is 2,000 projects in 150 countries, 40,000 indicators and 1,000,000 measurements.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

NODES_PER_PROJECT = 7
INDICATORS_PER_PROJECT = 20
PERIODS_PER_PROJECT = 25
PROVIDERS, DONORS, PARTNERS, AREAS = 10, 20, 30, 8
_NODE_CODES = ["I", "1", "2", "1.1", "1.2", "2.1", "2.2"]
_NODE_LEVELS = ["impact", "outcome", "outcome", "output", "output", "output", "output"]
_NODE_PARENT = [-1, 0, 0, 1, 1, 2, 2]
_INDICATOR_NODE = np.array([0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6])
_ACCUMULATIONS = np.array(["incremental", "cumulative", "level"])
_WORDS = [
    "training",
    "of",
    "judges",
    "prosecutors",
    "legislation",
    "drafting",
    "ministry",
    "ownership",
    "witness",
    "protection",
    "procurement",
    "delays",
    "baseline",
    "data",
    "monitoring",
    "national",
    "statistics",
    "coordination",
    "donors",
    "sustainability",
    "handover",
    "curriculum",
    "mentoring",
    "regional",
    "cooperation",
    "gender",
    "inclusion",
]
_QUARTERS = pd.date_range("2018-01-01", periods=48, freq="QS")


@dataclass(frozen=True)
class Size:
    name: str
    projects: int
    countries: int

    @property
    def indicators(self) -> int:
        return self.projects * INDICATORS_PER_PROJECT

    @property
    def measurements(self) -> int:
        return self.indicators * PERIODS_PER_PROJECT


SIZES = {"S": Size("S", 20, 15), "M": Size("M", 200, 60), "L": Size("L", 2000, 150)}


def portfolio_frames(
    size: Size,
    *,
    country_codes: Sequence[str],
    officer_id: int,
    manager_id: int,
    first_ids: Mapping[str, int] | None = None,
    seed: int = 42,
) -> dict[str, pd.DataFrame]:
    """The frames of one synthetic portfolio; the same arguments give the same frames."""
    rng = np.random.default_rng(seed)
    ids = _Ids(first_ids or {})
    codes = list(country_codes)[: size.countries]
    frames = _reference(ids)
    frames.update(_projects(size, ids, codes))
    frames.update(_logframes(size, ids, rng))
    frames.update(_measurements(size, ids, frames, rng, officer_id, manager_id))
    frames.update(_lessons(size, ids, frames, rng, officer_id))
    return frames


class _Ids:
    """The first id of each table (1 in an empty database)."""

    def __init__(self, first: Mapping[str, int]) -> None:
        self.first = dict(first)

    def range(self, table: str, n: int) -> np.ndarray:
        return np.arange(n, dtype=np.int64) + self.first.get(table, 1)


def _reference(ids: _Ids) -> dict[str, pd.DataFrame]:
    kinds = ["multilateral"] * PROVIDERS + ["government"] * DONORS + ["ngo"] * PARTNERS
    names = (
        [f"Provider {i}" for i in range(PROVIDERS)]
        + [f"Donor {i}" for i in range(DONORS)]
        + [f"Partner {i}" for i in range(PARTNERS)]
    )
    dimension = ids.range("dimension", 1)
    return {
        "organisation": pd.DataFrame(
            {"id": ids.range("organisation", len(names)), "name": names, "type": kinds}
        ),
        "priority_area": pd.DataFrame(
            {
                "id": ids.range("priority_area", AREAS),
                "code": [f"area-{i}" for i in range(AREAS)],
                "name": [f"Priority area {i}" for i in range(AREAS)],
            }
        ),
        "dimension": pd.DataFrame({"id": dimension, "code": ["sex"], "name": ["Sex"]}),
        "dimension_value": pd.DataFrame(
            {
                "id": ids.range("dimension_value", 2),
                "dimension_id": np.repeat(dimension, 2),
                "code": ["female", "male"],
                "label": ["Female", "Male"],
                "position": [0, 1],
            }
        ),
    }


def _projects(size: Size, ids: _Ids, codes: list[str]) -> dict[str, pd.DataFrame]:
    n = size.projects
    i = np.arange(n)
    pid = ids.range("project", n)
    org = ids.range("organisation", PROVIDERS + DONORS + PARTNERS)
    area = ids.range("priority_area", AREAS)
    first_quarter = i % 8
    start = _QUARTERS[first_quarter]
    end = _QUARTERS[first_quarter + PERIODS_PER_PROJECT] - pd.Timedelta(days=1)
    two = i % 3 == 0
    second = (i * 7 + 3) % len(codes)
    second = np.where(second == i % len(codes), (second + 1) % len(codes), second)
    countries = pd.DataFrame(
        {
            "project_id": np.concatenate([pid, pid[two]]),
            "country_code": [codes[k] for k in i % len(codes)] + [codes[k] for k in second[two]],
            "share": np.concatenate([np.where(two, 60.0, 100.0), np.full(two.sum(), 40.0)]),
        }
    )
    cofunded = i % 4 == 0
    funding = pd.DataFrame(
        {
            "id": ids.range("funding", n + int(cofunded.sum())),
            "project_id": np.concatenate([pid, pid[cofunded]]),
            "donor_id": np.concatenate(
                [org[PROVIDERS + i % DONORS], org[PROVIDERS + (i[cofunded] + 7) % DONORS]]
            ),
            "amount": np.concatenate([1_000_000.0 + 1000.0 * i, 250_000.0 + i[cofunded]]),
            "date_from": np.concatenate([start.date, start[cofunded].date]),
        }
    )
    two_areas = i % 5 == 0
    return {
        "project": pd.DataFrame(
            {
                "id": pid,
                "code": [f"BEN-{k:05d}" for k in i],
                "title": [f"Synthetic technical assistance project {k}" for k in i],
                "status": np.where(end.year < 2025, "closed", "implementation"),
                "start_date": start.date,
                "end_date": end.date,
                "provider_id": org[i % PROVIDERS],
                "budget": 1_500_000.0 + 1000.0 * i,
            }
        ),
        "project_country": countries,
        "project_priority_area": pd.DataFrame(
            {
                "project_id": np.concatenate([pid, pid[two_areas]]),
                "priority_area_id": np.concatenate(
                    [area[i % AREAS], area[(i[two_areas] + 3) % AREAS]]
                ),
            }
        ),
        "project_sector": pd.DataFrame({"project_id": pid, "code": "15130", "share": 100.0}),
        "project_partner": pd.DataFrame(
            {
                "project_id": pid,
                "organisation_id": org[PROVIDERS + DONORS + i % PARTNERS],
                "role": "implementing",
            }
        ),
        "funding": funding,
        "reporting_period": _periods(pid, first_quarter, ids),
    }


def _periods(pid: np.ndarray, first_quarter: np.ndarray, ids: _Ids) -> pd.DataFrame:
    k = np.tile(np.arange(PERIODS_PER_PROJECT), len(pid))
    quarter = np.repeat(first_quarter, PERIODS_PER_PROJECT) + k
    starts = _QUARTERS[quarter]
    ends = _QUARTERS[quarter + 1] - pd.Timedelta(days=1)
    return pd.DataFrame(
        {
            "id": ids.range("reporting_period", len(k)),
            "project_id": np.repeat(pid, PERIODS_PER_PROJECT),
            "label": [f"{s.year}-Q{(s.month - 1) // 3 + 1}" for s in starts],
            "start_date": starts.date,
            "end_date": ends.date,
        }
    )


def _logframes(size: Size, ids: _Ids, rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    n = size.projects
    pid = ids.range("project", n)
    node_ids = ids.range("result_node", n * NODES_PER_PROJECT)
    j = np.tile(np.arange(NODES_PER_PROJECT), n)
    parent_j = np.array(_NODE_PARENT)[j]
    parent = np.where(parent_j < 0, -1, node_ids - j + parent_j)
    nodes = pd.DataFrame(
        {
            "id": node_ids,
            "project_id": np.repeat(pid, NODES_PER_PROJECT),
            "parent_id": pd.array(np.where(parent < 0, 0, parent), dtype="Int64"),
            "level": np.array(_NODE_LEVELS)[j],
            "code": np.array(_NODE_CODES)[j],
            "title": [f"Result {c}" for c in np.array(_NODE_CODES)[j]],
            "position": j,
        }
    )
    nodes.loc[parent < 0, "parent_id"] = pd.NA
    k = np.tile(np.arange(INDICATORS_PER_PROJECT), n)
    project_index = np.repeat(np.arange(n), INDICATORS_PER_PROJECT)
    ind_ids = ids.range("indicator", len(k))
    percentage = k % 5 == 4
    baseline = rng.integers(0, 50, len(k)).astype(np.float64)
    indicators = pd.DataFrame(
        {
            "id": ind_ids,
            "result_node_id": node_ids[project_index * NODES_PER_PROJECT + _INDICATOR_NODE[k]],
            "code": [f"i{c + 1}" for c in k],
            "title": [f"Synthetic indicator {c + 1}" for c in k],
            "measure": np.where(percentage, "percentage", "number"),
            "direction": "increase",
            "accumulation": np.where(percentage, "level", _ACCUMULATIONS[k % 3]),
            "position": k,
        }
    )
    broken_down = ind_ids[k % 10 == 0]
    dimension = ids.range("dimension", 1)[0]
    return {
        "result_node": nodes,
        "indicator": indicators,
        "indicator_dimension": pd.DataFrame(
            {"indicator_id": broken_down, "dimension_id": dimension}
        ),
        "baseline": pd.DataFrame(
            {
                "id": ids.range("baseline", len(k)),
                "indicator_id": ind_ids,
                "value": baseline,
                "year": 2018,
            }
        ),
        "target": pd.DataFrame(
            {
                "id": ids.range("target", len(k)),
                "indicator_id": ind_ids,
                "value": baseline + rng.integers(50, 300, len(k)),
            }
        ),
    }


def _measurements(
    size: Size,
    ids: _Ids,
    frames: Mapping[str, pd.DataFrame],
    rng: np.random.Generator,
    officer_id: int,
    manager_id: int,
) -> dict[str, pd.DataFrame]:
    indicators = frames["indicator"]
    n_ind = len(indicators)
    k = np.tile(np.arange(PERIODS_PER_PROJECT), n_ind)
    project_index = np.repeat(np.arange(n_ind) // INDICATORS_PER_PROJECT, PERIODS_PER_PROJECT)
    period_ids = frames["reporting_period"]["id"].to_numpy()
    period_end = pd.to_datetime(frames["reporting_period"]["end_date"]).to_numpy()
    period_row = project_index * PERIODS_PER_PROJECT + k
    percentage = np.repeat(indicators["measure"].to_numpy() == "percentage", PERIODS_PER_PROJECT)
    n = len(k)
    denominator = np.where(percentage, rng.integers(50, 200, n), np.nan)
    numerator = np.where(percentage, np.floor(denominator * rng.random(n)), np.nan)
    value = np.where(percentage, 100 * numerator / denominator, rng.integers(0, 40, n))
    submitted = rng.random(n) < 0.02
    mids = ids.range("measurement", n)
    measurement = pd.DataFrame(
        {
            "id": mids,
            "indicator_id": np.repeat(indicators["id"].to_numpy(), PERIODS_PER_PROJECT),
            "reporting_period_id": period_ids[period_row],
            "revision": 1,
            "is_current": True,
            "status": np.where(submitted, "submitted", "approved"),
            "value": np.round(value, 4),
            "numerator": numerator,
            "denominator": denominator,
            "created_by_id": officer_id,
            "submitted_by_id": officer_id,
            "submitted_at": pd.to_datetime(
                period_end[period_row] + np.timedelta64(10, "D")
            ).tz_localize("UTC"),
            "reviewed_by_id": pd.array(np.where(submitted, 0, manager_id), dtype="Int64"),
            "version": 1,
        }
    )
    measurement.loc[submitted, "reviewed_by_id"] = pd.NA
    return {"measurement": measurement, "measurement_breakdown": _breakdowns(frames, measurement)}


def _breakdowns(frames: Mapping[str, pd.DataFrame], measurement: pd.DataFrame) -> pd.DataFrame:
    split = frames["indicator_dimension"]["indicator_id"]
    rows = measurement[measurement["indicator_id"].isin(split)]
    female = np.floor(rows["value"].to_numpy() / 2)
    values = frames["dimension_value"]["id"].to_numpy()
    return pd.DataFrame(
        {
            "measurement_id": np.concatenate([rows["id"], rows["id"]]),
            "dimension_value_id": np.repeat(values, len(rows)),
            "value": np.concatenate([female, rows["value"].to_numpy() - female]),
        }
    )


def _lessons(
    size: Size,
    ids: _Ids,
    frames: Mapping[str, pd.DataFrame],
    rng: np.random.Generator,
    officer_id: int,
) -> dict[str, pd.DataFrame]:
    projects = frames["project"]
    n = len(projects)
    lid = ids.range("lesson", n)
    words = np.array(_WORDS)
    text = [" ".join(rng.choice(words, 30)) for _ in range(n)]
    first_country = frames["project_country"].drop_duplicates("project_id")
    return {
        "lesson": pd.DataFrame(
            {
                "id": lid,
                "title": [f"Lesson from {c}" for c in projects["code"]],
                "text": text,
                "project_id": projects["id"].to_numpy(),
                "recorded_by_id": officer_id,
                "recorded_at": pd.Timestamp(date(2025, 6, 30), tz="UTC"),
            }
        ),
        "lesson_country": pd.DataFrame(
            {"lesson_id": lid, "country_code": first_country["country_code"].to_numpy()}
        ),
    }
