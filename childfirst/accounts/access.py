"""Which accounts the office manages: those scoped inside its own district."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from childfirst.areas.models import Area

from .http import AuthenticatedHttpRequest
from .models import Role, User


def accounts_visible_to(actor: User) -> QuerySet[User]:
    """The accounts `actor` may see and manage: for the office, every account whose area or
    department lies in its district (all accounts for an office without a scope); none otherwise."""
    if actor.role != Role.OFFICE:
        return User.objects.none()
    scope = actor.scope_area()
    if scope is None:
        return User.objects.all()
    areas = Area.objects.within(scope)
    return User.objects.filter(Q(area__in=areas) | Q(department__area__in=areas))


def get_account_for_user(request: AuthenticatedHttpRequest, pk: int) -> User:
    """One account the signed-in office manages; 404 when unknown, 403 when in another district."""
    account = get_object_or_404(User.objects.select_related("department__area", "area"), pk=pk)
    if not accounts_visible_to(request.user).filter(pk=account.pk).exists():
        raise PermissionDenied
    return account
