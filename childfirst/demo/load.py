"""Synthetic demo data: communities and one account per role, and `load_demo`, which loads the whole
demo. Everything here is made up and marked so (areas carry is_synthetic, accounts is_demo); nothing
is a real person or place below the street level. Which plan, areas and accounts: `data/lucheng-demo.yaml`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from axes.utils import reset as reset_lockouts
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from childfirst.accounts.actions import do_change_user_role, do_create_user, do_set_password
from childfirst.accounts.models import Role, User
from childfirst.areas.loader import load_areas
from childfirst.areas.models import Area, Level
from childfirst.collection.models import ReportingRound, RoundState
from childfirst.linkage.models import JobState, LinkageRun
from childfirst.linkage.run import execute_run, queue_run
from childfirst.notifications.models import Notification
from childfirst.notifications.unread import forget_unread
from childfirst.plans.loader import load_plan
from childfirst.plans.models import Department, Plan
from childfirst.plans.revisions import load_revisions

from .homes import load_demo_homes
from .implementation_followup import load_demo_followup
from .implementation_reports import load_demo_implementation_reports
from .key_projects import assess_demo_key_projects
from .linkage_lists import load_demo_lists
from .registry_casework import load_demo_casework
from .registry_children import load_demo_children
from .succession import load_next_round
from .values import load_demo_values

PACKAGE = Path(__file__).resolve().parent.parent
DEMO_FILE = Path(__file__).resolve().parent / "data" / "lucheng-demo.yaml"
DEMO_PASSWORD = "Demo-2025-ChildFirst"  # noqa: S105 (printed on purpose: demo accounts only)
COMMUNITIES_PER_STREET = 4
NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    full_name: str
    department: str | None = None
    area: str | None = None
    phone: str = ""
    district: str | None = None  # whose department: Lucheng's unless said


with DEMO_FILE.open(encoding="utf-8") as _stream:
    _DEMO = yaml.safe_load(_stream)
AREA_FILE = PACKAGE / _DEMO["area_file"]
PLAN_FILE = PACKAGE / _DEMO["plan_file"]
NEXT_PLAN_FILE = PACKAGE / _DEMO["next_plan_file"]
NEXT_ROUND: dict = _DEMO["next_round"]
REVISIONS_FILE = DEMO_FILE.parent / _DEMO["revisions_file"]
DISTRICT = _DEMO["district"]
SECOND_DISTRICT: dict = _DEMO["second_district"]
MERGED_COMMUNITY: dict = _DEMO["merged_community"]
DEMO_ACCOUNTS = [DemoAccount(**{**spec, "role": Role(spec["role"])}) for spec in _DEMO["accounts"]]


def community_name(street: Area, number: int) -> str:
    short = street.name.removesuffix("街道").removesuffix("镇")
    kind = "村" if street.kind == "镇" else "社区"
    return f"{short}第{NUMERALS[number - 1]}{kind}（演示）"


@transaction.atomic
def create_demo_communities() -> int:
    """Synthetic communities under every street of Lucheng, plus one merged away in 2023 to show history."""
    created = 0
    for street in Area.objects.within(Area.objects.get(code=DISTRICT)).streets().filter(is_synthetic=False):
        for number in range(1, COMMUNITIES_PER_STREET + 1):
            kind = "村" if street.kind == "镇" else "社区"
            _area, made = Area.objects.update_or_create(
                code=f"{street.code}{number:03d}",
                defaults={
                    "name": community_name(street, number),
                    "name_en": f"Demo {'Village' if kind == '村' else 'Community'} {number}, {street.name_en}",
                    "level": Level.COMMUNITY,
                    "kind": kind,
                    "parent": street,
                    "is_synthetic": True,
                },
            )
            created += made
    merged = MERGED_COMMUNITY
    _merged, made = Area.objects.update_or_create(
        code=merged["code"],
        defaults={
            "name": merged["name"],
            "name_en": merged["name_en"],
            "level": Level.COMMUNITY,
            "kind": merged["kind"],
            "parent": Area.objects.get(code=merged["parent"]),
            "is_synthetic": True,
            "valid_from": merged["valid_from"],
            "valid_to": merged["valid_to"],
            "replaced_by": Area.objects.get(code=merged["replaced_by"]),
        },
    )
    return created + made


def ensure_demo_accounts() -> list[DemoAccount]:
    for spec in DEMO_ACCOUNTS:
        district = spec.district or DISTRICT
        department = Department.objects.get(code=spec.department, area__code=district) if spec.department else None
        area = Area.objects.get(code=spec.area) if spec.area else None
        expires = timezone.now() + datetime.timedelta(days=90) if spec.role == Role.EVALUATOR else None
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            do_create_user(
                None,
                username=spec.username,
                password=DEMO_PASSWORD,
                role=spec.role,
                full_name=spec.full_name,
                department=department,
                area=area,
                access_expires_at=expires,
                is_demo=True,
                phone=spec.phone,
            )
        else:
            if (user.role, user.department, user.area) != (spec.role, department, area) or (
                expires and user.access_expired()
            ):
                do_change_user_role(
                    None, user, role=spec.role, department=department, area=area, access_expires_at=expires
                )
            if user.phone != spec.phone:
                User.objects.filter(pk=user.pk).update(phone=spec.phone)  # demo accounts only, not audited
            if not user.check_password(DEMO_PASSWORD):
                do_set_password(None, user, DEMO_PASSWORD)
        reset_lockouts(username=spec.username)
    return DEMO_ACCOUNTS


def demo_users() -> list[User]:
    """The demo accounts in role order, with their scope."""
    users = User.objects.select_related("department", "area").in_bulk(
        [a.username for a in DEMO_ACCOUNTS], field_name="username"
    )
    return [users[a.username] for a in DEMO_ACCOUNTS]


def publish_demo_evaluations(plan: Plan) -> int:
    """The demo publishes its past years' evaluations (once; a later run adds no versions)."""
    from childfirst.evaluation.actions import do_publish
    from childfirst.evaluation.models import Snapshot

    published = 0
    for year in range(plan.start_year, plan.end_year):
        if not Snapshot.objects.filter(plan=plan, year=year).exists():
            do_publish(None, plan, year, "演示：年度监测（合成数据）")
            published += 1
    return published


