"""Data values over the API, in a shape like DHIS2's dataValueSets.

Reading: rounds, and values by year (a department's own; everything for the office, leaders and
evaluators). Writing: a department's reporters post values, which go through the very same
save_values as the web form and the Excel upload (channel "api"): same validation, all or nothing,
same history; and the workflow steps go through the same do_* actions.

Every endpoint works on one plan: the `plan` query parameter, or the only plan the caller sees
(`plan_for`); a year is a round of that plan.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

import pydantic
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.errors import HttpError, ValidationError
from pydantic import BaseModel, ConfigDict, WithJsonSchema

from childfirst.accounts.http import ApiRequest
from childfirst.accounts.models import Role, User
from childfirst.accounts.tokens import API_ROLES
from childfirst.plans.access import plans_for_user, user_can_see_plan
from childfirst.plans.models import Plan

from .access import get_data_values_for_user, get_submission_for_user
from .actions import (
    CollectionError,
    SaveResult,
    StaleSubmission,
    SubmissionBlocked,
    UploadedFile,
    ValuesRejected,
    do_accept,
    do_approve,
    do_reopen,
    do_return,
    do_submit,
    save_values,
)
from .bulk import paused_gc
from .entries import Finding, RawCell
from .models import Channel, Submission

router = Router(tags=["data values"])

MAX_PAGE = 10_000
# Years, offsets and versions are bounded so that no number reaches the database that its integer
# columns cannot hold (a 422 naming the field instead of an overflow there).
MIN_YEAR, MAX_YEAR = 1900, 2999
MAX_OFFSET = 1_000_000_000
MAX_VERSION = 2**31 - 1


# ----- schemas ----------------------------------------------------------------------------------


class ErrorItem(Schema):
    index: int | None = Field(None, description="position of the item in dataValues, when the problem is in one")
    indicator: str | None = None
    area: str | None = None
    field: str | None = Field(None, description="e.g. numerator, value, version")
    rule: str = Field(description="the validation rule, e.g. not_a_number, numerator_above_denominator, conflict")
    message: str


class ErrorOut(Schema):
    status: str = Field("ERROR", examples=["ERROR"])
    message: str
    errors: list[ErrorItem] = []


class SubmissionOut(Schema):
    year: int
    department: str
    state: str = Field(description="draft, submitted, returned, approved or accepted")
    version: int = Field(description="send it back with a workflow step; it changes with every change")
    submittedAt: datetime.datetime | None
    reviewedAt: datetime.datetime | None
    acceptedAt: datetime.datetime | None
    returnReason: str


class RoundOut(Schema):
    plan: str
    year: int
    deadline: datetime.date
    state: str = Field(description="open or closed")
    submissions: list[SubmissionOut] = Field(description="every department's, or only your own department's")


class DataValueOut(Schema):
    indicator: str
    area: str
    year: int
    department: str
    value: str | None = Field(description="as text, in the indicator's unit (a rate is computed from its parts)")
    numerator: str | None
    denominator: str | None
    missingReason: str
    comment: str
    sourceNote: str
    state: str = Field(description="the state of the department's submission")
    version: int = Field(description="the value's version; send it back when changing the value")
    lastUpdated: datetime.datetime
    channel: str = Field(description="web, excel, api or system")


class Pager(Schema):
    total: int
    offset: int
    limit: int
    nextOffset: int | None = Field(description="offset of the next page; null on the last page")


class DataValueSetOut(Schema):
    year: int
    pager: Pager
    dataValues: list[DataValueOut]


# A number as JSON number or as text. Anything else (true, a list …) is let through to the shared
# validation, which says what is wrong with it in the same words as the web form.
RawNumber = Annotated[
    Any, WithJsonSchema({"anyOf": [{"type": "number"}, {"type": "string"}, {"type": "null"}], "default": None})
]


# Request bodies are plain pydantic models: ninja's Schema adds a Python-level validator per object
# (for reading ORM attributes), which costs more than all the rest of parsing a 50,000-item request.
class DataValueIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    indicator: str = Field(examples=["X-01"])
    area: str = Field(examples=["110101001"])
    value: RawNumber = None
    numerator: RawNumber = None
    denominator: RawNumber = None
    missingReason: str | None = Field(
        "", max_length=500, description="why there is no value (instead of a value); null or empty for none"
    )
    comment: str | None = Field(
        None, max_length=5000, description="omit to keep the stored comment; null or empty clears it"
    )
    sourceNote: str | None = Field(
        None, max_length=500, description="omit to keep the stored source note; null or empty clears it"
    )
    version: int | None = Field(
        None,
        ge=0,
        le=MAX_VERSION,
        description="the value's version when you read it; if it has changed since, the item is a conflict",
    )


class DataValueSetIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "year": 2025,
                    "department": "health",
                    "dataValues": [
                        {"indicator": "X-01", "area": "110101001", "numerator": 1234, "denominator": 1250},
                        {"indicator": "X-02", "area": "110101", "value": "2.1", "comment": "provisional"},
                    ],
                    "dryRun": False,
                }
            ]
        },
    )

    year: int = Field(ge=MIN_YEAR, le=MAX_YEAR)
    department: str = Field(description="department code, e.g. health")
    dataValues: list[DataValueIn]
    dryRun: bool = Field(False, description="validate and count, save nothing")


class ImportSummary(Schema):
    status: str = Field("OK", examples=["OK"])
    imported: int = Field(description="values created")
    updated: int = Field(description="values changed")
    ignored: int = Field(description="items unchanged, or empty where nothing was stored")
    notices: list[ErrorItem] = Field(description="how ambiguous entries were read, e.g. 0.9 in a % field as 90%")
    importBatch: int | None = Field(description="the import batch that keeps this request; null for a dry run")
    dryRun: bool


class StepIn(Schema):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=0, le=MAX_VERSION, description="the submission's version when you read it")
    reason: str = Field("", max_length=2000, description="required to return or reopen")


class Step(StrEnum):
    submit = "submit"
    approve = "approve"
    return_ = "return"
    accept = "accept"
    reopen = "reopen"


# ----- access -----------------------------------------------------------------------------------


def api_user(request: ApiRequest) -> User:
    """The token's user, if the role uses the data API (street and community roles do not)."""
    user = request.auth
    if user.role not in API_ROLES:
        raise PermissionDenied(_("This role does not use the data API."))
    return user


