"""Every change to a children's home: one function each, checking permission and the rules
(one home per community, 1+N links inside one street, dates that agree), writing the change and
its audit row in one transaction. Refusals: PermissionDenied; broken rules: HomeError, whose
message names the field and says what is wrong, and nothing is changed."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from childfirst.accounts.audit import record
from childfirst.accounts.models import User
from childfirst.areas.models import Area, Level

from .access import access_for, can_manage_community
from .models import ActivityKind, ChildrensHome, DemonstrationLevel, HomeActivity, HomeType, StandardCheck, StandardItem

MAX_ATTENDANCE = 10_000  # more children at one activity is a typing error, not an event


class HomeError(Exception):
    """A change that breaks a rule; `field` names the form field it concerns ("" for the whole form)."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


def _require(condition: bool, message: str | None = None) -> None:
    if not condition:
        raise PermissionDenied(message or _("Your role cannot do this."))


def _not_in_future(day: datetime.date | None, field: str) -> None:
    if day is not None and day > timezone.localdate():
        raise HomeError(_("The date %(day)s is in the future.") % {"day": day.isoformat()}, field)


def _locked(home: ChildrensHome) -> ChildrensHome:
    return ChildrensHome.objects.select_for_update().select_related("community").get(pk=home.pk)


def _audit(action: str, actor: User | None, home: ChildrensHome, **detail: Any) -> None:
    record(f"registry.home.{action}", actor=actor, obj=home, area_code=home.community.code, **detail)


# ----- the home ---------------------------------------------------------------------------------


@dataclass
class HomeDetails:
    name: str
    opened_on: datetime.date
    address: str = ""
    note: str = ""


@transaction.atomic
def do_create_home(actor: User | None, community: Area, details: HomeDetails) -> ChildrensHome:
    """A new basic home in `community`; demonstration status is recognised afterwards by the office."""
    _require(actor is None or can_manage_community(actor, community), _("You cannot manage this community's home."))
    if community.level != Level.COMMUNITY:
        raise HomeError(_("A children's home belongs to a community or village, not to %(area)s.")
                        % {"area": community.name}, "community")  # fmt: skip
    _check_details(community, details)
    # The unique constraint would refuse it too; this check gives the reason in words.
    existing = ChildrensHome.objects.filter(community=community).first()
    if existing is not None:
        raise HomeError(
            _("%(community)s already has a children's home (%(home)s); a community has one.")
            % {"community": community.name, "home": existing.name},
            "community",
        )
    home = ChildrensHome.objects.create(
        community=community,
        name=details.name.strip(),
        opened_on=details.opened_on,
        address=details.address.strip(),
        note=details.note.strip(),
        updated_by=actor,
    )
    _audit("create", actor, home, opened_on=str(home.opened_on))
    return home


def _check_details(community: Area, details: HomeDetails) -> None:
    if not details.name.strip():
        raise HomeError(_("Give the home a name."), "name")
    _not_in_future(details.opened_on, "opened_on")
    if community.valid_to is not None and details.opened_on >= community.valid_to:
        raise HomeError(
            _("%(community)s no longer existed on %(day)s.")
            % {"community": community.name, "day": details.opened_on.isoformat()},
            "opened_on",
        )


@transaction.atomic
def do_update_home(actor: User | None, home: ChildrensHome, details: HomeDetails) -> ChildrensHome:
    home = _locked(home)
    _require(actor is None or access_for(actor, home).can_edit, _("You cannot manage this home."))
    _check_details(home.community, details)
    if home.closed_on is not None and details.opened_on >= home.closed_on:
        raise HomeError(_("The opening date must come before the closing date."), "opened_on")
    before = {"name": home.name, "opened_on": str(home.opened_on), "address": home.address}
    home.name, home.opened_on = details.name.strip(), details.opened_on
    home.address, home.note, home.updated_by = details.address.strip(), details.note.strip(), actor
    home.save()
    after = {"name": home.name, "opened_on": str(home.opened_on), "address": home.address}
    _audit("update", actor, home, before=before, after=after)
    return home


