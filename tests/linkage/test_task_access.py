"""The access matrix of the verification-task and clerical-review pages (the linkage pages served by
task_views.py and review_views.py), generated from the URL configuration: every such URL name × every
role, on an object of the role's scope and, for pages on one object, one outside it. (The import and
pairing pages are in tests/linkage/test_linkage_access.py, which lists these names as covered here.)

A task or review URL name missing from PAGES fails the test, so a new view cannot be left out. Department lists are
the most sensitive data in the system: leaders, evaluators and departments see nothing; the office
counts only; a director their community's tasks; a supervisor their street's tasks and review pairs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from childfirst.linkage import run
from childfirst.linkage.discovery import do_discover
from childfirst.linkage.models import ReviewItem, VerificationTask
from childfirst.linkage.run import do_run_linkage
from childfirst.registry.models import ChildAccessLog

from ..conftest import Users, for_the_module, make_users
from .task_lists import MATCH, OTHER_COMMUNITY, OTHER_STREET_COMMUNITY, REVIEW, Row, fake_link, make_list, years_ago

ROLES = [
    "office",
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
KEEPERS = {"director", "other_director", "supervisor", "other_supervisor"}
SUPERVISORS = {"supervisor", "other_supervisor"}
# Each role's object in scope and one out of scope (see `world`): A in 五马第一社区 (the director's,
# in the supervisor's street), C in 五马第二社区 (the other director's), B in 松台第一社区 (the other
# supervisor's street).
SCOPE = {
    "director": ("A", "C"),
    "other_director": ("C", "A"),
    "supervisor": ("A", "B"),
    "other_supervisor": ("B", "A"),
}
NAMES = {"A": "五马一童", "B": "松台童", "C": "五马二童"}


def allowed(rule: str, role: str) -> bool:
    return {
        "keepers": role in KEEPERS,  # the task list (scoped inside)
        "office": role == "office",  # counts only
        "supervisors": role in SUPERVISORS,  # the review queue (scoped inside)
        "task": role in KEEPERS,  # one task: its community's director, its street's supervisor
        "review": role in SUPERVISORS,  # one pair: its street's supervisor
    }[rule]


@dataclass(frozen=True)
class Case:
    rule: str
    method: str = "get"
    ok: int = 200
    obj: str = ""  # "task" or "review": the page is on one object
    data: Callable[[], dict] = dict
    lists: bool = False  # the answer names children: check which


PAGES: dict[str, Case] = {
    "linkage:tasks": Case("keepers", lists=True),
    "linkage:task_counts": Case("office"),
    "linkage:task": Case("task", obj="task"),
    "linkage:task_confirm": Case("task", "post", ok=302, obj="task"),
    "linkage:task_open_file": Case("task", obj="task"),
    "linkage:task_reject": Case("task", "post", ok=302, obj="task", data=lambda: {"reason": "other", "note": "重复"}),
    "linkage:reviews": Case("supervisors"),
    "linkage:review": Case("review", obj="review"),
    "linkage:review_decide": Case("review", "post", ok=302, obj="review", data=lambda: {"decision": "non_match"}),
    "linkage:review_undo": Case("review", "post", ok=302, obj="review"),
}


OWN_VIEWS = ("childfirst.linkage.task_views", "childfirst.linkage.review_views")


def task_patterns(resolver: URLResolver | None = None, namespace: str = "", route: str = "") -> dict[str, str]:
    """Every "linkage:" URL name served by the task and review views, and its route."""
    found = {}
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found |= task_patterns(entry, inner, route + str(entry.pattern))
        elif (
            isinstance(entry, URLPattern)
            and entry.name
            and namespace.startswith("linkage:")
            and entry.callback.__module__ in OWN_VIEWS
        ):
            found[namespace + entry.name] = route + str(entry.pattern)
    return found


PATTERNS = task_patterns()


def test_every_task_and_review_name_is_in_the_matrix():
    assert PATTERNS, "no task or review page found in the URL configuration"
    unlisted = set(PATTERNS) - set(PAGES)
    assert not unlisted, f"add these linkage URL names to tests/linkage/test_task_access.py: {sorted(unlisted)}"
    assert not set(PAGES) - set(PATTERNS), "names listed that no longer exist"


@pytest.fixture(scope="module")
def shared(django_db_setup, django_db_blocker) -> Iterator[tuple[Users, dict[str, Any]]]:
    """The users and the world, made once for the file's cases (`for_the_module`)."""
    with for_the_module(django_db_blocker), pytest.MonkeyPatch.context() as patch:
        patch.setattr(run, "_link", fake_link)
        patch.setattr(run, "thresholds", lambda: (REVIEW, MATCH))
        yield make_users(), make_world()


