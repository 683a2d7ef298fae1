"""THE access matrix of the children's registry, generated from the URL configuration and the
OpenAPI document: every "registry:" URL name and every /api/children operation × every role × a
child in the role's scope and one outside it.

A URL name or API operation missing from the tables below fails the test, so a new view cannot
be left out. The core's pages and endpoints have full expectations here (who gets through with
which status, and which children a list shows). The casework's and the children's homes' names
are listed with the test file that covers their rules; on top of that, every page of this app on
one child file (children/<pk>/…) is tried here by every role on a file outside the role's scope,
which must be refused whoever wrote the view.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from childfirst.accounts.models import Role
from childfirst.accounts.tokens import do_create_token
from childfirst.areas.models import Area
from childfirst.plans.models import Department
from childfirst.registry.children import actions
from childfirst.registry.children.actions import ChildData, GuardianData
from childfirst.registry.children.idnumber import check_character
from childfirst.registry.mandatory.actions import do_file_mandatory_report
from childfirst.registry.models import Assistance, CategoryType, Child, MandatoryReport, Referral, RiskAssessment, Task

from ..conftest import Users, for_the_module, make_user, make_users

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
# Each role's child in scope and a child out of its scope (see the `world` fixture):
# A lives in 五马第一社区 (the director's, in the supervisor's street), referred to health;
# B in 松台第一社区 (the other supervisor's street), referred to education; C in 五马第二社区.
SCOPE = {
    "director": ("A", "B"),
    "other_director": ("C", "A"),
    "supervisor": ("A", "B"),
    "other_supervisor": ("B", "A"),
    "office": ("A", "B"),  # under a grant for 五马街道
    "reporter": ("A", "B"),
    "reviewer": ("A", "B"),
    "education_reporter": ("B", "A"),
    "leader": ("A", "B"),
    "evaluator": ("A", "B"),
}
COMMUNITY = {"A": "330302001001", "B": "330302002001", "C": "330302001002"}
NAMES = {"A": "曾小明", "B": "松台童", "C": "五马二童"}
REGISTRY_ROLES = set(ROLES) - {"leader", "evaluator"}
FULL_FILE_ROLES = {"director", "other_director", "supervisor", "other_supervisor", "office"}
KEEPERS = {"director", "other_director", "supervisor", "other_supervisor"}
SUPERVISORS = {"supervisor", "other_supervisor"}
DEPARTMENT_USERS = {"reporter", "reviewer", "education_reporter"}


def allowed(rule: str, role: str, inside: bool) -> bool:
    return {
        "registry": role in REGISTRY_ROLES,  # pages without a child: the list, the export
        "keepers": role in KEEPERS,
        "office": role == "office",
        "see": inside and role in REGISTRY_ROLES,
        "see_full": inside and role in FULL_FILE_ROLES,  # not the department's referral-only view
        "keep": inside and role in KEEPERS,  # the office's grant is read-only
        # The casework's (registry-casework):
        "supervisors": role in SUPERVISORS,
        "supervise": inside and role in SUPERVISORS,  # the supervisor of the object's street
        # The community's director assesses; a supervisor only where the community has no director
        # (B's 松台第一社区 has none in this world, A's and C's have one).
        "assess": inside and role in {"director", "other_director", "other_supervisor"},
        "referrals": role in KEEPERS | DEPARTMENT_USERS,
        "reports": role in SUPERVISORS | {"office"},
    }[rule]


@dataclass(frozen=True)
class Case:
    rule: str
    method: str = "get"
    ok: int = 200
    args: Callable[[dict, Child], list] = lambda world, child: [child.pk]
    data: Callable[[dict, Child], dict] = lambda world, child: {}
    lists: bool = False  # the answer lists children: check which
    extra: dict = field(default_factory=dict)
    # Roles the page lets through to look up the file (the others get 403 whatever the file): for
    # them a file outside their scope answers 404, exactly as a file that does not exist.
    gate: frozenset[str] | None = None


GATES = {"see": REGISTRY_ROLES, "see_full": FULL_FILE_ROLES, "keep": KEEPERS}


def refusal(case: Case, role: str, inside: bool) -> int:
    """403 for a role the page refuses outright; 404 for a file outside the role's scope (never
    403, which would tell that the file exists); 403 for a file the role sees but may not change."""
    gate = case.gate if case.gate is not None else GATES.get(case.rule, frozenset())
    return 404 if not inside and role in gate else 403


# ----- the core's pages: full expectations ----------------------------------------------------------
PAGES: dict[str, Case] = {
    "registry:children": Case("registry", args=lambda w, c: [], lists=True),
    "registry:children_export": Case(
        "registry", "post", args=lambda w, c: [], data=lambda w, c: {"reason": "核对", "status": ""}, lists=True
    ),
    "registry:child_create": Case("keepers", args=lambda w, c: []),
    "registry:child": Case("see"),
    "registry:child_edit": Case("keep"),
    "registry:child_reveal_id": Case(
        "keep", "post", data=lambda w, c: {"purpose": "办理补助"}, gate=frozenset(REGISTRY_ROLES)
    ),
    "registry:child_photo": Case("see_full", gate=frozenset(REGISTRY_ROLES)),
    "registry:child_access_log": Case("keep", gate=frozenset(REGISTRY_ROLES)),
    "registry:child_photo_set": Case("keep", "post", ok=302, data=lambda w, c: {"remove": "1"}),
    "registry:child_guardian_add": Case(
        "keep", "post", ok=302, data=lambda w, c: {"name": "王芳", "relation": "mother", "phone": ""}
    ),
    "registry:child_guardian_remove": Case(
        "keep", "post", ok=302, args=lambda w, c: [c.pk, c.guardians.first().pk], data=lambda w, c: {"confirmed": "yes"}
    ),
    "registry:child_category_add": Case(
        "keep", "post", ok=302, data=lambda w, c: {"type": w["orphan"].pk, "start": "2025-01-01", "evidence": ""}
    ),
    "registry:child_category_end": Case(
        "keep",
        "post",
        ok=302,
        args=lambda w, c: [c.pk, c.categories.first().pk],
        data=lambda w, c: {"end": "2025-09-01", "confirmed": "yes"},
    ),
    "registry:child_exit": Case(
        "keep", "post", ok=302, data=lambda w, c: {"exit_reason": "moved_away", "exit_date": "2025-09-01"}
    ),
    "registry:grants": Case("office", args=lambda w, c: []),
    "registry:grant_revoke": Case("office", "post", ok=302, args=lambda w, c: [w["grant"].pk]),
    "registry:grant_approve": Case(
        "office", "post", ok=302, args=lambda w, c: [w["request"].pk], data=lambda w, c: {"confirm": "1"}
    ),
    "registry:grant_reject": Case(
        "office", "post", ok=302, args=lambda w, c: [w["request"].pk], data=lambda w, c: {"rejection_reason": "无需"}
    ),
    # The children's homes' contact card of one child (a PDF); its batch per community is in
    # tests/registry/test_contact_cards.py.
    "registry:child_card": Case("see_full", "post", data=lambda w, c: {"purpose": "入户走访"}),
    # ----- the casework (registry-casework; the rules in depth: tests/registry/test_registry_casework.py and
    # tests/registry/test_mandatory_reports.py). Objects other than the child are made on first use below.
    "registry:work_list": Case("keepers", args=lambda w, c: [], lists=True),
    "registry:supervision": Case("supervisors", args=lambda w, c: [], lists=True),
    "registry:casework": Case("see_full"),
    "registry:visit_new": Case("keep"),
    "registry:risk_new": Case("assess"),
    "registry:risk": Case("see_full", args=lambda w, c: [_assessment(c).pk]),
    "registry:task_close": Case(
        "supervise", "post", ok=302, args=lambda w, c: [_task(c).pk], data=lambda w, c: {"note": "已入户核实"}
    ),
    "registry:assistance_new": Case("keep"),
    "registry:assistance": Case("see_full", args=lambda w, c: [_assistance(c).pk]),
    "registry:referral_new": Case("keep"),
    "registry:referrals": Case("referrals", args=lambda w, c: []),
    "registry:referral": Case("see", args=lambda w, c: [_referral(c).pk]),
    "registry:reports": Case("reports", args=lambda w, c: []),
    "registry:report": Case("supervise", args=lambda w, c: [_report(c).pk]),
    "registry:report_triage": Case(
        "supervise",
        "post",
        ok=302,
        args=lambda w, c: [_report(c).pk],
        data=lambda w, c: {"step": "actions", "actions": ["visited"]},
    ),
}


# The casework's objects on a child, made on first use (directly: the matrix tests the pages, not the actions).
def _assessment(child: Child) -> RiskAssessment:
    return child.risk_assessments.first() or RiskAssessment.objects.create(
        child=child,
        assessed_on=datetime.date(2025, 9, 1),
        checklist_version="test",
        score=0,
        computed_level="low",
        level="low",
        assessed_by=child.created_by,
    )


def _task(child: Child) -> Task:
    return child.tasks.first() or Task.objects.create(
        kind="high_risk", street=child.residence_area.parent, child=child, due_on=datetime.date(2025, 9, 3)
    )


def _assistance(child: Child) -> Assistance:
    return child.assistance_plans.first() or Assistance.objects.create(
        child=child,
        helper_name="陈老师",
        plan="每周辅导",
        start_date=datetime.date(2025, 9, 1),
        created_by=child.created_by,
    )


def _referral(child: Child) -> Referral:
    return child.referrals.first() or Referral.objects.create(
        child=child, department=Department.objects.get(code="health"), reason="体检"
    )


def _report(child: Child) -> MandatoryReport:
    """A report about a child of the same community (routed to its street)."""
    return MandatoryReport.objects.filter(community=child.residence_area).first() or do_file_mandatory_report(
        None,
        reporter_institution="演示小学",
        reporter_kind="school",
        reporter_name="林老师",
        reporter_phone="13800000000",
        child_name="某童",
        child_age=9,
        child_sex="unknown",
        community=child.residence_area,
        concerns=["neglect"],
        description="无人接送",
        urgency="normal",
    )


# Public pages (the mandatory-report intake: anyone must be able to report a child at risk).
PUBLIC = {"registry:report_intake", "registry:report_receipt"}
# Names whose rules are tested by their owners; pages on one child file also get the generic
# out-of-scope check below.
COVERED_ELSEWHERE = {
    "registry:homes": "tests/homes/test_childrens_homes.py",
    "registry:homes_coverage": "tests/homes/test_childrens_homes.py",
    "registry:homes_street": "tests/homes/test_childrens_homes.py",
    "registry:home_create": "tests/homes/test_childrens_homes.py",
    "registry:home": "tests/homes/test_childrens_homes.py",
    "registry:home_edit": "tests/homes/test_childrens_homes.py",
    "registry:home_state": "tests/homes/test_childrens_homes.py",
    "registry:home_type": "tests/homes/test_childrens_homes.py",
    "registry:home_link": "tests/homes/test_childrens_homes.py",
    "registry:home_standard": "tests/homes/test_childrens_homes.py",
    "registry:home_activity_add": "tests/homes/test_childrens_homes.py",
    "registry:home_activity_delete": "tests/homes/test_childrens_homes.py",
    "registry:community_cards": "tests/registry/test_contact_cards.py",
    # The batch printing's menu entry: its roles and areas in TestContactCards there.
    "registry:cards": "tests/registry/test_reachability_and_consistency.py",
    "registry:card_batch": "tests/registry/test_contact_cards.py",
    "registry:card_batch_pdf": "tests/registry/test_contact_cards.py",
}


def registry_patterns(resolver: URLResolver | None = None, namespace: str = "", route: str = "") -> dict[str, str]:
    """Every "registry:" URL name and its route, from the URL configuration."""
    found = {}
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found |= registry_patterns(entry, inner, route + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name and namespace.startswith("registry:"):
            found[namespace + entry.name] = route + str(entry.pattern)
    return found


PATTERNS = registry_patterns()
ONE_CHILD = sorted(n for n, r in PATTERNS.items() if r.startswith("registry/children/<int:pk>/"))


def test_every_registry_name_is_in_the_matrix():
    unlisted = set(PATTERNS) - set(PAGES) - PUBLIC - set(COVERED_ELSEWHERE)
    assert not unlisted, f"add these registry URL names to tests/registry/test_registry_access.py: {sorted(unlisted)}"
    assert not (set(PAGES) | PUBLIC | set(COVERED_ELSEWHERE)) - set(PATTERNS), "names listed that no longer exist"


# ----- the world every case runs in -------------------------------------------------------------------


def _number(community_index: int, sequence: int) -> str:
    first17 = f"330302{datetime.date(2015, 3, 2):%Y%m%d}{community_index}{sequence:02d}"
    return first17 + check_character(first17)


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(scope="module")
def shared(django_db_setup, django_db_blocker) -> Iterator[tuple[Users, dict[str, Any]]]:
    """The users and the world, made once for the file's 600 cases (`for_the_module`)."""
    with for_the_module(django_db_blocker):
        users = make_users()
        yield users, make_world(users)


