"""The needs register on SQLite and PostgreSQL: coverage of each need, suggested and confirmed
projects, funding and gaps by country, region and priority area, unfunded needs for a donor,
and who reads and writes what."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select

from rbm.db import Database
from rbm.errors import NotFound, PermissionDenied, ValidationFailed
from rbm.models import AuditEvent, Need
from rbm.models.enums import AssistanceKind, Coverage, Priority
from rbm.principal import Principal
from rbm.queries import needs as q
from rbm.services import needs as svc
from tests.conftest import require_postgres
from tests.utils.checklist_world import World, world_database


@pytest.fixture(params=["sqlite", "postgresql"])
def world_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Database, World]]:
    url = require_postgres() if request.param == "postgresql" else ""
    yield from world_database(request.param, tmp_path, url)


@pytest.fixture
def db(world_db: tuple[Database, World]) -> Database:
    return world_db[0]


@pytest.fixture
def world(world_db: tuple[Database, World]) -> World:
    return world_db[1]


def _register(db: Database, world: World, who: str = "manager") -> pd.DataFrame:
    with db.read() as session:
        return q.needs_register(session, principal=getattr(world, who))


def _need(db: Database, world: World, country: str, provision: str) -> pd.Series:
    reg = _register(db, world)
    return reg[(reg["country_code"] == country) & (reg["provision"] == provision)].iloc[0]


def _link(db: Database, world: World, need_id: int, code: str) -> None:
    with db.write() as session:
        svc.link_project(
            session, principal=world.manager, need_id=need_id, project_id=world.project_ids[code]
        )


@pytest.mark.parametrize(
    ("providers", "coverage"), [(0, "uncovered"), (1, "covered"), (2, "several"), (5, "several")]
)
def test_coverage_follows_the_number_of_distinct_providers(providers: int, coverage: str) -> None:
    assert Coverage.of(providers).value == coverage


def test_each_need_shows_whether_it_is_uncovered_covered_or_covered_twice(
    db: Database, world: World
) -> None:
    reg = _register(db, world).set_index(["country_code", "provision"])["coverage"]
    assert reg[("HN", "UNTOC-24")] == "covered"
    assert reg[("HN", "TIP-6")] == "uncovered"
    assert reg[("NG", "TIP-6")] == "several"  # UNODC and Expertise France: possible duplication
    assert len(reg) == 8


def test_a_closed_project_no_longer_covers_a_need(db: Database, world: World) -> None:
    need = _need(db, world, "HN", "UNTOC-28")
    _link(db, world, int(need["id"]), "DATA-HND-OLD")
    after = _need(db, world, "HN", "UNTOC-28")
    assert after["coverage"] == "uncovered" and after["funding"] == 0


def test_a_project_covering_two_needs_splits_its_funding_between_them(
    db: Database, world: World
) -> None:
    assert _need(db, world, "HN", "UNTOC-24")["funding"] == 1_800_000
    _link(db, world, int(_need(db, world, "HN", "UNTOC-28")["id"]), "WP-HND")
    witness, data = _need(db, world, "HN", "UNTOC-24"), _need(db, world, "HN", "UNTOC-28")
    assert witness["funding"] == data["funding"] == 900_000
    assert data["gap"] == 0 and data["estimated_cost"] == 350_000


def test_the_resource_gap_by_country_adds_up_costs_funding_and_shortfalls(
    db: Database, world: World
) -> None:
    with db.read() as session:
        gap = q.resource_gap(session, principal=world.manager, by="country")
    hn = gap.set_index("country_code").loc["HN"]
    assert (hn["needs"], hn["uncovered"], hn["costed"]) == (3, 2, 3)
    assert hn["estimated_cost"] == 250_000 + 350_000 + 420_000
    assert hn["funding"] == 1_800_000
    assert hn["gap"] == 350_000 + 420_000  # over-funding one need does not fill another
    assert gap["gap"].tolist() == sorted(gap["gap"], reverse=True)


@pytest.mark.parametrize(
    ("by", "key", "value", "gap"),
    [
        (
            "region",
            "region",
            "Latin America and the Caribbean",
            350_000 + 420_000 + 900_000 + 90_000,
        ),
        ("priority_area", "area_code", "firearms-protocol", 90_000 + 250_000),
    ],
)
def test_the_resource_gap_is_also_shown_by_region_and_by_priority_area(
    db: Database, world: World, by: str, key: str, value: str, gap: int
) -> None:
    with db.read() as session:
        table = q.resource_gap(session, principal=world.manager, by=by)
    assert table.set_index(key).loc[value, "gap"] == gap


def test_the_resource_gap_refuses_an_unknown_grouping(db: Database, world: World) -> None:
    with (
        pytest.raises(ValidationFailed, match="choose one of country, region, priority_area"),
        db.read() as session,
    ):
        q.resource_gap(session, principal=world.manager, by="donor")


def test_uncovered_needs_are_grouped_by_region_and_priority_area(
    db: Database, world: World
) -> None:
    with db.read() as session:
        table = q.uncovered_needs_by_region_area(session, principal=world.manager)
    rows = {(r.region, r.area_code): (r.needs, r.countries) for r in table.itertuples()}
    assert rows[("Latin America and the Caribbean", "firearms-protocol")] == (1, "Guatemala")
    assert rows[("Sub-Saharan Africa", "firearms-protocol")] == (1, "Nigeria")
    assert ("Latin America and the Caribbean", "witness-protection") not in rows
    assert table["needs"].sum() == 5


def test_a_donor_sees_unfunded_needs_where_it_already_works_best_matches_first(
    db: Database, world: World
) -> None:
    with db.read() as session:
        mine = q.unfunded_needs_for_donor(
            session, principal=world.donor_norway, donor_id=world.org_ids["Norway"]
        )
    # Norway funds Honduras (witness protection, legislative assistance, data collection).
    assert mine["provision"].tolist() == ["UNTOC-28", "TIP-6"]
    assert mine.iloc[0]["in_donor_country"] and mine.iloc[0]["in_donor_area"]
    assert not mine.iloc[1]["in_donor_area"]


def test_a_donor_cannot_look_at_another_donors_unfunded_needs(db: Database, world: World) -> None:
    with pytest.raises(PermissionDenied), db.read() as session:
        q.unfunded_needs_for_donor(
            session, principal=world.donor_norway, donor_id=world.org_ids["Canada"]
        )
    with db.read() as session:
        canada = q.unfunded_needs_for_donor(
            session, principal=world.manager, donor_id=world.org_ids["Canada"]
        )
    assert set(canada["country_code"]) == {"GT"}


@pytest.mark.parametrize(
    ("who", "countries"),
    [
        ("focal_hn", {"HN"}),
        ("focal_gt", {"GT"}),
        ("officer", {"NG"}),
        ("evaluator", {"HN", "GT", "NG"}),
        ("donor_norway", {"HN", "GT", "NG"}),
    ],
)
def test_each_role_reads_the_needs_of_its_scope(
    db: Database, world: World, who: str, countries: set[str]
) -> None:
    assert set(_register(db, world, who)["country_code"]) == countries


def test_the_country_view_shows_a_states_needs_beside_the_assistance_it_receives(
    db: Database, world: World
) -> None:
    with db.read() as session:
        hn = q.needs_for_country(session, principal=world.focal_hn, country_code="HN")
        other = q.needs_for_country(session, principal=world.focal_hn, country_code="GT")
    assert hn.set_index("provision").loc["UNTOC-24", "projects"] == "WP-HND"
    assert hn.set_index("provision").loc["UNTOC-24", "provider_names"] == "UNODC"
    assert other.empty


def test_projects_are_suggested_by_country_and_priority_area_and_confirmed_by_a_person(
    db: Database, world: World
) -> None:
    data_need = int(_need(db, world, "HN", "UNTOC-28")["id"])
    with db.read() as session:
        suggested = svc.suggest_projects(session, principal=world.manager, need_id=data_need)
    assert [s.code for s in suggested] == ["WP-HND"]  # the closed project is not suggested
    assert not suggested[0].same_area
    assert _need(db, world, "HN", "UNTOC-28")["coverage"] == "uncovered"  # not until confirmed
    _link(db, world, data_need, "WP-HND")
    with db.read() as session:
        assert svc.suggest_projects(session, principal=world.manager, need_id=data_need) == []
        linked = q.linked_projects(session, principal=world.manager, need_id=data_need)
    assert linked["code"].tolist() == ["WP-HND"]
    assert linked.iloc[0]["confirmed_by"].endswith("manager@demo.rbm")


def test_only_managers_link_and_only_projects_working_in_the_country(
    db: Database, world: World
) -> None:
    data_need = int(_need(db, world, "HN", "UNTOC-28")["id"])
    with pytest.raises(PermissionDenied), db.write() as session:
        svc.link_project(
            session,
            principal=world.focal_hn,
            need_id=data_need,
            project_id=world.project_ids["WP-HND"],
        )
    with pytest.raises(ValidationFailed, match="does not work in the need's country"):
        _link(db, world, data_need, "WP-GTM")
    _link(db, world, data_need, "WP-HND")
    with pytest.raises(ValidationFailed, match="already linked"):
        _link(db, world, data_need, "WP-HND")


def test_unlinking_a_project_uncovers_the_need_and_is_audited(db: Database, world: World) -> None:
    witness = int(_need(db, world, "HN", "UNTOC-24")["id"])
    with db.write() as session:
        svc.unlink_project(
            session,
            principal=world.manager,
            need_id=witness,
            project_id=world.project_ids["WP-HND"],
        )
    assert _need(db, world, "HN", "UNTOC-24")["coverage"] == "uncovered"
    with db.read() as session:
        event = session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_type == "need", AuditEvent.action == "unlink_project"
            )
        ).one()
    assert event.entity_id == witness and event.before == {
        "project_id": world.project_ids["WP-HND"]
    }
    with pytest.raises(NotFound), db.write() as session:
        svc.unlink_project(
            session,
            principal=world.manager,
            need_id=witness,
            project_id=world.project_ids["WP-HND"],
        )


def test_a_focal_point_enters_needs_for_their_own_country_only(db: Database, world: World) -> None:
    with db.write() as session:
        need = svc.create_need(
            session,
            principal=world.focal_hn,
            country_code="HN",
            kind=AssistanceKind.EQUIPMENT,
            priority=Priority.LOW,
            description="Scanners for the border posts.",
            estimated_cost=Decimal("75000"),
        )
    added = _register(db, world).set_index("id").loc[need.id]
    assert (added["cycle"], added["coverage"], added["gap"]) == (
        "entered directly",
        "uncovered",
        75_000,
    )
    for who, country in ((world.focal_hn, "GT"), (world.donor_norway, "HN")):
        with pytest.raises(PermissionDenied), db.write() as session:
            svc.create_need(
                session,
                principal=who,
                country_code=country,
                kind=AssistanceKind.OTHER,
                priority=Priority.LOW,
                description="x",
            )


def test_a_need_gets_an_estimated_cost_never_a_negative_one(db: Database, world: World) -> None:
    tip = int(_need(db, world, "HN", "TIP-6")["id"])
    with pytest.raises(ValidationFailed, match="cannot be negative"), db.write() as session:
        svc.update_need(
            session,
            principal=world.focal_hn,
            need_id=tip,
            estimated_cost=Decimal("-1"),
            priority=Priority.HIGH,
            description="x",
        )
    with db.write() as session:
        svc.update_need(
            session,
            principal=world.focal_hn,
            need_id=tip,
            estimated_cost=Decimal("500000"),
            priority=Priority.MEDIUM,
            description="Shelters in San Pedro Sula and La Ceiba.",
        )
    with db.read() as session:
        need = session.get(Need, tip)
        event = session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.entity_type == "need",
                AuditEvent.entity_id == tip,
                AuditEvent.action == "edit",
            )
            .order_by(AuditEvent.id.desc())
        ).first()
    assert need is not None and need.estimated_cost == 500_000 and need.priority is Priority.MEDIUM
    assert event is not None and event.before is not None
    assert Decimal(event.before["estimated_cost"]) == 420_000
    with pytest.raises(PermissionDenied), db.write() as session:
        svc.update_need(
            session,
            principal=world.focal_gt,
            need_id=tip,
            estimated_cost=None,
            priority=Priority.LOW,
            description="x",
        )


def test_an_empty_register_gives_empty_tables_with_their_columns(
    db: Database, world: World
) -> None:
    nobody = Principal(user_id=world.admin.user_id, email="x@test.rbm", name="x", grants=())
    with db.read() as session:
        register = q.needs_register(session, principal=world.focal_hn, country_code="PE")
        gap = q.resource_gap(session, principal=nobody, by="region")
        open_ = q.uncovered_needs_by_region_area(session, principal=nobody)
    assert register.empty and gap.empty and open_.empty
    assert {"region", "estimated_cost", "funding", "gap"} <= set(gap.columns)
    assert {"region", "area", "needs", "countries"} <= set(open_.columns)
