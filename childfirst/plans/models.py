"""The plan as data: plan, domains, goals, measures, indicators, key projects, departments.

Everything here is loaded from a plan file (see loader.py); nothing about one district's
plan lives in code. Indicators are never deleted: one dropped from the file is retired and
keeps its data.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from childfirst.areas.models import Area
from childfirst.bilingual import BilingualName


class Unit(models.TextChoices):
    PERCENT = "%", _("percent (%)")
    PER_MILLE = "‰", _("per mille (‰)")
    PER_1000_CHILDREN = "per_1000_children", _("per 1,000 children")
    PER_1000_POPULATION = "per_1000_population", _("per 1,000 population")
    PER_100000 = "per_100000", _("per 100,000")
    COUNT = "count", _("count")
    PERCENTAGE_POINTS = "pp", _("percentage points")


RATE_UNITS = {Unit.PERCENT, Unit.PER_MILLE, Unit.PER_1000_CHILDREN, Unit.PER_1000_POPULATION, Unit.PER_100000}
# The factor that turns numerator/denominator into the unit's value.
UNIT_SCALE = {
    Unit.PERCENT: 100,
    Unit.PER_MILLE: 1000,
    Unit.PER_1000_CHILDREN: 1000,
    Unit.PER_1000_POPULATION: 1000,
    Unit.PER_100000: 100000,
}
UNIT_SYMBOL = {
    Unit.PERCENT: "%",
    Unit.PER_MILLE: "‰",
    Unit.PER_1000_CHILDREN: _("/1,000 children"),
    Unit.PER_1000_POPULATION: _("/1,000 population"),
    Unit.PER_100000: _("/100,000"),
    Unit.COUNT: "",
    Unit.PERCENTAGE_POINTS: _(" pp"),
}


class Comparator(models.TextChoices):
    GE = ">=", _("at least (≥, 以上)")
    LE = "<=", _("at most (≤, 以下/以内)")
    LT = "<", _("below (<, 低于)")
    GT = ">", _("above (>, 高于)")
    ANNUAL_DECREASE = "annual_decrease", _("decrease by at least the target every year (每年降低)")
    YOY_INCREASE = "yoy_increase", _("increase year on year (逐年增加)")
    UP = "up", _("raise (提高)")
    DOWN = "down", _("lower (降低)")


NUMERIC_COMPARATORS = {Comparator.GE, Comparator.LE, Comparator.LT, Comparator.GT, Comparator.ANNUAL_DECREASE}
HIGHER_IS_BETTER = {Comparator.GE, Comparator.GT, Comparator.YOY_INCREASE, Comparator.UP}


class Period(models.TextChoices):
    LEVEL = "level", _("level at year end")
    ANNUAL = "annual", _("yearly (must hold every year)")
    CUMULATIVE = "cumulative", _("cumulative over the plan period")


class SourcePart(models.TextChoices):
    GOAL = "goal", _("main goal")
    MEASURE = "measure", _("main measure")
    KEY_PROJECT = "key_project", _("key project")


class Department(BilingualName, models.Model):
    """A member unit (成员单位) of the women and children's committee of one district or city."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="departments", verbose_name=_("area"))
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)

    class Meta:
        ordering = ["area", "code"]
        constraints = [models.UniqueConstraint(fields=["area", "code"], name="department_code_unique_in_area")]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.display_name


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("draft plan")
    IN_FORCE = "in_force", _("in force")
    ENDED = "ended", _("ended")


class Plan(BilingualName, models.Model):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="plans", verbose_name=_("area"))
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    version = models.CharField(_("version"), max_length=60, blank=True)
    source_document = models.CharField(_("source document"), max_length=200, blank=True)
    file_sha256 = models.CharField(_("file checksum"), max_length=64, blank=True)
    loaded_at = models.DateTimeField(_("loaded at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.IN_FORCE)
    # Made up for a demo or a test: every page of such a plan says so.
    is_synthetic = models.BooleanField(_("synthetic"), default=False)
    succeeds = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="successors", verbose_name=_("succeeds")
    )

    class Meta:
        ordering = ["-end_year", "code"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self) -> str:
        return self.display_name


class Domain(BilingualName, models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="domains")
    code = models.SlugField(_("code"), max_length=40)
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    section = models.CharField(_("section of the plan"), max_length=20, blank=True)

    class Meta:
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="domain_code_unique_in_plan")]
        verbose_name = _("domain")
        verbose_name_plural = _("domains")

    def __str__(self) -> str:
        return self.display_name


