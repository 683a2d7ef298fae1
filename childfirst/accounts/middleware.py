"""Ends the session of an account whose access has lapsed (evaluators' time limit) or that has no role."""

from __future__ import annotations

from collections.abc import Callable

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