def mark_history_read() -> int:
    """The demo's closed rounds happened before anyone signed in: their notifications (round opened,
    data approved) are read, so each inbox starts with the current round's news only."""
    closed = Q(pk__in=[])
    for plan, year in ReportingRound.objects.filter(state=RoundState.CLOSED).values_list("plan__code", "year"):
        closed |= Q(url__startswith=reverse("collection:round", args=[plan, year]))
    unread = Notification.objects.filter(closed, read_at__isnull=True)
    recipients = set(unread.values_list("recipient_id", flat=True))
    count = unread.update(read_at=timezone.now())
    forget_unread(recipients)  # the header's cached counts
    return count


def load_second_district() -> Plan:
    """The made-up second district's areas and plan (its round opens once its accounts exist)."""
    load_areas(DEMO_FILE.parent / SECOND_DISTRICT["area_file"])
    return load_plan(DEMO_FILE.parent / SECOND_DISTRICT["plan_file"]).plan


def refresh_planner_statistics() -> None:
    """ANALYZE after the bulk load, so the query planner knows the tables' shapes. Without statistics
    SQLite read a street's children through the index on `status` (nearly every file is active: the
    whole table) instead of the street's communities: the supervisor's work list spent 150 ms in
    four such queries, 25 ms after ANALYZE (issue 16, item 4). PostgreSQL's autovacuum would get
    there on its own, later."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def link_and_discover(*, changed: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """A linkage run and a discovery run, and their counts. Both are idempotent, so when this demo-data
    imported no list and opened no file, the last finished runs stand (they took half a minute)."""
    finished = LinkageRun.objects.filter(state=JobState.DONE)
    link, discover = finished.filter(kind="link").first(), finished.filter(kind="discover").first()
    if not changed and link and discover and discover.created_at >= link.created_at:
        return link.counts, discover.counts
    return execute_run(queue_run("link").pk).counts, execute_run(queue_run("discover").pk).counts


def load_demo() -> dict[str, int]:
    areas = load_areas(AREA_FILE)
    communities = create_demo_communities()
    plan = load_plan(PLAN_FILE)
    second_plan = load_second_district()
    # Before publishing, so that the published years are evaluated against the targets in force then.
    revisions = load_revisions(REVISIONS_FILE)
    ensure_demo_accounts()
    values = load_demo_values(plan.plan)
    mark_history_read()
    implementation = load_demo_implementation_reports(plan.plan)
    # Before publishing, so that the published snapshots carry the office's key-project assessments.
    assess_demo_key_projects(plan.plan)
    published = publish_demo_evaluations(plan.plan)
    # The made-up 2026–2030 draft after the 2021–2025 plan (its 2025 baseline is read from that plan's
    # accepted values), with its first round open; the 2021–2025 plan's last round stays part-way.
    next_plan = load_plan(NEXT_PLAN_FILE)
    next_round = load_next_round(next_plan.plan, NEXT_ROUND["year"], NEXT_ROUND["deadline"], list(NEXT_ROUND["drafts"]))
    second = SECOND_DISTRICT["round"]
    second_round = load_next_round(second_plan, second["year"], second["deadline"], list(second["drafts"]))
    # Lucheng's communities only: the made-up second district shows plans and accounts, not child files.
    lucheng = Area.objects.get(code=DISTRICT)
    registry = {**load_demo_children(district=lucheng), **load_demo_homes(lucheng), **load_demo_casework()}
    # Department lists consistent with the registry's children (synthetic), imported once.
    lists = load_demo_lists()
    # Linked and discovered after the lists, so that demo-director finds verification tasks and the street
    # supervisor a review queue.
    linked, discovered = link_and_discover(changed=bool(lists["lists_imported"] or registry["children_created"]))
    # Recommendations and good practices after the registry, whose children's names their texts are checked against.
    followup = load_demo_followup(plan.plan)
    refresh_planner_statistics()
    return {
        "evaluations_published": published,
        "areas_created": areas.created + communities,
        "indicators_created": plan.created,
        "indicators": plan.plan.indicators.active().count(),
        "next_plan_indicators": next_plan.plan.indicators.active().count(),
        **next_round,
        "second_district_values_created": second_round["next_values_created"],
        "target_revisions_created": len(revisions.created),
        **values,
        **implementation,
        **registry,
        **lists,
        "linkage_persons": linked.get("persons", 0),
        "linkage_reviews_pending": linked.get("reviews_pending", 0),
        "verification_tasks_open": discovered.get("open", 0),
        **followup,
    }
