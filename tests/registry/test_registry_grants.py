"""The office's access to child files under the two-person rule: one office user requests a grant
(who, which area, why, until when), another approves or rejects it — never the one who asked, nor
the one it names. Only approved, unexpired, unrevoked grants open files; the length is bounded by
settings.REGISTRY_GRANT_MAX_DAYS; the street supervisors see requests and grants for their street.

(The outside test: the office user granted itself the whole district in one step.)"""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from childfirst.accounts.models import AuditEvent, Role
from childfirst.areas.models import Area
from childfirst.registry.children import actions
from childfirst.registry.children.actions import ChildData
from childfirst.registry.models import Child, GrantState, RegistryGrant

from ..conftest import make_user

DISTRICT, WUMA, SONGTAI = "330302", "330302001", "330302002"
WUMA_1, SONGTAI_1 = "330302001001", "330302002001"


def area(code: str) -> Area:
    return Area.objects.get(code=code)


def days(n: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=n)


@pytest.fixture
def office2(users):
    return make_user("office2", Role.OFFICE, area=DISTRICT)


@pytest.fixture
def children(users) -> dict[str, Child]:
    made = {}
    for key, keeper, code in (("wuma", users.director, WUMA_1), ("songtai", users.other_supervisor, SONGTAI_1)):
        made[key] = actions.do_create_child(
            keeper,
            ChildData(name=f"{key}童", sex="female", birth_date=datetime.date(2016, 5, 1), residence_area=area(code)),
        )
    return made


