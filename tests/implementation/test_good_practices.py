"""Good practices (好做法好经验): submission by departments and streets, the personal-data check (ID numbers
and registered children's names refused, saying where but never what), photos without metadata and the
faces checkbox, the office's publish / decline / withdraw, and the portal showing published ones only."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from PIL import Image

from childfirst.accounts.models import AuditEvent
from childfirst.implementation.models import Document, GoodPractice, PracticeState
from childfirst.implementation.personal_data import find_personal_data, holds_id_number, id_number_kind, parts_of
from childfirst.implementation.practice_actions import (
    PracticeError,
    do_decline_practice,
    do_publish_practice,
    do_submit_practice,
    do_withdraw_practice,
)
from childfirst.notifications.models import Kind, Notification
from childfirst.plans.models import Indicator
from tests.implementation.files import exe_bytes, image_bytes, pdf_bytes, upload
from tests.registry.test_registry_casework import make_child

pytestmark = pytest.mark.django_db

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(first17: str = "33030220150301123") -> str:
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def wrong_check(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


def gps_jpeg() -> bytes:
    """A JPEG carrying EXIF with a GPS position (as a phone writes it)."""
    image = Image.new("RGB", (16, 16), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (28.0, 1.0, 12.0), "E", (120.0, 39.0, 5.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def submit(users, plan, who="reporter", **extra):
    return do_submit_practice(
        getattr(users, who),
        plan,
        year=extra.pop("year", 2024),
        title=extra.pop("title", "中医药健康服务进社区"),
        text=extra.pop("text", "社区卫生服务中心开设婴幼儿中医药保健门诊。"),
        indicators=extra.pop("indicators", list(Indicator.objects.filter(plan=plan, code__in=["HEA-11"]))),
        **extra,
    )


# ----- the check itself ----------------------------------------------------------------------------


def test_id_numbers_recognised_and_decided():
    valid = id_number()
    assert id_number_kind(valid) == "valid"
    # Decision: a mistyped number (wrong check character) with a province code and a real date of birth
    # still points at one child, so it is refused too.
    assert id_number_kind(wrong_check(valid)) == "likely"
    assert id_number_kind("330302150301123") == "old"  # 15 digits, born 1915-03-01
    # Eighteen digits that are no ID number (no province code, or no real date): an order number passes.
    assert id_number_kind("990302201503011230") == ""
    assert id_number_kind("330302201513451230") == ""
    assert holds_id_number(f"孩子的身份证号是{valid}。")
    assert holds_id_number("号码 " + " ".join([valid[:6], valid[6:14], valid[14:]]))  # written in groups
    assert holds_id_number("全角" + valid.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")))
    assert not holds_id_number("服务了1234个家庭，电话0577-88888888，订单990302201503011230。")
    assert not holds_id_number(f"{valid}7")  # 19 digits: part of a longer number, not an ID


def test_the_error_says_where_never_what(users, plan):
    make_child(users.director, name="林梓涵")
    valid = id_number()
    problems = find_personal_data(parts_of("标题", f"第一段没问题。\n\n第二段有{valid}。\n林梓涵参加了活动。"))
    assert len(problems) == 2
    assert "第 2 段" in problems[0] or "Paragraph 2" in problems[0]
    assert "身份证号" in problems[0] or "ID number" in problems[0]
    assert "第 3 段" in problems[1] or "Paragraph 3" in problems[1]
    assert all(valid not in p and "林梓涵" not in p for p in problems)
    title = find_personal_data(parts_of("林梓涵的故事", "正文"))
    assert len(title) == 1 and "林梓涵" not in title[0]


def test_a_registered_childs_name_is_refused_other_text_is_not(users, plan):
    make_child(users.director, name="陈一诺")
    with pytest.raises(ValidationError) as refused:
        submit(users, plan, text="我们帮助了陈一诺和她的家人。")
    assert "陈一诺" not in " ".join(refused.value.messages)
    assert not GoodPractice.objects.exists()
    # A name nobody on file has, and the same characters apart, pass.
    submit(users, plan, text="我们帮助了陈一鸣。一诺千金，陈列馆。")
    assert GoodPractice.objects.count() == 1


def test_submit_refuses_id_numbers_and_keeps_nothing(users, plan):
    with pytest.raises(ValidationError):
        submit(users, plan, text=f"学生{wrong_check(id_number())}参加筛查。")
    with pytest.raises(ValidationError):
        submit(users, plan, title=f"案例{id_number()}")
    assert not GoodPractice.objects.exists()
    assert not AuditEvent.objects.filter(action="implementation.practice_submitted").exists()


# ----- submitting, photos ----------------------------------------------------------------------------


def test_submit_from_a_department_and_a_street(users, plan):
    practice = submit(users, plan)
    assert practice.department.code == "health" and practice.area is None
    assert practice.state == PracticeState.SUBMITTED
    assert list(practice.indicators.values_list("code", flat=True)) == ["HEA-11"]
    assert Notification.objects.filter(kind=Kind.PRACTICE_SUBMITTED, recipient=users.office).exists()
    street = submit(users, plan, who="supervisor", title="儿童之家联动")
    assert street.area.code == "330302001" and street.department is None
    event = AuditEvent.objects.filter(action="implementation.practice_submitted").first()
    assert event.detail["indicators"] == ["HEA-11"] and "text" not in event.detail


@pytest.mark.parametrize("who", ["office", "leader", "evaluator", "director"])
def test_other_roles_cannot_submit(users, plan, who):
    with pytest.raises(PermissionDenied):
        submit(users, plan, who=who)


def test_another_districts_department_cannot_submit_to_this_plan(plan, second_district):
    with pytest.raises(PermissionDenied):
        do_submit_practice(second_district.reporter, plan, year=2024, title="t", text="x")


def test_photos_lose_their_metadata_and_need_the_faces_box(users, plan):
    photo = gps_jpeg()
    assert Image.open(io.BytesIO(photo)).getexif().get_ifd(0x8825)
    with pytest.raises(ValidationError) as refused:
        submit(users, plan, photos=[upload("活动.jpg", photo)])
    assert "no_faces" in refused.value.message_dict
    practice = submit(users, plan, photos=[upload("活动.jpg", photo)], no_faces_confirmed=True)
    stored = Document.objects.get(practice=practice)
    assert stored.content_type == "image/jpeg"
    kept = Image.open(io.BytesIO(bytes(stored.content)))
    assert not kept.getexif() and kept.size == (16, 16)
    assert b"PhoneMaker" not in bytes(stored.content)


def test_photos_must_be_pictures(users, plan):
    for name, content in (("a.jpg", exe_bytes()), ("a.pdf", pdf_bytes())):
        with pytest.raises(ValidationError) as refused:
            submit(users, plan, photos=[upload(name, content)], no_faces_confirmed=True)
        assert name in refused.value.messages[0]
    assert not GoodPractice.objects.exists() and not Document.objects.exists()


def test_the_form_keeps_input_and_names_the_problem(client, users, plan):
    client.force_login(users.reporter)
    url = reverse("implementation:practice_new", args=[plan.code])
    response = client.post(url, {"year": "2024", "title": "我的标题", "text": f"第一段。\n有号码{id_number()}"})
    page = response.content.decode()
    assert response.status_code == 422 and "我的标题" in page and id_number() not in page.split("<textarea")[0]
    assert "第 2 段" in page
    response = client.post(
        url, {"year": "2024", "title": "我的标题", "text": "正文", "photos": [upload("p.png", image_bytes("PNG"))]}
    )
    assert response.status_code == 422 and not GoodPractice.objects.exists()
    response = client.post(
        url,
        {
            "year": "2024",
            "title": "我的标题",
            "text": "正文",
            "photos": [upload("p.png", image_bytes("PNG"))],
            "no_faces": "on",
        },
    )
    practice = GoodPractice.objects.get()
    assert response.status_code == 302 and practice.documents.count() == 1


# ----- the office's decisions and the portal --------------------------------------------------------


def test_publish_decline_withdraw(users, plan):
    practice = submit(users, plan)
    with pytest.raises(PermissionDenied):
        do_publish_practice(users.reporter, practice)
    do_publish_practice(users.office, practice)
    assert practice.state == PracticeState.PUBLISHED and practice.decided_by == users.office
    with pytest.raises(PracticeError):
        do_decline_practice(users.office, practice)
    do_withdraw_practice(users.office, practice)
    practice.refresh_from_db()
    assert practice.state == PracticeState.WITHDRAWN
    do_publish_practice(users.office, practice)  # published again
    other = submit(users, plan, title="另一个")
    do_decline_practice(users.office, other)
    other.refresh_from_db()
    assert other.state == PracticeState.DECLINED
    assert Notification.objects.filter(kind=Kind.PRACTICE_DECIDED, recipient=users.reporter).count() == 4
    actions = set(
        AuditEvent.objects.filter(action__startswith="implementation.practice_").values_list("action", flat=True)
    )
    assert actions >= {
        "implementation.practice_published",
        "implementation.practice_withdrawn",
        "implementation.practice_declined",
    }


def test_publishing_checks_again_for_a_child_registered_since(users, plan):
    practice = submit(users, plan, text="感谢周梓豪同学的参与。")
    make_child(users.director, name="周梓豪")
    with pytest.raises(ValidationError):
        do_publish_practice(users.office, practice)
    practice.refresh_from_db()
    assert practice.state == PracticeState.SUBMITTED


def test_publish_through_the_page_asks_first(client, users, plan):
    practice = submit(users, plan)
    client.force_login(users.office)
    url = reverse("implementation:practice_publish", args=[plan.code, practice.pk])
    assert client.post(url).status_code == 400
    practice.refresh_from_db()
    assert practice.state == PracticeState.SUBMITTED
    assert client.post(url, {"confirmed": "yes"}).status_code == 302
    practice.refresh_from_db()
    assert practice.state == PracticeState.PUBLISHED


@pytest.fixture
def published_plan(plan, demo):
    """The plan with its demo values and a published evaluation (the portal shows published plans only)."""
    from childfirst.evaluation.actions import do_publish

    do_publish(None, plan, 2024, "test")
    return plan


def test_the_portal_shows_published_practices_only(client, users, published_plan):
    plan = published_plan
    shown = submit(users, plan, title="公开的好做法", photos=[upload("a.jpg", gps_jpeg())], no_faces_confirmed=True)
    do_publish_practice(users.office, shown)
    hidden = submit(
        users, plan, title="未选用的做法", photos=[upload("b.png", image_bytes("PNG"))], no_faces_confirmed=True
    )
    withdrawn = submit(users, plan, title="已撤下的做法")
    do_publish_practice(users.office, withdrawn)
    do_withdraw_practice(users.office, withdrawn)
    client.logout()
    page = client.get(reverse("portal:practices", args=[plan.code]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "公开的好做法" in text and "未选用的做法" not in text and "已撤下的做法" not in text
    assert reverse("portal:indicator", args=[plan.code, "HEA-11"]) in text
    assert "reporter" not in text  # who submitted it is not published
    indicator_page = client.get(reverse("portal:indicator", args=[plan.code, "HEA-11"])).content.decode()
    assert "公开的好做法" in indicator_page and "未选用的做法" not in indicator_page
    photo = Document.objects.get(practice=shown)
    response = client.get(reverse("portal:practice_photo", args=[plan.code, photo.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert not Image.open(io.BytesIO(response.content)).getexif()
    other = Document.objects.get(practice=hidden)
    assert client.get(reverse("portal:practice_photo", args=[plan.code, other.pk])).status_code == 404
    do_withdraw_practice(users.office, shown)
    assert client.get(reverse("portal:practice_photo", args=[plan.code, photo.pk])).status_code == 404


def test_the_list_is_scoped(client, users, plan):
    submit(users, plan, title="卫健的做法")
    submit(users, plan, who="supervisor", title="五马的做法")
    url = reverse("implementation:practices", args=[plan.code])
    client.force_login(users.office)
    page = client.get(url).content.decode()
    assert "卫健的做法" in page and "五马的做法" in page
    client.force_login(users.education_reporter)
    page = client.get(url).content.decode()
    assert "卫健的做法" not in page and "五马的做法" not in page
    client.force_login(users.other_supervisor)
    assert "五马的做法" not in client.get(url).content.decode()
    client.force_login(users.supervisor)
    page = client.get(url).content.decode()
    assert "五马的做法" in page and "卫健的做法" not in page
    assert client.get(url, {"state": "bogus"}).status_code == 400
