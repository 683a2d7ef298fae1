"""The outside test's attacks on /api/ stay in the suite (issue 11, deliverable 10): schemathesis
reads the served /api/openapi.json and sends generated requests, valid and invalid, to every
operation, in-process through the WSGI application, for four callers: nobody (no token), the
health department's reporter, a community director and the office. Every answer must be no server
error (5xx), a status the operation documents, the declared content type, and a body that matches
the declared schema for that status.

Bounded for CI (a fixed number of examples per operation and caller, derandomized so that a run
is reproducible); `-s` prints the number of cases sent per caller."""

from __future__ import annotations

import datetime
import json
from collections import Counter

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from childfirst.accounts.models import Role
from childfirst.accounts.tokens import do_create_token
from childfirst.plans.models import Plan
from childfirst.wsgi import application
from tests.conftest import make_user

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
IDENTITIES = ("anonymous", "reporter", "director", "office")
SENT: Counter[str] = Counter()

# The document as served (no token needed, nothing read from the database).
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.fixture(scope="module")
def secrets(django_db_setup, django_db_blocker):
    """A token per caller, and the 2025 round open so that the reads find something; made once for
    this file inside a transaction rolled back at its end (each test still runs in its own savepoint).

    The requests go through the real WSGI handler, which closes the database connection after each
    request (close_old_connections) — that would end the test's transaction; Django's test client
    disconnects it the same way."""
    from childfirst.collection.actions import do_open_round

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            office = make_user("fuzz-office", Role.OFFICE, area="330302")
            reporter = make_user("fuzz-reporter", Role.DEPT_REPORTER, department="health")
            director = make_user("fuzz-director", Role.COMMUNITY_DIRECTOR, area="330302001001")
            do_open_round(office, Plan.objects.get(code="lucheng-2021-2025"), 2025, datetime.date(2026, 3, 31))
            yield {
                "anonymous": None,
                **{name: do_create_token(None, user, name="fuzz")[1] for name, user in
                   (("reporter", reporter), ("director", director), ("office", office))},
            }  # fmt: skip
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
            print("\nschemathesis cases sent per caller:", dict(SENT))


def _fuzz(identity: str):
    @schema.parametrize()
    @settings(
        max_examples=25,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def test(case, secrets, db):
        secret = secrets[identity]
        # The caller's token, or none: drop any Authorization header generated from the security scheme.
        case.headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
        if secret is not None:
            case.headers["Authorization"] = f"Bearer {secret}"
        response = case.call()
        SENT[identity] += 1
        case.validate_response(response, checks=CHECKS)

    test.__name__ = f"test_api_fuzz_{identity}"
    return test


test_api_fuzz_anonymous = _fuzz("anonymous")
test_api_fuzz_reporter = _fuzz("reporter")
test_api_fuzz_director = _fuzz("director")
test_api_fuzz_office = _fuzz("office")


# Found by hand beside the fuzzing (the generator rarely sends U+0000): PostgreSQL cannot compare
# or store text with a NUL character, so such a parameter or field was a 500 there.
NUL_REQUESTS = [
    ("office", "GET", "/api/dataValueSets?year=2025&department=he%00alth", None, "department"),
    ("office", "GET", "/api/rounds?x%00=1", None, "x"),
    ("director", "GET", "/api/children/?community=330302001001%00", None, "community"),
    ("office", "POST", "/api/submissions/2025/he%00alth/accept", {"version": 0}, "department"),
    ("director", "POST", "/api/children/search", {"q": "a\u0000b"}, "q"),
    ("director", "PATCH", "/api/children/1", {"version": 0, "address": "x\u0000"}, "address"),
    ("reporter", "POST", "/api/dataValueSets",
     {"year": 2025, "department": "health", "dataValues": [{"indicator": "X", "area": "1", "comment": "\u0000"}]},
     "comment"),
]  # fmt: skip


@pytest.mark.parametrize(("identity", "method", "url", "body", "field"), NUL_REQUESTS)
def test_a_nul_character_is_refused_naming_the_field(client, secrets, db, identity, method, url, body, field):
    send = getattr(client, method.lower())
    extra = {"data": json.dumps(body), "content_type": "application/json"} if body is not None else {}
    response = send(url, HTTP_AUTHORIZATION=f"Bearer {secrets[identity]}", HTTP_ACCEPT_LANGUAGE="en", **extra)
    assert response.status_code == 422, response.content
    [error] = response.json()["errors"]
    assert error["field"] == field and error["message"] == "must not contain the NUL character"
    if field == "comment":
        assert error["index"] == 0