@pytest.fixture
def users(shared, db) -> Users:
    return shared[0]


@pytest.fixture
def world(shared, db) -> dict[str, Any]:
    return shared[1]


def make_world(users: Users) -> dict[str, Any]:
    left_behind = CategoryType.objects.get(code="left_behind")
    keeper = {"A": users.director, "B": users.other_supervisor, "C": users.other_director}
    made: dict[str, Any] = {"orphan": CategoryType.objects.get(code="orphan")}
    for index, key in enumerate("ABC"):
        made[key] = actions.do_create_child(
            keeper[key],
            ChildData(
                name=NAMES[key],
                sex="male",
                birth_date=datetime.date(2015, 3, 2),
                residence_area=Area.objects.get(code=COMMUNITY[key]),
                id_number=_number(index, 1),
                guardians=[GuardianData("监护人", "grandparent", "13812345678")],
                categories=[(left_behind, datetime.date(2024, 1, 1), "证明")],
            ),
        )
        actions.do_set_photo(keeper[key], made[key], PNG)
    Referral.objects.create(child=made["A"], department=Department.objects.get(code="health"), reason="体检")
    Referral.objects.create(child=made["B"], department=Department.objects.get(code="education"), reason="入学")
    # The office's grant for 五马街道: requested by the office user itself, approved by a second
    # office user (the two-person rule). A second request, by the second user for itself, awaits
    # the office user's decision (approve / reject in the matrix).
    second_office = make_user("office2", Role.OFFICE, area="330302")
    wuma = Area.objects.get(code="330302001")
    week = timezone.now() + datetime.timedelta(days=7)
    made["grant"] = actions.do_approve_grant(
        second_office, actions.do_request_grant(users.office, users.office, wuma, "专项检查", week)
    )
    made["request"] = actions.do_request_grant(second_office, second_office, wuma, "复查", week)
    return made