@pytest.fixture
def users(shared, db) -> Users:
    return shared[0]


@pytest.fixture
def world(shared, matcher) -> dict[str, Any]:
    return shared[1]


def make_world() -> dict[str, Any]:
    """A suspected out-of-school child in each of the three communities (a task each) and, in each
    street, a pair awaiting review."""
    community = {"A": "330302001001", "B": OTHER_STREET_COMMUNITY, "C": OTHER_COMMUNITY}
    make_list("hukou", [Row(NAMES[k], years_ago(11), community=community[k]) for k in "ABC"], proves="population")
    make_list(
        "student",
        [Row(NAMES[k], years_ago(11, days=40), community=community[k]) for k in "AB"],
        proves="school",
    )
    do_run_linkage()
    do_discover()
    made: dict[str, Any] = {}
    for key in "ABC":
        made[("task", key)] = VerificationTask.objects.get(rule="out_of_school", person__name=NAMES[key])
    for key in "AB":
        made[("review", key)] = ReviewItem.objects.get(left__name=NAMES[key])
    return made


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_matrix(client, users, world, name, role):
    case = PAGES[name]
    client.force_login(getattr(users, role))
    inside_key, outside_key = SCOPE.get(role, ("A", "B"))
    attempts: list[tuple[list[int], bool]] = [([], True)]
    if case.obj:
        inside = world.get((case.obj, inside_key))
        outside = world.get((case.obj, outside_key))
        if inside is None:  # pairs are per street: C's community has none (only refused roles get here)
            inside = world[(case.obj, "A")]
        attempts = [([outside.pk], False)] if outside is not None else []
        attempts.append(([inside.pk], True))
    for args, is_inside in attempts:
        response = getattr(client, case.method)(reverse(name, args=args), case.data())
        # 403 for a role the page refuses; 404 for an object outside the scope (as for none at all).
        expected = 403 if not allowed(case.rule, role) else (case.ok if is_inside else 404)
        assert response.status_code == expected, (name, role, "inside" if is_inside else "outside")
        if case.lists and expected == 200:
            body = response.content.decode()
            assert NAMES[inside_key] in body, (name, role)
            assert NAMES[outside_key] not in body, (name, role)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_anonymous_is_sent_to_login(client, name):
    url = reverse(name, kwargs={"pk": 1} if "<int:pk>" in PATTERNS[name] else {})
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        assert response.status_code in (302, 405), (name, method)
        if response.status_code == 302:
            assert response.url.startswith("/accounts/login/"), (name, method)


@pytest.mark.django_db
def test_every_view_of_list_records_is_in_the_access_log(client, users, world):
    client.force_login(users.director)
    task = world[("task", "A")]
    client.get(reverse("linkage:task", args=[task.pk]))
    client.get(reverse("linkage:task_open_file", args=[task.pk]))
    client.force_login(users.supervisor)
    item = world[("review", "A")]
    client.get(reverse("linkage:review", args=[item.pk]))
    rows = list(
        ChildAccessLog.objects.filter(action="list_records").order_by("pk").values_list("user__username", "purpose")
    )
    assert rows == [
        ("director", f"verification task {task.pk}"),
        ("director", f"verification task {task.pk}"),
        ("supervisor", f"review pair {item.pk}"),
    ]
    # No name and no ID number in the log.
    assert not ChildAccessLog.objects.filter(purpose__contains="童").exists()
