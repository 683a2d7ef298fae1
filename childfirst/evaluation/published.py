"""Queries on published evaluations (snapshots) that every page showing them shares: which plans
and years have one, and the newest version of a year's."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from childfirst.plans.models import Indicator, Plan

from .models import Snapshot, SnapshotValue


def published_plans() -> QuerySet[Plan]:
    """Plans with at least one published evaluation, newest plan first."""
    return Plan.objects.filter(Exists(Snapshot.objects.filter(plan=OuterRef("pk")))).select_related("area")


def published_years(plan: Plan) -> list[int]:
    """The years with a published evaluation, newest first."""
    return list(Snapshot.objects.filter(plan=plan).order_by("-year").values_list("year", flat=True).distinct())


def published_snapshot(plan: Plan, year: int | None = None) -> Snapshot | None:
    """The newest version of `year`'s evaluation, or of the newest year published when None."""
    snapshots = Snapshot.objects.latest_versions().filter(plan=plan).order_by("-year")
    if year is not None:
        snapshots = snapshots.filter(year=year)
    return snapshots.first()


def earlier_plan_years(snapshot: Snapshot, indicator: Indicator) -> dict[int, str]:
    """Year → the earlier plan's name, for the district figures the snapshot took from an earlier
    plan's series (evaluation/data.py names it in the value's source); only that name is read."""
    sources = SnapshotValue.objects.filter(
        snapshot=snapshot, indicator=indicator, area_id=snapshot.plan.area_id
    ).values_list("year", "source")
    return {year: source["plan_name"] for year, source in sources if source.get("plan_name")}
