"""The data API under /api/: tokens, refusals by role and department, reading values in scope,
posting values through the shared validation (all or nothing, history, conflicts, dry run), the
workflow steps, and the OpenAPI document."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone

from childfirst.accounts.actions import do_change_user_role
from childfirst.accounts.models import ApiToken, AuditEvent, Role
from childfirst.accounts.tokens import TokenError, do_create_token, do_revoke_token, hash_secret
from childfirst.collection import actions
from childfirst.collection.entries import RawCell
from childfirst.collection.models import Channel, DataValue, ImportBatch, Submission, ValueChange
from childfirst.collection.scope import expected_for

DEADLINE = datetime.date(2026, 3, 31)


@pytest.fixture
def tokens(users):
    """A secret per API role, made the way the console command makes them."""
    return {
        name: do_create_token(None, getattr(users, name), name="test")[1]
        for name in ("office", "reporter", "reviewer", "education_reporter", "leader", "evaluator")
    }


class Api:
    def __init__(self, client):
        self.client = client

    def __call__(self, method: str, path: str, secret: str | None = None, body=None, **headers):
        if secret is not None:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
        if "lang" in headers:
            headers["HTTP_ACCEPT_LANGUAGE"] = headers.pop("lang")
        send = getattr(self.client, method.lower())
        if body is None:
            return send(f"/api{path}", **headers)
        data = body if isinstance(body, bytes | str) else json.dumps(body)
        return send(f"/api{path}", data=data, content_type="application/json", **headers)


@pytest.fixture
def api(client) -> Api:
    return Api(client)


def items_for_everything(submission: Submission) -> list[dict]:
    """A plausible item for every cell the department owes, as a client would send them."""
    expected = expected_for(submission.round.plan, submission.round.year, submission.department)
    items = []
    for indicator, area in expected.cells():
        if indicator.is_rate and indicator.per_street:
            items.append({"indicator": indicator.code, "area": area.code, "numerator": 95, "denominator": 100})
        elif indicator.is_rate:
            items.append({"indicator": indicator.code, "area": area.code, "value": 95 if indicator.unit == "%" else 3})
        else:
            items.append({"indicator": indicator.code, "area": area.code, "value": "12"})
    return items


def post_values(api, secret, items, *, year=2025, department="health", lang=None, **extra):
    body = {"year": year, "department": department, "dataValues": items, **extra}
    return api("POST", "/dataValueSets", secret, body, **({"lang": lang} if lang else {}))


ENDPOINTS = [
    ("GET", "/rounds", None),
    ("GET", "/dataValueSets?year=2025", None),
    ("POST", "/dataValueSets", {"year": 2025, "department": "health", "dataValues": []}),
    ("POST", "/submissions/2025/health/submit", {"version": 1}),
    ("POST", "/submissions/2025/health/approve", {"version": 1}),
    ("POST", "/submissions/2025/health/return", {"version": 1, "reason": "核实"}),
    ("POST", "/submissions/2025/health/accept", {"version": 1}),
    ("POST", "/submissions/2025/health/reopen", {"version": 1, "reason": "更正"}),
]


@pytest.mark.django_db
class TestTokens:
    def test_only_a_hash_is_kept_and_the_secret_opens_the_api(self, api, users):
        token, secret = do_create_token(users.office, users.reporter, name="报表脚本")
        assert token.prefix == secret[:8] and token.key_hash == hash_secret(secret)
        assert secret not in json.dumps(list(ApiToken.objects.values()), default=str)
        event = AuditEvent.objects.get(action="account.token_create")
        assert event.detail["prefix"] == token.prefix and secret not in json.dumps(event.detail)
        assert api("GET", "/rounds", secret).status_code == 200
        token.refresh_from_db()
        assert token.last_used_at is not None

    def test_no_unknown_revoked_or_expired_token_is_refused_with_401(self, api, users, round_2025):
        token, secret = do_create_token(None, users.reporter)
        response = api("GET", "/rounds")
        assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")
        assert response.json()["status"] == "ERROR"
        assert api("GET", "/rounds", "not-a-token").status_code == 401
        assert api("GET", "/rounds", None, HTTP_AUTHORIZATION=f"Token {secret}").status_code == 401

        do_revoke_token(users.reporter, token)
        response = api("GET", "/rounds", secret)
        assert response.status_code == 401 and response.json()["message"] == "此 API 令牌已被撤销。"
        assert AuditEvent.objects.filter(action="account.token_revoke").exists()
        with pytest.raises(TokenError):
            do_revoke_token(None, token)

        _expiring, expiring = do_create_token(
            None, users.reporter, expires_at=timezone.now() + datetime.timedelta(days=1)
        )
        ApiToken.objects.filter(prefix=expiring[:8]).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
        response = api("GET", "/rounds", expiring, lang="en")
        assert response.status_code == 401 and response.json()["message"] == "This API token has expired."

    def test_inactive_roleless_or_lapsed_accounts_are_refused_with_401(self, api, users, tokens):
        users.reporter.is_active = False
        users.reporter.save()
        assert api("GET", "/rounds", tokens["reporter"]).status_code == 401
        users.leader.role = ""
        users.leader.save()
        assert api("GET", "/rounds", tokens["leader"]).status_code == 401
        users.evaluator.access_expires_at = timezone.now() - datetime.timedelta(minutes=1)
        users.evaluator.save()
        assert api("GET", "/rounds", tokens["evaluator"]).status_code == 401

    def test_a_token_never_outlives_the_accounts_access(self, users):
        token, _secret = do_create_token(None, users.evaluator)
        assert token.expires_at == users.evaluator.access_expires_at
        later = users.evaluator.access_expires_at + datetime.timedelta(days=100)
        assert (
            do_create_token(None, users.evaluator, expires_at=later)[0].expires_at == users.evaluator.access_expires_at
        )

    def test_every_token_expires_sooner_for_roles_that_read_child_files(self, api, users, settings, round_2025):
        """Issue 11, finding 8: API tokens never expired."""
        settings.API_TOKEN_DAYS, settings.API_TOKEN_DAYS_CHILD_FILES = 90, 30
        now = timezone.now()
        leader = do_create_token(None, users.leader)[0]
        reporter = do_create_token(None, users.reporter)[0]
        director = do_create_token(None, users.director)[0]
        assert datetime.timedelta(days=89) < leader.expires_at - now <= datetime.timedelta(days=90, minutes=1)
        for token in (reporter, director):
            assert datetime.timedelta(days=29) < token.expires_at - now <= datetime.timedelta(days=30, minutes=1)
        # A longer life asked for is cut to the role's; a shorter one is kept.
        far = do_create_token(None, users.director, expires_at=now + datetime.timedelta(days=365))[0]
        assert far.expires_at - now <= datetime.timedelta(days=30, minutes=1)
        near = now + datetime.timedelta(days=3)
        assert do_create_token(None, users.director, expires_at=near)[0].expires_at == near
        # Past its life the token is refused with a JSON error that says so.
        _token, secret = do_create_token(None, users.reporter)
        ApiToken.objects.filter(prefix=secret[:8]).update(expires_at=now - datetime.timedelta(seconds=1))
        response = api("GET", "/rounds", secret, lang="en")
        assert response.status_code == 401 and response.json()["message"] == "This API token has expired."
        # The account page lists each token with its expiry.
        client = api.client
        client.force_login(users.reporter)
        page = client.get("/accounts/me/").content.decode()
        assert timezone.localtime(reporter.expires_at).strftime("%Y-%m-%d") in page

    def test_who_may_make_tokens(self, users):
        # Street supervisors and community directors hold tokens for /api/children only (TOKEN_ROLES);
        # the data-value endpoints refuse them (test_street_and_community_roles_are_refused_everywhere).
        for holder in (users.supervisor, users.director):
            assert do_create_token(None, holder)[0].user == holder
        with pytest.raises(PermissionDenied):
            do_create_token(users.reviewer, users.reporter)
        with pytest.raises(TokenError):
            do_create_token(None, users.reporter, expires_at=timezone.now() - datetime.timedelta(days=1))
        assert do_create_token(users.reporter, users.reporter)[0].user == users.reporter

    def test_console_commands_print_the_secret_once_and_revoke(self, api, users, capsys):
        last_day = timezone.localdate() + datetime.timedelta(days=10)
        call_command("token_create", "reporter", "--name", "nightly", "--expires", last_day.isoformat())
        out = capsys.readouterr()
        secret = out.out.strip()
        token = ApiToken.objects.get(prefix=secret[:8])
        assert token.name == "nightly"
        assert timezone.localtime(token.expires_at).date() == last_day + datetime.timedelta(days=1)
        assert token.prefix in out.err and secret not in out.err
        assert api("GET", "/rounds", secret).status_code == 200
        call_command("token_revoke", token.prefix)
        assert api("GET", "/rounds", secret).status_code == 401


@pytest.mark.django_db
class TestRefusals:
    @pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
    def test_every_endpoint_needs_a_token(self, api, health, method, path, body):
        response = api(method, path, None, body)
        assert response.status_code == 401
        assert not DataValue.objects.exists()

    @pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
    def test_street_and_community_roles_are_refused_everywhere(self, api, users, health, method, path, body):
        # Tokens are not made for these roles; this one predates a change of role.
        secret = "made-before-the-role-changed-" + "x" * 20
        ApiToken.objects.create(user=users.leader, prefix=secret[:8], key_hash=hash_secret(secret))
        do_change_user_role(None, users.leader, role=Role.STREET_SUPERVISOR, area=users.supervisor.area)
        response = api(method, path, secret, body)
        assert response.status_code == 403
        assert response.json()["message"] == "该角色不使用数据接口。"

    @pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS[1:])
    def test_another_departments_users_are_refused(self, api, tokens, health, method, path, body):
        if method == "GET":
            path += "&department=health"
        response = api(method, path, tokens["education_reporter"], body)
        assert response.status_code == 403

    @pytest.mark.parametrize("who", ["office", "reviewer", "leader", "evaluator"])
    def test_only_the_departments_reporters_post_values(self, api, tokens, health, who):
        response = post_values(api, tokens[who], [{"indicator": "HEA-01", "area": "330302", "value": 1}])
        assert response.status_code == 403
        assert not DataValue.objects.exists()

    @pytest.mark.parametrize(
        ("who", "step"),
        [("reporter", "approve"), ("reviewer", "submit"), ("reviewer", "accept"), ("leader", "accept"),
         ("evaluator", "approve"), ("evaluator", "return"), ("reporter", "reopen")],
    )  # fmt: skip
    def test_workflow_steps_by_the_wrong_role(self, api, tokens, health, who, step):
        response = api("POST", f"/submissions/2025/health/{step}", tokens[who], {"version": 1, "reason": "x"})
        assert response.status_code == 403
        health.refresh_from_db()
        assert health.state == "draft"


@pytest.mark.django_db
class TestReading:
    def test_rounds_with_the_submissions_one_may_see(self, api, tokens, health):
        rounds = api("GET", "/rounds", tokens["reporter"]).json()
        assert [(r["year"], r["state"], r["deadline"]) for r in rounds] == [(2025, "open", "2026-03-31")]
        assert [s["department"] for s in rounds[0]["submissions"]] == ["health"]
        assert rounds[0]["submissions"][0]["version"] == health.version
        everything = api("GET", "/rounds", tokens["evaluator"]).json()
        assert {"health", "education"} <= {s["department"] for s in everything[0]["submissions"]}

    def test_values_are_scoped_to_the_department_and_paged(self, api, users, tokens, health, round_2025):
        education = Submission.objects.get(round=round_2025, department__code="education")
        actions.save_values(users.education_reporter, education, [RawCell("EDU-03", "330302001", numerator="1",
                            denominator="2")], channel=Channel.WEB)  # fmt: skip
        cells = [RawCell("HEA-04", f"330302{n:03d}", numerator=str(80 + n), denominator="100") for n in range(1, 15)]
        actions.save_values(users.reporter, health, cells, channel=Channel.WEB)

        own = api("GET", "/dataValueSets?year=2025", tokens["reporter"]).json()
        assert own["pager"]["total"] == 14 and {v["department"] for v in own["dataValues"]} == {"health"}
        first = own["dataValues"][0]
        assert first == {
            "indicator": "HEA-04", "area": "330302001", "year": 2025, "department": "health", "value": "81",
            "numerator": "81", "denominator": "100", "missingReason": "", "comment": "", "sourceNote": "",
            "state": "draft", "version": 1, "lastUpdated": first["lastUpdated"], "channel": "web",
        }  # fmt: skip
        assert api("GET", "/dataValueSets?year=2025&department=education", tokens["reporter"]).status_code == 403

        everything = api("GET", "/dataValueSets?year=2025", tokens["evaluator"]).json()
        assert everything["pager"]["total"] == 15
        only = api("GET", "/dataValueSets?year=2025&department=education", tokens["leader"]).json()
        assert [v["indicator"] for v in only["dataValues"]] == ["EDU-03"]
        one = api("GET", "/dataValueSets?year=2025&indicator=HEA-04&area=330302002", tokens["office"]).json()
        assert [v["value"] for v in one["dataValues"]] == ["82"]

        page = api("GET", "/dataValueSets?year=2025&limit=10&offset=10", tokens["office"]).json()
        assert page["pager"] == {"total": 15, "offset": 10, "limit": 10, "nextOffset": None}
        assert len(page["dataValues"]) == 5
        assert api("GET", "/dataValueSets?year=2025&limit=10", tokens["office"]).json()["pager"]["nextOffset"] == 10
        too_many = api("GET", "/dataValueSets?year=2025&limit=10001", tokens["office"])
        assert too_many.status_code == 422 and too_many.json()["errors"][0]["field"] == "limit"
        assert api("GET", "/dataValueSets?year=2019", tokens["office"]).status_code == 404


@pytest.mark.django_db
class TestPosting:
    def test_values_are_saved_with_history_and_the_request_is_kept(self, api, users, tokens, health):
        items = [
            {
                "indicator": "HEA-04",
                "area": "330302001",
                "numerator": "９２０",
                "denominator": "1,000",
                "comment": "全年",
            },
            {"indicator": "HEA-01", "area": "330302", "value": 2.5, "sourceNote": "卫健统计年报"},
            {"indicator": "HEA-04", "area": "330302002"},  # empty and never held anything: ignored
        ]
        response = post_values(api, tokens["reporter"], items)
        assert response.status_code == 200, response.json()
        summary = response.json()
        assert (summary["status"], summary["imported"], summary["updated"], summary["ignored"]) == ("OK", 2, 0, 1)
        value = DataValue.objects.get(submission=health, indicator__code="HEA-04", area__code="330302001")
        assert (value.value, value.numerator, value.channel, value.updated_by) == (
            Decimal(92),
            Decimal(920),
            "api",
            users.reporter,
        )
        assert DataValue.objects.get(submission=health, indicator__code="HEA-01").source_note == "卫健统计年报"
        changes = ValueChange.objects.filter(data_value__submission=health)
        assert changes.count() == 2 and {c.channel for c in changes} == {"api"}
        batch = ImportBatch.objects.get(pk=summary["importBatch"])
        assert (batch.channel, batch.value_count, batch.created_by) == ("api", 2, users.reporter)
        assert json.loads(bytes(batch.content))["dataValues"] == items
        assert {c.import_batch_id for c in changes} == {batch.pk}

        items[1].update(value=3, version=1)  # a change to a stored value sends the version read
        again = post_values(api, tokens["reporter"], items[:2]).json()
        assert (again["imported"], again["updated"], again["ignored"]) == (0, 1, 1)
        assert DataValue.objects.get(submission=health, indicator__code="HEA-01").version == 2

    def test_a_change_without_the_version_read_is_refused_and_omitted_notes_are_kept(self, api, tokens, health):
        """Issue 11, finding 7: a POST without `version` replaced another reporter's newer value
        unseen, and leaving out `comment`/`sourceNote` wiped the stored ones."""
        first = {"indicator": "HEA-01", "area": "330302", "value": 1, "comment": "初报", "sourceNote": "年报"}
        other = {"indicator": "HEA-04", "area": "330302001", "numerator": 90, "denominator": 100}
        assert post_values(api, tokens["reporter"], [first, other]).status_code == 200
        # Someone else changes the value (with the version they read) …
        assert post_values(api, tokens["reporter"], [{**first, "value": 2, "version": 1}]).status_code == 200
        # … and a client that read nothing cannot overwrite it, nor anything else in the request.
        items = [{**other, "numerator": 95, "version": 1}, {**first, "value": 5}]
        blind = post_values(api, tokens["reporter"], items, lang="en")
        assert blind.status_code == 409
        (error,) = blind.json()["errors"]
        assert (error["index"], error["indicator"], error["area"], error["field"], error["rule"]) == (
            1, "HEA-01", "330302", "version", "version_required")  # fmt: skip
        assert "version 2" in error["message"]
        stored = DataValue.objects.get(submission=health, indicator__code="HEA-01")
        assert stored.value == 2 and stored.version == 2
        assert DataValue.objects.get(submission=health, indicator__code="HEA-04").numerator == 90
        # Sending the same value again needs no version (nothing changes).
        same = post_values(api, tokens["reporter"], [{**other}])
        assert same.status_code == 200 and same.json()["ignored"] == 1
        # Notes left out are kept; null or "" clears them.
        kept = post_values(api, tokens["reporter"], [{"indicator": "HEA-01", "area": "330302", "value": 3,
                                                     "version": 2}])  # fmt: skip
        assert kept.status_code == 200, kept.json()
        stored.refresh_from_db()
        assert (stored.value, stored.comment, stored.source_note) == (3, "初报", "年报")
        cleared = post_values(api, tokens["reporter"], [{"indicator": "HEA-01", "area": "330302", "value": 3,
                                                        "comment": None, "sourceNote": "", "version": 3}])  # fmt: skip
        assert cleared.status_code == 200, cleared.json()
        stored.refresh_from_db()
        assert (stored.comment, stored.source_note, stored.version) == ("", "", 4)

    def test_a_fraction_for_a_percentage_is_read_and_said(self, api, users, round_2025):
        from ..conftest import make_user

        make_user("market-reporter", Role.DEPT_REPORTER, department="market-regulation")
        secret = do_create_token(None, users.office.__class__.objects.get(username="market-reporter"))[1]
        response = post_values(api, secret, [{"indicator": "SAF-02", "area": "330302", "value": 0.97}],
                               department="market-regulation")  # fmt: skip
        notice = response.json()["notices"][0]
        assert (notice["index"], notice["field"], notice["rule"]) == (0, "value", "fraction_as_percent")
        assert "0.97 按 97% 理解" in notice["message"]

    def test_one_bad_item_saves_nothing_and_names_the_item_and_field(self, api, tokens, health):
        items = [
            {"indicator": "HEA-04", "area": "330302001", "numerator": 90, "denominator": 100},
            {"indicator": "HEA-04", "area": "330302002", "numerator": 120, "denominator": 100},
            {"indicator": "HEA-04", "area": "330302003", "numerator": "abc", "denominator": 100},
            {"indicator": "EDU-03", "area": "330302001", "numerator": 1, "denominator": 2},
        ]
        response = post_values(api, tokens["reporter"], items)
        assert response.status_code == 422
        body = response.json()
        assert body["status"] == "ERROR" and body["message"] == "发现 3 处问题，未保存任何数据。"
        found = {(e["index"], e["field"], e["rule"]) for e in body["errors"]}
        assert found == {(1, "numerator", "numerator_above_denominator"), (2, "numerator", "not_a_number"),
                         (3, None, "not_expected")}  # fmt: skip
        above = next(e for e in body["errors"] if e["index"] == 1)
        assert above["message"] == "分子（120）大于分母（100）" and above["area"] == "330302002"
        assert not DataValue.objects.exists() and not ImportBatch.objects.exists()

        english = post_values(api, tokens["reporter"], items[1:2], lang="en").json()
        assert english["errors"][0]["message"] == "the numerator (120) is larger than the denominator (100)"

    def test_malformed_items_are_named_too(self, api, tokens, health):
        items = [
            {"indicator": "HEA-01", "area": "330302", "value": 1},
            {"indicator": "HEA-04", "numerator": 1, "denominator": 2},
            {"indicator": "HEA-01", "area": "330302", "value": True, "missing_reason": "typo"},
        ]
        body = post_values(api, tokens["reporter"], items).json()
        assert {(e["index"], e["field"], e["message"]) for e in body["errors"]} == {
            (1, "area", "此项必填"), (2, "missing_reason", "未知字段")}  # fmt: skip
        response = post_values(api, tokens["reporter"], [{"indicator": "HEA-01", "area": "330302", "value": True}])
        assert response.json()["errors"][0]["message"] == "TRUE/FALSE 不是数字"
        not_json = api("POST", "/dataValueSets", tokens["reporter"], b"{year: 2025")
        assert not_json.status_code == 400 and not_json.json()["message"] == "请求内容不是有效的 JSON。"
        assert not DataValue.objects.exists()

    def test_a_value_changed_since_it_was_read_is_a_conflict(self, api, tokens, health):
        item = {"indicator": "HEA-01", "area": "330302", "value": 1}
        post_values(api, tokens["reporter"], [item])
        read = api("GET", "/dataValueSets?year=2025", tokens["reporter"]).json()["dataValues"][0]
        assert read["version"] == 1
        post_values(api, tokens["reporter"], [{**item, "value": 2, "version": 1}])  # someone else, first
        response = post_values(api, tokens["reporter"], [{**item, "value": 3, "version": 1}])
        assert response.status_code == 409
        error = response.json()["errors"][0]
        assert (error["index"], error["field"], error["rule"]) == (0, "version", "conflict")
        assert DataValue.objects.get(submission=health).value == 2

    def test_dry_run_validates_and_counts_but_saves_nothing(self, api, tokens, health):
        items = [{"indicator": "HEA-01", "area": "330302", "value": 1}]
        summary = post_values(api, tokens["reporter"], items, dryRun=True).json()
        assert (summary["imported"], summary["importBatch"], summary["dryRun"]) == (1, None, True)
        assert not DataValue.objects.exists() and not ImportBatch.objects.exists()
        assert not AuditEvent.objects.filter(action="collection.save_values").exists()
        bad = post_values(api, tokens["reporter"], [{**items[0], "value": -1}], dryRun=True)
        assert bad.status_code == 422 and bad.json()["errors"][0]["rule"] == "negative"

        post_values(api, tokens["reporter"], items)
        change = post_values(api, tokens["reporter"], [{**items[0], "value": 2, "version": 1}], dryRun=True).json()
        assert (change["updated"], DataValue.objects.get(submission=health).value) == (1, 1)
        assert post_values(api, tokens["reporter"], [{**items[0], "value": 2, "version": 1}]).json()["updated"] == 1
        assert DataValue.objects.get(submission=health).value == 2

    def test_a_submitted_submission_is_not_changed(self, api, users, tokens, health):
        assert post_values(api, tokens["reporter"], items_for_everything(health)).status_code == 200
        health.refresh_from_db()
        actions.do_submit(users.reporter, health, health.version)
        response = post_values(api, tokens["reporter"], [{"indicator": "HEA-01", "area": "330302", "value": 7}])
        assert response.status_code == 409 and "不能修改" in response.json()["message"]

    def test_oversized_body_is_refused(self, api, tokens, health, monkeypatch):
        monkeypatch.setattr("childfirst.api.MAX_BODY_BYTES", 1000)
        items = [{"indicator": "HEA-01", "area": "330302", "value": 1, "comment": "x" * 2000}]
        assert post_values(api, tokens["reporter"], items).status_code == 413

    def test_an_unexpected_failure_shows_no_internals(self, api, tokens, health, monkeypatch, settings):
        settings.DEBUG = True

        def broken(*args, **kwargs):
            raise RuntimeError("secret internals")

        monkeypatch.setattr("childfirst.collection.api.save_values", broken)
        response = post_values(api, tokens["reporter"], [{"indicator": "HEA-01", "area": "330302", "value": 1}])
        assert response.status_code == 500
        assert response.json()["status"] == "ERROR"
        assert "secret internals" not in response.content.decode() and "Traceback" not in response.content.decode()


@pytest.mark.django_db
def test_huge_numbers_and_non_objects_are_422_naming_the_field(api, tokens, health):
    """Issue 11, finding 6: numbers beyond the database's integers and bodies that are not objects
    are the request's fault (422 naming the field), never a 500."""
    for path, field in [("/dataValueSets?year=99999999999999999999", "year"),
                        ("/dataValueSets?year=2025&offset=99999999999999999999", "offset"),
                        ("/dataValueSets?year=2025&offset=9223372036854775808", "offset")]:  # fmt: skip
        response = api("GET", path, tokens["office"])
        assert response.status_code == 422, (path, response.content)
        assert response.json()["errors"][0]["field"] == field
    step = api("POST", f"/submissions/{2**64}/health/submit", tokens["reporter"], {"version": 1})
    assert step.status_code == 422 and step.json()["errors"][0]["field"] == "year"
    step = api("POST", "/submissions/2025/health/submit", tokens["reporter"], {"version": 2**64})
    assert step.status_code == 422 and step.json()["errors"][0]["field"] == "version"
    item = {"indicator": "HEA-01", "area": "330302", "value": 1, "version": 2**64}
    response = post_values(api, tokens["reporter"], [item], year=2**64)
    assert response.status_code == 422
    assert {(e["index"], e["field"]) for e in response.json()["errors"]} == {(None, "year"), (0, "version")}
    for body in ("[null, null]", "[]", '"x"', "1"):  # sent as they are
        assert api("POST", "/submissions/2025/health/submit", tokens["reporter"], body).status_code == 422, body
        assert api("POST", "/dataValueSets", tokens["reporter"], body).status_code == 422, body
    assert not DataValue.objects.exists()


