"""The JSON API under /api/: one NinjaAPI, authenticated by personal bearer tokens.

Errors always come back as JSON {"status": "ERROR", "message": …, "errors": […]}, never as a
traceback or an HTML page, in the language the client asks for with Accept-Language (Chinese
unless it asks for English). The web interface deliberately ignores Accept-Language (see
web/middleware.py); an API client has no language switch, so here the header is the switch.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import trans_real
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from childfirst.accounts.models import User
from childfirst.accounts.tokens import TokenRefused, user_for_secret
from childfirst.collection.api import router as collection_router
from childfirst.registry.children.api import router as registry_router

logger = logging.getLogger(__name__)

# Django refuses bodies over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB), a limit meant for forms. A bulk
# request of 50,000 values is about 5 MB; this limit allows some 300,000 values per request, and
# is only read from authenticated callers.
MAX_BODY_BYTES = 32 * 1024 * 1024

DESCRIPTION = """\
儿童优先 ChildFirst 数据接口 / data API.

**Authentication.** Every endpoint needs a personal token: `Authorization: Bearer <secret>`.
The office (or the operator) makes one with `childfirst token create USERNAME [--name N]
[--expires YYYY-MM-DD]`, which prints the secret once; `childfirst token revoke PREFIX` ends it.
Every token expires: after 90 days at most, 30 for roles that read child files (the operator sets
both), and never after the account's own access.
Unknown, revoked or expired tokens, and accounts that are inactive, have no role or whose access
has lapsed, get 401. Tokens are for department reporters and reviewers, the office, leaders and
evaluators (read only); other roles get 403.

**Plans.** Rounds, submissions and values belong to one plan. Every data-value endpoint takes an
optional query parameter `plan` (the plan's code, as in its pages' addresses `/plans/<code>/`).
Without it the request is about the only plan you see; if you see more than one (a plan and its
successor, say), leaving it out is a 422 whose error names the field `plan` and lists the codes.
An unknown plan is a 404, one outside your area a 403; a year that is not a round of the plan, 404.

**Language.** Messages are in Chinese; send `Accept-Language: en` for English.

**Errors.** Always JSON: `{"status": "ERROR", "message": "…", "errors": [{"index", "indicator",
"area", "field", "rule", "message"}]}`. 400 the body is not JSON, 401 no, bad or expired token, 403
not allowed for your role or department, 404 no such path, round, submission or child file (a file
outside your area answers 404 too), 409 the submission changed since you read it (or
its state does not allow the step), 413 body too large, 422 the request is invalid (nothing was
saved; every problem is listed).

**Numbers** are sent as JSON numbers or as text (`"1,234"`, `"90%"`, full-width digits are read
as the web form and Excel upload read them) and returned as text, so that no precision is lost.
"""


def activate_api_language(request: HttpRequest) -> None:
    """Chinese, unless Accept-Language prefers English."""
    language = settings.LANGUAGE_CODE
    for code, _quality in trans_real.parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        code = code.lower()
        if code.startswith("en"):
            language = "en"
            break
        if code.startswith("zh") or code == "*":
            break
    translation.activate(language)
    request.LANGUAGE_CODE = language


class TokenAuth(HttpBearer):
    """Authorization: Bearer <secret> → the token's user (also set as request.user)."""

    def __call__(self, request: HttpRequest) -> User | None:
        activate_api_language(request)
        scheme, _sep, secret = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise AuthenticationError(message=_("Send your API token as the header Authorization: Bearer <secret>."))
        return self.authenticate(request, secret)

    def authenticate(self, request: HttpRequest, token: str) -> User:
        try:
            user = user_for_secret(token)
        except TokenRefused as exc:
            raise AuthenticationError(message=str(exc)) from None
        request.user = user
        _read_body(request)
        _require_object_body(request)
        _refuse_nul_characters(request)
        return user