PLAN_HELP = (
    "the plan's code (as in its pages' addresses, /plans/<code>/); needed when you see more than one plan, "
    "and then a request without it gets a 422 listing the codes"
)


def plan_for(request: ApiRequest, code: str | None) -> Plan:
    """The plan a request is about: `code` when given (404 unknown, 403 not one you see); without
    it the only plan the caller sees, and with several a 422 naming `plan` and listing their codes."""
    user = api_user(request)
    if code:
        plan = Plan.objects.select_related("area").filter(code=code).first()
        if plan is None:
            raise Http404(_("There is no plan %(code)s.") % {"code": code})
        if not user_can_see_plan(user, plan):
            raise PermissionDenied(_("You cannot see the plan %(code)s.") % {"code": code})
        return plan
    plans = plans_for_user(user)
    if len(plans) == 1:
        return plans[0]
    if not plans:
        raise Http404(_("You see no plan."))
    message = _("give the plan: one of %(codes)s") % {"codes": ", ".join(p.code for p in plans)}
    raise ValidationError([{"loc": ("query", "plan"), "msg": message, "type": "plan_required"}])


def submission_for(request: ApiRequest, plan: Plan, year: int, department: str) -> Submission:
    """The shared access helper (request.user is the token's user), with a message for a refusal."""
    try:
        return get_submission_for_user(request, plan, year, department).submission
    except PermissionDenied:
        raise PermissionDenied(_("You can only see and change your own department's data.")) from None


# ----- reading ----------------------------------------------------------------------------------


def submission_out(submission: Submission) -> dict[str, Any]:
    return {
        "year": submission.round.year,
        "department": submission.department.code,
        "state": submission.state,
        "version": submission.version,
        "submittedAt": submission.submitted_at,
        "reviewedAt": submission.reviewed_at,
        "acceptedAt": submission.accepted_at,
        "returnReason": submission.return_reason,
    }


