"""Ends the session of an account whose access has lapsed (evaluators' time limit) or that has no role;
renews a session's idle timeout at most once a minute."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _


class AccountValidityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and (user.access_expired() or not user.role):
            logout(request)
            messages.error(request, _("Your access has expired or has no role. Ask the office to renew it."))
            return redirect("login")
        return self.get_response(request)


# The session's last renewal, in seconds since the epoch.
RENEWED_KEY = "childfirst_renewed"


def renewal_interval() -> int:
    """Seconds between renewals: a minute, or a tenth of a shorter idle timeout."""
    return max(1, min(60, settings.SESSION_COOKIE_AGE // 10))


class SessionRenewalMiddleware:
    """Keeps the idle timeout (settings.SESSION_COOKIE_AGE after the last request) without writing
    the session on every request: it is marked changed — and so saved by SessionMiddleware with a
    new expiry — when its last renewal is `renewal_interval()` old. A session therefore ends at most
    that much sooner after the last request, never later; the expiry stays the server's (the
    database row's), whatever the cookie says. Listed after SessionMiddleware, so that its answer
    is seen before SessionMiddleware decides whether to save."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = request.session
        # No cookie, or a session ended (logout): nothing to renew — and no session is created for
        # a visitor who has none.
        if session.session_key is None:
            return response
        renewed = session.get(RENEWED_KEY)
        if session.session_key is None:  # the cookie named no live session
            return response
        now = int(time.time())
        # A session saved anyway (changed by the view) is stamped too, so that the next write waits.
        if session.modified or not isinstance(renewed, int) or not 0 <= now - renewed < renewal_interval():
            session[RENEWED_KEY] = now
        return response
