"""/favicon.ico: browsers and bookmarks ask for it at the site's root whatever the page says; it
answers with the site's SVG icon from the static files (the pages link that icon themselves)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseRedirect
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET


@require_GET
@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> HttpResponseRedirect:
    return HttpResponseRedirect(static("childfirst/favicon.svg"))
