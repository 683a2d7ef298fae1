"""Report pages: the published evaluations with what can be generated from each, the jobs with
their progress (polled by htmx), and the documents' downloads."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from childfirst.accounts.audit import record
from childfirst.accounts.decorators import role_required
from childfirst.accounts.http import AuthenticatedHttpRequest
from childfirst.accounts.models import Role
from childfirst.evaluation.models import Snapshot
from childfirst.plans.access import get_plan_for_user
from childfirst.plans.models import Plan

from .access import READERS, can_generate, get_job_for_user
from .actions import do_expire_stale_jobs, do_request_report
from .models import KIND_IN_SENTENCE, JobState, Kind, ReportFile, ReportJob, required_year

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
JOBS_SHOWN = 50


@dataclass
class Offer:
    """One kind of report for one snapshot: its newest job (done or under way), if any."""

    kind: Kind
    snapshot: Snapshot | None
    job: ReportJob | None = None
    reason: str | None = None  # why it cannot be generated
    choices: list[Snapshot] | None = None  # the annual report: any published year

    @property
    def kind_in_sentence(self) -> str:
        return str(KIND_IN_SENTENCE[self.kind])


@dataclass
class YearRow:
    snapshot: Snapshot
    latest: Snapshot
    offers: list[Offer]


def _kinds_for(plan, year: int) -> list[Kind]:
    return [k for k in Kind if required_year(plan, k) in (None, year)]


@role_required(*READERS)
def index(request: AuthenticatedHttpRequest, plan: str) -> HttpResponse:
    """The reports of the plan in the URL: what each of its published evaluations offers, and its jobs."""
    return _index(request, get_plan_for_user(request, plan))


def _index(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    do_expire_stale_jobs()
    is_office = can_generate(request.user)
    snapshots = list(Snapshot.objects.filter(plan=plan).select_related("published_by").order_by("-year", "-version"))
    latest: dict[int, Snapshot] = {}
    for snapshot in snapshots:
        latest.setdefault(snapshot.year, snapshot)
    offered = ReportJob.objects.filter(snapshot__plan=plan)
    newest = (offered if is_office else offered.filter(state=JobState.DONE)).newest_offered()

    def offer(kind: Kind, snapshot: Snapshot | None, reason: str | None = None) -> Offer:
        return Offer(kind, snapshot, newest.get((kind, snapshot.pk)) if snapshot else None, reason)

    cards = []
    for kind in Kind:
        year = required_year(plan, kind)
        if year is None:
            card = offer(kind, next(iter(latest.values()), None))
            card.choices = list(latest.values())
            card.reason = None if latest else _("No evaluation has been published yet.")
        else:
            card = offer(kind, latest.get(year))
            card.reason = (
                None if year in latest else _("The %(year)d evaluation has not been published yet.") % {"year": year}
            )
        cards.append((card, year))
    rows = [YearRow(s, latest[s.year], [offer(k, s) for k in _kinds_for(plan, s.year)]) for s in snapshots]
    jobs = ReportJob.objects.for_plan(plan)
    if not is_office:
        jobs = jobs.filter(state=JobState.DONE)
    return render(
        request,
        "reports/index.html",
        {
            "plan": plan,
            "cards": cards,
            "rows": rows,
            "jobs": list(jobs[:JOBS_SHOWN]),
            "is_office": is_office,
        },
    )


@require_POST
@role_required(Role.OFFICE)
def request_report(request: AuthenticatedHttpRequest, plan: str) -> HttpResponse:
    """Queue a report of the plan in the URL and go straight back to the list: the worker generates
    it, the page shows progress. A snapshot of another plan is a 404."""
    the_plan = get_plan_for_user(request, plan)
    raw = request.POST.get("snapshot", "")
    if not raw.isdigit():
        messages.error(request, _("Choose the published evaluation to generate the report from."))
        return redirect("reports:index", plan=the_plan.code)
    snapshot = get_object_or_404(Snapshot.objects.select_related("plan__area"), pk=raw, plan=the_plan)
    kind = request.POST.get("kind", "")
    try:
        job, created = do_request_report(
            request.user, kind, snapshot, regenerate=request.POST.get("regenerate") == "1", request=request
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("reports:index", plan=the_plan.code)
    names = {"report": job.kind_in_sentence, "year": snapshot.year, "version": snapshot.version}
    if created:
        messages.success(
            request,
            _("The %(report)s of %(year)d (version %(version)d) is being generated; its progress shows below.") % names,
        )
    elif job.is_active:
        messages.info(
            request, _("The %(report)s of %(year)d (version %(version)d) is already being generated.") % names
        )
    else:
        messages.info(
            request,
            _(
                "The %(report)s of %(year)d (version %(version)d) has already been generated: download it below, "
                "or generate it again."
            )
            % names,
        )
    return redirect(f"{reverse('reports:index', args=[the_plan.code])}#job-{job.pk}")


@role_required(*READERS)
def job_row(request: AuthenticatedHttpRequest, plan: str, pk: int) -> HttpResponse:
    """One job's row, which htmx polls while the job is under way; it stops once the job has ended."""
    job = get_job_for_user(request, plan, pk)
    if job.is_active and do_expire_stale_jobs():
        job = get_job_for_user(request, plan, pk)
    if not request.headers.get("HX-Request"):
        return redirect(f"{reverse('reports:index', args=[plan])}#job-{job.pk}")
    prefetch_related_objects([job], Prefetch("files", ReportFile.objects.without_content()))
    response = render(
        request,
        "reports/_job_row.html",
        {"plan": job.snapshot.plan, "job": job, "is_office": can_generate(request.user)},
    )
    if not job.is_active:
        # The page's cards and table still say "being generated": this event makes htmx reload them.
        response["HX-Trigger"] = "reportJobEnded"
    return response


def content_disposition(job: ReportJob, fmt: str) -> str:
    """An ASCII name for old clients, the Chinese one (RFC 6266 / 5987) for everyone else."""
    ascii_name = f"childfirst-{job.kind}-{job.snapshot.year}-v{job.snapshot.version}.{fmt}"
    chinese = f"{job.filename or ascii_name.rsplit('.', 1)[0]}.{fmt}"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(chinese, safe='')}"


@role_required(*READERS)
def download(request: AuthenticatedHttpRequest, plan: str, pk: int, fmt: str) -> HttpResponse:
    job = get_job_for_user(request, plan, pk)
    if fmt not in CONTENT_TYPES:
        raise Http404
    stored = get_object_or_404(ReportFile, job=job, format=fmt)
    with transaction.atomic():
        record(
            "reports.download",
            actor=request.user,
            obj=job,
            area_code=job.snapshot.plan.area.code,
            request=request,
            format=fmt,
            kind=job.kind,
            year=job.snapshot.year,
            version=job.snapshot.version,
            sha256=stored.sha256,
        )
    response = HttpResponse(bytes(stored.content), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition(job, fmt)
    response["Content-Length"] = str(stored.size)
    return response
