"""Access: every page refuses anonymous users, office-only pages refuse other roles, and
area-scoped pages refuse users of another area. New URL patterns must be added here."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from childfirst.accounts.models import Role
from childfirst.areas.models import Area
from childfirst.collection.models import ReportingRound
from childfirst.plans.models import Plan

from ..conftest import Users, for_the_module, make_user, make_users


@pytest.fixture(scope="module")
def shared(django_db_setup, django_db_blocker) -> Iterator[tuple[Users, ReportingRound]]:
    """The users and the open 2025 round, made once for the file's cases (`for_the_module`)."""
    from childfirst.collection.actions import do_open_round

    with for_the_module(django_db_blocker):
        users = make_users()
        plan = Plan.objects.get(code="lucheng-2021-2025")
        yield users, do_open_round(users.office, plan, 2025, datetime.date(2026, 3, 31))


@pytest.fixture
def users(shared, db) -> Users:
    return shared[0]


@pytest.fixture
def round_2025(shared, db) -> ReportingRound:
    return shared[1]


PUBLIC = {"login", "healthz", "set_language", "favicon"}
# The open-data portal is public as a whole: every "portal:" name, with a concrete URL, answers 200
# to an anonymous client once something is published (tests/reports/test_portal.py crawls the rest).
PORTAL_PLAN = "lucheng-2021-2025"
PORTAL = {
    "portal:index": "/open/",
    "portal:plan": f"/open/{PORTAL_PLAN}/",
    "portal:domain": f"/open/{PORTAL_PLAN}/domains/health/",
    "portal:indicator": f"/open/{PORTAL_PLAN}/indicators/HEA-14/",
    "portal:key_projects": f"/open/{PORTAL_PLAN}/projects/",
    "portal:downloads": f"/open/{PORTAL_PLAN}/data/",
    "portal:indicator_csv": f"/open/{PORTAL_PLAN}/data/HEA-14.csv",
    "portal:download_all": f"/open/{PORTAL_PLAN}/data/all.zip",
    "portal:language": f"/open/language/en/?next=/open/{PORTAL_PLAN}/",
    "portal:practices": f"/open/{PORTAL_PLAN}/practices/",
}

