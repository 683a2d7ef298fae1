"""A child's file referred to a department (education, health, civil affairs …) for a service.

While a referral is open, the department's reporters and reviewers see that child — only the
fields they need — and nothing else of the registry. The workflow: actions.py; who sees what: access.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from childfirst.plans.models import Department

if TYPE_CHECKING:
    from childfirst.accounts.models import User

from ..children.models import Child


class ReferralState(models.TextChoices):
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


class ReferralQuerySet(models.QuerySet["Referral"]):
    def open(self) -> ReferralQuerySet:
        return self.filter(state=ReferralState.OPEN)

    def visible_to(self, user: User) -> ReferralQuerySet:
        """The referrals a user may list: a department's reporters and reviewers those sent to their
        department (whose child they see only while open, see Child.objects.visible_to); anyone else
        the referrals of the children they see."""
        from childfirst.accounts.models import DEPARTMENT_ROLES

        if user.role in DEPARTMENT_ROLES:
            return self.filter(department_id=user.department_id)
        return self.filter(child__in=Child.objects.visible_to(user))


class Referral(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="referrals", verbose_name=_("child"))
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("department")
    )
    reason = models.TextField(_("reason"))
    state = models.CharField(
        _("state"), max_length=8, choices=ReferralState.choices, default=ReferralState.OPEN, db_index=True
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("opened by")
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [models.Index(fields=["department", "state"])]

    def __str__(self) -> str:
        return _("referral %(pk)s") % {"pk": self.pk}

    @property
    def is_open(self) -> bool:
        return self.state == ReferralState.OPEN


class ReferralUpdate(models.Model):
    """A progress note on a referral, by the department working it or by the referring side."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="updates")
    date = models.DateField(_("date"))
    note = models.TextField(_("progress"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("referral progress")
        verbose_name_plural = _("referral progress")

    def __str__(self) -> str:
        return _("referral progress %(pk)s") % {"pk": self.pk}