@pytest.mark.django_db
class TestWorkflow:
    def step(self, api, secret, step, version, reason=""):
        return api("POST", f"/submissions/2025/health/{step}", secret, {"version": version, "reason": reason})

    def test_submit_review_accept_and_reopen(self, api, tokens, health):
        blocked = self.step(api, tokens["reporter"], "submit", health.version)
        assert blocked.status_code == 422
        assert {e["rule"] for e in blocked.json()["errors"]} == {"required_missing"}
        assert "HEA-04" in {e["indicator"] for e in blocked.json()["errors"]}

        assert post_values(api, tokens["reporter"], items_for_everything(health)).status_code == 200
        version = api("GET", "/rounds", tokens["reporter"]).json()[0]["submissions"][0]["version"]
        submitted = self.step(api, tokens["reporter"], "submit", version)
        assert submitted.status_code == 200 and submitted.json()["state"] == "submitted"
        version = submitted.json()["version"]

        stale = self.step(api, tokens["reviewer"], "approve", version - 1)
        assert stale.status_code == 409 and "其他人" in stale.json()["message"]
        approved = self.step(api, tokens["reviewer"], "approve", version).json()
        assert approved["state"] == "approved"
        assert self.step(api, tokens["office"], "approve", approved["version"]).status_code == 403
        accepted = self.step(api, tokens["office"], "accept", approved["version"]).json()
        assert accepted["state"] == "accepted" and accepted["acceptedAt"]

        no_reason = self.step(api, tokens["office"], "reopen", accepted["version"], "  ")
        assert no_reason.status_code == 422
        reopened = self.step(api, tokens["office"], "reopen", accepted["version"], "口径调整")
        assert reopened.status_code == 200 and reopened.json()["state"] == "returned"
        assert AuditEvent.objects.filter(action="collection.reopen", actor__username="office").exists()
        again = self.step(api, tokens["office"], "accept", reopened.json()["version"])
        assert again.status_code == 409  # returned, not approved: that step is not possible now

    def test_reviewer_returns_with_a_reason(self, api, tokens, health):
        post_values(api, tokens["reporter"], items_for_everything(health))
        health.refresh_from_db()
        version = self.step(api, tokens["reporter"], "submit", health.version).json()["version"]
        returned = self.step(api, tokens["reviewer"], "return", version, "五马街道分母偏小").json()
        assert (returned["state"], returned["returnReason"]) == ("returned", "五马街道分母偏小")


