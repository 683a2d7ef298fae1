"""THE access matrix of the recommendation and good-practice pages, generated from the URL configuration:
every such "implementation:" URL name × every role, on objects of Lucheng's plan. A name of these pages
missing from PAGES fails the test, so a new page cannot be left out.

The rule: the office sees all of its plan's; a department its own recommendations and practices, a
street supervisor its street's; leaders, evaluators and community directors none; another district's
office cannot open Lucheng's plan at all (403), and gets 404 for Lucheng's objects under its own plan."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from childfirst.areas.models import Area
from childfirst.implementation.models import Document, Recommendation
from childfirst.implementation.practice_actions import do_publish_practice, do_submit_practice
from childfirst.implementation.recommendation_actions import do_issue_recommendation, do_respond
from childfirst.plans.models import Department, Plan
from tests.implementation.files import image_bytes, pdf_bytes, upload

from ..conftest import SecondDistrict, Users, for_the_module, make_second_district, make_users

ROLES = [
    "office",
    "other_office",
    "reporter",
    "reviewer",
    "education_reporter",
    "supervisor",
    "other_supervisor",
    "director",
    "other_director",
    "leader",
    "evaluator",
]
DEPARTMENT = {"reporter", "reviewer", "education_reporter"}
HEALTH = {"reporter", "reviewer"}
STREETS = {"supervisor", "other_supervisor"}
# The names of this file's pages; the app's other pages (implementation reports, documents, the
# scorecard) have their owners' matrices.
OWN_PREFIXES = ("implementation:recommendation", "implementation:assignment", "implementation:practice")


@dataclass(frozen=True)
class Case:
    allowed: set[str]  # roles that get `ok`; every other role gets 403
    method: str = "get"
    ok: int = 200
    args: Callable[[dict], list] = lambda world: []
    data: Callable[[], dict] = dict
    note: str = ""
    extra: dict = field(default_factory=dict)


PAGES: dict[str, list[Case]] = {
    "implementation:recommendations": [Case({"office"} | DEPARTMENT | STREETS)],
    "implementation:recommendation_new": [Case({"office"})],
    "implementation:recommendation": [
        Case({"office"} | HEALTH | {"supervisor"}, args=lambda w: [w["open"].pk], note="to health and 五马"),
    ],
    "implementation:assignment_respond": [
        Case(HEALTH, args=lambda w: [w["health_open"].pk], note="health's, awaiting an answer"),
        Case({"supervisor"}, args=lambda w: [w["street_open"].pk], note="五马's, awaiting an answer"),
    ],
    # Without the confirmation the office gets the confirmation step (400: nothing done yet).
    "implementation:assignment_close": [
        Case({"office"}, method="post", ok=400, args=lambda w: [w["health_answered"].pk]),
    ],
    "implementation:assignment_return": [
        Case({"office"}, method="post", ok=400, args=lambda w: [w["health_answered"].pk]),
    ],
    "implementation:practices": [Case({"office"} | DEPARTMENT | STREETS)],
    "implementation:practice_new": [Case(DEPARTMENT | STREETS)],
    "implementation:practice": [
        Case({"office"} | HEALTH, args=lambda w: [w["practice"].pk], note="health's"),
        Case({"office", "supervisor"}, args=lambda w: [w["street_practice"].pk], note="五马's"),
    ],
    "implementation:practice_publish": [Case({"office"}, method="post", ok=400, args=lambda w: [w["practice"].pk])],
    "implementation:practice_decline": [Case({"office"}, method="post", ok=400, args=lambda w: [w["practice"].pk])],
    "implementation:practice_withdraw": [
        Case({"office"}, method="post", ok=400, args=lambda w: [w["published"].pk]),
    ],
}


def implementation_names(resolver: URLResolver | None = None, namespace: str = "") -> set[str]:
    found = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found |= implementation_names(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name and namespace == "implementation:":
            found.add(namespace + entry.name)
    return found


def test_every_page_of_this_part_is_in_the_matrix():
    own = {name for name in implementation_names() if name.startswith(OWN_PREFIXES)}
    assert own - set(PAGES) == set(), f"add to tests/implementation/test_followup_access.py: {sorted(own - set(PAGES))}"
    assert set(PAGES) - own == set(), "names listed that no longer exist"


def make_world(users: Users, second: SecondDistrict) -> dict[str, Any]:
    plan = Plan.objects.get(code="lucheng-2021-2025")
    health = Department.objects.get(area=plan.area, code="health")
    wuma = Area.objects.get(code="330302001")
    due = timezone.localdate() + datetime.timedelta(days=30)

    def issue(title: str, **addressees: Any) -> Recommendation:
        return do_issue_recommendation(
            users.office, plan, year=2025, title=title, text="x", source="other", due_date=due, **addressees
        )

    open_one = issue("开放", departments=[health], streets=[wuma])
    answered = issue("已反馈", departments=[health])
    health_answered = answered.assignments.get()
    health_answered.recommendation = answered
    response = do_respond(users.reporter, health_answered, action_taken="答复", evidence=[upload("a.pdf", pdf_bytes())])
    photo = [upload("p.png", image_bytes("PNG"))]
    practice = do_submit_practice(
        users.reporter, plan, year=2024, title="卫健", text="x", photos=photo, no_faces_confirmed=True
    )
    street_practice = do_submit_practice(
        users.supervisor,
        plan,
        year=2024,
        title="五马",
        text="x",
        photos=[upload("s.png", image_bytes("PNG"))],
        no_faces_confirmed=True,
    )
    published = do_submit_practice(users.reviewer, plan, year=2024, title="已发布", text="x")
    do_publish_practice(users.office, published)
    return {
        "open": open_one,
        "health_open": open_one.assignments.get(department=health),
        "street_open": open_one.assignments.get(area=wuma),
        "health_answered": health_answered,
        "evidence": Document.objects.get(response=response),
        "photo": Document.objects.get(practice=practice),
        "street_photo": Document.objects.get(practice=street_practice),
        "practice": practice,
        "street_practice": street_practice,
        "published": published,
        "other_office": second.office,
        "other_reporter": second.reporter,
        "other_plan": second.plan,
    }


@pytest.fixture(scope="module")
def shared(django_db_setup, django_db_blocker) -> Iterator[tuple[Users, dict[str, Any]]]:
    with for_the_module(django_db_blocker):
        users = make_users()
        yield users, make_world(users, make_second_district())


@pytest.fixture
def users(shared, db) -> Users:
    return shared[0]


@pytest.fixture
def world(shared, db) -> dict[str, Any]:
    return shared[1]


def _user(users: Users, world: dict[str, Any], role: str):
    return world["other_office"] if role == "other_office" else getattr(users, role)


CASES = [(name, index) for name in sorted(PAGES) for index in range(len(PAGES[name]))]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "index"), CASES)
def test_page_matrix(client: Client, users, world, name, index, role):
    case = PAGES[name][index]
    client.force_login(_user(users, world, role))
    url = reverse(name, args=["lucheng-2021-2025", *case.args(world)])
    response = client.post(url, case.data()) if case.method == "post" else client.get(url)
    expected = case.ok if role in case.allowed else 403
    assert response.status_code == expected, (name, case.note, role)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "index"), CASES)
def test_anonymous_is_sent_to_login(client: Client, world, name, index):
    case = PAGES[name][index]
    url = reverse(name, args=["lucheng-2021-2025", *case.args(world)])
    response = client.post(url) if case.method == "post" else client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response.url


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "key", "who"),
    [
        ("implementation:recommendation", "open", "other_office"),
        ("implementation:practice", "practice", "other_office"),
        ("implementation:assignment_respond", "health_open", "other_reporter"),
    ],
)
def test_an_object_of_another_plan_is_a_404(client: Client, users, world, name, key, who):
    """The made-up district's users under their own plan's address, asking for Lucheng's object."""
    client.force_login(world[who])
    response = client.get(reverse(name, args=[world["other_plan"].code, world[key].pk]))
    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "evidence", "photo"),
    [
        ("office", 200, 200),
        ("reporter", 200, 200),
        ("reviewer", 200, 200),
        ("education_reporter", 403, 403),
        ("leader", 403, 403),
        ("evaluator", 403, 403),
        ("director", 403, 403),
        ("supervisor", 403, 403),  # health's, not the street's
    ],
)
def test_evidence_and_photos_follow_their_owner(client: Client, users, world, role, evidence, photo):
    """The app's one download view asks this part's helpers (get_assignment_for_user, get_practice_for_user)."""
    client.force_login(getattr(users, role))
    url = reverse("implementation:document", args=["lucheng-2021-2025", world["evidence"].pk])
    assert client.get(url).status_code == evidence
    url = reverse("implementation:document", args=["lucheng-2021-2025", world["photo"].pk])
    assert client.get(url).status_code == photo


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "status"), [("supervisor", 200), ("other_supervisor", 403), ("reporter", 403)])
def test_a_streets_photo_is_for_its_supervisor_and_the_office(client: Client, users, world, role, status):
    """A street supervisor may open the documents of its own street's work, like the office."""
    client.force_login(getattr(users, role))
    url = reverse("implementation:document", args=["lucheng-2021-2025", world["street_photo"].pk])
    assert client.get(url).status_code == status
