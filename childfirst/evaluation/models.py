"""Published evaluations: frozen snapshots of the figures, statuses and method version.

A snapshot is never changed. Correcting published data means publishing a new version for the
same plan and year; `diff_snapshots` lists what changed, figure by figure.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from childfirst.areas.models import Area
from childfirst.plans.models import Indicator, Plan


class SnapshotQuerySet(models.QuerySet["Snapshot"]):
    def latest_versions(self) -> SnapshotQuerySet:
        """The newest version of each plan × year."""
        newer = Snapshot.objects.filter(plan=models.OuterRef("plan"), year=models.OuterRef("year"),
                                        version__gt=models.OuterRef("version"))  # fmt: skip
        return self.filter(~models.Exists(newer))


class Snapshot(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="snapshots")
    year = models.PositiveSmallIntegerField(_("evaluation year"))
    version = models.PositiveSmallIntegerField(_("version"))
    method_version = models.CharField(_("method version"), max_length=20)
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    note = models.TextField(_("note"), blank=True)
    # The round's completeness and timeliness at publication (completeness_record.py); empty for
    # snapshots published before this was kept.
    completeness = models.JSONField(default=dict, blank=True)
    # Why the office published although the year's round was not all accepted (the confirmation
    # step asks for it); empty when nothing was outstanding.
    incomplete_reason = models.TextField(_("reason for publishing incomplete data"), blank=True)

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "-year", "-version"]
        constraints = [models.UniqueConstraint(fields=["plan", "year", "version"], name="one_snapshot_version")]
        verbose_name = _("published evaluation")
        verbose_name_plural = _("published evaluations")

    def __str__(self) -> str:
        return f"{self.plan.code} {self.year} v{self.version}"


class SnapshotResult(models.Model):
    """One indicator × area as evaluated for the snapshot's year."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="results")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=24)
    latest_year = models.PositiveSmallIntegerField(null=True)
    latest_value = models.FloatField(null=True)
    projected = models.FloatField(null=True)
    pace_ratio = models.FloatField(null=True)
    cagr_ratio = models.FloatField(null=True)
    target_for_latest = models.FloatField(null=True)
    warnings = models.JSONField(default=list)
    # The target the year was evaluated against (plans.targets: the plan file's or a revision's), so a
    # published evaluation keeps it when a target is revised later; the revision named by its document.
    comparator = models.CharField(_("comparator"), max_length=20, blank=True)
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=4, null=True, blank=True)
    target_year = models.PositiveSmallIntegerField(_("target year"), null=True, blank=True)
    revision_document = models.CharField(_("target revision"), max_length=200, blank=True)
    revision_decided_on = models.DateField(_("revision decided on"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "indicator", "area"], name="one_result_per_snapshot_cell")
        ]

    def __str__(self) -> str:
        return f"{self.snapshot_id} {self.indicator_id}@{self.area_id}: {self.status}"


class SnapshotValue(models.Model):
    """A value the snapshot's results rest on, as it stood at publication, with its provenance."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="values")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    value = models.FloatField(null=True)
    numerator = models.FloatField(null=True)
    denominator = models.FloatField(null=True)
    derived = models.BooleanField(default=False)
    source = models.JSONField(default=dict)  # data value id, channel, who entered, approved and accepted, when

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "indicator", "area", "year"], name="one_value_per_snapshot_cell_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.snapshot_id} {self.indicator_id}@{self.area_id} {self.year}"


class Assessment(models.Model):
    """The office's status for a qualitative goal, a measure or a key project in a year, with its
    evidence. A new assessment is a new row; the latest per item and year is the one in force."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="assessments")
    goal = models.ForeignKey("plans.Goal", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    measure = models.ForeignKey("plans.Measure", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    key_project = models.ForeignKey(
        "plans.KeyProject", on_delete=models.PROTECT, null=True, blank=True, related_name="assessments"
    )
    year = models.PositiveSmallIntegerField(_("evaluation year"))
    status = models.CharField(_("status"), max_length=24)
    evidence = models.TextField(_("evidence"))
    assessed_on = models.DateField(_("assessed on"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    set_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["-set_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(goal__isnull=False, measure__isnull=True, key_project__isnull=True)
                | models.Q(goal__isnull=True, measure__isnull=False, key_project__isnull=True)
                | models.Q(goal__isnull=True, measure__isnull=True, key_project__isnull=False),
                name="assessment_of_one_goal_measure_or_key_project",
            )
        ]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self) -> str:
        if self.key_project_id:
            return f"{self.year} key project {self.key_project_id}: {self.status}"
        return f"{self.year} {self.goal_id or self.measure_id}: {self.status}"
