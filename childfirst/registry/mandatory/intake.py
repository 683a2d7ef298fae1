"""Mandatory reports: receipt numbers, the public intake's rate limit, routing, deadlines and
matching a report to a child file. The state changes are in actions.py.

The public intake is write-only: nothing here ever tells an anonymous reporter whether a child is
known (no matching, no lookup before the report is stored; matching is for the supervisor).
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone

from childfirst.accounts.models import User
from childfirst.areas.models import Area
from childfirst.linkage.run import suggest_files
from childfirst.registry.casework.visits import VisitPolicy, current_policy
from childfirst.registry.children.crypto import encrypt, lookup_hash
from childfirst.registry.children.idnumber import mask_id
from childfirst.registry.children.names import is_unknown_name
from childfirst.registry.children.search import search_children
from childfirst.registry.models import AgeUnit, Child, ChildStatus, MandatoryReport

# No 0/O, 1/I/L: the number is read out over the phone.
RECEIPT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_receipt_number(now: datetime.datetime) -> str:
    """QB + date + six random characters: unguessable, so a number proves having reported and
    says nothing of how many others did."""
    while True:
        number = f"QB{timezone.localtime(now):%Y%m%d}-" + "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(6))
        if not MandatoryReport.objects.filter(receipt_number=number).exists():
            return number


def triage_deadline(
    received_at: datetime.datetime, urgent: bool, policy: VisitPolicy | None = None
) -> datetime.datetime:
    policy = policy or current_policy()
    return received_at + datetime.timedelta(hours=policy.triage_hours(urgent))


@dataclass(frozen=True)
class Countdown:
    """Time to a report's triage deadline, in whole hours, for the pages."""

    hours: int  # always ≥ 0
    overdue: bool

    @property
    def soon(self) -> bool:
        return not self.overdue and self.hours < 12


def countdown(report: MandatoryReport, now: datetime.datetime) -> Countdown:
    seconds = (report.triage_due_at - now).total_seconds()
    return Countdown(hours=int(abs(seconds) // 3600), overdue=seconds < 0)


def estimated_birth_date(report: MandatoryReport) -> datetime.date | None:
    """A date of birth from the report's approximate age, counted back from the day it was received:
    the middle of the year (or month) the age stands for, since a child "about 9" is 9 to 10 years
    old. None without an age."""
    if report.child_age is None:
        return None
    received = timezone.localdate(report.received_at)
    if report.child_age_unit == AgeUnit.MONTHS:
        return _months_before(received, report.child_age) - datetime.timedelta(days=15)
    return _months_before(received, report.child_age * 12 + 6)


def _months_before(day: datetime.date, months: int) -> datetime.date:
    """`day` moved back by whole months (the 31st becomes the month's last day where needed)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = (datetime.date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1) - datetime.timedelta(days=1)).day
    return datetime.date(year, month + 1, min(day.day, last))


def street_of(community: Area) -> Area:
    """The street a community's reports are routed to."""
    assert community.parent is not None, "a community always lies in a street"
    return community.parent


# ----- the public intake's rate limit ----------------------------------------------------------


def _window_key(ip: str, now: datetime.datetime, minutes: int) -> str:
    window = int(now.timestamp()) // (minutes * 60)
    return f"registry:intake:{ip}:{window}"


def intake_attempt(ip: str | None, now: datetime.datetime | None = None, policy: VisitPolicy | None = None) -> bool:
    """Count one submission from `ip` in the current window; False when the limit is reached.
    Every attempt counts, valid or not: the limit protects the supervisors' inboxes and the server.
    Fixed windows in the cache (shared between workers when the cache is)."""
    policy = policy or current_policy()
    limit = policy.mandatory_reports.intake_limit
    key = _window_key(ip or "unknown", now or timezone.now(), limit.window_minutes)
    cache.add(key, 0, timeout=limit.window_minutes * 60)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=limit.window_minutes * 60)
        count = 1
    return count <= limit.per_ip


# ----- matching a report to a child file (for the supervisor only) -----------------------------


def id_match(report: MandatoryReport, user: User) -> Child | None:
    """The child file with the report's ID number, if the supervisor can see it."""
    if not report.child_id_hash:
        return None
    return Child.objects.visible_to(user).filter(id_hash=report.child_id_hash).first()


def report_id_fields(number: str) -> dict[str, object]:
    """A report's child ID number (normalised) as it is stored: encrypted, its look-up hash (to
    link the report to a file) and its masked form; the same treatment as a child file's."""
    nonce, ciphertext = encrypt(number)
    return {
        "child_id_nonce": nonce,
        "child_id_ciphertext": ciphertext,
        "child_id_hash": lookup_hash(number),
        "child_id_masked": mask_id(number),
    }


def name_suggestions(report: MandatoryReport, user: User, limit: int = 10) -> list[Child]:
    """Files the report may be about: first those the linkage matcher takes for the reported child (name
    and homophones, sex, community; the age only roughly known), then the core's name search
    (characters or pinyin), those in the reported community before the rest of the supervisor's street.
    None for a child whose name is not known: 不详 is no name, and every other file would "match" it."""
    if is_unknown_name(report.child_name):
        return []
    children, _note = search_children(user, report.child_name, status=ChildStatus.ACTIVE)
    children = children.select_related("residence_area")
    place = {"residence_area": report.community} if report.community else {"residence_area__parent": report.street}
    in_community = list(children.filter(**place)[:limit])
    others = list(children.exclude(**place)[: max(limit - len(in_community), 0)])
    by_name = in_community + others
    nearby = Child.objects.visible_to(user).filter(status=ChildStatus.ACTIVE, **place)
    age = report.child_age_years
    if age is not None:
        born_after = timezone.localdate().year - age - 2
        nearby = nearby.filter(birth_date__year__gte=born_after, birth_date__year__lte=born_after + 4)
    sex = "" if report.child_sex == "unknown" else report.child_sex
    candidates = {c.pk: c for c in [*by_name, *nearby.select_related("residence_area")[:2000]]}
    matched = [
        s.child
        for s in suggest_files(
            candidates.values(),
            name=report.child_name,
            birth_date=None,
            sex=sex,
            area=report.community or report.street,
        )
    ]
    return [*matched, *(c for c in by_name if c not in matched)][:limit]
