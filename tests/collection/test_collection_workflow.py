"""Data collection through the action functions: rounds, values with validation and history,
district totals, and the submit → approve → accept workflow with its refusals."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from childfirst.accounts.models import AuditEvent
from childfirst.collection import actions
from childfirst.collection.entries import RawCell
from childfirst.collection.models import Channel, DataValue, Submission, SubmissionState, ValueChange
from childfirst.collection.review import review_submission
from childfirst.collection.scope import expected_for
from childfirst.collection.totals import derive_total
from childfirst.evaluation.actions import do_publish
from childfirst.plans.models import Department, Indicator

DEADLINE = datetime.date(2026, 3, 31)


def fill_everything(submission: Submission, user, *, value: str = "95") -> None:
    """Enter a plausible value (or a rate of value/100) for every cell the department owes."""
    expected = expected_for(submission.round.plan, submission.round.year, submission.department)
    cells = []
    for indicator, area in expected.cells():
        if indicator.is_rate and indicator.per_street:
            cells.append(RawCell(indicator.code, area.code, numerator=value, denominator="100"))
        elif indicator.is_rate:
            cells.append(RawCell(indicator.code, area.code, value=value if indicator.unit == "%" else "3"))
        else:
            cells.append(RawCell(indicator.code, area.code, value="12"))
    actions.save_values(user, submission, cells, channel=Channel.WEB)


@pytest.mark.django_db
class TestRounds:
    def test_opening_a_round_creates_one_submission_per_reporting_department(self, plan, round_2025):
        codes = set(round_2025.submissions.values_list("department__code", flat=True))
        assert {"health", "education", "civil-affairs", "justice"} <= codes
        leads = set(
            Department.objects.filter(responsibilities__order=0, responsibilities__indicator__plan=plan).values_list(
                "code", flat=True
            )
        )
        assert codes == leads
        assert AuditEvent.objects.filter(action="collection.open_round").exists()

    def test_only_the_office_opens_and_not_twice(self, plan, users, round_2025):
        with pytest.raises(PermissionDenied):
            actions.do_open_round(users.reporter, plan, 2024, DEADLINE)
        with pytest.raises(actions.CollectionError, match="已经有"):
            actions.do_open_round(users.office, plan, 2025, DEADLINE)

    def test_baseline_round_asks_only_for_baselines(self, plan, users):
        baseline = actions.do_open_round(users.office, plan, 2018, DEADLINE)
        submissions = list(baseline.submissions.all())
        assert len(submissions) == 1
        expected = expected_for(plan, 2018, submissions[0].department)
        assert [i.name for i in expected.indicators] == ["儿童青少年总体近视率"]

    def test_health_reports_newborn_visits_per_street(self, health):
        expected = expected_for(health.round.plan, 2025, health.department)
        visits = next(i for i in expected.indicators if i.name == "新生儿访视率")
        assert len(expected.areas_for(visits)) == 14


@pytest.mark.django_db
class TestValues:
    def test_rate_is_stored_as_numerator_and_denominator(self, health, users):
        actions.save_values(
            users.reporter,
            health,
            [RawCell("HEA-04", "330302001", numerator="９２０", denominator="1,000", comment=" 全年 ")],
            channel=Channel.WEB,
        )
        value = DataValue.objects.get(submission=health, indicator__code="HEA-04", area__code="330302001")
        assert (value.numerator, value.denominator, value.value) == (Decimal(920), Decimal(1000), Decimal(92))
        assert value.comment == "全年" and value.channel == "web" and value.updated_by == users.reporter
        change = ValueChange.objects.get(data_value=value)
        assert change.old is None and change.new["value"] == "92" and change.submission_state == "draft"

    def test_every_error_is_reported_and_nothing_saved(self, health, users):
        cells = [
            RawCell("HEA-04", "330302001", numerator="abc", denominator="100"),
            RawCell("HEA-04", "330302002", numerator="120", denominator="100"),
            RawCell("HEA-04", "330302003", numerator="-1", denominator="100"),
            RawCell("HEA-04", "330302004", value="90"),  # per-street rate without its parts
            RawCell("HEA-01", "330302", value="1.5", numerator="1", denominator="2"),
            RawCell("HEA-04", "330302005", numerator="90", denominator="100"),  # fine on its own
        ]
        with pytest.raises(actions.ValuesRejected) as caught:
            actions.save_values(users.reporter, health, cells, channel=Channel.WEB)
        rules = sorted({f.rule for f in caught.value.findings})
        assert rules == ["negative", "not_a_number", "not_a_rate", "numerator_above_denominator", "rate_needs_parts"]
        messages = " ".join(f.message for f in caught.value.findings)
        assert "abc 不是数字" in messages and "分子（120）大于分母（100）" in messages
        assert not DataValue.objects.filter(submission=health).exists()
        assert not ValueChange.objects.exists()

    def test_overlong_text_is_refused_not_truncated(self, health, users):
        with pytest.raises(actions.ValuesRejected) as caught:
            actions.save_values(
                users.reporter,
                health,
                [RawCell("HEA-01", "330302", value="1", source_note="年报" * 300)],
                channel=Channel.WEB,
            )
        assert "过长：600 个字符，最多 500 个" in caught.value.findings[0].message

    def test_percent_typed_either_way(self, users, round_2025):
        market = Submission.objects.get(round=round_2025, department__code="market-regulation")
        reporter = _reporter_of(market.department)
        result = actions.save_values(reporter, market, [RawCell("SAF-02", "330302", value="0.97")], channel=Channel.WEB)
        assert DataValue.objects.get(submission=market, indicator__code="SAF-02").value == 97
        assert "0.97 按 97% 理解" in str(result.notices[0])
        actions.save_values(reporter, market, [RawCell("SAF-02", "330302", value="96.5%")], channel=Channel.WEB)
        assert DataValue.objects.get(submission=market, indicator__code="SAF-02").value == Decimal("96.5")
        with pytest.raises(actions.ValuesRejected, match="1 处问题"):
            actions.save_values(reporter, market, [RawCell("SAF-02", "330302", value="101")], channel=Channel.WEB)

    def test_changes_keep_history_and_unchanged_values_add_none(self, health, users):
        cell = RawCell("HEA-01", "330302", value="1")
        actions.save_values(users.reporter, health, [cell], channel=Channel.WEB)
        result = actions.save_values(users.reporter, health, [cell], channel=Channel.WEB)
        assert result.unchanged == 1 and ValueChange.objects.count() == 1
        actions.save_values(users.reporter, health, [RawCell("HEA-01", "330302", value="2")], channel=Channel.API)
        value = DataValue.objects.get(submission=health, indicator__code="HEA-01")
        assert value.version == 2
        latest = value.changes.first()
        assert (latest.old["value"], latest.new["value"], latest.channel) == ("1", "2", "api")

    def test_a_value_changed_by_someone_else_is_not_overwritten(self, health, users):
        actions.save_values(users.reporter, health, [RawCell("HEA-01", "330302", value="1")], channel=Channel.WEB)
        seen = {("HEA-01", "330302"): 1}
        actions.save_values(users.reporter, health, [RawCell("HEA-01", "330302", value="2")], channel=Channel.WEB)
        with pytest.raises(actions.ValuesRejected) as caught:
            actions.save_values(
                users.reporter,
                health,
                [RawCell("HEA-01", "330302", value="3")],
                channel=Channel.WEB,
                seen_versions=seen,
            )
        assert caught.value.findings[0].rule == "conflict"
        assert DataValue.objects.get(submission=health, indicator__code="HEA-01").value == 2

    def test_only_the_departments_reporters_enter_values(self, health, users):
        cell = [RawCell("HEA-01", "330302", value="1")]
        for user in (users.reviewer, users.education_reporter, users.office, users.leader):
            with pytest.raises(PermissionDenied):
                actions.save_values(user, health, cell, channel=Channel.WEB)

    def test_cells_the_department_does_not_owe_are_refused(self, health, users):
        with pytest.raises(actions.ValuesRejected) as caught:
            actions.save_values(
                users.reporter,
                health,
                [
                    RawCell("EDU-03", "330302001", numerator="1", denominator="2"),
                    RawCell("HEA-01", "330302001", value="1"),
                ],
                channel=Channel.WEB,
            )
        assert [f.rule for f in caught.value.findings] == ["not_expected", "not_expected"]

    def test_district_total_sums_parts_never_averages_rates(self, health, users):
        actions.save_values(
            users.reporter,
            health,
            [
                RawCell("HEA-04", "330302001", numerator="90", denominator="100"),
                RawCell("HEA-04", "330302002", numerator="500", denominator="1000"),
            ],
            channel=Channel.WEB,
        )
        indicator = Indicator.objects.get(plan=health.round.plan, code="HEA-04")
        total = derive_total(indicator, list(DataValue.objects.filter(indicator=indicator)), 14)
        assert total.numerator == 590 and total.denominator == 1100
        assert total.value == Decimal("53.636364")  # not (90 + 50) / 2 = 70
        assert (total.areas_reported, total.areas_expected) == (2, 14)


def _reporter_of(department):
    from ..conftest import make_user

    return make_user(f"reporter-{department.code}", "dept_reporter", department=department.code)


@pytest.mark.django_db
class TestWorkflow:
    def test_submit_is_blocked_until_every_value_is_given_or_explained(self, health, users):
        with pytest.raises(actions.SubmissionBlocked) as caught:
            actions.do_submit(users.reporter, health, health.version)
        assert {f.rule for f in caught.value.findings} == {"required_missing"}
        fill_everything(health, users.reporter)
        health.refresh_from_db()
        submitted = actions.do_submit(users.reporter, health, health.version)
        assert submitted.state == SubmissionState.SUBMITTED and submitted.submitted_by == users.reporter

    def test_missing_with_a_reason_counts_as_answered(self, health, users):
        fill_everything(health, users.reporter)
        actions.save_values(
            users.reporter,
            health,
            [RawCell("HEA-01", "330302", value=None, missing_reason="机构评审尚未完成")],
            channel=Channel.WEB,
        )
        health.refresh_from_db()
        assert not review_submission(health).blocking

    def test_full_path_with_return_accept_lock_and_reopen(self, health, users):
        fill_everything(health, users.reporter)
        health.refresh_from_db()
        health = actions.do_submit(users.reporter, health, health.version)
        with pytest.raises(PermissionDenied):
            actions.do_approve(users.reporter, health, health.version)
        with pytest.raises(actions.CollectionError, match="原因"):
            actions.do_return(users.reviewer, health, health.version, "  ")
        health = actions.do_return(users.reviewer, health, health.version, "五马街道分母偏小，请核实")
        assert health.state == SubmissionState.RETURNED and "五马" in health.return_reason
        health = actions.do_submit(users.reporter, health, health.version)
        health = actions.do_approve(users.reviewer, health, health.version)
        with pytest.raises(PermissionDenied):
            actions.do_accept(users.reviewer, health, health.version)
        health = actions.do_accept(users.office, health, health.version)
        assert health.state == SubmissionState.ACCEPTED

        with pytest.raises(actions.CollectionError, match="不能修改"):
            actions.save_values(users.reporter, health, [RawCell("HEA-01", "330302", value="3")], channel=Channel.WEB)
        with pytest.raises(PermissionDenied):
            actions.do_reopen(users.reviewer, health, health.version, "更正")
        health = actions.do_reopen(users.office, health, health.version, "市里通报口径调整，需更正")
        assert health.state == SubmissionState.RETURNED
        event = AuditEvent.objects.filter(action="collection.reopen").first()
        assert event.detail["reason"] == "市里通报口径调整，需更正" and event.actor == users.office
        actions.save_values(users.reporter, health, [RawCell("HEA-01", "330302", value="3")], channel=Channel.WEB)
        latest = DataValue.objects.get(submission=health, indicator__code="HEA-01").changes.first()
        assert latest.submission_state == SubmissionState.RETURNED

    def test_two_people_acting_at_once_one_wins_the_other_is_told(self, health, users):
        fill_everything(health, users.reporter)
        health.refresh_from_db()
        health = actions.do_submit(users.reporter, health, health.version)
        seen_by_both = health.version
        actions.do_approve(users.reviewer, health, seen_by_both)
        second_reviewer = _reviewer_two()
        with pytest.raises(actions.StaleSubmission, match="其他人"):
            actions.do_return(second_reviewer, health, seen_by_both, "数据有误")
        health.refresh_from_db()
        assert health.state == SubmissionState.APPROVED

    def test_closed_round_refuses_changes(self, health, users, round_2025):
        actions.do_close_round(users.office, round_2025)
        with pytest.raises(actions.CollectionError, match="已关闭"):
            actions.save_values(users.reporter, health, [RawCell("HEA-01", "330302", value="1")], channel=Channel.WEB)

    def test_soft_warning_needs_a_comment(self, plan, users):
        """A street far from the others is flagged, and submission waits for a comment on it."""
        education_round = actions.do_open_round(users.office, plan, 2024, DEADLINE)
        submission = Submission.objects.get(round=education_round, department__code="health")
        fill_everything(submission, users.reporter, value="95")
        actions.save_values(
            users.reporter,
            submission,
            [RawCell("HEA-04", "330302009", numerator="40", denominator="100")],
            channel=Channel.WEB,
        )
        submission.refresh_from_db()
        blocking = review_submission(submission).blocking
        assert [(f.rule, f.area) for f in blocking] == [("street_outlier", "330302009")]
        actions.save_values(
            users.reporter,
            submission,
            [RawCell("HEA-04", "330302009", numerator="40", denominator="100", comment="年中新增外来人口，访视滞后")],
            channel=Channel.WEB,
        )
        submission.refresh_from_db()
        assert actions.do_submit(users.reporter, submission, submission.version).state == "submitted"


def _reviewer_two():
    from ..conftest import make_user

    return make_user("reviewer2", "dept_reviewer", department="health")


def run_second_district_round(second_district, year: int, visits: dict[str, str], deaths: str) -> Submission:
    """The made-up district's round for `year`: its health department enters newborn visits per
    street (of 100 newborns) and the infant mortality, submits, has it approved and accepted."""
    d = second_district
    reporting_round = actions.do_open_round(d.office, d.plan, year, datetime.date(year + 1, 3, 31))
    submission = Submission.objects.get(round=reporting_round, department__code="health")
    assert submission.department.area.code == "990101"
    cells = [RawCell("HEA-01", street, numerator=visited, denominator="100") for street, visited in visits.items()]
    cells.append(RawCell("HEA-02", "990101", value=deaths))
    actions.save_values(d.reporter, submission, cells, channel=Channel.WEB)
    submission.refresh_from_db()
    submission = actions.do_submit(d.reporter, submission, submission.version)
    submission = actions.do_approve(d.reviewer, submission, submission.version)
    return actions.do_accept(d.office, submission, submission.version)


@pytest.mark.django_db
class TestSecondDistrict:
    """A made-up district (990101) beside Lucheng: its own plan, departments, rounds and users."""

    def test_a_round_of_its_own_through_the_whole_workflow(self, second_district, round_2025, users):
        accepted = run_second_district_round(
            second_district, 2025, {"990101001": "96", "990101002": "91"}, deaths="3.5"
        )
        assert accepted.state == SubmissionState.ACCEPTED
        expected = expected_for(second_district.plan, 2025, accepted.department)
        assert {area.code for _indicator, area in expected.cells()} == {"990101", "990101001", "990101002"}
        values = DataValue.objects.filter(submission=accepted)
        assert {v.area.code for v in values} == {"990101", "990101001", "990101002"}
        # The district's newborn visit rate sums its two streets' parts: 187 of 200.
        visits = Indicator.objects.get(plan=second_district.plan, code="HEA-01")
        total = derive_total(visits, list(values.filter(indicator=visits)), 2)
        assert (total.numerator, total.denominator, total.value) == (187, 200, Decimal("93.5"))
        assert (total.areas_reported, total.areas_expected) == (2, 2)
        # Lucheng's round of the same year is untouched and still a draft.
        assert not DataValue.objects.filter(submission__round=round_2025).exists()
        lucheng_health = Submission.objects.get(round=round_2025, department__code="health")
        assert lucheng_health.state == SubmissionState.DRAFT

    def test_users_of_one_district_do_not_see_the_others_plan_or_rounds(
        self, client, second_district, round_2025, users
    ):
        from childfirst.plans.access import user_can_see_plan, visible_plan

        d = second_district
        run_second_district_round(d, 2025, {"990101001": "96", "990101002": "91"}, deaths="3.5")
        lucheng = round_2025.plan
        for user in (d.office, d.reporter, d.reviewer, d.supervisor):
            assert user_can_see_plan(user, d.plan) and not user_can_see_plan(user, lucheng), user
            assert visible_plan(user) == d.plan
        for user in (users.office, users.reporter, users.supervisor, users.leader, users.director):
            assert user_can_see_plan(user, lucheng) and not user_can_see_plan(user, d.plan), user
            assert visible_plan(user) == lucheng
        # The pages: each office's round list shows its own plan only.
        client.force_login(users.office)
        page = client.get("/plans/lucheng-2021-2025/collection/").content.decode()
        assert lucheng.name in page and d.plan.name not in page
        client.force_login(d.office)
        page = client.get(f"/plans/{d.plan.code}/collection/").content.decode()
        assert d.plan.name in page and lucheng.name not in page
        assert client.get("/plans/lucheng-2021-2025/collection/").status_code == 403
        # The made-up district's reporter cannot enter Lucheng's health values, nor the reverse.
        lucheng_health = Submission.objects.get(round=round_2025, department__code="health")
        with pytest.raises(PermissionDenied):
            actions.save_values(
                d.reporter, lucheng_health, [RawCell("HEA-01", "330302", value="1")], channel=Channel.WEB
            )
        madeup_2024 = actions.do_open_round(d.office, d.plan, 2024, DEADLINE)
        madeup_health = Submission.objects.get(round=madeup_2024, department__code="health")
        with pytest.raises(PermissionDenied):
            actions.save_values(
                users.reporter, madeup_health, [RawCell("HEA-02", "990101", value="1")], channel=Channel.WEB
            )

    def test_an_office_acts_only_on_its_own_districts_plan(self, second_district, users):
        d = second_district
        with pytest.raises(PermissionDenied):
            actions.do_open_round(users.office, d.plan, 2025, DEADLINE)
        madeup_round = actions.do_open_round(d.office, d.plan, 2025, DEADLINE)
        for step in (actions.do_close_round, actions.do_send_reminders):
            args = (datetime.date(2026, 3, 1),) if step is actions.do_send_reminders else ()
            with pytest.raises(PermissionDenied):
                step(users.office, madeup_round, *args)
        submission = Submission.objects.get(round=madeup_round, department__code="health")
        with pytest.raises(PermissionDenied):
            actions.do_accept(users.office, submission, submission.version)
        with pytest.raises(PermissionDenied):
            actions.do_return(users.office, submission, submission.version, "wrong district")
        with pytest.raises(PermissionDenied):
            do_publish(users.office, d.plan, 2025, reason="wrong district")
