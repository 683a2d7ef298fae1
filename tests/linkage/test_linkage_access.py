"""THE access matrix of the linkage pages, generated from the URL configuration: every "linkage:" URL
name × every role × an object of the role's district and one of another district.

A URL name missing from PAGES fails the test, so a new page cannot be left out. Department lists are
the office's alone: every other role is refused (403) whatever the object; the office of another
district gets 404 for an object that is not its own, exactly as for one that does not exist."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from childfirst.areas.models import Area
from childfirst.linkage.importing import store
from childfirst.linkage.models import JobState, ListImport, PairJob, StoredFile

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
OFFICES = {"office", "other_office"}


@dataclass(frozen=True)
class Case:
    method: str = "get"
    ok: int = 200
    args: Callable[[dict], list] = lambda world: []
    data: Callable[[], dict] = dict
    headers: dict = None  # type: ignore[assignment]
    # An object of one district: the other district's office must get 404.
    scoped: bool = False


PAGES: dict[str, Case] = {
    "linkage:index": Case(),
    "linkage:upload": Case("post", ok=422, data=lambda: {"source": "hukou"}),
    "linkage:import": Case(args=lambda w: [w["import"].pk], scoped=True),
    "linkage:import_progress": Case(args=lambda w: [w["import"].pk], headers={"HTTP_HX_REQUEST": "true"}, scoped=True),
    "linkage:pair": Case(),
    "linkage:pair_job": Case(args=lambda w: [w["pair"].pk], scoped=True),
    "linkage:pair_download": Case(args=lambda w: [w["pair"].pk], scoped=True),
}
# Names whose rules are tested by their owners' files (the review and task pages of the linkage app).
# The verification-task and clerical-review pages have their own matrix (test_task_access.py).
COVERED_ELSEWHERE: set[str] = {
    "linkage:tasks",
    "linkage:task_counts",
    "linkage:task",
    "linkage:task_confirm",
    "linkage:task_open_file",
    "linkage:task_reject",
    "linkage:reviews",
    "linkage:review",
    "linkage:review_decide",
    "linkage:review_undo",
}


def linkage_patterns(resolver: URLResolver | None = None, namespace: str = "") -> set[str]:
    found = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found |= linkage_patterns(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name and namespace.startswith("linkage:"):
            found.add(namespace + entry.name)
    return found


PATTERNS = linkage_patterns()


def test_every_linkage_name_is_in_the_matrix():
    unlisted = PATTERNS - set(PAGES) - COVERED_ELSEWHERE
    assert not unlisted, f"add these linkage URL names to tests/linkage/test_linkage_access.py: {sorted(unlisted)}"
    assert not (set(PAGES) | COVERED_ELSEWHERE) - PATTERNS, "names listed that no longer exist"


@pytest.fixture(scope="module")
def shared(django_db_setup, django_db_blocker) -> Iterator[tuple[Users, dict[str, Any]]]:
    """The users and the world, made once for the file's cases (`for_the_module`)."""
    with for_the_module(django_db_blocker):
        users = make_users()
        yield users, make_world(users, make_second_district())


@pytest.fixture
def users(shared, db) -> Users:
    return shared[0]


@pytest.fixture
def world(shared, db) -> dict[str, Any]:
    return shared[1]


def make_world(users: Users, second_district: SecondDistrict) -> dict[str, Any]:
    """Lucheng's import and comparison (by its office); the made-up district's office is `other_office`."""
    district = Area.objects.get(code="330302")
    imported = ListImport.objects.create(
        source="hukou",
        district=district,
        as_of="2025-09-01",
        state=JobState.DONE,
        rows_imported=3,
        created_by=users.office,
    )
    pair = PairJob.objects.create(
        district=district, created_by=users.office, state=JobState.DONE, counts={"match": 0, "review": 0}
    )
    store(StoredFile.Purpose.RESULT, "links.xlsx", b"PK result", pair_job=pair)
    return {"import": imported, "pair": pair, "other_office": second_district.office}


def _user(users, world, role: str):
    return world["other_office"] if role == "other_office" else getattr(users, role)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_matrix(client: Client, users, world, name, role):
    case = PAGES[name]
    client.force_login(_user(users, world, role))
    url = reverse(name, args=case.args(world))
    headers = case.headers or {}
    response = client.post(url, case.data(), **headers) if case.method == "post" else client.get(url, **headers)
    if role not in OFFICES:
        expected = 403
    elif case.scoped and role == "other_office":
        expected = 404
    else:
        expected = case.ok
    assert response.status_code == expected, (name, role)
    if expected == 200 and name == "linkage:index":
        shows_lucheng = "2025-09-01" in response.content.decode()
        assert shows_lucheng == (role == "office"), role


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(PAGES))
def test_anonymous_is_sent_to_login(client: Client, world, name):
    response = client.get(reverse(name, args=PAGES[name].args(world)))
    assert response.status_code == 302 and "/accounts/login/" in response.url