# 422: a parameter with a NUL character, refused for every operation (see api._refuse_nul_characters).
@router.get(
    "/rounds",
    response={200: list[RoundOut], 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    operation_id="listRounds",
)
def list_rounds(request: ApiRequest, plan: Annotated[str | None, Query(description=PLAN_HELP)] = None):
    """Reporting rounds of one plan, newest first, with the submissions you can see in each."""
    user = api_user(request)
    the_plan = plan_for(request, plan)
    submissions = Submission.objects.visible_to(user).filter(round__plan=the_plan).select_related("round", "department")
    by_round: dict[int, list] = {}
    for submission in submissions.order_by("department__code"):
        by_round.setdefault(submission.round_id, []).append(submission_out(submission))
    return [
        {"plan": the_plan.code, "year": r.year, "deadline": r.deadline, "state": r.state,
         "submissions": by_round.get(r.pk, [])}
        for r in the_plan.rounds.order_by("-year")
    ]  # fmt: skip


class ValueFilter(Schema):
    plan: str | None = Field(None, description=PLAN_HELP)
    year: int = Field(ge=MIN_YEAR, le=MAX_YEAR)
    department: str | None = Field(None, description="department code; a department's users see only their own")
    indicator: str | None = Field(None, description="indicator code")
    area: str | None = Field(None, description="area code (that area only, not the areas below it)")
    limit: int = Field(1000, ge=1, le=MAX_PAGE)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


def _text(number: Decimal | None) -> str | None:
    return None if number is None else format(number.normalize(), "f")


@router.get(
    "/dataValueSets",
    response={200: DataValueSetOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    operation_id="getDataValueSets",
)
def get_data_values(request: ApiRequest, filters: Query[ValueFilter]):
    """Values of one year, a page at a time (at most 10,000 per page), in a stable order."""
    plan = plan_for(request, filters.plan)
    values = get_data_values_for_user(request, plan, filters.year, filters.department)
    if filters.indicator:
        values = values.filter(indicator__code=filters.indicator)
    if filters.area:
        values = values.filter(area__code=filters.area)
    total = values.count()
    rows = values.order_by("pk").values_list(
        "indicator__code", "area__code", "round__year", "submission__department__code", "value", "numerator",
        "denominator", "missing_reason", "comment", "source_note", "submission__state", "version", "updated_at",
        "channel",
    )[filters.offset : filters.offset + filters.limit]  # fmt: skip
    data = [
        {"indicator": i, "area": a, "year": y, "department": d, "value": _text(v), "numerator": _text(n),
         "denominator": _text(dn), "missingReason": mr, "comment": c, "sourceNote": sn, "state": st,
         "version": ver, "lastUpdated": at, "channel": ch}
        for i, a, y, d, v, n, dn, mr, c, sn, st, ver, at, ch in rows
    ]  # fmt: skip
    following = filters.offset + len(data)
    return {
        "year": filters.year,
        "pager": {
            "total": total,
            "offset": filters.offset,
            "limit": filters.limit,
            "nextOffset": following if following < total else None,
        },
        "dataValues": data,
    }


# ----- writing ----------------------------------------------------------------------------------

_PLACE = re.compile(r"^dataValues\[(\d+)\](?:\.(\w+))?$")


# The notes a client may leave out to keep what is stored (omitted is not null: null clears).
KEPT_WHEN_OMITTED = ("comment", "sourceNote")


def stored_notes(submission: Submission, items: list[DataValueIn]) -> dict[tuple[str, str], tuple[str, str]]:
    """(comment, source note) of the stored values that items leave a note out of."""
    wanted = {(item.indicator, item.area) for item in items if not set(KEPT_WHEN_OMITTED) <= item.model_fields_set}
    if not wanted:
        return {}
    rows = submission.values.filter(indicator__code__in={i for i, _a in wanted}).values_list(
        "indicator__code", "area__code", "comment", "source_note"
    )
    return {(i, a): (c, sn) for i, a, c, sn in rows if (i, a) in wanted}


def raw_cells(
    items: list[DataValueIn], stored: dict[tuple[str, str], tuple[str, str]] | None = None
) -> tuple[list[RawCell], dict[tuple[str, str], int]]:
    """The items as the shared validation takes them; each names its place in the request, so that
    findings point at e.g. `dataValues[3].numerator`. A note left out keeps the `stored` one."""
    cells, seen = [], {}
    stored = stored or {}
    for index, item in enumerate(items):
        kept_comment, kept_source = stored.get((item.indicator, item.area), ("", ""))
        sent = item.model_fields_set
        comment = (item.comment or "") if "comment" in sent else kept_comment
        source_note = (item.sourceNote or "") if "sourceNote" in sent else kept_source
        row = f"dataValues[{index}]"
        where = {
            "row": row,
            "value": row + ".value",
            "numerator": row + ".numerator",
            "denominator": row + ".denominator",
        }
        cells.append(
            RawCell(item.indicator, item.area, item.value, item.numerator, item.denominator,
                    item.missingReason or "", comment, source_note, where)
        )  # fmt: skip
        if item.version is not None:
            seen[(item.indicator, item.area)] = item.version
    return cells, seen


def finding_items(findings: list[Finding], items: list[DataValueIn]) -> list[dict[str, Any]]:
    if not findings:
        return []
    index_of = {(item.indicator, item.area): i for i, item in enumerate(items)}
    out = []
    index: int | None
    for finding in findings:
        match = _PLACE.match(finding.location)
        if match:
            index, field = int(match[1]), match[2]
        else:  # findings placed by the value rather than by the request (a conflict, a missing value)
            index = index_of.get((finding.indicator, finding.area))
            field = "version" if finding.rule in VERSION_RULES else None
        out.append({"index": index, "indicator": finding.indicator, "area": finding.area, "field": field,
                    "rule": finding.rule, "message": finding.message})  # fmt: skip
    return out


# Findings about the version sent: 409 when they are a request's only problems.
VERSION_RULES = ("conflict", "version_required")


def _error(status: int, message: str, errors: list[dict[str, Any]] | None = None) -> Status:
    return Status(status, {"status": "ERROR", "message": message, "errors": errors or []})


class _DryRun(Exception):
    """Raised to roll back a dry run once save_values has counted what it would do."""

    def __init__(self, result: SaveResult):
        self.result = result


def _save(user, submission, cells, seen_versions, upload, *, dry_run: bool) -> SaveResult:
    """save_values (a change to a stored value needs its version); a dry run does all of it, then
    rolls it back."""
    options = {"channel": Channel.API, "seen_versions": seen_versions, "upload": upload, "require_versions": True}
    if not dry_run:
        return save_values(user, submission, cells, **options)
    try:
        with transaction.atomic():
            raise _DryRun(save_values(user, submission, cells, **options))
    except _DryRun as dry:
        dry.result.batch = None
        return dry.result


def _inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """A pydantic JSON schema with its `$defs` put in place of the references to them."""
    defs = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return inline(defs[node["$ref"].rsplit("/", 1)[-1]])
            return {key: inline(value) for key, value in node.items()}
        return [inline(value) for value in node] if isinstance(node, list) else node

    return inline(schema)


def parse_value_set(request: ApiRequest) -> DataValueSetIn:
    """The body, parsed by pydantic straight from JSON; errors as ninja reports a body's."""
    try:
        return DataValueSetIn.model_validate_json(request.body)
    except pydantic.ValidationError as exc:
        errors = exc.errors(include_url=False)
        if any(error["type"] == "json_invalid" for error in errors):
            raise HttpError(400, "Cannot parse request body") from None
        raise ValidationError([{**error, "loc": ("body", "payload", *error["loc"])} for error in errors]) from None


# The body is parsed in the view rather than by ninja, so that parsing too runs with the garbage
# collector paused (see bulk.paused_gc) and skips building a dict per item on the way; it is
# documented from the same model.
@router.post(
    "/dataValueSets",
    response={200: ImportSummary, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
              413: ErrorOut, 422: ErrorOut},
    operation_id="postDataValueSets",
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
        "schema": _inline_refs(DataValueSetIn.model_json_schema())}}}},
)  # fmt: skip
def post_data_values(request: ApiRequest, plan: Annotated[str | None, Query(description=PLAN_HELP)] = None):
    """Save a department's values for a year as a draft: all of them, or — on any error — none.

    Only the department's reporters, while its submission is a draft or returned. Every item is
    checked exactly as the web form checks it; errors (422) name the item and field at fault,
    e.g. `dataValues[3].numerator`. An item that changes a stored value must send the `version` it
    read (rule version_required without it); one whose `version` is older than the stored value's
    is a conflict (409 when these are the only problems). A `comment` or `sourceNote` left out keeps
    the stored one; null or "" clears it. The request body is kept with the import batch, as an
    uploaded file is."""
    with paused_gc():
        # The request's objects are freed (with the inner frame) before collection resumes.
        return _import_value_set(request, plan)