@transaction.atomic
def do_close_home(actor: User | None, home: ChildrensHome, closed_on: datetime.date, reason: str) -> ChildrensHome:
    """Close a home. A demonstration home that closes lets go of the basic homes it led."""
    home = _locked(home)
    _require(actor is None or access_for(actor, home).can_edit, _("You cannot manage this home."))
    if home.closed_on is not None:
        raise HomeError(_("This home is already closed."), "closed_on")
    _not_in_future(closed_on, "closed_on")
    if closed_on <= home.opened_on:
        raise HomeError(_("The closing date must come after the opening date (%(day)s).")
                        % {"day": home.opened_on.isoformat()}, "closed_on")  # fmt: skip
    if not reason.strip():
        raise HomeError(_("Give the reason for closing the home."), "reason")
    unlinked = _unlink_all(home)
    home.closed_on, home.updated_by = closed_on, actor
    home.save()
    _audit("close", actor, home, closed_on=str(closed_on), reason=reason.strip(), unlinked=unlinked)
    return home


@transaction.atomic
def do_reopen_home(actor: User | None, home: ChildrensHome, reason: str) -> ChildrensHome:
    home = _locked(home)
    _require(actor is None or access_for(actor, home).can_edit, _("You cannot manage this home."))
    if home.closed_on is None:
        raise HomeError(_("This home is open."), "closed_on")
    if not reason.strip():
        raise HomeError(_("Give the reason for reopening the home."), "reason")
    before = str(home.closed_on)
    home.closed_on, home.updated_by = None, actor
    home.save()
    _audit("reopen", actor, home, closed_on_before=before, reason=reason.strip())
    return home


def _unlink_all(home: ChildrensHome) -> list[int]:
    linked = list(home.linked_homes.values_list("pk", flat=True))
    if linked:
        ChildrensHome.objects.filter(pk__in=linked).update(led_by=None, updated_at=timezone.now())
    return linked


# ----- demonstration and the 1+N links ----------------------------------------------------------


@transaction.atomic
def do_set_home_type(
    actor: User | None,
    home: ChildrensHome,
    home_type: str,
    level: str = "",
    recognised_on: datetime.date | None = None,
) -> ChildrensHome:
    """Recognise a home as a demonstration home (with its level and date), or return it to basic.
    A demonstration home leads others and is led by none; a home returned to basic lets go of the
    homes it led."""
    home = _locked(home)
    _require(
        actor is None or access_for(actor, home).can_recognise, _("Only the office recognises demonstration homes.")
    )
    if home_type not in HomeType.values:
        raise HomeError(_("Unknown type of home: %(value)s.") % {"value": home_type}, "home_type")
    before: dict[str, object] = {
        "home_type": home.home_type,
        "level": home.level,
        "recognised_on": str(home.recognised_on or ""),
    }
    unlinked: list[int] = []
    if home_type == HomeType.DEMONSTRATION:
        if level not in DemonstrationLevel.values:
            raise HomeError(_("Choose the level at which the home was recognised."), "level")
        if recognised_on is None:
            raise HomeError(_("Give the date the home was recognised."), "recognised_on")
        _not_in_future(recognised_on, "recognised_on")
        if recognised_on < home.opened_on:
            raise HomeError(_("A home is recognised after it opens (%(day)s).")
                            % {"day": home.opened_on.isoformat()}, "recognised_on")  # fmt: skip
        if home.closed_on is not None:
            raise HomeError(_("A closed home cannot be recognised."), "home_type")
        led_by_before = home.led_by_id
        home.home_type, home.level, home.recognised_on, home.led_by = home_type, level, recognised_on, None
        if led_by_before:
            before["led_by"] = led_by_before
    else:
        unlinked = _unlink_all(home)
        home.home_type, home.level, home.recognised_on = HomeType.BASIC, "", None
    home.updated_by = actor
    home.save()
    after = {"home_type": home.home_type, "level": home.level, "recognised_on": str(home.recognised_on or "")}
    _audit("set_type", actor, home, before=before, after=after, unlinked=unlinked)
    return home


@transaction.atomic
def do_link_home(actor: User | None, home: ChildrensHome, leader: ChildrensHome | None) -> ChildrensHome:
    """Link a basic home to the demonstration home that leads it ("1+N"), or unlink it (leader None).
    A basic home has at most one leader, which must be an open demonstration home in the same street."""
    home = _locked(home)
    _require(
        actor is None or access_for(actor, home).can_link, _("Only the street's supervisor or the office link homes.")
    )
    before = home.led_by_id
    if leader is not None:
        leader = _locked(leader)
        if home.is_demonstration:
            raise HomeError(_("A demonstration home leads other homes; it is not led by one."), "led_by")
        if leader.pk == home.pk or not leader.is_demonstration:
            raise HomeError(_("%(home)s is not a demonstration home.") % {"home": leader.name}, "led_by")
        if leader.closed_on is not None:
            raise HomeError(_("%(home)s is closed.") % {"home": leader.name}, "led_by")
        if leader.street_code != home.street_code:
            raise HomeError(
                _("%(home)s lies in another street; a basic home is led by a demonstration home of its own street.")
                % {"home": leader.name},
                "led_by",
            )
    home.led_by, home.updated_by = leader, actor
    home.save()
    _audit("link", actor, home, led_by_before=before, led_by=leader.pk if leader else None)
    return home