# One concrete URL per pattern name, with who may open it. Keep in step with the urlconf:
# test_every_pattern_is_listed fails when a pattern is missing here.
PAGES = {
    "home": "/",
    "logout": None,  # POST only; tested in test_login
    "accounts:me": "/accounts/me/",
    "accounts:users": "/accounts/users/",
    "accounts:user_create": "/accounts/users/new/",
    # One account's pages: every role and another district's office are tried on them in
    # tests/accounts/test_account_admin.py (test_other_roles_are_refused, ..._not_listed_nor_opened).
    "accounts:user_edit": None,
    "accounts:user_active": None,
    "accounts:user_password_reset": None,
    "accounts:lockouts": "/accounts/lockouts/",
    "accounts:password": "/accounts/password/",
    "accounts:password_done": "/accounts/password/done/",
    # Every role's own inbox; marking read is POST only and refuses another's notification
    # (tests/notifications/test_notifications.py).
    "notifications:inbox": "/inbox/",
    "notifications:read": None,
    "notifications:read_all": None,
    "indicators": "/indicators/",
    "plans:list": "/plans/",
    "plans:plan": "/plans/lucheng-2021-2025/",
    "plans:indicators": "/plans/lucheng-2021-2025/indicators/",
    "plans:indicator": "/plans/lucheng-2021-2025/indicators/HEA-01/",
    "plans:domain": "/plans/lucheng-2021-2025/domains/health/",
    "plans:key_project": "/plans/lucheng-2021-2025/projects/KP1/",
    "plans:key_projects": "/plans/lucheng-2021-2025/projects/",
    "plans:revisions": "/plans/lucheng-2021-2025/revisions/",
    # The plan switcher: makes the plan current and opens its catalogue page (no ?to=).
    "plans:switch": "/plans/lucheng-2021-2025/switch/",
    # The homes' readers only; every role and the other district: tests/collection/test_plan_urls.py.
    "homes:coverage": "/plans/lucheng-2021-2025/homes/coverage/",
    "areas:tree": "/areas/",
    "areas:area": "/areas/330302001/",
    "collection:rounds": "/plans/lucheng-2021-2025/collection/",
    "collection:rules": "/plans/lucheng-2021-2025/collection/rules/",
    "collection:round": "/plans/lucheng-2021-2025/collection/rounds/2025/",
    "collection:entry": "/plans/lucheng-2021-2025/collection/rounds/2025/health/",
    "collection:history": "/plans/lucheng-2021-2025/collection/rounds/2025/health/history/HEA-04/330302001/",
    "collection:round_export": "/plans/lucheng-2021-2025/collection/rounds/2025/values.csv",
    "collection_excel:template": "/plans/lucheng-2021-2025/collection/rounds/2025/health/template.xlsx",
    "collection_excel:upload": "/plans/lucheng-2021-2025/collection/rounds/2025/health/upload/",
    "evaluation:overview": "/plans/lucheng-2021-2025/evaluation/",
    "evaluation:domain": "/plans/lucheng-2021-2025/evaluation/domains/health/",
    "evaluation:indicator": "/plans/lucheng-2021-2025/evaluation/indicators/HEA-04/",
    "evaluation:department": "/plans/lucheng-2021-2025/evaluation/departments/health/",
    "evaluation:streets": "/plans/lucheng-2021-2025/evaluation/streets/",
    "evaluation:street": "/plans/lucheng-2021-2025/evaluation/streets/330302001/",
    "evaluation:snapshots": "/plans/lucheng-2021-2025/evaluation/published/",
    # The office only: tests/evaluation/test_publish_guard.py tries every role and another district.
    "evaluation:publish": None,
    "evaluation:assessments": "/plans/lucheng-2021-2025/evaluation/assessments/",
    "evaluation:methods": "/plans/lucheng-2021-2025/evaluation/methods/",
    "evaluation:snapshot_diff": None,  # needs two versions: tests/evaluation/test_evaluation.py
    "reports:index": "/plans/lucheng-2021-2025/reports/",
    # A generated job's progress row and downloads, and the POST that requests one: every role is
    # tried on them in tests/reports/test_report_jobs.py (TestAccess).
    "reports:job": None,
    "reports:download": None,
    "reports:request": None,
    # POST only; their refusals are tested in test_collection_pages and test_api
    "accounts:token_create": None,
    "accounts:token_revoke": None,
    "accounts:unlock": None,  # POST only: test_lockout_screen_is_for_the_office_only
    "collection:round_open": None,
    "collection:round_state": None,
    "collection:workflow": None,
    # The departments' yearly assessment: every role, a department's own row, another district and the
    # weights upload are tried in tests/implementation/test_scorecard.py.
    # The implementation reports' pages and documents: every role on its own, another department's,
    # an accepted and another district's report in tests/implementation/test_report_access.py.
    "implementation:attach": None,
    "implementation:document": None,
    "implementation:open_reports": None,
    "implementation:remove_document": None,
    "implementation:report": None,
    "implementation:report_step": None,
    "implementation:reports": None,
    "implementation:round": None,
    "implementation:word_template": None,
    "implementation:word_upload": None,
    # Recommendations (督办) and good practices: every role on every page, another district's and
    # another plan's objects in tests/implementation/test_followup_access.py; a published practice's
    # photo is public, an unpublished one's a 404 (tests/implementation/test_good_practices.py).
    "implementation:assignment_close": None,
    "implementation:assignment_respond": None,
    "implementation:assignment_return": None,
    "implementation:practice": None,
    "implementation:practice_decline": None,
    "implementation:practice_new": None,
    "implementation:practice_publish": None,
    "implementation:practice_withdraw": None,
    "implementation:practices": None,
    "implementation:recommendation": None,
    "implementation:recommendation_new": None,
    "implementation:recommendations": None,
    "portal:practice_photo": None,
    "implementation:scorecard": None,
    "implementation:scorecard_default": None,
    "implementation:scorecard_export": None,
    "implementation:scorecard_weights": None,
    "implementation:weights_file": None,
    "implementation:weights_version": None,
}
# Monitoring data is for the office, departments, leaders and evaluators, not for the registry's roles.
COLLECTION = {name for name in PAGES if name.startswith("collection")}
COLLECTION_ROLES = ["office", "reporter", "reviewer", "leader", "evaluator"]
# Pages of one department's submission: other departments are refused.
DEPARTMENT_PAGES = {"collection:entry", "collection:history", "collection_excel:template", "collection_excel:upload"}
READ_ONLY = {"collection_excel:upload"}  # reporters only
OVERSIGHT_ONLY = {"collection:round_export"}  # the office, leaders and evaluators
# Reports: the office generates them, leaders and evaluators download them; nobody else.
REPORTS = {name for name in PAGES if name.startswith("reports:")}
REPORT_ROLES = ["office", "leader", "evaluator"]


