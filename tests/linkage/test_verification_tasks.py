"""Verification tasks as the director meets them: the task page with its evidence (logged), confirming
into a new file with the category 失学辍学 and the lists as evidence, adding the category to an existing
file, closing a file, rejecting with a reason; clerical review decided by the supervisor."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from childfirst.accounts.models import AuditEvent
from childfirst.areas.models import Area
from childfirst.linkage.discovery import do_discover
from childfirst.linkage.models import Person, ReviewItem, TaskState, VerificationTask
from childfirst.linkage.run import do_run_linkage
from childfirst.registry.children.actions import ChildData, do_create_child
from childfirst.registry.models import Child, ChildAccessLog
from childfirst.registry.tally.maintain import differences

from .task_lists import DIRECTOR_COMMUNITY, Row, id_number, make_list, years_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def out_of_school(matcher) -> VerificationTask:
    birth = years_ago(12)
    make_list("hukou", [Row("失学童", birth, number=id_number(birth, 31))], proves="population")
    make_list("student", [Row("别的童", years_ago(10))], proves="school")
    do_run_linkage()
    do_discover()
    return VerificationTask.objects.get(rule="out_of_school")


def test_the_task_page_shows_the_evidence_masked_and_logs_the_view(client, users, out_of_school):
    client.force_login(users.director)
    work = client.get(reverse("registry:work_list"))
    assert reverse("linkage:tasks") in work.content.decode()
    listing = client.get(reverse("linkage:tasks"))
    assert "疑似失学辍学" in listing.content.decode() and "失学童" in listing.content.decode()
    page = client.get(reverse("linkage:task", args=[out_of_school.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "失学童" in body and "3303**************" in body
    assert id_number(years_ago(12), 31) not in body
    row = ChildAccessLog.objects.filter(action="list_records").order_by("-pk").first()
    assert row.user == users.director and row.purpose == f"verification task {out_of_school.pk}"
    assert row.result_count == 1


def test_confirming_opens_the_prefilled_file_with_the_category_and_the_lists_as_evidence(client, users, out_of_school):
    client.force_login(users.director)
    response = client.post(reverse("linkage:task_confirm", args=[out_of_school.pk]))
    assert response.status_code == 302 and response.url == reverse("linkage:task_open_file", args=[out_of_school.pk])
    form = client.get(response.url)
    body = form.content.decode()
    assert form.status_code == 200 and 'value="失学童"' in body
    # The ID number is never put in the page: left empty, the list's number is stored.
    assert id_number(years_ago(12), 31) not in body
    initial = form.context["form"].initial
    # Registered in the district's own 户籍 list: the household community is filled, not "outside".
    assert initial["hukou_area"] == initial["residence_area"]
    data = {
        "name": initial["name"],
        "sex": initial["sex"],
        "birth_date": initial["birth_date"].isoformat(),
        "residence_area": initial["residence_area"],
        "hukou_area": initial["hukou_area"],
        "grade": "none",
        "categories": initial["categories"],
        "categories_since": initial["categories_since"].isoformat(),
        "categories_evidence": initial["categories_evidence"],
    }
    saved = client.post(response.url, data)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    child = Child.objects.get(name="失学童")
    assert saved.url == reverse("registry:child", args=[child.pk])
    assert child.id_masked == "3303**************" and child.id_hash is not None
    assert child.hukou_area_id == initial["hukou_area"]
    category = child.categories.get()
    assert category.type.code == "out_of_school"
    assert "户籍人口" in category.evidence and "中小学生学籍" in category.evidence
    assert str(datetime.date.today()) in category.evidence and "失学童" not in category.evidence
    task = VerificationTask.objects.get(pk=out_of_school.pk)
    assert task.state == TaskState.CONFIRMED and task.child == child and task.decided_by == users.director
    assert Person.objects.get(pk=task.person_id).child == child
    event = AuditEvent.objects.get(action="linkage.task_confirmed")
    assert event.detail["outcome"] == "file_opened" and "失学童" not in str(event.detail)
    assert differences() == []  # the aggregates' count table counts the new file (issue 16)


def test_confirming_on_an_existing_file_adds_the_category(client, users, matcher):
    birth = years_ago(12)
    number = id_number(birth, 32)
    community = Area.objects.get(code=DIRECTOR_COMMUNITY)
    child = do_create_child(users.director, ChildData("有档失学", "male", birth, community, id_number=number))
    make_list("hukou", [Row("有档失学", birth, number=number)], proves="population")
    do_run_linkage()
    do_discover()
    task = VerificationTask.objects.get(rule="out_of_school")
    client.force_login(users.director)
    response = client.post(reverse("linkage:task_confirm", args=[task.pk]))
    assert response.status_code == 302
    assert child.categories.get().type.code == "out_of_school"
    assert "户籍人口" in child.categories.get().evidence
    assert differences() == []


def test_confirming_a_death_closes_the_file(client, users, matcher):
    community = Area.objects.get(code=DIRECTOR_COMMUNITY)
    child = do_create_child(users.director, ChildData("故童", "male", years_ago(9), community))
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    make_list("hukou", [Row("故童", years_ago(9))], proves="population")
    make_list("deaths", [Row("故童", years_ago(9), event_date=yesterday)], proves="death")
    do_run_linkage()
    do_discover()
    task = VerificationTask.objects.get(rule="deceased")
    client.force_login(users.director)
    assert client.post(reverse("linkage:task_confirm", args=[task.pk]), {"note": "已核实"}).status_code == 302
    child.refresh_from_db()
    assert child.status == "exited" and child.exit_reason == "deceased" and child.exit_date == yesterday
    assert differences() == []


def test_rejecting_needs_a_reason_from_the_list(client, users, out_of_school):
    client.force_login(users.director)
    url = reverse("linkage:task_reject", args=[out_of_school.pk])
    assert client.post(url, {"reason": "truant"}).status_code == 400
    assert client.post(url, {"reason": "other", "note": ""}).status_code == 400
    assert client.post(url, {"reason": "studying_elsewhere"}).status_code == 302
    task = VerificationTask.objects.get(pk=out_of_school.pk)
    assert task.state == TaskState.REJECTED and task.reason == "studying_elsewhere"
    assert AuditEvent.objects.filter(action="linkage.task_rejected").count() == 1
    # Decided: no second decision.
    assert client.post(url, {"reason": "moved_away"}).status_code == 403


def test_another_community_sees_none_of_it(client, users, out_of_school):
    client.force_login(users.other_director)
    assert "失学童" not in client.get(reverse("linkage:tasks")).content.decode()
    assert client.get(reverse("linkage:task", args=[out_of_school.pk])).status_code == 404
    client.force_login(users.other_supervisor)
    assert "失学童" not in client.get(reverse("linkage:tasks")).content.decode()
    client.force_login(users.supervisor)
    page = client.get(reverse("linkage:tasks")).content.decode()
    assert "失学童" in page and "五马第一社区" in page
    client.force_login(users.office)
    counts = client.get(reverse("linkage:task_counts")).content.decode()
    assert "五马街道" in counts and "失学童" not in counts


def test_the_supervisor_reviews_a_pair_side_by_side(client, users, matcher):
    make_list("hukou", [Row("赵一", datetime.date(2014, 5, 6))], proves="population")
    make_list("student", [Row("赵一", datetime.date(2014, 6, 5))], proves="school")
    do_run_linkage()
    item = ReviewItem.objects.get()
    client.force_login(users.supervisor)
    dashboard = client.get(reverse("registry:supervision")).content.decode()
    assert reverse("linkage:reviews") in dashboard
    page = client.get(reverse("linkage:review", args=[item.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and body.count("赵一") >= 2
    assert '<mark class="diff">5</mark>' in body and '<mark class="diff">6</mark>' in body
    assert "出生日期" in body
    assert ChildAccessLog.objects.filter(action="list_records", purpose=f"review pair {item.pk}").count() == 1
    assert client.post(reverse("linkage:review_decide", args=[item.pk]), {"decision": "maybe"}).status_code == 302
    assert ReviewItem.objects.get().state == "pending"
    client.post(reverse("linkage:review_decide", args=[item.pk]), {"decision": "match"})
    assert ReviewItem.objects.get().state == "match"
    listing = client.get(reverse("linkage:reviews"))
    assert listing.context["bands"][1]["same"] == 1
    assert (
        listing.context["recent"] == [item]
        and reverse("linkage:review_undo", args=[item.pk]) in listing.content.decode()
    )


def test_a_decision_is_undone_and_the_next_run_asks_again(client, users, matcher):
    make_list("hukou", [Row("赵一", datetime.date(2014, 5, 6))], proves="population")
    make_list("student", [Row("赵一", datetime.date(2014, 6, 5))], proves="school")
    do_run_linkage()
    item = ReviewItem.objects.get()
    client.force_login(users.supervisor)
    client.post(reverse("linkage:review_decide", args=[item.pk]), {"decision": "non_match"})
    client.force_login(users.other_supervisor)
    assert client.post(reverse("linkage:review_undo", args=[item.pk])).status_code == 404
    assert ReviewItem.objects.get().state == "non_match"
    client.force_login(users.supervisor)
    assert "撤销决定" in client.get(reverse("linkage:review", args=[item.pk])).content.decode()
    response = client.post(reverse("linkage:review_undo", args=[item.pk]), follow=True)
    undone = ReviewItem.objects.get()
    assert (undone.state, undone.decided_by, undone.decided_at) == ("pending", None, None)
    assert "已撤销决定" in response.content.decode()
    entry = AuditEvent.objects.get(action="linkage.review_undone")
    assert entry.actor == users.supervisor and entry.detail["undone"] == "non_match"
    # Nothing to undo twice: the answer says so and changes nothing.
    client.post(reverse("linkage:review_undo", args=[item.pk]))
    assert AuditEvent.objects.filter(action="linkage.review_undone").count() == 1
    do_run_linkage()
    assert ReviewItem.objects.get().state == "pending"
    client.force_login(users.other_supervisor)
    assert client.get(reverse("linkage:review", args=[item.pk])).status_code == 404


def test_the_coverage_on_the_supervisors_dashboard(client, users, matcher):
    make_list(
        "hukou",
        [Row("在校童", years_ago(10)), Row("失学童", years_ago(12)), Row("低保童", years_ago(5))],
        proves="population",
    )
    make_list("student", [Row("在校童", years_ago(10))], proves="school")
    make_list("dibao", [Row("低保童", years_ago(5))], proves="category:distress_poverty")
    do_run_linkage()
    from childfirst.linkage.coverage import coverage_by_street, coverage_of_street

    coverage = coverage_by_street()
    assert (coverage["330302001"].covered, coverage["330302001"].total) == (2, 3)
    assert coverage["330302"].total == 3
    # One street's, as the supervisor's dashboard reads it, is the same figure.
    assert coverage_of_street(Area.objects.get(code="330302001")) == coverage["330302001"]
    assert coverage_of_street(Area.objects.get(code="330302002")) is None
    client.force_login(users.supervisor)
    assert "66.7%" in client.get(reverse("registry:supervision")).content.decode()