class Goal(models.Model):
    """A main goal (主要目标) of a domain, as the plan words it."""

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="goals")
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["domain", "number"]
        constraints = [models.UniqueConstraint(fields=["domain", "number"], name="goal_number_unique_in_domain")]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:40]}"


class Measure(models.Model):
    """A main measure (主要措施) of a domain: a title and its text."""

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="measures")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["domain", "number"]
        constraints = [models.UniqueConstraint(fields=["domain", "number"], name="measure_number_unique_in_domain")]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class KeyProject(BilingualName, models.Model):
    """A key project (重点实事项目) with its responsible units and milestones."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="key_projects")
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="key_projects")
    code = models.SlugField(_("code"), max_length=20)
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    text = models.TextField(_("text"))
    departments = models.ManyToManyField(Department, related_name="key_projects", verbose_name=_("responsible units"))
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    class Meta:
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="key_project_code_unique_in_plan")]
        verbose_name = _("key project")
        verbose_name_plural = _("key projects")

    def __str__(self) -> str:
        return self.display_name


class Milestone(models.Model):
    key_project = models.ForeignKey(KeyProject, on_delete=models.CASCADE, related_name="milestones")
    order = models.PositiveSmallIntegerField()
    year = models.PositiveSmallIntegerField(_("year"))
    text = models.TextField(_("milestone"))
    indicator = models.ForeignKey(
        "Indicator", on_delete=models.SET_NULL, null=True, blank=True, related_name="milestones"
    )

    class Meta:
        ordering = ["key_project", "order"]

    def __str__(self) -> str:
        return f"{self.year}: {self.text[:40]}"


class IndicatorQuerySet(models.QuerySet["Indicator"]):
    def active(self) -> IndicatorQuerySet:
        """Indicators in the plan file as last loaded (retired ones keep their data but drop out)."""
        return self.filter(retired_at__isnull=True)

    def for_department(self, department: Department) -> IndicatorQuerySet:
        return self.filter(responsibilities__department=department).distinct()

    def led_by(self, department: Department) -> IndicatorQuerySet:
        """Indicators whose first responsible unit (the one that reports them) is `department`."""
        return self.filter(responsibilities__department=department, responsibilities__order=0)

    def catalogue(self) -> IndicatorQuerySet:
        """With what a catalogue listing shows, in plan order, without a query per row."""
        return self.select_related("domain", "key_project").prefetch_related("responsibilities__department")


class Indicator(BilingualName, models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="indicators")
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="indicators")
    code = models.CharField(_("code"), max_length=20)
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=240)
    unit = models.CharField(_("unit"), max_length=24, choices=Unit.choices)
    comparator = models.CharField(_("comparator"), max_length=20, choices=Comparator.choices)
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=4, null=True, blank=True)
    target_year = models.PositiveSmallIntegerField(_("target year"))
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    baseline_value = models.DecimalField(_("baseline value"), max_digits=12, decimal_places=4, null=True, blank=True)
    period = models.CharField(_("period"), max_length=12, choices=Period.choices, default=Period.LEVEL)
    per_street = models.BooleanField(_("reported per street/town"), default=False)
    numerator = models.CharField(_("numerator"), max_length=200, blank=True)
    denominator = models.CharField(_("denominator"), max_length=200, blank=True)
    source_part = models.CharField(_("source in the plan"), max_length=12, choices=SourcePart.choices)
    source_number = models.PositiveSmallIntegerField(_("item number"))
    source_text = models.TextField(_("the plan's sentence"))
    also_in = models.JSONField(_("also stated in"), default=list, blank=True)
    note = models.TextField(_("note on interpretation"), blank=True)
    key_project = models.ForeignKey(
        KeyProject, on_delete=models.SET_NULL, null=True, blank=True, related_name="indicators"
    )
    measures = models.ManyToManyField(Measure, blank=True, related_name="indicators", verbose_name=_("measures"))
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    # The earlier plan's indicator this one carries on: one series across both plans.
    continues = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="continued_by",
        verbose_name=_("continues"),
    )
    continues_note = models.TextField(_("change of definition"), blank=True)
    # A city plan's indicator summed from this indicator code's accepted values in its districts' plans
    # (evaluation/city.py): derived at evaluation, never entered.
    from_districts = models.CharField(_("summed from the districts' indicator"), max_length=20, blank=True)

    objects = IndicatorQuerySet.as_manager()
    # Set by plans.targets.apply_targets on instances that carry one year's target.
    revision_in_force: TargetRevision | None = None

    class Meta:
        ordering = ["plan", "domain__number", "order"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="indicator_code_unique_in_plan")]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return f"{self.code} {self.display_name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # An instance carrying a year's revised target would write it over the plan file's.
        if hasattr(self, "_plan_target"):
            raise ValueError("this indicator carries one year's target (plans.targets.apply_targets); reload it")
        super().save(*args, **kwargs)

    @property
    def is_rate(self) -> bool:
        return self.unit in RATE_UNITS

    @property
    def direction(self) -> str:
        return "up" if self.comparator in HIGHER_IS_BETTER else "down"

    @property
    def unit_symbol(self) -> str:
        return str(UNIT_SYMBOL[Unit(self.unit)])

    @property
    def target_display(self) -> str:
        """The target as the plan would say it, e.g. "≥ 90%", "< 8.78/100,000", "每年降低 ≥ 1 pp"."""
        from .formatting import target_display

        return target_display(self)

    def departments(self) -> list[Department]:
        return [r.department for r in self.responsibilities.all()]


class Responsibility(models.Model):
    """A department answerable for an indicator; `inferred` when the plan names no unit for it."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="responsibilities")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="responsibilities")
    order = models.PositiveSmallIntegerField(default=0)
    inferred = models.BooleanField(_("inferred"), default=False)

    class Meta:
        ordering = ["indicator", "order"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "department"], name="responsibility_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} → {self.department_id}"


