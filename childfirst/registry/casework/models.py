"""The work around a child's file: visits (走访), guardianship-risk assessments (监护风险评估),
the street supervisor's tasks, and one-to-one assistance (一对一帮扶).

Everything here belongs to a child file and goes with it when an exited file is purged (CASCADE);
the audit log keeps only the identifiers of what happened.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from childfirst.areas.models import Area

from ..children.models import Child


class VisitKind(models.TextChoices):
    HOME = "home", _("home visit")
    PHONE = "phone", _("phone call")
    SCHOOL = "school", _("school visit")


class VisitQuerySet(models.QuerySet["Visit"]):
    def of_children(self, children: models.QuerySet[Child]) -> VisitQuerySet:
        """Visits to any of `children` (a queryset already scoped to the user)."""
        return self.filter(child__in=children)


class Visit(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="visits", verbose_name=_("child"))
    visited_on = models.DateField(_("date of the visit"))
    kind = models.CharField(_("kind"), max_length=8, choices=VisitKind.choices)
    findings = models.TextField(_("findings"))
    needs = models.TextField(_("needs"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("visited by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["-visited_on", "-pk"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [models.Index(fields=["child", "visited_on"])]

    def __str__(self) -> str:
        return _("visit %(pk)s") % {"pk": self.pk}


class RiskLevel(models.TextChoices):
    LOW = "low", _("low")
    MEDIUM = "medium", _("medium")
    HIGH = "high", _("high")


class AssessmentState(models.TextChoices):
    SUBMITTED = "submitted", _("awaiting approval")
    APPROVED = "approved", _("approved")
    RETURNED = "returned", _("returned")


class RiskAssessmentQuerySet(models.QuerySet["RiskAssessment"]):
    def counting(self) -> RiskAssessmentQuerySet:
        """Assessments that count towards a child's current level: approved ones, and submitted
        ones still awaiting the supervisor (a returned one counts for nothing)."""
        return self.exclude(state=AssessmentState.RETURNED)

    def awaiting_approval(self) -> RiskAssessmentQuerySet:
        return self.filter(state=AssessmentState.SUBMITTED)


class RiskAssessment(models.Model):
    """One assessment: the ticked checklist items, the score and level they gave under the checklist
    version of the day (a later edit of the checklist never rewrites it), and the supervisor's review."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="risk_assessments", verbose_name=_("child"))
    assessed_on = models.DateField(_("date of the assessment"))
    checklist_version = models.CharField(_("checklist version"), max_length=20)
    ticked = models.JSONField(_("items that apply"), default=list, blank=True)
    score = models.PositiveSmallIntegerField(_("score"))
    computed_level = models.CharField(_("level by the checklist"), max_length=8, choices=RiskLevel.choices)
    level = models.CharField(_("risk level"), max_length=8, choices=RiskLevel.choices)
    raise_reason = models.TextField(_("reason for raising the level"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("assessed by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    state = models.CharField(
        _("state"), max_length=10, choices=AssessmentState.choices, default=AssessmentState.SUBMITTED, db_index=True
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    objects = RiskAssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        verbose_name = _("guardianship-risk assessment")
        verbose_name_plural = _("guardianship-risk assessments")
        indexes = [models.Index(fields=["child", "assessed_on"])]

    def __str__(self) -> str:
        return _("risk assessment %(pk)s") % {"pk": self.pk}


class TaskKind(models.TextChoices):
    HIGH_RISK = "high_risk", _("high guardianship risk: review and arrange protection")
    REPORT_ESCALATED = "report_escalated", _("mandatory report past its triage deadline")


class TaskState(models.TextChoices):
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


class TaskQuerySet(models.QuerySet["Task"]):
    def open(self) -> TaskQuerySet:
        return self.filter(state=TaskState.OPEN)

    def for_street(self, street: Area) -> TaskQuerySet:
        """The inbox of a street: whoever supervises the street works it, so a change of supervisor
        hands the open tasks over with the street."""
        return self.filter(street=street)

    def overdue(self, today: datetime.date) -> TaskQuerySet:
        return self.open().filter(due_on__lt=today)


class Task(models.Model):
    """Something the street supervisor must do, raised by the system. It names the child file or
    report it is about; its text comes from its kind, so it holds no personal data itself."""

    kind = models.CharField(_("kind"), max_length=20, choices=TaskKind.choices)
    street = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("street/town"))
    child = models.ForeignKey(
        Child, on_delete=models.CASCADE, null=True, blank=True, related_name="tasks", verbose_name=_("child")
    )
    assessment = models.ForeignKey(
        RiskAssessment, on_delete=models.CASCADE, null=True, blank=True, related_name="tasks"
    )
    report = models.ForeignKey(
        "registry.MandatoryReport", on_delete=models.CASCADE, null=True, blank=True, related_name="tasks"
    )
    due_on = models.DateField(_("due"))
    created_at = models.DateTimeField(_("raised at"), default=timezone.now)
    state = models.CharField(_("state"), max_length=8, choices=TaskState.choices, default=TaskState.OPEN)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_note = models.TextField(_("note on closing"), blank=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [models.Index(fields=["street", "state"])]
        constraints = [
            # Escalating twice (a page view and the cron command at once) must not raise two tasks.
            models.UniqueConstraint(
                fields=["kind", "report"], condition=models.Q(report__isnull=False), name="one_task_per_report"
            ),
            models.UniqueConstraint(
                fields=["kind", "assessment"],
                condition=models.Q(assessment__isnull=False),
                name="one_task_per_assessment",
            ),
        ]

    def __str__(self) -> str:
        return _("task %(pk)s") % {"pk": self.pk}

    @property
    def is_open(self) -> bool:
        return self.state == TaskState.OPEN


class AssistanceState(models.TextChoices):
    OPEN = "open", _("ongoing")
    CLOSED = "closed", _("closed")


class Assistance(models.Model):
    """One-to-one assistance (一对一帮扶, plan 二(五) 4): a named helper, a plan and its follow-ups."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="assistance_plans", verbose_name=_("child"))
    helper_name = models.CharField(_("helper"), max_length=50)
    helper_organisation = models.CharField(_("organisation"), max_length=100, blank=True)
    helper_contact = models.CharField(_("contact"), max_length=50, blank=True)
    plan = models.TextField(_("assistance plan"))
    start_date = models.DateField(_("start date"))
    state = models.CharField(_("state"), max_length=8, choices=AssistanceState.choices, default=AssistanceState.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    close_note = models.TextField(_("result"), blank=True)

    class Meta:
        ordering = ["-start_date", "-pk"]
        verbose_name = _("one-to-one assistance")
        verbose_name_plural = _("one-to-one assistance")

    def __str__(self) -> str:
        return _("assistance %(pk)s") % {"pk": self.pk}

    @property
    def is_open(self) -> bool:
        return self.state == AssistanceState.OPEN


class AssistanceFollowUp(models.Model):
    assistance = models.ForeignKey(Assistance, on_delete=models.CASCADE, related_name="follow_ups")
    date = models.DateField(_("date"))
    note = models.TextField(_("note"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self) -> str:
        return _("follow-up %(pk)s") % {"pk": self.pk}