def _request(client: Client, method: str, url: str, data: dict) -> Any:
    return client.post(url, data) if method == "post" else client.get(url, data)


# ----- the core's pages ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_matrix(client, users, world, name, role):
    case = PAGES[name]
    client.force_login(getattr(users, role))
    inside, outside = (world[key] for key in SCOPE[role])
    needs_child = case.rule in ("see", "see_full", "keep")
    # Outside first (it must change nothing), then inside.
    for child, is_inside in ([(outside, False)] if needs_child else []) + [(inside, True)]:
        url = reverse(name, args=case.args(world, child))
        response = _request(client, case.method, url, case.data(world, child))
        expected = case.ok if allowed(case.rule, role, is_inside) else refusal(case, role, is_inside)
        assert response.status_code == expected, (name, role, "inside" if is_inside else "outside")
        if case.lists and expected == 200:
            body = response.content.decode("utf-8-sig")
            assert NAMES[SCOPE[role][0]] in body, (name, role)
            assert NAMES[SCOPE[role][1]] not in body, (name, role)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(set(PATTERNS) - PUBLIC))
def test_anonymous_is_sent_to_login(client, world, name):
    kwargs = {}
    for converter in ("pk", "guardian", "category", "activity"):
        if f"<int:{converter}>" in PATTERNS[name]:
            kwargs[converter] = 1
    for converter in ("code", "item"):
        if f"<str:{converter}>" in PATTERNS[name]:
            kwargs[converter] = "330302001"
    url = reverse(name, kwargs=kwargs)
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        assert response.status_code in (302, 405), (name, method)
        if response.status_code == 302:
            assert response.url.startswith("/accounts/login/"), (name, method)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ONE_CHILD)
