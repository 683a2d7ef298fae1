"""THE access matrix of the implementation report pages and document downloads, generated from the
URL configuration: every URL name served by report_views or document_views × every role × a report
of the user's own department, one of another department, an accepted one, and the made-up second
district's. A name missing from PAGES fails the test, so a new page cannot be left out.

The rule (issue 15): a department sees its own reports, the office (of the plan's area) all; leaders
and evaluators read accepted reports; nobody else."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from childfirst.collection.actions import do_open_round
from childfirst.collection.models import SubmissionState
from childfirst.implementation import document_views, report_views
from childfirst.implementation.documents import store_document
from childfirst.implementation.models import ImplementationReport
from childfirst.implementation.report_actions import do_open_reports
from childfirst.plans.models import Plan
from tests.implementation.files import pdf_bytes, upload

from ..conftest import SecondDistrict, Users, for_the_module, make_second_district, make_users

ROLES = [
    "office",
    "other_office",
    "reporter",
    "reviewer",
    "education_reporter",
    "other_reporter",
    "supervisor",
    "director",
    "leader",
    "evaluator",
]
# Who may open which report: "health" is a draft of the health department, "education" an accepted report
# of education, "madeup" a draft of the second district's health department.
READS = {
    "health": {"office", "reporter", "reviewer"},
    "education": {"office", "education_reporter", "leader", "evaluator"},
    "madeup": {"other_office", "other_reporter"},
}
HEALTH_WRITERS = {"reporter"}


@dataclass(frozen=True)
class Case:
    method: str = "get"
    args: Callable[[dict, str], list] = lambda world, which: []
    data: Callable[[dict, str], dict] = lambda world, which: {}
    # (role, which) → expected status; `which` is one of READS' keys, or "round" for the round pages.
    expect: Callable[[str, str], int] = lambda role, which: 200
    objects: tuple[str, ...] = ("health", "education", "madeup")


def _reads(ok: int) -> Callable[[str, str], int]:
    return lambda role, which: ok if role in READS[which] else 403


def _writes(ok: int) -> Callable[[str, str], int]:
    """Only the health department's reporter writes, and only the draft."""

    def expect(role: str, which: str) -> int:
        if which == "madeup":
            return ok if role == "other_reporter" else 403
        return ok if role in HEALTH_WRITERS and which == "health" else 403

    return expect


def _step(role: str, which: str) -> int:
    """A step with a stale version: its own department's reporter is told so (302 back to the report);
    anyone else is refused before the version is looked at."""
    own = {"health": "reporter", "education": "education_reporter", "madeup": "other_reporter"}
    return 302 if own[which] == role else 403


def _round(role: str, which: str) -> int:
    if which == "madeup":
        return 200 if role in {"other_office", "other_reporter"} else 403
    return 200 if role in {"office", "reporter", "reviewer", "education_reporter", "leader", "evaluator"} else 403


def _open(role: str, which: str) -> int:
    if which == "madeup":
        return 302 if role == "other_office" else 403
    return 302 if role == "office" else 403


def _word(role: str, which: str) -> int:
    if role in {"leader", "evaluator"}:
        return 403
    return 200 if role in READS[which] else 403


PAGES: dict[str, Case] = {
    "implementation:reports": Case(
        args=lambda w, which: [w[which].round.plan.code],
        expect=lambda role, which: 302 if _round(role, which) == 200 else 403,
        objects=("health", "madeup"),
    ),
    "implementation:round": Case(args=lambda w, which: [w[which].round.plan.code, 2025], expect=_round),
    "implementation:open_reports": Case(
        "post", args=lambda w, which: [w[which].round.plan.code, 2025], expect=_open, objects=("health", "madeup")
    ),
    "implementation:report": Case(args=lambda w, which: [w[which].round.plan.code, w[which].pk], expect=_reads(200)),
    "implementation:report_step": Case(
        "post",
        args=lambda w, which: [w[which].round.plan.code, w[which].pk, "submit"],
        data=lambda w, which: {"version": "0"},
        expect=_step,
    ),
    "implementation:attach": Case(
        "post", args=lambda w, which: [w[which].round.plan.code, w[which].pk], expect=_writes(302)
    ),
    "implementation:remove_document": Case(
        "post",
        # unconfirmed: the confirmation step (400: nothing done) for the writer, refused for the rest
        args=lambda w, which: [w[which].round.plan.code, w[which].pk, w[f"{which}_document"].pk],
        expect=_writes(400),
    ),
    "implementation:word_template": Case(args=lambda w, which: [w[which].round.plan.code, w[which].pk], expect=_word),
    "implementation:word_upload": Case(
        args=lambda w, which: [w[which].round.plan.code, w[which].pk], expect=_writes(200)
    ),
    "implementation:document": Case(
        args=lambda w, which: [w[which].round.plan.code, w[f"{which}_document"].pk], expect=_reads(200)
    ),
}
MODULES = {report_views.__name__, document_views.__name__}