def _import_value_set(request: ApiRequest, plan: str | None) -> Status:
    user = api_user(request)
    payload = parse_value_set(request)
    submission = submission_for(request, plan_for(request, plan), payload.year, payload.department)
    if user.role != Role.DEPT_REPORTER:
        raise PermissionDenied(_("Only the department's reporters enter its values."))
    cells, seen_versions = raw_cells(payload.dataValues, stored_notes(submission, payload.dataValues))
    upload = UploadedFile(f"api-dataValueSets-{payload.year}-{payload.department}.json", request.body)
    try:
        result = _save(user, submission, cells, seen_versions, upload, dry_run=payload.dryRun)
    except ValuesRejected as exc:
        errors = finding_items(exc.findings, payload.dataValues)
        status = 409 if all(e["rule"] in VERSION_RULES for e in errors) else 422
        return _error(status, str(exc), errors)
    except CollectionError as exc:  # the submission is not editable now (submitted, accepted, round closed)
        return _error(409, str(exc))
    return Status(
        200,
        {
            "status": "OK",
            "imported": result.created,
            "updated": result.updated,
            "ignored": len(cells) - result.created - result.updated,
            "notices": finding_items(result.notices, payload.dataValues),
            "importBatch": result.batch.pk if result.batch else None,
            "dryRun": payload.dryRun,
        },
    )