def test_no_page_on_a_child_file_opens_outside_the_scope(client, users, world, name, role):
    """Every page on one child file, whoever wrote it: a file outside the role's scope is refused
    (GET and POST), and nothing about the child is in the answer."""
    outside = world[SCOPE[role][1]]
    client.force_login(getattr(users, role))
    args = [outside.pk] + [1] * (PATTERNS[name].count("<int:") - 1)
    url = reverse(name, args=args)
    statuses = []
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        statuses.append(response.status_code)
        # 404 as for a file that does not exist; 403 only where the role is refused the page itself.
        allowed_statuses = (404, 405) if role in KEEPERS else (403, 404, 405)
        assert response.status_code in allowed_statuses, (name, role, method)
        assert NAMES[SCOPE[role][1]] not in response.content.decode("utf-8", "replace"), (name, role, method)
    assert statuses != [405, 405], name


# ----- the API, from its OpenAPI document -----------------------------------------------------------------


def _create_body(role: str, inside: bool, world: dict) -> dict:
    key = SCOPE[role][0] if inside else SCOPE[role][1]
    sequence = 10 + ROLES.index(role) * 2 + inside
    return {
        "name": "新建童",
        "sex": "male",
        "birth_date": "2015-03-02",
        "id_number": _number(0, sequence),
        "community": COMMUNITY[key],
    }


