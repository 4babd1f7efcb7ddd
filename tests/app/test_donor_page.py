"""Donor page: a donor sees what it funds, its money by country share, library-indicator
results by the engine's portfolio rules, and the indicators that flag projects."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import update

from rbm.db import Database
from rbm.models import Indicator, LibraryIndicator
from rbm.models.enums import Measure, Role, ScopeType
from rbm.principal import Principal
from tests.app.conftest import open_app, unescaped
from tests.utils.builders import LogframeBuilder, log_approved, make_user

DONOR = "rbm/ui/pages/donor.py"


@pytest.fixture
def funded(app_db: Database) -> dict[str, Principal]:
    """Two projects of one donor sharing a library indicator (30 and 12 trained), and a
    third project of another donor."""
    with app_db.write() as session:
        admin = make_user(session, Role.ADMIN)
        lib = LibraryIndicator(
            code="LIB-T", title="Practitioners trained", unit="persons", measure=Measure.NUMBER
        )
        session.add(lib)
        session.flush()
        built = {}
        for code, countries, value in (("A", {"HN": 100}, 30), ("B", {"KE": 50, "UG": 50}, 12)):
            p = (
                LogframeBuilder(
                    code=code,
                    countries=countries,
                    start=date(2024, 1, 1),
                    end=date(2024, 12, 31),
                    donor="Norad",
                )
                .with_indicator("1.a", target=100)
                .build(session, admin)
            )
            log_approved(
                session,
                officer=admin,
                manager=make_user(session, Role.MANAGER),
                indicator_id=p.indicator_ids["1.a"],
                period_id=p.period_ids["2024-Q1"],
                value=value,
            )
            built[code] = p
        session.execute(
            update(Indicator)
            .where(Indicator.id.in_([b.indicator_ids["1.a"] for b in built.values()]))
            .values(library_indicator_id=lib.id, unit="persons")
        )
        LogframeBuilder(code="C", donor="Other donor").build(session, admin)
        donor = make_user(
            session,
            Role.DONOR,
            scope={"scope_type": ScopeType.ORGANISATION, "organisation_id": built["A"].donor_id},
        )
    return {"admin": admin, "donor": donor}


def test_a_donor_sees_only_their_own_funding(funded) -> None:
    at = open_app(funded["donor"], page=DONOR)
    assert not at.exception
    assert unescaped(at.title[0].value) == "Donor · Norad"
    assert at.selectbox(key="dn_donor").options == ["Norad"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Funded projects"] == "2"
    assert metrics["Contribution"] == "USD 1.00 M"
    assert metrics["Recipient countries"] == "3"


def test_library_results_are_summed_across_the_donors_projects(funded) -> None:
    at = open_app(funded["donor"], page=DONOR)
    results = next(d.value for d in at.dataframe if "library_code" in d.value.columns)
    row = results.set_index("library_code").loc["LIB-T"]
    assert row["total"] == 42
    assert row["n_projects"] == 2
    assert row["aggregation"] == "sum"


def test_money_by_country_follows_the_country_shares(funded) -> None:
    at = open_app(funded["admin"], page=DONOR)
    assert unescaped(at.title[0].value) == "Donor · Norad"
    projects = next(d.value for d in at.dataframe if "donor_amount" in d.value.columns)
    assert projects["donor_amount"].tolist() == [500000.0, 500000.0]