@router.post(
    "/submissions/{year}/{department}/{step}",
    response={
        200: SubmissionOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        413: ErrorOut,
        422: ErrorOut,
    },
    operation_id="submissionStep",
)
def submission_step(
    request: ApiRequest,
    year: Annotated[int, Path(ge=MIN_YEAR, le=MAX_YEAR)],
    department: str,
    step: Step,
    body: StepIn,
    plan: Annotated[str | None, Query(description=PLAN_HELP)] = None,
):
    """A workflow step on a department's submission: submit (its reporters), approve (its
    reviewers), return (its reviewers or the office, with a reason), accept and reopen (the office,
    reopen with a reason). 409 when the submission changed since `version`, or its state does not
    allow the step; 422 when submission is blocked by missing or unexplained values (listed)."""
    user = api_user(request)
    submission = submission_for(request, plan_for(request, plan), year, department)
    try:
        if step == Step.submit:
            submission = do_submit(user, submission, body.version)
        elif step == Step.approve:
            submission = do_approve(user, submission, body.version)
        elif step == Step.return_:
            submission = do_return(user, submission, body.version, body.reason)
        elif step == Step.accept:
            submission = do_accept(user, submission, body.version)
        else:
            submission = do_reopen(user, submission, body.version, body.reason)
    except SubmissionBlocked as exc:
        return _error(422, str(exc), finding_items(exc.findings, []))
    except StaleSubmission as exc:
        return _error(409, str(exc))
    except CollectionError as exc:
        # A missing reason is the request's fault (422); anything else is the submission's state.
        reason_missing = step in (Step.return_, Step.reopen) and not body.reason.strip()
        return _error(422 if reason_missing else 409, str(exc))
    return Status(200, submission_out(submission))
