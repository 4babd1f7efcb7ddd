"""The needs and resources page: the register with coverage for each reader, confirming a
suggested project, adding and costing a need, the resource-mobilization table, uncovered needs
by region and area, and a donor's unfunded needs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from rbm.db import Database
from rbm.models import Need, NeedProject
from rbm.settings import get_settings
from tests.app.conftest import open_app, unescaped
from tests.utils.checklist_world import World, world_database

NEEDS = "rbm/ui/pages/needs.py"


@pytest.fixture
def world_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Database, World]]:
    """The checklist world in a SQLite file that the app under test uses. Query caches are
    emptied first: they are keyed on the data version, which copies of the world share."""
    st.cache_data.clear()
    for db, world in world_database("sqlite", tmp_path):
        monkeypatch.setenv("RBM_DATABASE_URL", db.url)
        get_settings.cache_clear()
        yield db, world


def _register(at: AppTest) -> pd.DataFrame:
    return next(df.value for df in at.dataframe if "Coverage" in df.value.columns)


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _need_id(db: Database, country: str, description_start: str) -> int:
    with db.read() as session:
        ids = session.scalars(
            select(Need.id).where(
                Need.country_code == country, Need.description.startswith(description_start)
            )
        ).all()
    return int(ids[-1])


def test_a_manager_sees_every_need_with_its_coverage(world_db) -> None:
    _, world = world_db
    at = open_app(world.manager, NEEDS)
    assert not at.exception
    assert _metrics(at) == {
        "Needs": "8",
        "Uncovered": "5",
        "Several providers": "1",
        "Estimated cost": "USD 3.76 M",
        "Gap": "USD 2.01 M",
    }
    table = _register(at)
    nigeria = table[(table["Country"] == "Nigeria") & (table["Provision"] == "TIP Art. 6")]
    assert nigeria.iloc[0]["Coverage"] == "Covered by several providers"
    assert nigeria.iloc[0]["Projects"] == "TIP-NGA, TIP-NGA-EF"


def test_the_coverage_filter_keeps_the_uncovered_needs(world_db) -> None:
    _, world = world_db
    at = open_app(world.manager, NEEDS)
    at.selectbox(key="nd_cov").select("uncovered").run()
    assert set(_register(at)["Coverage"]) == {"Uncovered"}
    assert len(_register(at)) == 5


def test_a_manager_confirms_a_suggested_project_and_the_need_is_covered(world_db) -> None:
    db, world = world_db
    data_need = _need_id(db, "HN", "Collection, exchange")
    at = open_app(world.manager, NEEDS)
    at.selectbox(key="nd_need").select(data_need).run()
    confirm = at.button(key=f"nd_link_{data_need}_{world.project_ids['WP-HND']}")
    assert any("Project WP" in m.value and "other priority area" in m.value for m in at.markdown)
    confirm.click().run()
    assert unescaped(at.success[0].value) == f"WP-HND confirmed as addressing need #{data_need}."
    row = _register(at).set_index("#").loc[data_need]
    assert (row["Coverage"], row["Projects"]) == ("Covered", "WP-HND")
    with db.read() as session:
        link = session.get(NeedProject, (data_need, world.project_ids["WP-HND"]))
    assert link is not None and link.confirmed_by_id == world.manager.user_id


def test_a_focal_point_sees_their_countrys_needs_and_adds_one(world_db) -> None:
    db, world = world_db
    at = open_app(world.focal_hn, NEEDS)
    assert set(_register(at)["Country"]) == {"Honduras"}
    assert not [k for k in (b.key for b in at.button) if k and k.startswith("nd_link_")]
    assert at.selectbox(key="nd_add_country").options == ["Honduras"]
    at.text_area(key="nd_add_text").input("Forensic laboratory for firearms tracing.")
    at.number_input(key="nd_add_cost").set_value(180000.0)
    at.selectbox(key="nd_add_kind").select("equipment")
    at.button(key="FormSubmitter:nd_add-Add the need").click().run()
    assert unescaped(at.success[0].value) == "Need added."
    added = _register(at)
    row = added[added["Need"] == "Forensic laboratory for firearms tracing."].iloc[0]
    assert (row["From"], row["Coverage"], row["Gap"]) == ("entered directly", "Uncovered", 180000)
    with db.read() as session:
        assert session.scalar(select(Need.created_by_id).where(Need.id == int(row["#"]))) == (
            world.focal_hn.user_id
        )


def test_a_focal_point_costs_one_of_their_needs(world_db) -> None:
    db, world = world_db
    tip = _need_id(db, "HN", "Assistance to and protection of victims")
    at = open_app(world.focal_hn, NEEDS)
    at.selectbox(key="nd_need").select(tip).run()
    at.number_input(key=f"nd_cost_{tip}").set_value(500000.0)
    at.button(key=f"FormSubmitter:nd_edit_{tip}-Save the need").click().run()
    assert unescaped(at.success[0].value) == f"Need #{tip} saved."
    assert _register(at).set_index("#").loc[tip, "Estimated cost"] == 500000
    with db.read() as session:
        need = session.get(Need, tip)
    assert need is not None and need.estimated_cost == 500_000


def test_donors_and_evaluators_read_without_writing(world_db) -> None:
    _, world = world_db
    for who in (world.donor_norway, world.evaluator):
        at = open_app(who, NEEDS)
        assert not at.exception
        assert len(_register(at)) == 8
        keys = [b.key for b in at.button]
        assert not [k for k in keys if k and k.startswith(("nd_link_", "nd_unlink_"))]
        assert "FormSubmitter:nd_add-Add the need" not in keys
        assert not [e for e in at.expander if e.label == "Add a need"]


def test_the_resource_mobilization_table_by_region(world_db) -> None:
    _, world = world_db
    at = open_app(world.manager, NEEDS)
    at.radio(key="nd_gap_by").set_value("region").run()
    gap = next(df.value for df in at.dataframe if "Costed" in df.value.columns)
    latin = gap.set_index("Region").loc["Latin America and the Caribbean"]
    assert (latin["Needs"], latin["Uncovered"]) == (6, 4)
    assert latin["Gap"] == 350_000 + 420_000 + 900_000 + 90_000


def test_uncovered_needs_by_region_and_area(world_db) -> None:
    _, world = world_db
    at = open_app(world.manager, NEEDS)
    table = next(df.value for df in at.dataframe if "Countries" in df.value.columns)
    assert int(table["Uncovered needs"].sum()) == 5
    assert "Sub-Saharan Africa" in set(table["Region"])


def test_a_donor_sees_the_unfunded_needs_where_it_already_works(world_db) -> None:
    _, world = world_db
    at = open_app(world.donor_norway, NEEDS)
    assert [t.label for t in at.tabs][-1] == "Unfunded needs you could support"
    tables = [df.value for df in at.dataframe if "Coverage" in df.value.columns]
    mine = tables[-1]
    assert mine["Provision"].tolist() == ["UNTOC Art. 28", "TIP Art. 6"]
    assert set(mine["Country"]) == {"Honduras"}


def test_needs_costed_in_another_currency_are_totalled_apart_from_the_dollars(world_db) -> None:
    db, world = world_db
    nid = _need_id(db, "NG", "")
    with db.write() as session:
        need = session.get(Need, nid)
        assert need is not None and need.estimated_cost is not None
        euros = float(need.estimated_cost)
        need.currency = "EUR"
    at = open_app(world.manager, NEEDS)
    assert not at.exception
    cost = _metrics(at)["Estimated cost"]
    dollars, rest = cost.split(" + ")
    assert dollars.startswith("USD ") and rest == f"EUR {euros / 1e6:.2f} M"
    assert float(dollars.removeprefix("USD ").removesuffix(" M")) == pytest.approx(
        3.76 - euros / 1e6, abs=0.006
    )
    row = _register(at).set_index("#").loc[nid]
    assert row["Currency"] == "EUR"
    # Its cost is edited in its own currency, which the field names (it said USD).
    at.selectbox(key="nd_need").select(nid).run()
    assert at.number_input(key=f"nd_cost_{nid}").label == "Estimated cost (EUR)"
