"""The linkage run: the person index, registry files attached, the review queue, decisions kept
across re-runs, and a second run on the same data changing nothing."""

from __future__ import annotations

import datetime

import pytest

from childfirst.areas.models import Area
from childfirst.linkage.models import LinkageRun, Person, ReviewItem, SourceRecord
from childfirst.linkage.run import do_run_linkage, execute_run, queue_run
from childfirst.linkage.verification import do_decide_review
from childfirst.registry.children.actions import ChildData, do_create_child

from .task_lists import DIRECTOR_COMMUNITY, Row, id_number, make_list

pytestmark = pytest.mark.django_db
BIRTH = datetime.date(2014, 5, 6)


def test_records_with_the_same_id_number_are_one_person(matcher):
    number = id_number(BIRTH, 11)
    make_list("hukou", [Row("李明", BIRTH, number=number), Row("王芳", BIRTH, "F")], proves="population")
    make_list("student", [Row("李明", BIRTH, number=number, school="五马小学")], proves="school")
    counts = do_run_linkage()
    assert counts["records"] == 3
    assert counts["persons"] == 2
    li = SourceRecord.objects.filter(name="李明")
    assert len({r.person_id for r in li}) == 1
    assert {r.match_method for r in li} == {"id"}
    assert all(r.match_reasons["id_number"]["weight"] == 12.0 for r in li)
    person = li[0].person
    assert person.name == "李明" and person.community.code == DIRECTOR_COMMUNITY
    assert SourceRecord.objects.get(name="王芳").match_method == "single"


def test_a_second_run_on_the_same_data_changes_nothing(matcher):
    make_list("hukou", [Row("李明", BIRTH, number=id_number(BIRTH, 11)), Row("赵一", BIRTH)], proves="population")
    make_list("student", [Row("赵一", BIRTH), Row("赵一", datetime.date(2014, 6, 5))], proves="school")
    first = do_run_linkage()
    persons = list(Person.objects.order_by("pk").values_list("pk", "name", "updated_at"))
    records = list(SourceRecord.objects.order_by("pk").values_list("person_id", "match_probability"))
    reviews = list(ReviewItem.objects.values_list("pair_key", "probability"))
    second = do_run_linkage()
    assert second["persons_new"] == 0 and second["records_changed"] == 0 and second["reviews_new"] == 0
    assert first["persons"] == second["persons"]
    assert list(Person.objects.order_by("pk").values_list("pk", "name", "updated_at")) == persons
    assert list(SourceRecord.objects.order_by("pk").values_list("person_id", "match_probability")) == records
    assert list(ReviewItem.objects.values_list("pair_key", "probability")) == reviews


def test_a_new_snapshot_keeps_the_person(matcher):
    make_list(
        "hukou", [Row("李明", BIRTH, number=id_number(BIRTH, 11))], proves="population", as_of=datetime.date(2025, 1, 1)
    )
    do_run_linkage()
    person = Person.objects.get()
    make_list(
        "hukou", [Row("李明", BIRTH, number=id_number(BIRTH, 11))], proves="population", as_of=datetime.date(2025, 6, 1)
    )
    counts = do_run_linkage()
    assert counts["records"] == 1 and counts["persons_new"] == 0
    assert SourceRecord.objects.filter(list_import__as_of=datetime.date(2025, 6, 1)).get().person == person


def test_registry_files_are_attached_by_id_hash_then_by_the_matcher(matcher, users):
    number = id_number(BIRTH, 11)
    community = Area.objects.get(code=DIRECTOR_COMMUNITY)
    with_id = do_create_child(users.director, ChildData("李明", "male", BIRTH, community, id_number=number))
    without_id = do_create_child(users.director, ChildData("赵一", "male", BIRTH, community))
    make_list("hukou", [Row("李明", BIRTH, number=number), Row("赵一", BIRTH)], proves="population")
    counts = do_run_linkage()
    assert counts["files_by_id"] == 1 and counts["files_by_match"] == 1
    assert Person.objects.get(child=with_id).child_probability == 1.0
    assert Person.objects.get(child=without_id).name == "赵一"
    assert do_run_linkage()["files_changed"] == 0


def test_a_pair_between_the_thresholds_waits_for_review_and_the_decision_is_kept(matcher, users):
    make_list("hukou", [Row("赵一", BIRTH)], proves="population")
    make_list("student", [Row("赵一", datetime.date(2014, 6, 5))], proves="school")
    counts = do_run_linkage()
    assert counts["reviews_pending"] == 1 and counts["persons"] == 2
    item = ReviewItem.objects.get()
    assert item.street.code == "330302001" and item.probability == 0.7
    assert item.reasons["birth_date"]["weight"] == -2.5
    do_decide_review(users.supervisor, item, "match")
    counts = do_run_linkage()
    assert counts["persons"] == 1 and counts["reviews_pending"] == 0
    assert {r.match_method for r in SourceRecord.objects.all()} == {"clerical"}
    # A new snapshot of the same rows: the same pair key, the decision still applies.
    make_list("student", [Row("赵一", datetime.date(2014, 6, 5))], proves="school", as_of=datetime.date(2030, 1, 1))
    counts = do_run_linkage()
    assert counts["persons"] == 1 and counts["reviews_new"] == 0
    assert ReviewItem.objects.count() == 1


def test_a_different_children_decision_separates_them(matcher, users):
    make_list("hukou", [Row("赵一", BIRTH)], proves="population")
    make_list("student", [Row("赵一", datetime.date(2014, 6, 5))], proves="school")
    do_run_linkage()
    do_decide_review(users.supervisor, ReviewItem.objects.get(), "non_match")
    counts = do_run_linkage()
    assert counts["persons"] == 2 and counts["reviews_pending"] == 0
    assert ReviewItem.objects.get().state == "non_match"


def test_the_job_reports_its_counts_and_state(matcher):
    make_list("hukou", [Row("李明", BIRTH)], proves="population")
    run = execute_run(queue_run("link").pk)
    assert run.state == "done" and run.progress == 100 and run.counts["records"] == 1
    assert LinkageRun.objects.get().finished_at is not None
