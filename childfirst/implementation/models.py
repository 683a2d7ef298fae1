"""Section 四 of the plan: what departments say they did (yearly implementation reports), what the office
asks of them afterwards (recommendations and their follow-up, 督办), the good practices it publishes, and the
documents attached to each. Nothing here holds a child's personal data: a good practice is checked for it
before it is stored, and attachments are evidence of work, not child files."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from childfirst.accounts.models import DEPARTMENT_ROLES, Role, User
from childfirst.areas.models import Area
from childfirst.collection.models import ReportingRound, SubmissionState
from childfirst.plans.models import Department, Indicator, KeyProject, Measure, Plan

_USER = settings.AUTH_USER_MODEL


class ImplementationReportQuerySet(models.QuerySet["ImplementationReport"]):
    def for_plan_year(self, plan: Plan, year: int) -> ImplementationReportQuerySet:
        """The reports of the plan's round of `year` (every department's), with round and department read."""
        return self.filter(round__plan=plan, round__year=year).select_related("round", "department")

    def visible_to_department(self, department_id: int | None) -> ImplementationReportQuerySet:
        """One department's own reports (none for a user without a department)."""
        return self.filter(department_id=department_id) if department_id is not None else self.none()


class ImplementationReport(models.Model):
    """A department's yearly implementation report (成员单位年度实施报告) for one round. It follows the
    data's workflow (collection.SubmissionState): draft → submitted → approved by the department's
    reviewer → accepted by the office, with returns and their reasons; `version` is the optimistic lock."""

    round = models.ForeignKey(
        ReportingRound, on_delete=models.PROTECT, related_name="implementation_reports", verbose_name=_("round")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="implementation_reports", verbose_name=_("department")
    )
    state = models.CharField(_("state"), max_length=12, choices=SubmissionState.choices, default=SubmissionState.DRAFT)
    version = models.PositiveIntegerField(default=1)
    summary = models.TextField(_("overall summary"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)
    updated_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    return_reason = models.TextField(_("reason for return"), blank=True)
    is_synthetic = models.BooleanField(_("synthetic"), default=False)

    objects = ImplementationReportQuerySet.as_manager()

    class Meta:
        ordering = ["round", "department"]
        constraints = [
            models.UniqueConstraint(fields=["round", "department"], name="one_implementation_report_per_department")
        ]
        verbose_name = _("implementation report")
        verbose_name_plural = _("implementation reports")

    def __str__(self) -> str:
        return f"{self.round.year} {self.department}"


class ReportItem(models.Model):
    """One measure or key project of the department's report: what was done, its results, funds, problems
    and next year's plan. Funds are in 万元 (ten thousand yuan), as the plan's budgets are written."""

    report = models.ForeignKey(ImplementationReport, on_delete=models.CASCADE, related_name="items")
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    key_project = models.ForeignKey(KeyProject, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    work_done = models.TextField(_("what was done"), blank=True)
    results = models.TextField(_("results"), blank=True)
    funds_budgeted = models.DecimalField(
        _("funds budgeted (10,000 yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    funds_spent = models.DecimalField(
        _("funds spent (10,000 yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    problems = models.TextField(_("problems"), blank=True)
    next_year = models.TextField(_("next year's plan"), blank=True)

    class Meta:
        ordering = ["report", "key_project", "measure"]
        constraints = [
            models.CheckConstraint(
                condition=Q(measure__isnull=False, key_project__isnull=True)
                | Q(measure__isnull=True, key_project__isnull=False),
                name="report_item_is_a_measure_or_a_key_project",
            ),
            models.UniqueConstraint(fields=["report", "measure"], name="one_item_per_measure"),
            models.UniqueConstraint(fields=["report", "key_project"], name="one_item_per_key_project"),
        ]
        verbose_name = _("report item")
        verbose_name_plural = _("report items")

    def __str__(self) -> str:
        return str(self.key_project or self.measure)


class RecommendationSource(models.TextChoices):
    WARNING = "warning", _("early warning on an indicator")
    STREET = "street", _("a lagging street/town")
    EVALUATION = "evaluation", _("a problem found in the evaluation")
    OTHER = "other", _("other")


class RecommendationState(models.TextChoices):
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


class RecommendationQuerySet(models.QuerySet["Recommendation"]):
    def of_plan(self, plan: Plan) -> RecommendationQuerySet:
        return self.filter(plan=plan)

    def addressed_to_department(self, department_id: int) -> RecommendationQuerySet:
        """Recommendations with an addressee that is this department."""
        return self.filter(assignments__department_id=department_id).distinct()

    def addressed_to_street(self, area_id: int | str) -> RecommendationQuerySet:
        """Recommendations with an addressee that is this street/town."""
        return self.filter(assignments__area_id=area_id).distinct()


class Recommendation(models.Model):
    """A recommendation (对策建议) the office issues to one or more departments or streets, each an
    `Assignment` that is followed up (督办) on its own until the office closes it."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="recommendations", verbose_name=_("plan"))
    year = models.PositiveSmallIntegerField(_("monitoring year"))
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("recommendation"))
    source = models.CharField(_("arising from"), max_length=12, choices=RecommendationSource.choices)
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("indicator")
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("street/town")
    )
    due_date = models.DateField(_("due date"))
    state = models.CharField(_("state"), max_length=8, choices=RecommendationState.choices, default="open")
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    is_synthetic = models.BooleanField(_("synthetic"), default=False)

    objects = RecommendationQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")

    def __str__(self) -> str:
        return self.title


class AssignmentState(models.TextChoices):
    OPEN = "open", _("awaiting a response")
    ANSWERED = "answered", _("answered, awaiting the office")
    RETURNED = "returned", _("sent back")
    CLOSED = "closed", _("closed")


class AssignmentQuerySet(models.QuerySet["Assignment"]):
    def for_department_year(self, department: Department, plan: Plan, year: int) -> AssignmentQuerySet:
        """The department's addressee rows of the plan's recommendations of monitoring year `year`
        (the departments' yearly assessment counts those closed on time among them)."""
        return self.filter(department=department, recommendation__plan=plan, recommendation__year=year)

    def not_closed(self) -> AssignmentQuerySet:
        return self.exclude(state=AssignmentState.CLOSED)

    def overdue(self, today: datetime.date) -> AssignmentQuerySet:
        """Not closed and past the recommendation's due date on `today`."""
        return self.not_closed().filter(recommendation__due_date__lt=today)

    def of_user(self, user: User) -> AssignmentQuerySet:
        """The rows addressed to the user: its department's (reporter, reviewer) or its street's
        (supervisor); none for other roles (the office sees every row of its plans)."""
        if user.role in DEPARTMENT_ROLES and user.department_id is not None:
            return self.filter(department_id=user.department_id)
        if user.role == Role.STREET_SUPERVISOR and user.area_id is not None:
            return self.filter(area_id=user.area_id)
        return self.none()


class Assignment(models.Model):
    """One addressee of a recommendation — a department or a street/town — and where its follow-up stands."""

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="assignments")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    state = models.CharField(_("state"), max_length=10, choices=AssignmentState.choices, default="open")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # Set once when the due date passes without a closed follow-up: the escalation is shown and notified once.
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["recommendation", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(department__isnull=False, area__isnull=True)
                | Q(department__isnull=True, area__isnull=False),
                name="assignment_is_a_department_or_a_street",
            ),
            models.UniqueConstraint(fields=["recommendation", "department"], name="one_assignment_per_department"),
            models.UniqueConstraint(fields=["recommendation", "area"], name="one_assignment_per_street"),
        ]
        verbose_name = _("addressee")
        verbose_name_plural = _("addressees")

    def __str__(self) -> str:
        return str(self.department or self.area)

    @property
    def closed_on_time(self) -> bool:
        """Closed, on or before the recommendation's due date (the assessment's "closed on time")."""
        return (
            self.state == AssignmentState.CLOSED
            and self.closed_at is not None
            # The local day: closed at 23:30 in Wenzhou is that day, though UTC has moved on.
            and timezone.localdate(self.closed_at) <= self.recommendation.due_date
        )

    def is_overdue(self, today: datetime.date) -> bool:
        return self.state != AssignmentState.CLOSED and self.recommendation.due_date < today

    @property
    def can_be_answered(self) -> bool:
        return self.state in (AssignmentState.OPEN, AssignmentState.RETURNED)


class ResponseDecision(models.TextChoices):
    PENDING = "pending", _("awaiting the office")
    ACCEPTED = "accepted", _("accepted, follow-up closed")
    RETURNED = "returned", _("sent back")


class Response(models.Model):
    """An addressee's answer: the action taken, with evidence. Every answer is kept, also those sent back."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="responses")
    action_taken = models.TextField(_("action taken"))
    responded_at = models.DateTimeField(_("responded at"))
    responded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(_("decision"), max_length=10, choices=ResponseDecision.choices, default="pending")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decision_reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["assignment", "responded_at", "id"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")

    def __str__(self) -> str:
        return f"{self.assignment} {self.responded_at:%Y-%m-%d}"


class PracticeState(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    PUBLISHED = "published", _("published on the portal")
    DECLINED = "declined", _("not selected")
    WITHDRAWN = "withdrawn", _("withdrawn from the portal")


class GoodPracticeQuerySet(models.QuerySet["GoodPractice"]):
    def published(self) -> GoodPracticeQuerySet:
        """What the public portal shows."""
        return self.filter(state=PracticeState.PUBLISHED)

    def of_user(self, user: User) -> GoodPracticeQuerySet:
        """The practices of the user's department (reporter, reviewer) or street (supervisor); none
        for other roles (the office sees every practice of its plans)."""
        if user.role in DEPARTMENT_ROLES and user.department_id is not None:
            return self.filter(department_id=user.department_id)
        if user.role == Role.STREET_SUPERVISOR and user.area_id is not None:
            return self.filter(area_id=user.area_id)
        return self.none()


class GoodPractice(models.Model):
    """A good practice (好做法好经验) a department or street submits; the office selects some and publishes
    them on the open-data portal beside the related indicators."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="good_practices", verbose_name=_("plan"))
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    indicators = models.ManyToManyField(Indicator, blank=True, related_name="+", verbose_name=_("related indicators"))
    state = models.CharField(_("state"), max_length=10, choices=PracticeState.choices, default="submitted")
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    is_synthetic = models.BooleanField(_("synthetic"), default=False)

    objects = GoodPracticeQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(department__isnull=False, area__isnull=True)
                | Q(department__isnull=True, area__isnull=False),
                name="practice_is_from_a_department_or_a_street",
            ),
        ]
        verbose_name = _("good practice")
        verbose_name_plural = _("good practices")

    def __str__(self) -> str:
        return self.title


class Document(models.Model):
    """An attached file: evidence for a report or a response, or a good practice's photo. Kept in the
    database, like uploaded data files, so any web server or worker reads it; checked for type (by content,
    not by name) and size before it is stored. Exactly one owner."""

    report = models.ForeignKey(
        ImplementationReport, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    response = models.ForeignKey(Response, on_delete=models.PROTECT, null=True, blank=True, related_name="documents")
    practice = models.ForeignKey(
        GoodPractice, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content = models.BinaryField(editable=False)
    uploaded_at = models.DateTimeField(_("uploaded at"))
    uploaded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(report__isnull=False, response__isnull=True, practice__isnull=True)
                | Q(report__isnull=True, response__isnull=False, practice__isnull=True)
                | Q(report__isnull=True, response__isnull=True, practice__isnull=False),
                name="document_has_one_owner",
            ),
        ]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.name


class ScorecardWeights(models.Model):
    """A weights file for the departments' yearly assessment (scorecard.py) that the office uploaded for
    a plan. The newest is in force; every earlier one is kept with who uploaded it and when, so a score
    can be recomputed as it was and a change undone by uploading the earlier file again. Without any,
    the file shipped in the package (data/scorecard.yaml) is in force."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+", verbose_name=_("plan"))
    name = models.CharField(_("file name"), max_length=200)
    content = models.TextField(_("content"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"))
    uploaded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("scorecard weights")
        verbose_name_plural = _("scorecard weights")

    def __str__(self) -> str:
        return f"{self.plan_id} {self.name} {self.sha256[:8]}"