# (method, path) → (rule, OK status, body builder, whether the answer lists children)
API: dict[tuple[str, str], tuple[str, int, Callable | None, bool]] = {
    ("get", "/api/children/"): ("registry", 200, None, True),
    ("post", "/api/children/search"): ("registry", 200, lambda role, inside, w: {"q": "", "status": ""}, True),
    ("get", "/api/children/{child_id}"): ("see", 200, None, False),
    ("patch", "/api/children/{child_id}"): (
        "keep",
        200,
        lambda role, inside, w: {"version": 1, "school": "演示小学"},
        False,
    ),
    ("post", "/api/children/"): ("keep", 201, _create_body, False),
}


def api_operations() -> list[tuple[str, str]]:
    from childfirst.api import api

    document = api.get_openapi_schema()
    return sorted(
        (method, path)
        for path, operations in document["paths"].items()
        if path.startswith("/api/children")
        for method in operations
    )


def test_every_api_operation_is_in_the_matrix(client):
    served = json.loads(client.get("/api/openapi.json").content)["paths"]
    operations = {(m, p) for p, ops in served.items() if p.startswith("/api/children") for m in ops}
    assert operations == set(api_operations())
    assert not operations - set(API), (
        f"add these /api/children operations to the matrix: {sorted(operations - set(API))}"
    )
    assert not set(API) - operations, "operations listed that no longer exist"


def _call(client: Client, method: str, path: str, secret: str | None, body: dict | None) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}
    if method == "get":
        return client.get(path, **headers)
    return getattr(client, method)(path, data=json.dumps(body or {}), content_type="application/json", **headers)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path"), api_operations())
def test_api_matrix(client, users, world, method, path, role):
    rule, ok, body, lists = API[(method, path)]
    user = getattr(users, role)
    _token, secret = do_create_token(None, user)
    needs_child = "{child_id}" in path or (method, path) == ("post", "/api/children/")
    for inside in ([False] if needs_child else []) + [True]:
        child = world[SCOPE[role][0] if inside else SCOPE[role][1]]
        url = path.replace("{child_id}", str(child.pk))
        data = body(role, inside, world) if body else None
        assert _call(client, method, url, None, data).status_code == 401, (method, path)
        response = _call(client, method, url, secret, data)
        expected = ok if allowed(rule, role, inside) else 403
        if not inside and "{child_id}" in path and role in REGISTRY_ROLES:
            expected = 404  # out of scope answers as a file that does not exist
        assert response.status_code == expected, (method, path, role, inside, response.content[:300])
        text = response.content.decode()
        assert _number(0, 1) not in text and _number(1, 1) not in text  # never a full ID number
        if lists and expected == 200:
            names = {c["name"] for c in response.json()["children"]}
            assert NAMES[SCOPE[role][0]] in names and NAMES[SCOPE[role][1]] not in names, (role, names)
        if expected == 200 and role in ("reporter", "reviewer", "education_reporter"):
            assert "id_number_masked" not in text and "guardians" not in text and "categories" not in text