def report_patterns(resolver: URLResolver | None = None, namespace: str = "") -> set[str]:
    """The URL names served by this part's views (followup's and scorecard's have their own matrices)."""
    found = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found |= report_patterns(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name and entry.callback.__module__ in MODULES:
            found.add(namespace + entry.name)
    return found


def test_every_report_page_is_in_the_matrix():
    names = report_patterns()
    assert names - set(PAGES) == set(), "add these to tests/implementation/test_report_access.py"
    assert set(PAGES) - names == set(), "names listed that no longer exist"


def make_world(users: Users, second: SecondDistrict) -> dict[str, Any]:
    import datetime

    lucheng = Plan.objects.get(code="lucheng-2021-2025")
    round_2025 = do_open_round(users.office, lucheng, 2025, datetime.date(2026, 3, 31))
    do_open_reports(users.office, round_2025)
    health = ImplementationReport.objects.get(round=round_2025, department__code="health")
    education = ImplementationReport.objects.get(round=round_2025, department__code="education")
    ImplementationReport.objects.filter(pk=education.pk).update(state=SubmissionState.ACCEPTED)
    education.refresh_from_db()
    madeup_round = do_open_round(second.office, second.plan, 2025, datetime.date(2026, 3, 31))
    do_open_reports(second.office, madeup_round)
    madeup = ImplementationReport.objects.get(round=madeup_round, department__code="health")
    return {
        "health": health,
        "education": education,
        "madeup": madeup,
        "health_document": store_document("report", health, upload("h.pdf", pdf_bytes()), users.reporter),
        "education_document": store_document("report", education, upload("e.pdf", pdf_bytes()), users.office),
        "madeup_document": store_document("report", madeup, upload("m.pdf", pdf_bytes()), second.reporter),
        "other_office": second.office,
        "other_reporter": second.reporter,
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


def _user(users, world, role: str):
    return world[role] if role in ("other_office", "other_reporter") else getattr(users, role)


CASES = [(name, which) for name, case in sorted(PAGES.items()) for which in case.objects]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "which"), CASES)
def test_page_matrix(client: Client, users, world, name, which, role):
    case = PAGES[name]
    client.force_login(_user(users, world, role))
    url = reverse(name, args=case.args(world, which))
    response = client.post(url, case.data(world, which)) if case.method == "post" else client.get(url)
    assert response.status_code == case.expect(role, which), (name, which, role)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "which"), CASES)
def test_anonymous_is_sent_to_login(client: Client, world, name, which):
    response = client.get(reverse(name, args=PAGES[name].args(world, which)))
    assert response.status_code == 302 and "/accounts/login/" in response.url


@pytest.mark.django_db
def test_a_report_of_another_plan_is_404(client: Client, users, world):
    """The report's id under the wrong plan's URL: not found, even for the office that may see both."""
    client.force_login(users.office)
    assert (
        client.get(reverse("implementation:report", args=["lucheng-2021-2025", world["madeup"].pk])).status_code == 404
    )
    assert client.get(reverse("implementation:round", args=["lucheng-2021-2025", 2019])).status_code == 404


@pytest.mark.django_db
def test_the_round_page_shows_each_role_its_own_rows(client: Client, users, world):
    url = reverse("implementation:round", args=["lucheng-2021-2025", 2025])
    client.force_login(users.office)
    office_page = client.get(url).content.decode()
    assert office_page.count("/implementation/reports/") >= 10
    client.force_login(users.reporter)
    own = client.get(url).content.decode()
    assert f"/reports/{world['health'].pk}/" in own and f"/reports/{world['education'].pk}/" not in own
    client.force_login(users.leader)
    leader = client.get(url).content.decode()
    assert f"/reports/{world['education'].pk}/" in leader and f"/reports/{world['health'].pk}/" not in leader
