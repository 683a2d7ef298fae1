"""Discovery rules (data/discovery.yaml): each rule, routing by area, re-runs not duplicating tasks,
withdrawing what no longer holds, and the rules file's validation."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from childfirst.areas.models import Area
from childfirst.datafile import DataFileInvalid
from childfirst.linkage.discovery import DISCOVERY_FILE, do_discover, read_rules, subjects
from childfirst.linkage.models import TaskState, VerificationTask
from childfirst.linkage.run import do_run_linkage
from childfirst.registry.children.actions import ChildData, do_create_child

from .task_lists import DIRECTOR_COMMUNITY, STREET, Row, id_number, make_list, years_ago

pytestmark = pytest.mark.django_db


def discover() -> dict:
    do_run_linkage()
    return do_discover()


def tasks(rule: str) -> list[VerificationTask]:
    return list(VerificationTask.objects.filter(rule=rule).order_by("pk"))


def test_the_shipped_rules_are_valid():
    spec = read_rules()
    assert {r.key for r in spec.rules} >= {
        "out_of_school",
        "parent_imprisoned",
        "benefit_without_file",
        "moved_out",
        "deceased",
        "turns_18",
    }
    assert [r.name for r in spec.reject_reasons][:4] == ["在外地就读", "已迁出", "信息有误", "已有档案"]


def test_a_wrong_rules_file_names_the_place(tmp_path: Path):
    text = DISCOVERY_FILE.read_text(encoding="utf-8").replace("category: out_of_school", "category: truant", 1)
    bad = tmp_path / "discovery.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileInvalid) as error:
        read_rules(bad)
    assert "'truant' is not a registry category code" in str(error.value)
    assert "rules[0].category" in str(error.value)
    bad.write_text(text.replace("in_none_of: [school]", "in_none_of: [schol]"), encoding="utf-8")
    with pytest.raises(DataFileInvalid, match="schol"):
        read_rules(bad)


def test_school_age_child_in_no_student_list_is_suspected_out_of_school(matcher):
    make_list(
        "hukou",
        [
            Row("失学童", years_ago(12)),
            Row("在校童", years_ago(10)),
            Row("幼童", years_ago(4)),
            Row("大童", years_ago(17)),  # 16 on the last 31 August: past compulsory school
        ],
        proves="population",
    )
    make_list("student", [Row("在校童", years_ago(10), school="五马小学")], proves="school")
    counts = discover()
    found = tasks("out_of_school")
    assert [t.person.name for t in found] == ["失学童"]
    task = found[0]
    assert task.community.code == DIRECTOR_COMMUNITY and task.street.code == STREET
    assert task.deadline == datetime.date.today() + datetime.timedelta(days=14)
    assert [r.source for r in task.evidence.all()] == ["hukou"]
    assert counts["raised_by_rule"]["out_of_school"] == 1


def test_a_child_known_only_by_street_goes_to_the_street(matcher):
    make_list("hukou", [Row("街道童", years_ago(9), community=None, street=STREET)], proves="population")
    discover()
    task = tasks("out_of_school")[0]
    assert task.community is None and task.street.code == STREET


def test_a_child_placed_nowhere_is_counted_not_raised(matcher):
    make_list("hukou", [Row("无址童", years_ago(9), community=None)], proves="population")
    counts = discover()
    assert counts["unroutable"] == 1 and not tasks("out_of_school")


def test_child_of_an_imprisoned_person(matcher):
    make_list("justice", [Row("服刑子女", years_ago(7))], proves="guardian_imprisoned")
    discover()
    assert [t.person.name for t in tasks("parent_imprisoned")] == ["服刑子女"]


def test_benefit_list_without_a_file(matcher, users):
    community = Area.objects.get(code=DIRECTOR_COMMUNITY)
    number = id_number(years_ago(8), 21)
    do_create_child(users.director, ChildData("有档童", "male", years_ago(8), community, id_number=number))
    make_list(
        "dibao",
        [Row("无档童", years_ago(8)), Row("有档童", years_ago(8), number=number)],
        proves="category:distress_poverty",
    )
    discover()
    assert [t.person.name for t in tasks("benefit_without_file")] == ["无档童"]


def test_an_active_file_in_no_population_list_is_checked_for_moving_away(matcher, users):
    community = Area.objects.get(code=DIRECTOR_COMMUNITY)
    gone = do_create_child(users.director, ChildData("迁走童", "male", years_ago(9), community))
    do_create_child(users.director, ChildData("在册童", "male", years_ago(9), community))
    # Without any population list nothing is inferred.
    do_discover()
    assert not tasks("moved_out")
    make_list("hukou", [Row("在册童", years_ago(9))], proves="population")
    discover()
    found = tasks("moved_out")
    assert [t.child for t in found] == [gone]
    assert found[0].person is None and found[0].community == community


def test_files_in_no_current_list_cost_no_query_each(matcher, users, django_assert_num_queries):
    """subjects() reads the persons of the files no current list names in one query, not one a file."""
    community = Area.objects.get(code=DIRECTOR_COMMUNITY)
    make_list("hukou", [Row("在册童", years_ago(9))], proves="population")
    do_run_linkage()
    do_create_child(users.director, ChildData("甲童", "male", years_ago(9), community))
    with CaptureQueriesContext(connection) as one:
        assert len(subjects()) == 2
    for name in ("乙童", "丙童", "丁童"):
        do_create_child(users.director, ChildData(name, "female", years_ago(7), community))
    with django_assert_num_queries(len(one)):
        assert len(subjects()) == 5


def test_a_death_closes_the_file_after_confirmation(matcher, users):
    community = Area.objects.get(code=DIRECTOR_COMMUNITY)
    child = do_create_child(users.director, ChildData("故童", "male", years_ago(9), community))
    make_list("hukou", [Row("故童", years_ago(9))], proves="population")
    make_list("deaths", [Row("故童", years_ago(9), event_date=datetime.date.today())], proves="death")
    discover()
    assert [t.child for t in tasks("deceased")] == [child]


def test_turning_18_raises_the_exit(matcher, users):
    community = Area.objects.get(code=DIRECTOR_COMMUNITY)
    soon = do_create_child(users.director, ChildData("将成年", "female", years_ago(18, days=-10), community))
    do_create_child(users.director, ChildData("未成年", "female", years_ago(17), community))
    discover()
    assert [t.child for t in tasks("turns_18")] == [soon]


def test_rerunning_does_not_duplicate_and_withdraws_what_no_longer_holds(matcher):
    make_list("hukou", [Row("失学童", years_ago(12))], proves="population")
    first = discover()
    assert first["raised"] == 1
    again = discover()
    assert again["raised"] == 0 and again["kept"] == 1
    assert VerificationTask.objects.filter(rule="out_of_school").count() == 1
    # The school list arrives with the child in it: the finding no longer holds.
    make_list("student", [Row("失学童", years_ago(12), school="五马中学")], proves="school")
    later = discover()
    assert later["withdrawn"] == 1
    assert tasks("out_of_school")[0].state == TaskState.WITHDRAWN


def test_a_rejected_finding_is_not_raised_again_until_a_new_list(matcher, users):
    from childfirst.linkage.verification import do_reject_task

    make_list("hukou", [Row("失学童", years_ago(12))], proves="population")
    discover()
    do_reject_task(users.director, tasks("out_of_school")[0], "studying_elsewhere")
    assert discover()["raised"] == 0
    make_list("hukou", [Row("失学童", years_ago(12))], proves="population", as_of=datetime.date(2031, 1, 1))
    assert discover()["raised"] == 1


def test_school_age_is_taken_on_the_enrolment_cut_off():
    """A child enrols in the year they are 6 by 31 August: on 2 December 2026 one born on 1 October 2020
    is 6 but not yet due (5 on 31 August 2026); one born on 31 August 2020 is due."""
    from childfirst.linkage.discovery import AgeRange, _age

    school = next(r for r in read_rules().rules if r.key == "out_of_school").when.age
    assert school is not None and school.as_of == "08-31"
    today = datetime.date(2026, 12, 2)
    assert school.reference_day(today) == datetime.date(2026, 8, 31)
    assert school.reference_day(datetime.date(2026, 3, 1)) == datetime.date(2025, 8, 31)
    assert _age(datetime.date(2020, 10, 1), school.reference_day(today)) == 5
    assert _age(datetime.date(2020, 8, 31), school.reference_day(today)) == 6
    assert AgeRange(min=0, max=17).reference_day(today) == today


def test_new_tasks_are_announced_once_per_area_without_names(matcher, users):
    from childfirst.notifications.models import Kind, Notification

    make_list(
        "hukou",
        [
            Row("失学童", years_ago(12)),
            Row("失学童乙", years_ago(11)),
            Row("街道童", years_ago(9), community=None, street=STREET),
        ],
        proves="population",
    )
    discover()
    to_director = Notification.objects.get(recipient=users.director, kind=Kind.VERIFICATION_TASKS)
    to_supervisor = Notification.objects.get(recipient=users.supervisor, kind=Kind.VERIFICATION_TASKS)
    assert to_director.title.startswith("2 · ") and to_supervisor.title.startswith("1 · ")  # the street's own
    assert to_director.url == "/linkage/tasks/"
    assert not any("童" in n.title for n in Notification.objects.all())
    assert not Notification.objects.filter(recipient=users.other_director).exists()
    discover()  # nothing new raised: nothing new announced
    assert Notification.objects.filter(kind=Kind.VERIFICATION_TASKS).count() == 2
