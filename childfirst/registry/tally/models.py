"""The count table behind the registry's aggregates: children per community, per set of top-level
categories and per span of years, kept by the registry's actions in their own transaction
(maintain.py) so that a year's counts are a sum over a few thousand rows, not a recount of the
categories of a million files (issue 16).

Counts only: a row names a community, category ids and years, never a child.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from childfirst.areas.models import Area

# last_year of a span still running (no end, file open): every later year counts.
OPEN_YEAR = 9999


class CategoryCount(models.Model):
    """`children` children of `community` were, in each year from `first_year` to `last_year`, in
    exactly the top-level categories `tops` (their ids, ascending, space-separated).

    Each child's years are split into spans of one unchanging set of categories, so a child is in at
    most one row for any year: summing the rows whose set holds a category gives the children in it,
    and summing those whose set meets a list of categories gives the children in any of them, each
    child once. A year counts when a category period overlaps it and the file was not closed before
    it began (counts.py's definition); the street is the community's, read when counting."""

    community = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    tops = models.CharField(max_length=200)
    first_year = models.PositiveSmallIntegerField()
    last_year = models.PositiveSmallIntegerField()
    children = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("children count")
        verbose_name_plural = _("children counts")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "tops", "first_year", "last_year"], name="category_count_unique_key"
            ),
            models.CheckConstraint(condition=models.Q(children__gte=0), name="category_count_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.community_id} [{self.tops}] {self.first_year}–{self.last_year}: {self.children}"
