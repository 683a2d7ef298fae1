"""Request types for views that only run for a signed-in user (for mypy; no runtime behaviour).

`role_required` (and `login_required`) guarantee that `request.user` is a `User`, never an
`AnonymousUser`; annotate such views' request as `AuthenticatedHttpRequest`. In the JSON API,
`TokenAuth` sets both `request.user` and `request.auth` to the token's user: annotate handlers
and helpers that read them as `ApiRequest`.
"""

from __future__ import annotations

from django.http import HttpRequest

from .models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User


class ApiRequest(AuthenticatedHttpRequest):
    auth: User