def _read_body(request: HttpRequest) -> None:
    """Read the body under the API's own size limit (see MAX_BODY_BYTES), before ninja reads it
    under Django's smaller one. Setting `_body` is how Django itself caches a body it has read."""
    if request.method not in ("POST", "PUT", "PATCH") or hasattr(request, "_body"):
        return
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        raise HttpError(413, _("The request is too large (at most %(mb)d MB); send the values in several requests.")
                        % {"mb": MAX_BODY_BYTES // (1024 * 1024)})  # fmt: skip
    request._body = request.read(MAX_BODY_BYTES + 1)
    if len(request._body) > MAX_BODY_BYTES:
        raise HttpError(413, _("The request is too large (at most %(mb)d MB); send the values in several requests.")
                        % {"mb": MAX_BODY_BYTES // (1024 * 1024)})  # fmt: skip


def _require_object_body(request: HttpRequest) -> None:
    """Every request body of this API is a JSON object. ninja would read a list, a string or a
    number as an object without fields (so `[null, null]` searched for everything): refuse it with
    422. Only a body that does not start with "{" is parsed here, so large bodies are not read twice."""
    body = getattr(request, "_body", b"")
    if request.method not in ("POST", "PUT", "PATCH") or not body.strip() or body.lstrip()[:1] == b"{":
        return
    try:
        json.loads(body)
    except ValueError:
        raise HttpError(400, "Cannot parse request body") from None
    raise ValidationError([{"loc": ("body",), "msg": "must be an object", "type": "model_type"}])


def _nul_places(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Where a parsed JSON body has text with a NUL character: paths like ("dataValues", 3, "comment")."""
    if isinstance(data, str):
        return [path] if "\x00" in data else []
    if isinstance(data, dict):
        return [place for key, value in data.items() for place in _nul_places(value, (*path, key))]
    if isinstance(data, list):
        return [place for index, value in enumerate(data) for place in _nul_places(value, (*path, index))]
    return []


def _refuse_nul_characters(request: HttpRequest) -> None:
    """Text with a NUL character (U+0000) cannot be stored in PostgreSQL, nor even compared there:
    refuse it in a parameter or the body with 422 naming the field, on either database, instead of
    a server error. The body is parsed here only when it contains one (escaped or raw)."""
    places: list[tuple[Any, ...]] = []
    kwargs = request.resolver_match.kwargs if request.resolver_match else {}
    places += [("path", name) for name, value in kwargs.items() if isinstance(value, str) and "\x00" in value]
    places += [("query", name.replace("\x00", "")) for name, values in request.GET.lists()
               if "\x00" in name or any("\x00" in value for value in values)]  # fmt: skip
    body = getattr(request, "_body", b"")
    if b"\x00" in body or b"\\u0000" in body:
        with contextlib.suppress(ValueError):  # not JSON: ninja answers 400
            places += [("body", "payload", *place) for place in _nul_places(json.loads(body))]
    if places:
        raise ValidationError([{"loc": place, "msg": "NUL character", "type": "nul_character"} for place in places])


api = NinjaAPI(
    title="ChildFirst API",
    version="1",
    description=DESCRIPTION,
    auth=TokenAuth(),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
api.add_router("/", collection_router)
api.add_router("/children", registry_router)


def error_response(
    request: HttpRequest, status: int, message: str, errors: list[dict[str, Any]] | None = None
) -> HttpResponse:
    return api.create_response(request, {"status": "ERROR", "message": message, "errors": errors or []}, status=status)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = error_response(request, 401, exc.message)
    response["WWW-Authenticate"] = 'Bearer realm="childfirst"'
    return response


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja's own 400 for a body that is not JSON says so in English; say it in the client's language.
    message = _("The request body is not valid JSON.") if exc.status_code == 400 else exc.message
    return error_response(request, exc.status_code, message)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(request, 403, str(exc) or _("Your role cannot do this."))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, str(exc) or _("Not found."))


# Pydantic's messages are English; the common ones get a translated message of our own.
SCHEMA_MESSAGES = {
    "missing": lambda ctx: _("this field is required"),
    "extra_forbidden": lambda ctx: _("unknown field"),
    "string_type": lambda ctx: _("must be text"),
    "string_too_long": lambda ctx: _("too long (at most %(max)s characters)") % {"max": ctx.get("max_length")},
    "int_type": lambda ctx: _("must be a whole number"),
    "int_parsing": lambda ctx: _("must be a whole number"),
    "int_from_float": lambda ctx: _("must be a whole number"),
    "bool_type": lambda ctx: _("must be true or false"),
    "bool_parsing": lambda ctx: _("must be true or false"),
    "list_type": lambda ctx: _("must be a list"),
    "model_type": lambda ctx: _("must be an object"),
    "model_attributes_type": lambda ctx: _("must be an object"),
    "dict_type": lambda ctx: _("must be an object"),
    "enum": lambda ctx: _("must be one of %(choices)s") % {"choices": ctx.get("expected", "")},
    "literal_error": lambda ctx: _("must be one of %(choices)s") % {"choices": ctx.get("expected", "")},
    "int_parsing_size": lambda ctx: _("must be a whole number"),
    "greater_than_equal": lambda ctx: _("must be at least %(limit)s") % {"limit": ctx.get("ge")},
    "less_than_equal": lambda ctx: _("must be at most %(limit)s") % {"limit": ctx.get("le")},
    "date_type": lambda ctx: _("must be a date (YYYY-MM-DD)"),
    "date_parsing": lambda ctx: _("must be a date (YYYY-MM-DD)"),
    "date_from_datetime_parsing": lambda ctx: _("must be a date (YYYY-MM-DD)"),
    "date_from_datetime_inexact": lambda ctx: _("must be a date (YYYY-MM-DD)"),
    "nul_character": lambda ctx: _("must not contain the NUL character"),
}
_UNION_TAGS = re.compile(r"^(str|int|float|bool|none|function-.*)$")


def schema_error_item(error: dict[str, Any]) -> dict[str, Any]:
    """One pydantic error as an item of `errors`: `dataValues[3].numerator` becomes index 3,
    field "numerator"; a top-level problem has no index."""
    # ninja's loc is (source, *path), and a body's path starts with the parameter's name.
    loc = [part for part in error.get("loc", ()) if not (isinstance(part, str) and _UNION_TAGS.match(part))]
    loc = loc[2:] if loc[:1] == ["body"] else loc[1:]
    index = field = None
    if len(loc) >= 2 and loc[0] == "dataValues" and isinstance(loc[1], int):
        index, field = loc[1], (str(loc[2]) if len(loc) > 2 else None)
    elif loc:
        field = ".".join(str(part) for part in loc)
    translate = SCHEMA_MESSAGES.get(error.get("type", ""))
    message = translate(error.get("ctx") or {}) if translate else error.get("msg", "")
    return {"index": index, "indicator": None, "area": None, "field": field, "rule": "schema", "message": message}


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [schema_error_item(e) for e in exc.errors]
    if request.method == "GET":
        return error_response(request, 422, _("The request is invalid."), errors=errors)
    return error_response(
        request, 422, _("%(count)d problem(s); nothing was saved.") % {"count": len(errors)}, errors=errors
    )


@csrf_exempt  # it changes nothing; without this a POST or PATCH got Django's HTML 403 (no CSRF cookie)
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Any other path under /api/ (or an id that is not a number): 404 as JSON, like the API's own."""
    activate_api_language(request)
    return error_response(request, 404, _("Not found."))


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Logged with its traceback for the operator; the client gets no internals, whatever DEBUG says.
    logger.exception("API request %s %s failed", request.method, request.path)
    return error_response(request, 500, _("Something went wrong on the server."))