# ----- the 五有 items ---------------------------------------------------------------------------


@transaction.atomic
def do_set_standard_item(
    actor: User | None, home: ChildrensHome, item: str, met_on: datetime.date | None, evidence: str = ""
) -> StandardCheck | None:
    """Record that one 五有 item is in place since `met_on`, with its evidence; `met_on` None
    records that it is no longer in place (the audit row keeps what it was)."""
    home = _locked(home)
    _require(actor is None or access_for(actor, home).can_edit, _("You cannot manage this home."))
    if item not in StandardItem.values:
        raise HomeError(_("Unknown 五有 item: %(value)s.") % {"value": item}, "item")
    current = StandardCheck.objects.filter(home=home, item=item).first()
    before = {"met_on": str(current.met_on), "evidence": current.evidence} if current else None
    if met_on is None:
        if current is None:
            raise HomeError(_("This item is not recorded as in place."), "met_on")
        current.delete()
        _audit("standard", actor, home, item=item, before=before, after=None)
        return None
    _not_in_future(met_on, "met_on")
    if not evidence.strip():
        raise HomeError(_("Say what shows that the item is in place (evidence)."), "evidence")
    check, _created = StandardCheck.objects.update_or_create(
        home=home, item=item, defaults={"met_on": met_on, "evidence": evidence.strip(), "recorded_by": actor}
    )
    _audit("standard", actor, home, item=item, before=before, after={"met_on": str(met_on), "evidence": check.evidence})
    return check


# ----- activities -------------------------------------------------------------------------------


@dataclass
class ActivityDetails:
    held_on: datetime.date
    title: str
    kind: str
    attendance: int
    notes: str = ""


@transaction.atomic
def do_add_activity(actor: User | None, home: ChildrensHome, details: ActivityDetails) -> HomeActivity:
    """Record an activity with the number of children who came (a count, never names)."""
    home = _locked(home)
    _require(actor is None or access_for(actor, home).can_edit, _("You cannot manage this home."))
    if not details.title.strip():
        raise HomeError(_("Give the activity a title."), "title")
    if details.kind not in ActivityKind.values:
        raise HomeError(_("Unknown kind of activity: %(value)s.") % {"value": details.kind}, "kind")
    if not 0 <= details.attendance <= MAX_ATTENDANCE:
        raise HomeError(_("The number of children must lie between 0 and %(max)d.") % {"max": MAX_ATTENDANCE},
                        "attendance")  # fmt: skip
    _not_in_future(details.held_on, "held_on")
    if details.held_on < home.opened_on or (home.closed_on is not None and details.held_on >= home.closed_on):
        raise HomeError(_("The home was not open on %(day)s.") % {"day": details.held_on.isoformat()}, "held_on")
    activity = HomeActivity.objects.create(
        home=home,
        held_on=details.held_on,
        title=details.title.strip(),
        kind=details.kind,
        attendance=details.attendance,
        notes=details.notes.strip(),
        recorded_by=actor,
    )
    _audit("activity_add", actor, home, activity=activity.pk, held_on=str(activity.held_on),
           kind=activity.kind, attendance=activity.attendance)  # fmt: skip
    return activity


@transaction.atomic
def do_delete_activity(actor: User | None, activity: HomeActivity, reason: str) -> None:
    """Remove an activity recorded by mistake; the audit row keeps what it said."""
    home = _locked(activity.home)
    _require(actor is None or access_for(actor, home).can_edit, _("You cannot manage this home."))
    if not reason.strip():
        raise HomeError(_("Give the reason for removing the activity."), "reason")
    kept = {"held_on": str(activity.held_on), "title": activity.title, "kind": activity.kind,
            "attendance": activity.attendance}  # fmt: skip
    pk = activity.pk
    activity.delete()
    _audit("activity_delete", actor, home, activity=pk, reason=reason.strip(), was=kept)
