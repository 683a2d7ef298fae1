"""Who reads and who manages children's homes: one helper per object (a home, a community, a street)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from childfirst.accounts.http import AuthenticatedHttpRequest
from childfirst.accounts.models import Role, User
from childfirst.areas.models import Area, Level
from childfirst.plans.access import current_plan, plans_for_user

from .models import HOME_READERS, ChildrensHome

HOME_MANAGERS = {Role.OFFICE, Role.STREET_SUPERVISOR, Role.COMMUNITY_DIRECTOR}


def require_home_reader(user: User) -> None:
    if user.role not in HOME_READERS or user.access_expired():
        raise PermissionDenied(_("Your role cannot see children's homes."))


def can_manage_community(user: User, community: Area) -> bool:
    """Directors manage their own community's home, supervisors their street's, the office all."""
    if user.role not in HOME_MANAGERS or not user.is_active:
        return False
    if user.role == Role.COMMUNITY_DIRECTOR:
        return user.area_id == community.pk
    return user.can_see_area(community)


def user_district(request: AuthenticatedHttpRequest) -> Area:
    """The district whose homes the user reads: the district of their area scope; for a user with
    no area scope, the district of the plans they see (of their current plan when those span several)."""
    scope = request.user.scope_area()
    if scope is not None:
        return scope if scope.level == Level.DISTRICT else get_object_or_404(Area, code=scope.district_code)
    districts = {plan.area for plan in plans_for_user(request.user)}
    return districts.pop() if len(districts) == 1 else current_plan(request).area


@dataclass(frozen=True)
class HomeAccess:
    home: ChildrensHome
    can_edit: bool  # details, 五有 items, activities, closing
    can_link: bool  # the 1+N links: the street's supervisor and the office
    can_recognise: bool  # type and level of demonstration: the office, which recognises demonstration homes


def access_for(user: User, home: ChildrensHome) -> HomeAccess:
    can_edit = can_manage_community(user, home.community)
    return HomeAccess(
        home=home,
        can_edit=can_edit,
        can_link=can_edit and user.role in (Role.OFFICE, Role.STREET_SUPERVISOR),
        can_recognise=can_edit and user.role == Role.OFFICE,
    )


def get_home_for_user(request: AuthenticatedHttpRequest | User, pk: int) -> HomeAccess:
    """The home with what the user may do with it; 404 when it does not exist, 403 when it lies
    outside the user's area or role."""
    user = request.user if isinstance(request, HttpRequest) else request
    require_home_reader(user)
    home = ChildrensHome.objects.select_related("community", "led_by__community").filter(pk=pk).first()
    if home is None:
        raise Http404
    if not ChildrensHome.objects.visible_to(user).filter(pk=pk).exists():
        raise PermissionDenied(_("This children's home is outside your area."))
    return access_for(user, home)


def get_community_for_user(request: AuthenticatedHttpRequest, code: str, *, manage: bool = False) -> Area:
    """A community (village) the user may see, or manage when `manage`; 404 / 403 otherwise."""
    user = request.user
    require_home_reader(user)
    community = Area.objects.filter(code=code, level=Level.COMMUNITY).first()
    if community is None:
        raise Http404
    allowed = can_manage_community(user, community) if manage else user.can_see_area(community)
    if not allowed:
        raise PermissionDenied(_("This community is outside your area."))
    return community


def get_street_for_user(request: AuthenticatedHttpRequest, code: str) -> Area:
    user = request.user
    require_home_reader(user)
    street = Area.objects.filter(code=code, level=Level.STREET).first()
    if street is None:
        raise Http404
    scope = user.scope_area()
    # A director sees the street's list narrowed to its own community (see views.street_homes).
    if scope is not None and not (scope.contains(street) or street.contains(scope)):
        raise PermissionDenied(_("This street is outside your area."))
    return street
