"""Mandatory reports (强制报告, 未成年人保护法 第十一条): a school, hospital, community or anyone else
reports that a child is harmed, suspected to be harmed or in danger.

A report is routed to the street of the community where the child is; its supervisor must triage
it by `triage_due_at` (policy), linking it to a child file or opening one, recording what was done,
and closing it. Past the deadline it is escalated. The child's ID number, when given, is stored like
a child file's: encrypted, with the keyed hash to find the file by, and masked for display.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from childfirst.areas.models import Area

if TYPE_CHECKING:
    from childfirst.accounts.models import User

    from .intake import Countdown

from ..children.models import Child


class ReporterKind(models.TextChoices):
    SCHOOL = "school", _("school or kindergarten")
    HOSPITAL = "hospital", _("hospital or clinic")
    COMMUNITY = "community", _("residents' or villagers' committee")
    OTHER = "other", _("other")


class Concern(models.TextChoices):
    VIOLENCE = "violence", _("violence or abuse")
    SEXUAL_ABUSE = "sexual_abuse", _("sexual abuse")
    NEGLECT = "neglect", _("neglect")
    ABANDONMENT = "abandonment", _("abandonment")
    OTHER = "other", _("other danger")


class Urgency(models.TextChoices):
    URGENT = "urgent", _("urgent: the child may be in danger now")
    NORMAL = "normal", _("not urgent")


class ReportedSex(models.TextChoices):
    MALE = "male", _("male")
    FEMALE = "female", _("female")
    UNKNOWN = "unknown", _("not known")


class AgeUnit(models.TextChoices):
    YEARS = "years", _("years")
    MONTHS = "months", _("months")


class ReportChannel(models.TextChoices):
    PUBLIC = "public", _("public intake page")
    SIGNED_IN = "signed_in", _("signed-in user")


class ReportState(models.TextChoices):
    AWAITING = "awaiting", _("awaiting triage")
    IN_PROGRESS = "in_progress", _("being handled")
    CLOSED = "closed", _("closed")


class ReportAction(models.TextChoices):
    POLICE_INFORMED = "police_informed", _("police informed")
    VISIT_ARRANGED = "visit_arranged", _("visit arranged")
    VISITED = "visited", _("child seen")
    MEDICAL_CARE = "medical_care", _("medical care arranged")
    TEMPORARY_CARE = "temporary_care", _("temporary care arranged (未成年人救助保护机构)")
    CIVIL_AFFAIRS = "civil_affairs", _("civil affairs bureau informed")
    SCHOOL_CONTACTED = "school_contacted", _("school contacted")
    OTHER = "other", _("other (see note)")


class MandatoryReportQuerySet(models.QuerySet["MandatoryReport"]):
    def for_street(self, street: Area) -> MandatoryReportQuerySet:
        """The reports routed to `street` (its supervisor's inbox)."""
        return self.filter(street=street)

    def awaiting_triage(self) -> MandatoryReportQuerySet:
        return self.filter(state=ReportState.AWAITING)

    def past_deadline(self, now: datetime.datetime) -> MandatoryReportQuerySet:
        """Still untriaged after their triage deadline."""
        return self.awaiting_triage().filter(triage_due_at__lt=now)

    def escalated(self) -> MandatoryReportQuerySet:
        """Reports that were once escalated, whatever their state now."""
        return self.filter(escalated_at__isnull=False)

    def open(self) -> MandatoryReportQuerySet:
        return self.exclude(state=ReportState.CLOSED)

    def visible_to(self, user: User) -> MandatoryReportQuerySet:
        """The reports a user may list: a street supervisor those routed to the street; the office
        the escalated reports of its area (their metadata only, see views.report_list); nobody else
        any."""
        from childfirst.accounts.models import Role

        if user.role == Role.STREET_SUPERVISOR and user.area_id is not None:
            return self.filter(street_id=user.area_id)
        if user.role == Role.OFFICE:
            scope = user.scope_area()
            return self.escalated().filter(street__code__startswith=scope.code if scope else "")
        return self.none()


class MandatoryReport(models.Model):
    receipt_number = models.CharField(_("receipt number"), max_length=24, unique=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    channel = models.CharField(_("channel"), max_length=10, choices=ReportChannel.choices)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reporter_institution = models.CharField(_("reporting institution"), max_length=100)
    reporter_kind = models.CharField(_("kind of institution"), max_length=10, choices=ReporterKind.choices)
    reporter_name = models.CharField(_("reporter's name"), max_length=50)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=20)
    # Empty when the reporter does not know it (an abandoned infant): shown as 不详, never matched.
    child_name = models.CharField(_("child's name"), max_length=50, blank=True)
    child_age = models.PositiveSmallIntegerField(_("child's approximate age"), null=True, blank=True)
    # An infant's age is told in months ("约 6 个月"), an older child's in years.
    child_age_unit = models.CharField(
        _("unit of the age"), max_length=6, choices=AgeUnit.choices, default=AgeUnit.YEARS
    )
    child_sex = models.CharField(_("child's sex"), max_length=8, choices=ReportedSex.choices)
    child_id_nonce = models.BinaryField(max_length=12, null=True, blank=True, editable=False)
    child_id_ciphertext = models.BinaryField(max_length=64, null=True, blank=True, editable=False)
    child_id_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    child_id_masked = models.CharField(_("child's ID number (masked)"), max_length=18, blank=True, editable=False)
    # Empty when the reporter knows only the street (不清楚): `place` then says where the child was found.
    community = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("community where the child is"),
    )
    place = models.CharField(_("where the child is (in the reporter's words)"), max_length=200, blank=True)
    # The street is always known: it decides whose supervisor takes the report up (and is alerted).
    street = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("street/town"))
    concerns = models.JSONField(_("what happened"), default=list)
    description = models.TextField(_("description"))
    urgency = models.CharField(_("urgency"), max_length=8, choices=Urgency.choices)
    triage_due_at = models.DateTimeField(_("triage deadline"), db_index=True)
    state = models.CharField(
        _("state"), max_length=12, choices=ReportState.choices, default=ReportState.AWAITING, db_index=True
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    # Purging an exited child file keeps the report (it is the reporter's record) but drops the link.
    child = models.ForeignKey(
        Child,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mandatory_reports",
        verbose_name=_("child file"),
    )
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    triaged_at = models.DateTimeField(_("triaged at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)

    # Not a field: set on loaded reports by the report list and the supervisor's dashboard, for their templates.
    countdown: Countdown

    objects = MandatoryReportQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("mandatory report")
        verbose_name_plural = _("mandatory reports")
        indexes = [models.Index(fields=["street", "state"])]

    def __str__(self) -> str:
        return self.receipt_number

    @property
    def child_age_years(self) -> int | None:
        """The approximate age in whole years (0 for an infant told in months)."""
        if self.child_age is None:
            return None
        return self.child_age // 12 if self.child_age_unit == AgeUnit.MONTHS else self.child_age

    @property
    def child_name_display(self) -> str:
        return self.child_name or str(_("name not known"))

    @property
    def child_age_display(self) -> str:
        """ "about 9 years" / "about 6 months" (约 9 岁 / 约 6 个月); "" without an age."""
        if self.child_age is None:
            return ""
        if self.child_age_unit == AgeUnit.MONTHS:
            return str(_("about %(n)s months") % {"n": self.child_age})
        return str(_("about %(n)s years") % {"n": self.child_age})

    @property
    def place_display(self) -> str:
        """The community, or the street with "community not known", and the place in words."""
        where = (
            self.community.display_name
            if self.community
            else str(_("%(street)s · community not known") % {"street": self.street.display_name})
        )
        return f"{where} · {self.place}" if self.place else where

    def concern_labels(self) -> list[str]:
        labels = dict(Concern.choices)
        return [str(labels.get(code, code)) for code in self.concerns]

    @property
    def is_closed(self) -> bool:
        return self.state == ReportState.CLOSED

    def is_past_deadline(self, now: datetime.datetime | None = None) -> bool:
        return self.state == ReportState.AWAITING and self.triage_due_at < (now or timezone.now())


class ReportStep(models.Model):
    """What the supervisor did about a report: actions taken, with a note. Append-only by use."""

    report = models.ForeignKey(MandatoryReport, on_delete=models.CASCADE, related_name="steps")
    actions = models.JSONField(_("actions"), default=list)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "pk"]
        verbose_name = _("step taken on a report")
        verbose_name_plural = _("steps taken on reports")

    def __str__(self) -> str:
        return _("report step %(pk)s") % {"pk": self.pk}

    def action_labels(self) -> list[str]:
        labels = dict(ReportAction.choices)
        return [str(labels.get(code, code)) for code in self.actions]