def pattern_names(resolver: URLResolver | None = None, prefix: str = "") -> set[str]:
    names = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            names |= pattern_names(entry, namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(prefix + entry.name)
    return names


def test_every_pattern_is_listed():
    # The JSON API's routes are named by django-ninja; tests/collection/test_api.py covers each of them. The
    # registry's names are covered by the matrix generated in tests/registry/test_registry_access.py, the
    # linkage's by tests/linkage/test_linkage_access.py and test_task_access.py.
    unlisted = (
        {n for n in pattern_names() if not n.startswith(("api:", "registry:", "linkage:"))}
        - PUBLIC
        - set(PAGES)
        - set(PORTAL)
    )
    assert not unlisted, f"add these URL names to the access tests: {sorted(unlisted)}"


@pytest.mark.django_db
def test_portal_names_are_public(client, plan):
    from childfirst.evaluation.actions import do_publish

    do_publish(None, plan, 2024)  # with no data at all: every page must still answer
    for name, url in PORTAL.items():
        response = client.get(url, follow=True)
        assert response.status_code == 200, name
        assert not any(hop.startswith("/accounts/login/") for hop, _status in response.redirect_chain), name


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(k for k, v in PAGES.items() if v))
def test_anonymous_is_sent_to_login(client, round_2025, name):
    response = client.get(PAGES[name])
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


# evaluation:street follows the area scope; tests/evaluation/test_evaluation.py covers it. homes:coverage
# is for the homes' readers: tests/collection/test_plan_urls.py tries every role and the other district.
SCOPED = {"accounts:users", "accounts:user_create", "accounts:lockouts", "evaluation:street", "homes:coverage"}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["office", "reporter", "supervisor", "director", "leader", "evaluator"])
@pytest.mark.parametrize(
    "name", sorted(k for k, v in PAGES.items() if v and k not in SCOPED and k not in COLLECTION and k not in REPORTS)
)
def test_every_role_opens_shared_pages(client, users, role, name):
    user = getattr(users, role)
    client.force_login(user)
    url = PAGES[name] if name != "areas:area" else f"/areas/{user.scope_area().code}/"
    assert client.get(url, follow=True).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(k for k in COLLECTION if PAGES[k]))
def test_collection_pages_by_role_and_department(client, users, round_2025, name):
    for role in COLLECTION_ROLES:
        client.force_login(getattr(users, role))
        allowed = (name not in READ_ONLY or role == "reporter") and (
            name not in OVERSIGHT_ONLY or role in ("office", "leader", "evaluator")
        )
        assert client.get(PAGES[name]).status_code == (200 if allowed else 403), (role, name)
    for role in ["supervisor", "director"]:
        client.force_login(getattr(users, role))
        assert client.get(PAGES[name]).status_code == 403, (role, name)
    if name in DEPARTMENT_PAGES:
        client.force_login(users.education_reporter)
        assert client.get(PAGES[name]).status_code == 403, name


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(k for k in REPORTS if PAGES[k]))
def test_report_pages_by_role(client, users, name):
    for role in ["office", "reporter", "reviewer", "supervisor", "director", "leader", "evaluator"]:
        client.force_login(getattr(users, role))
        assert client.get(PAGES[name]).status_code == (200 if role in REPORT_ROLES else 403), (role, name)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["reporter", "reviewer", "supervisor", "director", "leader", "evaluator"])