@pytest.mark.django_db
class TestTwoPersonRule:
    def test_a_request_opens_nothing_until_a_second_office_user_approves_it(self, users, office2, children):
        grant = actions.do_request_grant(users.office, users.office, area(DISTRICT), "专项检查", days(7))
        assert grant.state == GrantState.PENDING
        assert not Child.objects.visible_to(users.office).exists()
        # Nobody approves their own request, and the grantee never approves a grant naming them.
        with pytest.raises(PermissionDenied):
            actions.do_approve_grant(users.office, grant)
        for_other = actions.do_request_grant(office2, users.office, area(WUMA), "复查", days(7))
        with pytest.raises(PermissionDenied):
            actions.do_approve_grant(users.office, for_other)
        with pytest.raises(PermissionDenied):
            actions.do_approve_grant(office2, for_other)  # office2 asked for it
        with pytest.raises(PermissionDenied):
            actions.do_approve_grant(users.supervisor, grant)
        assert not Child.objects.visible_to(users.office).exists()
        actions.do_approve_grant(office2, grant)
        assert set(Child.objects.visible_to(users.office)) == set(children.values())
        assert not Child.objects.visible_to(office2).exists()  # the approver gains nothing
        assert AuditEvent.objects.filter(action="registry.access_requested").count() == 2
        approved = AuditEvent.objects.get(action="registry.access_granted")
        assert approved.actor_id == office2.pk and approved.object_id == str(grant.pk)
        # Decided once: no second decision.
        with pytest.raises(ValidationError):
            actions.do_reject_grant(office2, grant, "改变主意")

    def test_the_database_refuses_a_self_decided_grant(self, users):
        grant = actions.do_request_grant(users.office, users.office, area(WUMA), "检查", days(3))
        with pytest.raises(IntegrityError), transaction.atomic():
            RegistryGrant.objects.filter(pk=grant.pk).update(state=GrantState.APPROVED, decided_by=users.office)

    def test_rejected_expired_revoked_and_withdrawn_grants_open_nothing(self, users, office2, children):
        rejected = actions.do_request_grant(users.office, users.office, area(WUMA), "检查", days(3))
        with pytest.raises(ValidationError):
            actions.do_reject_grant(office2, rejected, "")  # a rejection says why
        rejected = actions.do_reject_grant(office2, rejected, "理由不充分")
        assert rejected.state == GrantState.REJECTED and rejected.rejection_reason == "理由不充分"
        with pytest.raises(ValidationError):
            actions.do_approve_grant(office2, rejected)
        assert not Child.objects.visible_to(users.office).exists()

        withdrawn = actions.do_request_grant(users.office, users.office, area(WUMA), "检查", days(3))
        actions.do_revoke_grant(users.office, withdrawn)
        with pytest.raises(ValidationError):
            actions.do_approve_grant(office2, withdrawn)

        expired = actions.do_approve_grant(
            office2, actions.do_request_grant(users.office, users.office, area(WUMA), "检查", days(3))
        )
        assert list(Child.objects.visible_to(users.office)) == [children["wuma"]]
        RegistryGrant.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
        assert not Child.objects.visible_to(users.office).exists()

        revoked = actions.do_approve_grant(
            office2, actions.do_request_grant(users.office, users.office, area(WUMA), "复查", days(3))
        )
        actions.do_revoke_grant(users.office, revoked)
        assert not Child.objects.visible_to(users.office).exists()
        assert AuditEvent.objects.filter(action="registry.access_rejected").count() == 1
        assert AuditEvent.objects.filter(action="registry.access_revoked").count() == 2

        # A request not approved before its end opens nothing either.
        stale = actions.do_request_grant(users.office, users.office, area(WUMA), "检查", days(3))
        RegistryGrant.objects.filter(pk=stale.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
        with pytest.raises(ValidationError):
            actions.do_approve_grant(office2, stale)

    def test_the_longest_grant_is_a_setting(self, users, office2, settings):
        assert settings.REGISTRY_GRANT_MAX_DAYS == 30
        with pytest.raises(ValidationError) as refused:
            actions.do_request_grant(users.office, users.office, area(WUMA), "检查", days(31))
        assert list(refused.value.message_dict) == ["expires_at"]
        assert "截止日期（含当日）" in refused.value.messages[0] and "30" in refused.value.messages[0]
        grant = actions.do_request_grant(users.office, users.office, area(WUMA), "检查", days(29))
        # Shortened after the request: the approval is held to the setting in force.
        settings.REGISTRY_GRANT_MAX_DAYS = 10
        with pytest.raises(ValidationError):
            actions.do_approve_grant(office2, grant)
        actions.do_request_grant(users.office, users.office, area(WUMA), "检查", days(9))

    def test_an_office_of_another_district_takes_no_part(self, users, office2, second_district):
        grant = actions.do_request_grant(users.office, users.office, area(WUMA), "检查", days(3))
        with pytest.raises(PermissionDenied):
            actions.do_approve_grant(second_district.office, grant)
        with pytest.raises(PermissionDenied):
            actions.do_request_grant(second_district.office, second_district.office, area(WUMA), "检查", days(3))
        with pytest.raises(ValidationError):
            actions.do_request_grant(users.office, second_district.office, area(WUMA), "检查", days(3))


@pytest.mark.django_db
class TestPages:
    def test_request_confirm_approve_and_read(self, client, users, office2, children):
        client.force_login(users.office)
        until = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
        data = {"user": users.office.pk, "area": area(DISTRICT).pk, "reason": "专项检查", "expires_on": until}
        assert client.post("/registry/grants/", data).status_code == 302
        grant = RegistryGrant.objects.get()
        assert grant.state == GrantState.PENDING and grant.requested_by == users.office
        page = client.get("/registry/grants/").content.decode()
        assert f"/registry/grants/{grant.pk}/reject/" not in page  # the requester cannot decide
        assert client.post(f"/registry/grants/{grant.pk}/approve/", {"confirm": "1"}).status_code == 403
        # Outside the office's files without an approved grant: answered like a missing file.
        assert client.get(f"/registry/children/{children['wuma'].pk}/").status_code == 404

        client.force_login(office2)
        page = client.get("/registry/grants/").content.decode()
        assert f"/registry/grants/{grant.pk}/approve/" in page and f"/registry/grants/{grant.pk}/reject/" in page
        # The first step only says what approving opens; nothing changes.
        confirm = client.post(f"/registry/grants/{grant.pk}/approve/")
        assert confirm.status_code == 200 and 'name="confirm"' in confirm.content.decode()
        assert confirm.context["files"] == 2
        assert RegistryGrant.objects.get().state == GrantState.PENDING
        assert client.post(f"/registry/grants/{grant.pk}/approve/", {"confirm": "1"}).status_code == 302
        assert RegistryGrant.objects.get().state == GrantState.APPROVED

        client.force_login(users.office)
        assert client.get(f"/registry/children/{children['wuma'].pk}/").status_code == 200

    def test_too_long_is_refused_on_the_form_field(self, client, users):
        client.force_login(users.office)
        until = (timezone.localdate() + datetime.timedelta(days=45)).isoformat()
        data = {"user": users.office.pk, "area": area(WUMA).pk, "reason": "检查", "expires_on": until}
        with translation.override("zh-hans"):
            response = client.post("/registry/grants/", data, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 400
        assert list(response.context["form"].errors) == ["expires_on"]
        assert "30" in response.context["form"].errors["expires_on"][0]
        assert not RegistryGrant.objects.exists()

    def test_reject_with_a_reason(self, client, users, office2):
        grant = actions.do_request_grant(users.office, users.office, area(WUMA), "检查", days(3))
        client.force_login(office2)
        refused = client.post(f"/registry/grants/{grant.pk}/reject/", {"rejection_reason": ""})
        assert refused.status_code == 400 and 'role="alert"' in refused.content.decode()
        assert RegistryGrant.objects.get().state == GrantState.PENDING
        assert client.post(f"/registry/grants/{grant.pk}/reject/", {"rejection_reason": "无需"}).status_code == 302
        grant.refresh_from_db()
        assert grant.state == GrantState.REJECTED and grant.decided_by == office2

    def test_supervisors_see_requests_and_grants_for_their_street(self, client, users, office2):
        district = actions.do_approve_grant(
            office2, actions.do_request_grant(users.office, users.office, area(DISTRICT), "全区督查", days(5))
        )
        street = actions.do_request_grant(users.office, users.office, area(WUMA), "五马复查", days(5))
        community = actions.do_request_grant(office2, office2, area(WUMA_1), "社区抽查", days(5))
        rejected = actions.do_request_grant(users.office, users.office, area(SONGTAI), "松台驳回", days(5))
        actions.do_reject_grant(office2, rejected, "无需")
        seen = {}
        for supervisor in (users.supervisor, users.other_supervisor):
            client.force_login(supervisor)
            response = client.get("/registry/supervision/")
            assert response.status_code == 200
            seen[supervisor.username] = {g.pk for g in response.context["office_access"]}
            assert district.reason in response.content.decode()
        assert seen[users.supervisor.username] == {district.pk, street.pk, community.pk}
        assert seen[users.other_supervisor.username] == {district.pk}


@pytest.mark.django_db
def test_grants_made_before_the_rule_need_a_second_person(users, office2, children):
    """Migration 0007: a grant still in force was made by one person, so it waits for approval;
    ended ones stay on record as they were."""
    in_force = RegistryGrant.objects.create(
        user=users.office, area=area(DISTRICT), reason="旧授权", requested_by=users.office, expires_at=days(20)
    )
    ended = RegistryGrant.objects.create(
        user=users.office, area=area(WUMA), reason="旧授权", requested_by=users.office, expires_at=days(-1)
    )
    RegistryGrant.objects.update(state=GrantState.APPROVED)  # as the old code left them: in force
    assert Child.objects.visible_to(users.office).exists()
    migration = importlib.import_module("childfirst.registry.migrations.0008_grant_two_person_rule")
    migration.settle_existing_grants(apps, None)
    in_force.refresh_from_db()
    ended.refresh_from_db()
    assert in_force.state == GrantState.PENDING and ended.state == GrantState.APPROVED
    assert not Child.objects.visible_to(users.office).exists()
    actions.do_approve_grant(office2, in_force)
    assert Child.objects.visible_to(users.office).exists()