@pytest.mark.django_db
class TestDocument:
    def test_openapi_document_lists_every_path(self, client):
        response = client.get("/api/openapi.json")
        assert response.status_code == 200
        document = json.loads(response.content)
        assert document["info"] == {
            "title": "ChildFirst API",
            "version": "1",
            "description": document["info"]["description"],
        }
        # /api/children… is the registry's; tests/registry/test_registry_access.py walks those paths.
        assert {path for path in document["paths"] if not path.startswith("/api/children")} == {
            "/api/rounds", "/api/dataValueSets", "/api/submissions/{year}/{department}/{step}"}  # fmt: skip
        assert set(document["paths"]["/api/dataValueSets"]) == {"get", "post"}
        assert "bearer" in json.dumps(document["components"]["securitySchemes"]).lower()

    def test_every_error_status_is_documented_as_json(self, client, api):
        """Issue 11, finding 8: the API's 404 and 400 were HTML pages or undocumented."""
        paths = json.loads(client.get("/api/openapi.json").content)["paths"]
        expected = {
            ("post", "/api/dataValueSets"): {"400", "401", "403", "404", "409", "413", "422"},
            ("post", "/api/submissions/{year}/{department}/{step}"): {"400", "401", "403", "404", "409", "413",
                                                                      "422"},
            ("get", "/api/children/{child_id}"): {"401", "403", "404", "422"},
            ("patch", "/api/children/{child_id}"): {"400", "401", "403", "404", "409", "413", "422"},
            ("post", "/api/children/"): {"400", "401", "403", "409", "413", "422"},
            ("post", "/api/children/search"): {"400", "401", "403", "413", "422"},
        }  # fmt: skip
        for (method, path), statuses in expected.items():
            responses = paths[path][method]["responses"]
            assert statuses <= set(responses), (method, path, set(responses))
            for status in statuses:
                schema = responses[status]["content"]["application/json"]["schema"]
                assert schema["$ref"].endswith("ErrorOut"), (method, path, status)
        response = api("GET", "/no/such/path")
        assert response.status_code == 404 and response.json() == {"status": "ERROR", "message": "未找到。",
                                                                   "errors": []}  # fmt: skip

    def test_docs_page_loads_nothing_from_the_internet(self, client):
        response = client.get("/api/docs")
        assert response.status_code == 200
        assert "cdn" not in response.content.decode().lower()