def test_account_list_is_for_the_office_only(client, users, role):
    client.force_login(getattr(users, role))
    for url in ("/accounts/users/", "/accounts/users/new/"):
        response = client.get(url)
        assert response.status_code == 403
        assert "无权访问" in response.content.decode()
    client.force_login(users.office)
    assert client.get("/accounts/users/").status_code == 200
    assert client.get("/accounts/users/new/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["reporter", "reviewer", "supervisor", "director", "leader", "evaluator"])
def test_lockout_screen_is_for_the_office_only(client, users, role):
    from axes.models import AccessAttempt

    attempt = AccessAttempt.objects.create(
        username="leader", ip_address="10.0.0.1", user_agent="x", failures_since_start=5, get_data="", post_data=""
    )
    client.force_login(getattr(users, role))
    assert client.get("/accounts/lockouts/").status_code == 403
    assert client.post(f"/accounts/lockouts/{attempt.pk}/unlock/", {"confirm": "yes"}).status_code == 403
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()
    client.force_login(users.office)
    assert client.get("/accounts/lockouts/").status_code == 200
    assert client.get(f"/accounts/lockouts/{attempt.pk}/unlock/").status_code == 405


@pytest.mark.django_db
class TestAreaScope:
    def test_visible_areas_by_role(self, users):
        wuma = Area.objects.get(code="330302001")
        assert users.office.visible_areas().count() == Area.objects.count()
        assert set(users.supervisor.visible_areas()) == set(Area.objects.within(wuma))
        assert list(users.director.visible_areas().values_list("code", flat=True)) == ["330302001001"]
        assert users.reporter.visible_areas().count() == Area.objects.count()  # its department's district

    @pytest.mark.parametrize(
        ("role", "allowed", "refused"),
        [
            ("supervisor", ["330302001", "330302001002"], ["330302", "330302002", "330302002001"]),
            ("other_supervisor", ["330302002", "330302002003"], ["330302001", "330302001001"]),
            ("director", ["330302001001"], ["330302001", "330302001002", "330302002001"]),
            ("other_director", ["330302001002"], ["330302001001"]),
            ("office", ["330302", "330302014004"], []),
        ],
    )
    def test_area_pages_refuse_another_area(self, client, users, role, allowed, refused):
        client.force_login(getattr(users, role))
        for code in allowed:
            assert client.get(f"/areas/{code}/").status_code == 200, code
        for code in refused:
            assert client.get(f"/areas/{code}/").status_code == 403, code

    def test_area_tree_lists_only_the_scope(self, client, users):
        client.force_login(users.supervisor)
        page = client.get("/areas/").content.decode()
        assert "五马街道" in page and "五马第二社区（演示）" in page
        assert "松台街道" not in page and "藤桥" not in page

    def test_plan_of_another_district_is_refused(self, client, users):
        other = Area.objects.create(code="330304", name="瓯海区", level="district")
        stranger = make_user("ouhai-office", Role.OFFICE, area=other.code)
        client.force_login(stranger)
        for name in (
            "plans:plan",
            "plans:indicators",
            "plans:indicator",
            "plans:domain",
            "plans:key_project",
            "plans:key_projects",
            "plans:revisions",
        ):
            assert client.get(PAGES[name]).status_code == 403, name
        assert client.get("/areas/330302001/").status_code == 403
        assert "鹿城" not in client.get("/").content.decode()

    def test_unknown_objects_are_404_not_500(self, client, users):
        client.force_login(users.office)
        for url in ("/plans/nope/", "/plans/lucheng-2021-2025/indicators/XX-99/", "/areas/999999/"):
            assert client.get(url).status_code in (403, 404), url


@pytest.mark.django_db
def test_department_users_only_belong_to_a_department(users):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        make_user("no-dept", Role.DEPT_REPORTER)
    with pytest.raises(ValidationError):
        make_user("bad-director", Role.COMMUNITY_DIRECTOR, area="330302001")  # a street, not a community
    with pytest.raises(ValidationError):
        make_user("forever", Role.EVALUATOR, area="330302")  # an evaluator's access must end