class TargetRevisionQuerySet(models.QuerySet["TargetRevision"]):
    def of_plan(self, plan: Plan) -> TargetRevisionQuerySet:
        """A plan's revisions in catalogue order, then by the year they take effect."""
        return (
            self.filter(indicator__plan=plan)
            .select_related("indicator", "indicator__domain")
            .order_by("indicator__domain__number", "indicator__order", "from_year")
        )

    def in_force(self, year: int) -> TargetRevisionQuerySet:
        """Revisions that have taken effect by `year` (from_year ≤ year); the last per indicator wins."""
        return self.filter(from_year__lte=year).order_by("indicator_id", "from_year")


class TargetRevision(models.Model):
    """A change of an indicator's target decided during the plan (e.g. at the mid-term), from
    `from_year` on. The plan file keeps the original target; earlier years keep theirs. Loaded from a
    revisions file (plans/revisions.py); comparator and target year left blank stay as they were."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="revisions")
    from_year = models.PositiveSmallIntegerField(_("applies from"))
    comparator = models.CharField(_("comparator"), max_length=20, choices=Comparator.choices, blank=True)
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=4, null=True, blank=True)
    target_year = models.PositiveSmallIntegerField(_("target year"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"))
    document = models.CharField(_("decision document"), max_length=200)
    reason = models.TextField(_("reason"), blank=True)
    loaded_at = models.DateTimeField(_("loaded at"))

    objects = TargetRevisionQuerySet.as_manager()

    class Meta:
        ordering = ["indicator", "from_year"]
        constraints = [models.UniqueConstraint(fields=["indicator", "from_year"], name="one_target_revision_per_year")]
        verbose_name = _("target revision")
        verbose_name_plural = _("target revisions")

    def __str__(self) -> str:
        return f"{self.indicator_id} from {self.from_year}"
