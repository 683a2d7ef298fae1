"""Who may see which area. Every area view gets its area through `get_area_for_user`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from .models import Area

if TYPE_CHECKING:  # areas sit below accounts: the request type is for annotations only
    from childfirst.accounts.http import AuthenticatedHttpRequest


def get_area_for_user(request: AuthenticatedHttpRequest, code: str) -> Area:
    """The area, if inside the user's scope; 403 outside it (a department user sees its district)."""
    area = get_object_or_404(Area, code=code)
    if not request.user.can_see_area(area):
        raise PermissionDenied
    return area
