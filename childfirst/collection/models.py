"""Yearly data collection: rounds, one submission per department and round, the values in it,
every change to a value, uploaded files, and the validation rules (as data).

A value belongs to exactly one indicator × area × round and is entered by the indicator's lead
department (its first responsible unit). Rates keep numerator and denominator; district totals
of per-street indicators are derived (see totals.py), never stored.
"""

from __future__ import annotations

import datetime
from typing import Any, TypeVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from childfirst.accounts.models import DEPARTMENT_ROLES, Role, User
from childfirst.areas.models import Area
from childfirst.plans.models import Department, Indicator, Plan


class RoundState(models.TextChoices):
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


class ReportingRound(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("plan"))
    year = models.PositiveSmallIntegerField(_("year"))
    deadline = models.DateField(_("deadline"))
    state = models.CharField(_("state"), max_length=8, choices=RoundState.choices, default=RoundState.OPEN)
    opened_at = models.DateTimeField(_("opened at"))
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["plan", "-year"]
        constraints = [models.UniqueConstraint(fields=["plan", "year"], name="one_round_per_plan_year")]
        verbose_name = _("reporting round")
        verbose_name_plural = _("reporting rounds")

    def __str__(self) -> str:
        return _("%(year)s round") % {"year": self.year}

    @property
    def is_open(self) -> bool:
        return self.state == RoundState.OPEN


