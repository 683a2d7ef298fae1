"""Users with one role and a scope (department and/or area), and the append-only audit log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from childfirst.areas.models import Area, AreaQuerySet, Level


class Role(models.TextChoices):
    OFFICE = "office", _("Office (women and children's committee)")
    DEPT_REPORTER = "dept_reporter", _("Department reporter")
    DEPT_REVIEWER = "dept_reviewer", _("Department reviewer")
    STREET_SUPERVISOR = "street_supervisor", _("Street child supervisor")
    COMMUNITY_DIRECTOR = "community_director", _("Community child director")
    LEADER = "leader", _("District leader")
    EVALUATOR = "evaluator", _("Third-party evaluator")


DEPARTMENT_ROLES = {Role.DEPT_REPORTER, Role.DEPT_REVIEWER}
# Which level of area a role must be scoped to; None means any level (usually the district).
REQUIRED_AREA_LEVEL = {
    Role.STREET_SUPERVISOR: Level.STREET,
    Role.COMMUNITY_DIRECTOR: Level.COMMUNITY,
}


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    department = models.ForeignKey(
        "plans.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("department"),
    )
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("area"),
        help_text=_("the user sees this area and everything below it"),
    )
    access_expires_at = models.DateTimeField(
        _("access expires at"),
        null=True,
        blank=True,
        help_text=_("required for evaluators: access is time-limited"),
    )
    is_demo = models.BooleanField(_("demo account"), default=False)
    # Printed on children's contact cards for the community director and the street supervisor.
    phone = models.CharField(_("work phone"), max_length=30, blank=True)
    # `objects` is AbstractUser's UserManager, inherited (declared there as UserManager[Self]).

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def clean(self) -> None:
        super().clean()
        errors: dict[str, Any] = {}
        if self.role in DEPARTMENT_ROLES and self.department_id is None:
            errors["department"] = _("A department reporter or reviewer belongs to a department.")
        if self.role not in DEPARTMENT_ROLES and self.department_id is not None:
            errors["department"] = _("Only department reporters and reviewers belong to a department.")
        level = REQUIRED_AREA_LEVEL.get(Role(self.role)) if self.role else None
        if level is not None and (self.area is None or self.area.level != level):
            errors["area"] = _("This role is scoped to one %(level)s.") % {"level": Level(level).label}
        if self.role == Role.EVALUATOR and self.access_expires_at is None:
            errors["access_expires_at"] = _("An evaluator's access must have an end date.")
        if errors:
            raise ValidationError(errors)

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label) if self.role else ""

    def access_expired(self) -> bool:
        return self.access_expires_at is not None and self.access_expires_at <= timezone.now()

    def scope_area(self) -> Area | None:
        """The area the user's view is limited to: its own area, else its department's
        district; None for no limit by area."""
        if self.area_id is not None:
            return self.area
        if self.department is not None:  # None without a query when department_id is None
            return self.department.area
        return None

    def visible_areas(self) -> AreaQuerySet:
        """Every area this user may see data for: the scope's subtree, or all areas when unscoped."""
        if not self.role:
            return Area.objects.none()
        scope = self.scope_area()
        return Area.objects.within(scope) if scope is not None else Area.objects.all()

    def can_see_area(self, area: Area) -> bool:
        scope = self.scope_area()
        return bool(self.role) and (scope is None or scope.contains(area))


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("the audit log is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("the audit log is append-only")


class AuditEvent(models.Model):
    """One row per thing that happened. Rows are never changed or removed (also enforced by
    database triggers), and hold identifiers, not personal data: a child is named by its
    file id, never by name or ID number."""

    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("who")
    )
    actor_name = models.CharField(_("who (as recorded)"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    area_code = models.CharField(_("area"), max_length=12, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("the audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("the audit log is append-only")


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self) -> ApiTokenQuerySet:
        """Neither revoked nor expired (the user's own validity is checked separately)."""
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A personal token for the data API. Only a hash of the secret is kept: the secret is shown
    once when the token is made, so a copy of the database cannot be used to call the API.
    The prefix (the secret's first characters) names the token in lists and for revoking it."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens", verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=8, unique=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user_id})"

    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()
