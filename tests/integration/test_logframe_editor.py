"""The results-framework editor through its services, on SQLite and PostgreSQL: projects for
the manager's own organisation only, results kept a valid tree, indicators' reference sheets,
baselines and targets (with revisions and parts), archive instead of delete, periods
regenerated around values, officers' draft changes, and every refusal naming its field."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from rbm.db import Database
from rbm.errors import PermissionDenied, ValidationFailed
from rbm.models import Baseline, Project, ReportingPeriod, ResultNode, TargetPart
from rbm.models.enums import (
    Direction,
    Measure,
    OrgType,
    ProjectStatus,
    ResultLevel,
    Role,
    ScopeType,
)
from rbm.principal import Principal
from rbm.queries import logframe_editor as q
from rbm.queries.workflow import due
from rbm.services import logframe_editor as ed
from rbm.services import measurements, project_editor, projects, proposals
from rbm.services.reference import create_dimension, create_library_indicator
from tests.utils.builders import BuiltProject, LogframeBuilder, log_approved, make_org, make_user


@dataclass
class Team:
    built: BuiltProject
    admin: Principal
    manager: Principal
    second_manager: Principal
    officer: Principal
    outcome_id: int
    impact_id: int


@pytest.fixture
def team(db: Database) -> Team:
    with db.write() as session:
        admin = make_user(session, Role.ADMIN)
        built = LogframeBuilder(code="FA-1").with_indicator("1.a").build(session, admin)
        org = {"scope_type": ScopeType.ORGANISATION, "organisation_id": built.provider_id}
        manager = make_user(session, Role.MANAGER, scope=org)
        second = make_user(session, Role.MANAGER, scope=org)
        officer = make_user(
            session,
            Role.OFFICER,
            scope={"scope_type": ScopeType.PROJECT, "project_id": built.project_id},
        )
        ids = dict(
            session.execute(
                select(ResultNode.code, ResultNode.id).where(
                    ResultNode.project_id == built.project_id
                )
            ).all()
        )
    return Team(built, admin, manager, second, officer, ids["1"], ids["I"])


def _new_project(provider_id: int, **kw: object) -> projects.NewProject:
    base = projects.NewProject(
        code="FA-NEW",
        title="Firearms Protocol in three countries",
        provider_id=provider_id,
        start_date=date(2025, 1, 1),
        end_date=date(2026, 12, 31),
        countries={"HN": Decimal(50), "GT": Decimal(30), "SV": Decimal(20)},
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def _sheet(code: str = "1.b", **kw: object) -> ed.IndicatorSheet:
    base = ed.IndicatorSheet(code=code, title="Firearms marked", measure=Measure.NUMBER)
    return replace(base, **kw)  # type: ignore[arg-type]


def _problems(exc: pytest.ExceptionInfo[ValidationFailed]) -> str:
    return str(exc.value)


# --- projects ----------------------------------------------------------------------------


def test_a_manager_creates_a_project_for_their_own_organisation(db: Database, team: Team) -> None:
    with db.write() as session:
        project = projects.create_project(
            session, principal=team.manager, new=_new_project(team.built.provider_id)
        )
        assert project.provider_id == team.built.provider_id


def test_a_manager_cannot_create_a_project_for_another_organisation(
    db: Database, team: Team
) -> None:
    with db.write() as session:
        other = make_org(session, team.admin, "Someone else", OrgType.NGO)
    with pytest.raises(PermissionDenied, match="own organisation"), db.write() as session:
        projects.create_project(session, principal=team.manager, new=_new_project(other))
    with db.read() as session:
        assert session.scalar(select(Project.id).where(Project.code == "FA-NEW")) is None


def test_a_project_scoped_manager_cannot_change_the_funding(db: Database, team: Team) -> None:
    with db.write() as session:
        scoped = make_user(
            session,
            Role.MANAGER,
            scope={"scope_type": ScopeType.PROJECT, "project_id": team.built.project_id},
        )
        new = _new_project(
            team.built.provider_id,
            code="FA-1",
            countries={"HN": Decimal(100)},
            funding=[
                projects.FundingLine(
                    donor_id=team.built.donor_id, amount=Decimal(9), date_from=date(2024, 1, 1)
                )
            ],
        )
    with pytest.raises(PermissionDenied, match="change funding"), db.write() as session:
        project_editor.edit_project(
            session, principal=scoped, project_id=team.built.project_id, new=new
        )


def test_an_unknown_donor_and_shares_not_adding_up_are_refused_by_field(
    db: Database, team: Team
) -> None:
    new = _new_project(
        team.built.provider_id,
        countries={"HN": Decimal(50), "GT": Decimal(30)},
        funding=[
            projects.FundingLine(donor_id=99999, amount=Decimal(1), date_from=date(2025, 1, 1))
        ],
    )
    with pytest.raises(ValidationFailed) as exc, db.write() as session:
        projects.create_project(session, principal=team.manager, new=new)
    assert "recipient countries: shares add up to 80, not 100" in _problems(exc)
    assert "organisation: no organisation #99999" in _problems(exc)


def test_changing_the_dates_regenerates_only_periods_without_values(
    db: Database, team: Team
) -> None:
    b = team.built
    with db.write() as session:
        log_approved(
            session,
            officer=team.officer,
            manager=team.manager,
            indicator_id=b.indicator_ids["1.a"],
            period_id=b.period_ids["2025-Q4"],
            value=5,
        )
    new = _new_project(
        b.provider_id,
        code="FA-1",
        title="Project FA-1",
        start_date=date(2024, 1, 1),
        end_date=date(2025, 6, 30),
        countries={"HN": Decimal(100)},
        funding=[
            projects.FundingLine(
                donor_id=b.donor_id, amount=Decimal("500000"), date_from=date(2024, 1, 1)
            )
        ],
    )
    with db.write() as session:
        change = project_editor.edit_project(
            session, principal=team.manager, project_id=b.project_id, new=new
        )
    assert change.kept == ("2025-Q4",)
    assert change.removed == ("2025-Q3",)
    assert "kept (they hold values) 2025-Q4" in change.describe()
    with db.read() as session:
        labels = session.scalars(
            select(ReportingPeriod.label)
            .where(ReportingPeriod.project_id == b.project_id)
            .order_by(ReportingPeriod.start_date)
        ).all()
    assert labels[-2:] == ["2025-Q2", "2025-Q4"]


def test_closing_a_project_needs_a_reason_and_sets_it_closed(db: Database, team: Team) -> None:
    with pytest.raises(ValidationFailed, match="reason"), db.write() as session:
        project_editor.close_project(
            session, principal=team.manager, project_id=team.built.project_id, reason=" "
        )
    with db.write() as session:
        closed = project_editor.close_project(
            session, principal=team.manager, project_id=team.built.project_id, reason="Ended"
        )
        assert closed.status is ProjectStatus.CLOSED


# --- results -----------------------------------------------------------------------------


def test_a_result_without_a_statement_a_level_out_of_order_and_a_duplicate_code_are_refused(
    db: Database, team: Team
) -> None:
    pid = team.built.project_id
    cases = [
        (dict(level=ResultLevel.OUTPUT, code="1.1", statement=" "), "statement:"),
        (dict(level=ResultLevel.ACTIVITY, code="1.1", statement="Train"), "level:"),
        (dict(level=ResultLevel.OUTPUT, code="1", statement="Train"), "code: '1' is already"),
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationFailed, match=field), db.write() as session:
            ed.add_result(
                session,
                principal=team.manager,
                project_id=pid,
                parent_id=team.outcome_id,
                **kwargs,  # type: ignore[arg-type]
            )


def test_results_reorder_and_change_parent_and_the_tree_stays_valid(
    db: Database, team: Team
) -> None:
    pid = team.built.project_id
    with db.write() as session:
        second = ed.add_result(
            session,
            principal=team.manager,
            project_id=pid,
            level=ResultLevel.OUTCOME,
            code="2",
            statement="Firearms traced",
            parent_id=team.impact_id,
        ).id
        out = ed.add_result(
            session,
            principal=team.manager,
            project_id=pid,
            level=ResultLevel.OUTPUT,
            code="2.1",
            statement="Registry built",
            parent_id=second,
        ).id
        ed.move_result(session, principal=team.manager, node_id=second, offset=-1)
        ed.change_parent(session, principal=team.manager, node_id=out, parent_id=team.outcome_id)
    with db.read() as session:
        tree = q.logframe_tree(session, principal=team.manager, project_id=pid)
    assert tree["code"].tolist() == ["I", "2", "1", "2.1"]
    assert tree["depth"].tolist() == [0, 1, 1, 2]
    with pytest.raises(ValidationFailed, match="parent:"), db.write() as session:
        ed.change_parent(session, principal=team.manager, node_id=out, parent_id=team.impact_id)
    with pytest.raises(ValidationFailed, match="cannot move further"), db.write() as session:
        ed.move_result(session, principal=team.manager, node_id=second, offset=-1)


def test_a_result_with_values_is_archived_not_removed_and_leaves_entry(
    db: Database, team: Team
) -> None:
    b = team.built
    with db.write() as session:
        measurements.save_draft(
            session,
            principal=team.officer,
            indicator_id=b.indicator_ids["1.a"],
            period_id=b.period_ids["2024-Q1"],
            values=measurements.Values(value=Decimal(1)),
        )
    with pytest.raises(ValidationFailed, match="archive it instead"), db.write() as session:
        ed.remove_indicator(session, principal=team.manager, indicator_id=b.indicator_ids["1.a"])
    with pytest.raises(ValidationFailed, match="results under it"), db.write() as session:
        ed.remove_result(session, principal=team.manager, node_id=team.impact_id)
    with db.write() as session:
        ed.archive_result(
            session, principal=team.manager, node_id=team.outcome_id, reason="Dropped"
        )
    with db.read() as session:
        assert due(session, principal=team.officer, today=date(2025, 1, 1)).empty
        tree = q.logframe_tree(session, principal=team.manager, project_id=b.project_id)
    assert tree.set_index("code").at["1", "archived"]
    with pytest.raises(ValidationFailed, match="archived"), db.write() as session:
        measurements.save_draft(
            session,
            principal=team.officer,
            indicator_id=b.indicator_ids["1.a"],
            period_id=b.period_ids["2024-Q2"],
            values=measurements.Values(value=Decimal(1)),
        )


def test_a_result_without_values_or_children_is_removed(db: Database, team: Team) -> None:
    with db.write() as session:
        node = ed.add_result(
            session,
            principal=team.manager,
            project_id=team.built.project_id,
            level=ResultLevel.OUTPUT,
            code="1.1",
            statement="Laws drafted",
            parent_id=team.outcome_id,
        )
        ed.remove_result(session, principal=team.manager, node_id=node.id)
        assert session.get(ResultNode, node.id) is None


# --- indicators --------------------------------------------------------------------------


def test_indicator_sheet_refusals_name_their_field(db: Database, team: Team) -> None:
    cases = [
        (_sheet(measure=Measure.PERCENTAGE), "denominator rule:"),
        (_sheet(library_indicator_id=4242), "library indicator: no library indicator #4242"),
        (_sheet(code="1.a"), "code: '1.a' is already"),
        (_sheet(title=""), "title:"),
    ]
    for sheet, field in cases:
        with pytest.raises(ValidationFailed, match=field), db.write() as session:
            ed.create_indicator(
                session, principal=team.manager, result_node_id=team.outcome_id, sheet=sheet
            )


def test_the_full_reference_sheet_is_stored(db: Database, team: Team) -> None:
    with db.write() as session:
        lib = create_library_indicator(
            session,
            principal=team.admin,
            code="FA-MARK",
            title="Marked",
            unit="%",
            measure=Measure.PERCENTAGE,
        ).id
        sheet = _sheet(
            measure=Measure.PERCENTAGE,
            unit="%",
            denominator_rule="firearms seized in the period",
            definition="Share of seized firearms marked at import",
            data_source="National firearms registry",
            means_of_verification="Registry extract",
            method="Registry query",
            responsible="Registry officer",
            library_indicator_id=lib,
        )
        ed.create_indicator(
            session, principal=team.manager, result_node_id=team.outcome_id, sheet=sheet
        )
    with db.read() as session:
        df = q.logframe_indicators(
            session, principal=team.officer, project_id=team.built.project_id
        ).set_index("code")
    row = df.loc["1.b"]
    assert row["denominator_rule"] == "firearms seized in the period"
    assert row["library_code"] == "FA-MARK"
    assert row["responsible"] == "Registry officer"


def test_the_editor_shows_the_reference_baseline_the_one_it_edits(db: Database, team: Team) -> None:
    """An indicator with two baselines: the editor's table shows the earliest-dated (the
    reference the figures use, and the one the editor's baseline changes), whichever was
    recorded first."""
    indicator_id = team.built.indicator_ids["1.a"]
    with db.write() as session:
        session.add(Baseline(indicator_id=indicator_id, year=2019, value=Decimal("7")))
    with db.read() as session:
        df = q.logframe_indicators(
            session, principal=team.officer, project_id=team.built.project_id
        ).set_index("code")
        edited = ed.baseline_of(session, indicator_id)
    assert df.loc["1.a", "baseline_value"] == float(edited or 0) == 7.0


def test_meaning_changes_are_refused_once_approved_values_exist(db: Database, team: Team) -> None:
    b = team.built
    iid = b.indicator_ids["1.a"]
    with db.write() as session:
        sheet = _sheet(code="1.a", title="Indicator 1.a", unit="cases")
        assert ed.edit_indicator(session, principal=team.manager, indicator_id=iid, sheet=sheet)
        log_approved(
            session,
            officer=team.officer,
            manager=team.manager,
            indicator_id=iid,
            period_id=b.period_ids["2024-Q1"],
            value=3,
        )
    with pytest.raises(ValidationFailed) as exc, db.write() as session:
        ed.edit_indicator(
            session,
            principal=team.manager,
            indicator_id=iid,
            sheet=replace(sheet, unit="people", direction=Direction.DECREASE),
        )
    assert "unit: 1.a has 1 approved values" in _problems(exc)
    assert "direction:" in _problems(exc)
    with db.write() as session:  # wording is not meaning
        assert ed.edit_indicator(
            session,
            principal=team.manager,
            indicator_id=iid,
            sheet=replace(sheet, definition="Cases brought to court"),
        )


def test_a_baseline_after_the_project_end_is_refused(db: Database, team: Team) -> None:
    with pytest.raises(ValidationFailed, match="baseline date:"), db.write() as session:
        ed.set_baseline(
            session,
            principal=team.manager,
            indicator_id=team.built.indicator_ids["1.a"],
            baseline_date=date(2026, 3, 1),
            value=Decimal(1),
        )


def test_a_target_against_the_direction_is_refused(db: Database, team: Team) -> None:
    iid = team.built.indicator_ids["1.a"]
    with db.write() as session:
        ed.set_baseline(
            session,
            principal=team.manager,
            indicator_id=iid,
            baseline_date=date(2023, 12, 31),
            value=Decimal(10),
        )
    refused = pytest.raises(ValidationFailed, match="target: 5 is below the baseline")
    with refused, db.write() as session:
        ed.revise_target(
            session,
            principal=team.manager,
            indicator_id=iid,
            period_id=None,
            value=Decimal(5),
            reason="lower",
        )


def test_a_target_revision_after_the_start_needs_a_reason_and_shows_in_history(
    db: Database, team: Team
) -> None:
    iid = team.built.indicator_ids["1.a"]
    with pytest.raises(ValidationFailed, match="reason:"), db.write() as session:
        ed.revise_target(
            session, principal=team.manager, indicator_id=iid, period_id=None, value=Decimal(150)
        )
    with db.write() as session:
        assert ed.revise_target(
            session,
            principal=team.manager,
            indicator_id=iid,
            period_id=None,
            value=Decimal(150),
            reason="Second donor joined",
        )
    with db.read() as session:
        history = q.target_history(session, principal=team.officer, indicator_id=iid)
    last = history.iloc[-1]
    assert (last["old_value"], last["new_value"], last["reason"]) == (
        100.0,
        150.0,
        "Second donor joined",
    )


def test_targets_per_disaggregation_part_are_kept_and_must_add_up(db: Database, team: Team) -> None:
    b = team.built
    with db.write() as session:
        dim = create_dimension(
            session,
            principal=team.admin,
            code="sex",
            name="Sex",
            exhaustive=True,
            values=[("f", "Women"), ("m", "Men")],
        )
        session.flush()
        from rbm.models import DimensionValue

        women, men = session.scalars(
            select(DimensionValue.id)
            .where(DimensionValue.dimension_id == dim.id)
            .order_by(DimensionValue.position)
        ).all()
        ed.create_indicator(
            session,
            principal=team.manager,
            result_node_id=team.outcome_id,
            sheet=_sheet(dimension_ids=(dim.id,)),
        )
        iid = int(
            q.logframe_indicators(session, principal=team.manager, project_id=b.project_id)
            .set_index("code")
            .at["1.b", "indicator_id"]
        )
    period = b.period_ids["2025-Q1"]
    refused = pytest.raises(ValidationFailed, match="add up to 50, not the target 60")
    with refused, db.write() as session:
        ed.revise_target(
            session,
            principal=team.manager,
            indicator_id=iid,
            period_id=period,
            value=Decimal(60),
            parts={women: Decimal(20), men: Decimal(30)},
        )
    with db.write() as session:
        ed.revise_target(
            session,
            principal=team.manager,
            indicator_id=iid,
            period_id=period,
            value=Decimal(50),
            parts={women: Decimal(20), men: Decimal(30)},
        )
    with db.read() as session:
        stored = session.scalars(select(TargetPart.value).order_by(TargetPart.value)).all()
    assert stored == [Decimal(20), Decimal(30)]


# --- draft changes -------------------------------------------------------------------------


def test_an_officer_proposes_and_a_manager_applies_a_change(db: Database, team: Team) -> None:
    pid = team.built.project_id
    args = {
        "level": "output",
        "code": "1.1",
        "statement": "Marking machines installed",
        "parent_id": team.outcome_id,
    }
    with pytest.raises(PermissionDenied), db.write() as session:
        ed.add_result(
            session,
            principal=team.officer,
            project_id=pid,
            level=ResultLevel.OUTPUT,
            code="1.1",
            statement="x",
            parent_id=team.outcome_id,
        )
    with db.write() as session:
        proposal = proposals.propose(
            session,
            principal=team.officer,
            project_id=pid,
            operation="add_result",
            arguments=args,
            summary="Add the marking output",
        )
    with pytest.raises(PermissionDenied), db.write() as session:
        proposals.apply_proposal(session, principal=team.officer, proposal_id=proposal.id)
    with db.write() as session:
        proposals.apply_proposal(session, principal=team.manager, proposal_id=proposal.id)
    with db.read() as session:
        tree = q.logframe_tree(session, principal=team.officer, project_id=pid)
        listed = q.proposals(session, principal=team.officer, project_id=pid)
    assert "1.1" in tree["code"].tolist()
    assert listed.iloc[0]["status"] == "applied"


def test_a_rejected_proposal_needs_a_note_and_changes_nothing(db: Database, team: Team) -> None:
    pid = team.built.project_id
    with db.write() as session:
        proposal = proposals.propose(
            session,
            principal=team.officer,
            project_id=pid,
            operation="edit_result",
            arguments={"node_id": team.outcome_id, "statement": "Changed"},
            summary="Reword",
        )
    with pytest.raises(ValidationFailed, match="note:"), db.write() as session:
        proposals.reject_proposal(session, principal=team.manager, proposal_id=proposal.id, note="")
    with db.write() as session:
        proposals.reject_proposal(
            session, principal=team.manager, proposal_id=proposal.id, note="Keep it"
        )
        assert session.get(ResultNode, team.outcome_id).title == "Outcome"  # type: ignore[union-attr]