@pytest.mark.django_db
class TestTokenPage:
    def test_reporter_makes_uses_and_revokes_a_token_on_the_account_page(self, client, users, round_2025):
        client.force_login(users.reporter)
        page = client.post("/accounts/tokens/", {"name": "年报程序"})
        assert page.status_code == 200 and "仅此一次显示" in page.content.decode()
        secret = page.context["new_secret"]
        assert users.reporter.api_tokens.get().prefix == secret[:8]
        assert secret not in client.get("/accounts/me/").content.decode()  # shown once, never again
        assert client.get("/api/rounds", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
        step = client.post(f"/accounts/tokens/{secret[:8]}/revoke/")
        assert step.status_code == 400  # the confirmation step; the token still works
        assert client.get("/api/rounds", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
        client.post(f"/accounts/tokens/{secret[:8]}/revoke/", {"confirmed": "yes"})
        assert client.get("/api/rounds", headers={"Authorization": f"Bearer {secret}"}).status_code == 401

    def test_a_supervisors_token_opens_the_registry_api_only(self, client, users):
        client.force_login(users.supervisor)
        secret = client.post("/accounts/tokens/", {"name": "走访程序"}).context["new_secret"]
        bearer = {"Authorization": f"Bearer {secret}"}
        assert client.get("/api/children/", headers=bearer).status_code == 200
        assert client.get("/api/rounds", headers=bearer).status_code == 403

    def test_others_cannot_revoke_a_token(self, client, users):
        client.force_login(users.reviewer)
        client.post("/accounts/tokens/", {"name": "mine"})
        prefix = client.get("/accounts/me/").context["tokens"][0].prefix
        client.force_login(users.reporter)
        assert client.post(f"/accounts/tokens/{prefix}/revoke/").status_code == 404
        client.logout()
        assert client.post("/accounts/tokens/", {"name": "x"}).status_code == 302
