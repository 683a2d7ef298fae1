"""The area tree: (city →) district → street/town → community/village.

Codes are hierarchical (GB/T 2260 six digits for the district, then three digits for the
street/town and three for the community/village), so an area's subtree is every code that
starts with its prefix: its own code, except for a city, whose six digits end in "00" and whose
districts share its first four (city xxyy00 holds districts xxyy01, xxyy02 …). A restructuring
never edits history: the old area gets a `valid_to` date and the new one a `valid_from`, with
`replaced_by` pointing forward.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from childfirst.bilingual import BilingualName


class Level(models.TextChoices):
    CITY = "city", _("City")
    DISTRICT = "district", _("District/County")
    STREET = "street", _("Street/Town")
    COMMUNITY = "community", _("Community/Village")


CODE_LENGTH = {Level.CITY: 6, Level.DISTRICT: 6, Level.STREET: 9, Level.COMMUNITY: 12}
# A city's code is its prefix (the province and city digits of GB/T 2260) followed by "00".
CITY_PREFIX_LENGTH = 4
CITY_SUFFIX = "00"


def code_prefix(code: str, level: str) -> str:
    """What every code in the area's subtree starts with: a city's first four digits, else the code."""
    return code[:CITY_PREFIX_LENGTH] if level == Level.CITY else code


def city_code(code: str) -> str:
    """The code of the city a district (or anything below it) lies in."""
    return code[:CITY_PREFIX_LENGTH] + CITY_SUFFIX


def district_code(code: str) -> str:
    """The code of the district an area code lies in (the code itself for a district)."""
    return code[: CODE_LENGTH[Level.DISTRICT]]


def street_code(code: str) -> str:
    """The code of the street/town an area code lies in (the code itself for a street).

    Only meaningful for street and community codes: a district code has no street."""
    return code[: CODE_LENGTH[Level.STREET]]


class AreaQuerySet(models.QuerySet["Area"]):
    def valid_on(self, day: datetime.date | None = None) -> AreaQuerySet:
        """Areas that exist on `day` (today by default)."""
        day = day or timezone.localdate()
        return self.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))

    def within(self, area: Area) -> AreaQuerySet:
        """`area` itself and everything below it."""
        return self.filter(code__startswith=area.prefix)

    def within_any(self, areas: list[Area]) -> AreaQuerySet:
        """Areas inside any of `areas`; none when the list is empty."""
        condition = Q(pk__in=[])
        for area in areas:
            condition |= Q(code__startswith=area.prefix)
        return self.filter(condition)

    def districts(self) -> AreaQuerySet:
        return self.filter(level=Level.DISTRICT)

    def streets(self) -> AreaQuerySet:
        return self.filter(level=Level.STREET)

    def communities(self) -> AreaQuerySet:
        return self.filter(level=Level.COMMUNITY)


class Area(BilingualName, models.Model):
    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    kind = models.CharField(_("kind"), max_length=12, blank=True, help_text=_("e.g. 街道, 镇, 社区, 村"))
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    valid_from = models.DateField(_("valid from"), default=datetime.date(2000, 1, 1))
    valid_to = models.DateField(_("valid until"), null=True, blank=True, help_text=_("first day it no longer exists"))
    replaced_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("replaced by"),
    )
    is_synthetic = models.BooleanField(
        _("synthetic (demo)"), default=False, help_text=_("made up for the demonstration; not a real area")
    )
    code_note = models.CharField(_("note on the code"), max_length=200, blank=True)

    objects = AreaQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")

    def __str__(self) -> str:
        return self.display_name

    def is_valid_on(self, day: datetime.date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.valid_from <= day and (self.valid_to is None or self.valid_to > day)

    @property
    def prefix(self) -> str:
        """What the code of every area in this one's subtree starts with (see `code_prefix`)."""
        return code_prefix(self.code, self.level)

    @property
    def street_code(self) -> str:
        """The code of this area's street/town (its own code for a street)."""
        return street_code(self.code)

    @property
    def district_code(self) -> str:
        return district_code(self.code)

    def street(self) -> Area | None:
        """This area's street/town (itself for a street; None for a district or city). One query."""
        if self.level in (Level.CITY, Level.DISTRICT):
            return None
        if self.level == Level.STREET:
            return self
        return Area.objects.get(code=self.street_code)

    def contains(self, other: Area) -> bool:
        return other.code.startswith(self.prefix)

    def ancestors(self) -> list[Area]:
        """From the district down to the parent, by code prefixes (one query)."""
        prefixes = [
            self.code[:n] for n in (CODE_LENGTH[Level.DISTRICT], CODE_LENGTH[Level.STREET]) if n < len(self.code)
        ]
        # Never the city: callers take the first ancestor as the district (a child's, a notice's).
        return list(Area.objects.filter(code__in=prefixes).exclude(level=Level.CITY).order_by("code"))
