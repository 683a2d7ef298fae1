"""View decorators for access by role. Refusals raise PermissionDenied (HTTP 403)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from .http import AuthenticatedHttpRequest
from .models import Role

P = ParamSpec("P")
# A view behind `role_required` may annotate its request as AuthenticatedHttpRequest.
View = Callable[Concatenate[AuthenticatedHttpRequest, P], HttpResponse]
RoutedView = Callable[Concatenate[HttpRequest, P], HttpResponse]


def role_required(*roles: Role) -> Callable[[View[P]], RoutedView[P]]:
    """Logged in, and holding one of `roles` (any role when none are named)."""

    def decorator(view: View[P]) -> RoutedView[P]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
            role = getattr(request.user, "role", "")
            if not role or (roles and role not in roles):
                raise PermissionDenied
            # login_required let only signed-in users through, so request.user is a User.
            return view(cast(AuthenticatedHttpRequest, request), *args, **kwargs)

        return wrapped

    return decorator
