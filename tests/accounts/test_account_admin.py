"""The office's account administration on the web: create, edit role and scope, deactivate and
reactivate, reset a password; each audited, refused for other roles and other districts, and the
office cannot lock itself out."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from childfirst.accounts.actions import (
    do_change_user_role,
    do_create_user,
    do_reset_password,
    do_set_active,
    generate_password,
)
from childfirst.accounts.models import AuditEvent, Role, User
from childfirst.areas.models import Area

from ..conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW = {"username": "wuma-director3", "full_name": "王老师", "role": "community_director", "area": "", "phone": ""}


def signs_in(user: User, password: str) -> bool:
    user.refresh_from_db()
    return user.is_active and user.check_password(password)


def area_pk(code: str) -> str:
    return str(Area.objects.get(code=code).pk)


class TestActions:
    def test_create_in_own_district_is_audited(self, users):
        user = do_create_user(
            users.office, username="new-sup", password=PASSWORD, role=Role.STREET_SUPERVISOR,
            area=Area.objects.get(code="330302002"),
        )  # fmt: skip
        assert AuditEvent.objects.filter(action="account.create", object_id=str(user.pk)).exists()

    def test_create_in_another_district_is_refused(self, users, second_district):
        with pytest.raises(PermissionDenied):
            do_create_user(
                users.office, username="stranger", password=PASSWORD, role=Role.STREET_SUPERVISOR,
                area=Area.objects.get(code="990101001"),
            )  # fmt: skip
        assert not User.objects.filter(username="stranger").exists()

    def test_errors_name_their_field(self, users):
        with pytest.raises(ValidationError) as caught:
            do_create_user(users.office, username="x1", password="short", role=Role.STREET_SUPERVISOR,
                           area=Area.objects.get(code="330302"))  # fmt: skip
        assert set(caught.value.message_dict) == {"area", "password"}

    def test_office_cannot_change_its_own_role_or_deactivate_itself(self, users):
        with pytest.raises(PermissionDenied):
            do_change_user_role(users.office, users.office, role=Role.LEADER, area=users.office.area)
        with pytest.raises(PermissionDenied):
            do_set_active(users.office, users.office, active=False)
        with pytest.raises(PermissionDenied):
            do_reset_password(users.office, users.office)
        users.office.refresh_from_db()
        assert users.office.role == Role.OFFICE and users.office.is_active

    def test_another_districts_office_manages_none_of_ours(self, users, second_district):
        for step in (
            lambda: do_set_active(second_district.office, users.supervisor, active=False),
            lambda: do_reset_password(second_district.office, users.supervisor),
            lambda: do_change_user_role(
                second_district.office, users.supervisor, role=Role.LEADER, area=Area.objects.get(code="990101")
            ),
        ):
            with pytest.raises(PermissionDenied):
                step()
        users.supervisor.refresh_from_db()
        assert users.supervisor.is_active and users.supervisor.role == Role.STREET_SUPERVISOR

    def test_deactivate_reactivate_and_reset_are_audited(self, users):
        do_set_active(users.office, users.leader, active=False)
        assert not signs_in(users.leader, PASSWORD)
        do_set_active(users.office, users.leader, active=True)
        password = do_reset_password(users.office, users.leader)
        assert not signs_in(users.leader, PASSWORD)
        assert signs_in(users.leader, password)
        actions = list(AuditEvent.objects.filter(object_id=str(users.leader.pk)).values_list("action", flat=True))
        assert {"account.deactivate", "account.reactivate", "account.reset_password"} <= set(actions)
        assert not any(password in str(e.detail) for e in AuditEvent.objects.all())

    def test_generated_passwords_meet_the_validators(self, users):
        from django.contrib.auth.password_validation import validate_password

        for _i in range(20):
            validate_password(generate_password(users.leader), users.leader)


class TestPages:
    def test_office_creates_an_account_who_can_sign_in(self, client, users):
        client.force_login(users.office)
        page = client.get("/accounts/users/").content.decode()
        assert "childfirst user create" not in page and "/accounts/users/new/" in page
        response = client.post("/accounts/users/new/", {**NEW, "area": area_pk("330302001003")})
        assert response.status_code == 200
        password = response.context["password"]
        assert password in response.content.decode() and response["Cache-Control"] == "no-store"
        created = User.objects.get(username="wuma-director3")
        assert (created.role, created.area.code, created.first_name) == ("community_director", "330302001003", "王老师")
        client.logout()
        signed_in = client.post("/accounts/login/", {"username": "wuma-director3", "password": password})
        assert signed_in.status_code == 302 and "_auth_user_id" in client.session

    def test_bad_scope_is_shown_beside_the_field_and_nothing_typed_is_lost(self, client, users):
        client.force_login(users.office)
        response = client.post("/accounts/users/new/", {**NEW, "area": area_pk("330302001")})
        assert response.status_code == 200
        assert response.context["form"].errors["area"]
        assert 'value="王老师"' in response.content.decode()
        assert not User.objects.filter(username="wuma-director3").exists()
        taken = client.post("/accounts/users/new/", {**NEW, "username": "leader", "area": area_pk("330302001003")})
        assert taken.context["form"].errors["username"]

    def test_edit_role_and_scope(self, client, users):
        client.force_login(users.office)
        response = client.post(
            f"/accounts/users/{users.supervisor.pk}/",
            {"full_name": "李主任", "role": "street_supervisor", "area": area_pk("330302002"), "phone": "0577-1"},
        )
        assert response.status_code == 302
        users.supervisor.refresh_from_db()
        assert (users.supervisor.area.code, users.supervisor.first_name) == ("330302002", "李主任")
        event = AuditEvent.objects.filter(action="account.change_role").first()
        assert event.detail["before"]["area"] == "330302001" and event.detail["after"]["area"] == "330302002"

    def test_deactivate_offers_the_undo(self, client, users):
        client.force_login(users.office)
        response = client.post(f"/accounts/users/{users.leader.pk}/active/", {"active": "0"}, follow=True)
        assert "重新启用" in response.content.decode() or "Reactivate" in response.content.decode()
        users.leader.refresh_from_db()
        assert not users.leader.is_active
        client.post(f"/accounts/users/{users.leader.pk}/active/", {"active": "1"})
        users.leader.refresh_from_db()
        assert users.leader.is_active

    def test_password_reset_needs_the_confirmation(self, client, users):
        client.force_login(users.office)
        url = f"/accounts/users/{users.leader.pk}/password/"
        assert client.get(url).status_code == 200
        assert client.post(url).status_code == 400
        assert signs_in(users.leader, PASSWORD)
        response = client.post(url, {"confirmed": "yes"})
        assert response.status_code == 200
        assert signs_in(users.leader, response.context["password"])

    def test_list_filters(self, client, users):
        client.force_login(users.office)
        names = lambda **q: {u.username for u in client.get("/accounts/users/", q).context["users"]}  # noqa: E731
        assert names(role="street_supervisor") == {"supervisor", "supervisor2"}
        assert names(q="direct") == {"director", "director2"}
        do_set_active(users.office, users.leader, active=False)
        assert names(state="inactive") == {"leader"}

    def test_another_districts_accounts_are_not_listed_nor_opened(self, client, users, second_district):
        client.force_login(users.office)
        assert "madeup-office" not in {u.username for u in client.get("/accounts/users/").context["users"]}
        assert client.get(f"/accounts/users/{second_district.office.pk}/").status_code == 403
        assert client.post(f"/accounts/users/{second_district.office.pk}/active/", {"active": "0"}).status_code == 403
        second_district.office.refresh_from_db()
        assert second_district.office.is_active

    @pytest.mark.parametrize("role", ["reporter", "reviewer", "supervisor", "director", "leader", "evaluator"])
    def test_other_roles_are_refused(self, client, users, role):
        client.force_login(getattr(users, role))
        target = users.leader.pk
        for url in ("/accounts/users/new/", f"/accounts/users/{target}/", f"/accounts/users/{target}/password/"):
            assert client.get(url).status_code == 403, url
        assert client.post(f"/accounts/users/{target}/active/", {"active": "0"}).status_code == 403
        assert client.post("/accounts/users/new/", {**NEW, "area": area_pk("330302001003")}).status_code == 403
        assert not User.objects.filter(username="wuma-director3").exists()
