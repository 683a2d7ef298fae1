"""One row per thing a user should know about (data returned, a report arrived …), read in the inbox.

A notification names the work by a case number, a year, a department or an area, never by a child's
name or ID number: titles and links are shown in the header's count, in lists and in e-mail."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    DATA_RETURNED = "data_returned", _("Data returned for correction")
    DATA_APPROVED = "data_approved", _("Data approved")
    ROUND_OPENED = "round_opened", _("Reporting round opened")
    DEADLINE_NEAR = "deadline_near", _("Reporting deadline near")
    REPORT_ARRIVED = "report_arrived", _("Mandatory report received")
    REPORT_HIGH_RISK = "report_high_risk", _("Urgent mandatory report")
    REPORT_ESCALATED = "report_escalated", _("Mandatory report escalated")
    TASK_ASSIGNED = "task_assigned", _("New task")
    VERIFICATION_TASKS = "verification_tasks", _("New verification tasks")
    GRANT_REQUESTED = "grant_requested", _("Access to child files requested")
    RECOMMENDATION = "recommendation", _("Recommendation to follow up")
    REC_ANSWERED = "rec_answered", _("Recommendation answered")
    REC_RETURNED = "rec_returned", _("Response to a recommendation sent back")
    REC_CLOSED = "rec_closed", _("Recommendation follow-up closed")
    REC_OVERDUE = "rec_overdue", _("Recommendation overdue")
    PRACTICE_SUBMITTED = "practice_submitted", _("Good practice submitted")
    PRACTICE_DECIDED = "practice_decided", _("Good practice decided")


class NotificationQuerySet(models.QuerySet["Notification"]):
    def for_user(self, user: object) -> NotificationQuerySet:
        """The user's own notifications: nobody reads another's inbox."""
        return self.filter(recipient=user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # What it is about: a year and a department, a case number, an area — no personal data.
    title = models.CharField(_("title"), max_length=200)
    url = models.CharField(_("link"), max_length=300)
    # Set by a caller that must notify once only (e.g. "deadline near" per submission).
    key = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        # The header's unread count on every page: one index-only count.
        indexes = [models.Index(fields=["recipient", "read_at"])]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], condition=~Q(key=""), name="one_notification_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
