"""Children's homes (儿童之家): one per community, basic or demonstration, linked "1+N" (one
demonstration home leads N basic homes), checked against the 五有 standard, with their activities.

A home holds no personal data: activities record how many children came, never who. Coverage for a
year is computed from dates (opened, closed, recognised, each 五有 item met), so past years keep the
figures they had; see coverage.py.

The tables keep the names they had when homes were part of the registry (registry_…), so moving
the models into this app changed no data (migrations: registry 0005, homes 0001).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from childfirst.accounts.models import Role, User
from childfirst.areas.models import Area


class HomeType(models.TextChoices):
    BASIC = "basic", _("basic")
    DEMONSTRATION = "demonstration", _("demonstration")


class DemonstrationLevel(models.TextChoices):
    DISTRICT = "district", _("district level")
    CITY = "city", _("city level")
    PROVINCE = "province", _("province level")


class StandardItem(models.TextChoices):
    """The 五有 standard of plan measure 6: a home meets it when all five are in place."""

    VENUE = "venue", _("a venue for activities")
    EQUIPMENT = "equipment", _("facilities and equipment")
    STAFF = "staff", _("a team of staff")
    SERVICES = "services", _("basic services")
    MANAGEMENT = "management", _("regular management")


class ActivityKind(models.TextChoices):
    TEMPORARY_CARE = "temporary_care", _("temporary care")
    EDUCATION = "education", _("education and tutoring")
    COUNSELLING = "counselling", _("psychological counselling")
    RECREATION = "recreation", _("culture and recreation")
    PROTECTION = "protection", _("care and protection")
    FAMILY = "family", _("family education guidance")
    OTHER = "other", _("other")


class ChildrensHomeQuerySet(models.QuerySet["ChildrensHome"]):
    def visible_to(self, user: User) -> ChildrensHomeQuerySet:
        """Homes in the user's area scope, for the roles that work with homes (registry roles and the
        office, leaders and evaluators, who read them district-wide); none for anyone else."""
        if user.role not in HOME_READERS:
            return self.none()
        scope = user.scope_area()
        return self if scope is None else self.filter(community__code__startswith=scope.code)

    def open_on(self, day: datetime.date) -> ChildrensHomeQuerySet:
        """Homes opened on or before `day` and not closed by then."""
        return self.filter(opened_on__lte=day).filter(Q(closed_on__isnull=True) | Q(closed_on__gt=day))

    def meeting_standard_on(self, day: datetime.date) -> ChildrensHomeQuerySet:
        """Homes with every 五有 item in place on `day`."""
        met = Count("standard_items", filter=Q(standard_items__met_on__lte=day), distinct=True)
        return self.annotate(items_met=met).filter(items_met=len(StandardItem.values))

    def demonstration_on(self, day: datetime.date) -> ChildrensHomeQuerySet:
        """Demonstration homes recognised on or before `day`."""
        return self.filter(home_type=HomeType.DEMONSTRATION, recognised_on__lte=day)

    def in_street(self, street_code: str) -> ChildrensHomeQuerySet:
        return self.filter(community__code__startswith=street_code)


# Who reads homes: the registry's people in their area, the office, leaders and evaluators district-wide.
HOME_READERS = {Role.OFFICE, Role.LEADER, Role.EVALUATOR, Role.STREET_SUPERVISOR, Role.COMMUNITY_DIRECTOR}


class ChildrensHome(models.Model):
    community = models.OneToOneField(
        Area, on_delete=models.PROTECT, related_name="childrens_home", verbose_name=_("community/village")
    )
    name = models.CharField(_("name"), max_length=100)
    home_type = models.CharField(_("type"), max_length=16, choices=HomeType.choices, default=HomeType.BASIC)
    level = models.CharField(_("demonstration level"), max_length=12, choices=DemonstrationLevel.choices, blank=True)
    recognised_on = models.DateField(
        _("recognised as demonstration on"), null=True, blank=True, help_text=_("for demonstration homes")
    )
    led_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="linked_homes",
        verbose_name=_("led by (demonstration home)"),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # Not fields: what the demo loader (demo/homes.py) draws for a home it creates, kept on the object.
    missing_items: list[StandardItem]
    demonstration_draw: float
    recognition_year: int

    objects = ChildrensHomeQuerySet.as_manager()

    class Meta:
        db_table = "registry_childrenshome"
        ordering = ["community__code"]
        verbose_name = _("children's home")
        verbose_name_plural = _("children's homes")
        constraints = [
            models.CheckConstraint(
                condition=Q(home_type="basic", level="", recognised_on__isnull=True)
                | Q(home_type="demonstration", led_by__isnull=True, recognised_on__isnull=False) & ~Q(level=""),
                name="home_type_fields_agree",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gt=models.F("opened_on")),
                name="home_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_demonstration(self) -> bool:
        return self.home_type == HomeType.DEMONSTRATION

    @property
    def street_code(self) -> str:
        return self.community.street_code


class StandardCheck(models.Model):
    """One 五有 item of a home: in place since `met_on`, with the evidence for it."""

    home = models.ForeignKey(ChildrensHome, on_delete=models.CASCADE, related_name="standard_items")
    item = models.CharField(_("item"), max_length=12, choices=StandardItem.choices)
    met_on = models.DateField(_("in place since"))
    evidence = models.CharField(_("evidence"), max_length=300)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        db_table = "registry_standardcheck"
        ordering = ["home", "item"]
        constraints = [models.UniqueConstraint(fields=["home", "item"], name="one_check_per_home_item")]
        verbose_name = _("五有 item")
        verbose_name_plural = _("五有 items")

    def __str__(self) -> str:
        return f"{self.home_id}:{self.item}"


class HomeActivity(models.Model):
    """An activity held at a home. Attendance is a count: no child's name is ever recorded here."""

    home = models.ForeignKey(ChildrensHome, on_delete=models.PROTECT, related_name="activities")
    held_on = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=ActivityKind.choices)
    attendance = models.PositiveIntegerField(_("children attending"))
    notes = models.TextField(_("notes"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        db_table = "registry_homeactivity"
        ordering = ["home", "-held_on", "-id"]
        indexes = [models.Index(fields=["home", "held_on"])]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"
