"""The confirmation step on the registry's and the homes' irreversible actions: removing a guardian,
ending a category, closing a children's home. A POST without the confirmation changes nothing and
answers with the step (what was typed kept); with it, the change is made; other users are refused."""

from __future__ import annotations

import datetime

import pytest

from childfirst.areas.models import Area
from childfirst.homes import actions as home_actions
from childfirst.registry.children import actions
from childfirst.registry.children.actions import ChildData, GuardianData
from childfirst.registry.children.idnumber import check_character
from childfirst.registry.models import CategoryType

pytestmark = pytest.mark.django_db


@pytest.fixture
def child(users):
    first17 = "33030220150302011"
    return actions.do_create_child(
        users.director,
        ChildData(
            name="曾小明",
            sex="male",
            birth_date=datetime.date(2015, 3, 2),
            residence_area=Area.objects.get(code="330302001001"),
            id_number=first17 + check_character(first17),
            guardians=[GuardianData("曾大明", "father", "13812345678"), GuardianData("李芳", "mother", "")],
            categories=[(CategoryType.objects.get(code="left_behind"), datetime.date(2024, 1, 1), "证明")],
        ),
    )


def test_removing_a_guardian_needs_the_confirmation(client, users, child):
    guardian = child.guardians.get(relation="father")
    url = f"/registry/children/{child.pk}/guardians/{guardian.pk}/remove/"
    client.force_login(users.director)
    step = client.post(url)
    body = step.content.decode()
    assert step.status_code == 400 and 'name="confirmed" value="yes"' in body
    assert "曾大明" not in body and "13812345678" not in body  # the step names the relation only
    assert child.guardians.count() == 2
    assert client.post(url, {"confirmed": "yes"}).status_code == 302
    assert list(child.guardians.values_list("relation", flat=True)) == ["mother"]
    client.force_login(users.other_director)
    other = child.guardians.get()
    assert client.post(
        f"/registry/children/{child.pk}/guardians/{other.pk}/remove/", {"confirmed": "yes"}
    ).status_code in (403, 404)
    assert child.guardians.count() == 1


def test_ending_a_category_needs_the_confirmation_and_keeps_the_date(client, users, child):
    category = child.categories.get()
    url = f"/registry/children/{child.pk}/categories/{category.pk}/end/"
    client.force_login(users.director)
    dialog = client.post(url, {"end": "2025-09-01"}, headers={"X-Confirm-Step": "dialog"})
    assert dialog.status_code == 200 and 'value="2025-09-01"' in dialog.content.decode()
    category.refresh_from_db()
    assert category.end is None
    bad = client.post(url, {"end": ""})  # a bad date is shown on the file as before, not confirmed
    assert bad.status_code == 400 and "confirm-form" not in bad.content.decode()
    assert client.post(url, {"end": "2025-09-01", "confirmed": "yes"}).status_code == 302
    category.refresh_from_db()
    assert category.end == datetime.date(2025, 9, 1)


def test_closing_a_home_needs_the_confirmation(client, users):
    home = home_actions.do_create_home(
        None,
        Area.objects.get(code="330302001001"),
        home_actions.HomeDetails("五马一社区儿童之家", datetime.date(2022, 1, 1)),
    )
    url = f"/registry/homes/{home.pk}/state/"
    data = {"step": "close", "closed_on": "2025-06-30", "reason": "场地拆迁"}
    client.force_login(users.director)
    step = client.post(url, data)
    body = step.content.decode()
    assert step.status_code == 400 and "场地拆迁" in body and "2025-06-30" in body
    home.refresh_from_db()
    assert home.closed_on is None
    client.force_login(users.other_director)
    assert client.post(url, {**data, "confirmed": "yes"}).status_code in (403, 404)
    client.force_login(users.director)
    assert client.post(url, {**data, "confirmed": "yes"}).status_code == 302
    home.refresh_from_db()
    assert home.closed_on == datetime.date(2025, 6, 30)