class SubmissionState(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted, awaiting review")
    RETURNED = "returned", _("returned for correction")
    APPROVED = "approved", _("approved by the department")
    ACCEPTED = "accepted", _("accepted by the office")


EDITABLE_STATES = {SubmissionState.DRAFT, SubmissionState.RETURNED}


def take_step(obj: Any, to: SubmissionState, actor: Any, reason: str = "") -> None:
    """Move a workflow object — the data's Submission, or anything with the same state, version and
    submitted/reviewed/accepted stamps (a department's implementation report) — to `to`: who and when
    for the step, the reason of a return, and the version bumped (the optimistic lock). Not saved."""
    now = timezone.now()
    obj.state = to
    obj.version += 1
    if to == SubmissionState.SUBMITTED:
        obj.submitted_at, obj.submitted_by = now, actor
    elif to == SubmissionState.APPROVED:
        obj.reviewed_at, obj.reviewed_by = now, actor
    elif to == SubmissionState.ACCEPTED:
        obj.accepted_at, obj.accepted_by = now, actor
    elif to == SubmissionState.RETURNED:
        obj.return_reason = reason


# Roles that see every department's submissions (read-only except the office's own steps); the
# department roles (accounts.DEPARTMENT_ROLES) see their own department's only; other roles none.
OVERSIGHT_ROLES = {Role.OFFICE, Role.LEADER, Role.EVALUATOR}


def sees_department(user: User, department_id: int) -> bool:
    """The one rule of who sees a department's collection data (submissions and their values)."""
    if user.role in OVERSIGHT_ROLES:
        return True
    return user.role in DEPARTMENT_ROLES and user.department_id == department_id


_QS = TypeVar("_QS", bound=models.QuerySet[Any])


def _department_scope(queryset: _QS, user: User, department_field: str) -> _QS:
    if user.role in OVERSIGHT_ROLES:
        return queryset
    if user.role in DEPARTMENT_ROLES:
        return queryset.filter(**{department_field: user.department_id})
    return queryset.none()


class SubmissionQuerySet(models.QuerySet["Submission"]):
    def visible_to(self, user: User) -> SubmissionQuerySet:
        """The submissions `user` may see: every department's for the oversight roles, their own
        department's for department users, none for anyone else (see `sees_department`)."""
        return _department_scope(self, user, "department")

    def overdue(self, today: datetime.date) -> SubmissionQuerySet:
        """Not yet submitted although the round's deadline has passed."""
        return self.filter(round__state=RoundState.OPEN, round__deadline__lt=today, state__in=list(EDITABLE_STATES))


class Submission(models.Model):
    """A department's data for one round. `version` grows with every change, so that two people
    acting on the same submission at once cannot overwrite each other (optimistic locking)."""

    round = models.ForeignKey(ReportingRound, on_delete=models.PROTECT, related_name="submissions")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="submissions")
    state = models.CharField(_("state"), max_length=12, choices=SubmissionState.choices, default=SubmissionState.DRAFT)
    version = models.PositiveIntegerField(default=1)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    return_reason = models.TextField(_("reason for return"), blank=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["round", "department"]
        constraints = [models.UniqueConstraint(fields=["round", "department"], name="one_submission_per_department")]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")

    def __str__(self) -> str:
        return f"{self.round.year} {self.department}"

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES and self.round.is_open


class Channel(models.TextChoices):
    WEB = "web", _("web form")
    EXCEL = "excel", _("Excel upload")
    API = "api", _("API")
    SYSTEM = "system", _("system")
    REGISTRY = "registry", _("children's information platform")


class DataValueQuerySet(models.QuerySet["DataValue"]):
    def visible_to(self, user: User) -> DataValueQuerySet:
        """The values `user` may see: those of the submissions `Submission.objects.visible_to` gives."""
        return _department_scope(self, user, "submission__department")

    def answered(self) -> DataValueQuerySet:
        """Values entered, or explicitly marked as not available with a reason."""
        return self.exclude(value__isnull=True, missing_reason="")

    def for_year(self, plan: Plan, year: int) -> DataValueQuerySet:
        return self.filter(round__plan=plan, round__year=year)

    def accepted(self) -> DataValueQuerySet:
        """Values of submissions the office has accepted: the figures of record."""
        return self.filter(submission__state=SubmissionState.ACCEPTED)


class DataValue(models.Model):
    # round and indicator lead the unique constraint and the (indicator, area) index, which serve
    # their look-ups; separate indexes would only slow bulk inserts.
    round = models.ForeignKey(ReportingRound, on_delete=models.PROTECT, related_name="values", db_index=False)
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="values")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values", db_index=False)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="values")
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=6, null=True, blank=True)
    numerator = models.DecimalField(_("numerator"), max_digits=20, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField(_("denominator"), max_digits=20, decimal_places=4, null=True, blank=True)
    missing_reason = models.CharField(_("why no value"), max_length=500, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    source_note = models.CharField(_("source"), max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(_("updated at"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)

    objects = DataValueQuerySet.as_manager()

    class Meta:
        ordering = ["round", "indicator", "area"]
        constraints = [
            models.UniqueConstraint(fields=["round", "indicator", "area"], name="one_value_per_indicator_area_year")
        ]
        indexes = [models.Index(fields=["indicator", "area"])]
        verbose_name = _("data value")
        verbose_name_plural = _("data values")

    def __str__(self) -> str:
        return f"{self.indicator_id}@{self.area_id}/{self.round_id}"


class ImportBatchQuerySet(models.QuerySet["ImportBatch"]):
    def original_expired(self, days: int, now: datetime.datetime) -> ImportBatchQuerySet:
        """Imports that still hold their original file although their round was closed more than
        `days` days ago (a reopened round is open again and keeps its originals)."""
        return self.filter(
            content__isnull=False,
            submission__round__state=RoundState.CLOSED,
            submission__round__closed_at__lt=now - datetime.timedelta(days=days),
        )


class ImportBatch(models.Model):
    """One upload (Excel) or bulk request (API) that saved values; the original file is kept (until the
    retention period after its round closes: `childfirst cleanup`)."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="imports")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    created_at = models.DateTimeField(_("uploaded at"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    content = models.BinaryField(_("original file"), null=True, blank=True, editable=False)
    value_count = models.PositiveIntegerField(default=0)
    notices = models.JSONField(_("notices"), default=list, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.channel} {self.file_name} {self.created_at:%Y-%m-%d %H:%M}"


class ValueChange(models.Model):
    """History of one value: who, when, old → new, through which channel, in which state."""

    data_value = models.ForeignKey(DataValue, on_delete=models.PROTECT, related_name="changes")
    changed_at = models.DateTimeField(_("when"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    submission_state = models.CharField(_("submission state"), max_length=12, choices=SubmissionState.choices)
    import_batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    old = models.JSONField(_("before"), null=True, blank=True)
    new = models.JSONField(_("after"))

    class Meta:
        ordering = ["data_value", "-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.data_value_id} {self.changed_at:%Y-%m-%d %H:%M}"


class Severity(models.TextChoices):
    ERROR = "error", _("error (blocks submission)")
    WARNING = "warning", _("warning (needs a comment)")


class ValidationRule(models.Model):
    """A check on entered values. Which checks run and their thresholds are data, loaded from
    collection/data/validation_rules.yaml and listed on the rules page."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    enabled = models.BooleanField(_("enabled"), default=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.code
