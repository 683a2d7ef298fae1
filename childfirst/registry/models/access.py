"""Who looked at which child file, and the office's time-limited grants to child files of an area.

The access log is append-only like accounts.AuditEvent (database triggers refuse UPDATE and
DELETE, migration 0001). It names a child by file number only, and outlives the file: when an
exited file is purged its log rows stay, pointing at a number that no longer exists.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from childfirst.areas.models import Area

from .child import Child


class AccessAction(models.TextChoices):
    VIEW = "view", _("viewed the file")
    SEARCH = "search", _("searched or listed")
    CREATE = "create", _("created the file")
    EDIT = "edit", _("edited the file")
    EXPORT = "export", _("exported")
    PRINT = "print", _("printed")
    REVEAL_ID = "reveal_id", _("revealed the ID number")
    PHOTO = "photo", _("viewed the photo")
    API_READ = "api_read", _("read through the API")
    EXIT = "exit", _("closed the file")
    PURGE = "purge", _("purged the file")


class ChildAccessLogQuerySet(models.QuerySet["ChildAccessLog"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("the access log is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("the access log is append-only")


class ChildAccessLog(models.Model):
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("who")
    )
    user_name = models.CharField(_("who (as recorded)"), max_length=150, blank=True)
    # No database constraint: the row must survive the file's purge.
    child = models.ForeignKey(
        Child,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="access_log",
        verbose_name=_("child file"),
    )
    action = models.CharField(_("action"), max_length=16, choices=AccessAction.choices, db_index=True)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    # For searches and exports: how many files the result held (never the search terms: they are names).
    result_count = models.PositiveIntegerField(_("files in the result"), null=True, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = ChildAccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("child file access")
        verbose_name_plural = _("child file access log")
        indexes = [models.Index(fields=["child", "created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.user_name} {self.action} {self.child_id or ''}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("the access log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("the access log is append-only")


class RegistryGrantQuerySet(models.QuerySet["RegistryGrant"]):
    def in_force(self, now: Any = None) -> RegistryGrantQuerySet:
        """Neither revoked nor expired."""
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class RegistryGrant(models.Model):
    """The office sees no child file unless a grant names the user and an area (a street or a
    community, or the district), with a reason and an end date; then read-only."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="registry_grants", verbose_name=_("user")
    )
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    reason = models.CharField(_("reason"), max_length=200)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("granted by")
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = RegistryGrantQuerySet.as_manager()

    class Meta:
        ordering = ["-granted_at"]
        verbose_name = _("access grant to child files")
        verbose_name_plural = _("access grants to child files")

    def __str__(self) -> str:
        return f"{self.user_id} → {self.area_id} ({self.expires_at:%Y-%m-%d})"

    def is_in_force(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
