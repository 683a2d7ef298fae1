"""Good practices (好做法好经验) on the public portal: those the office published, with their related
indicators and photos. Nothing else of implementation is public; a photo is served only while its
practice is published. Practices were checked for personal data when submitted and again when
published (implementation.practice_actions); photos were stripped of their metadata."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from childfirst.implementation.models import Document, GoodPractice

from .portal_views import PAGE_MAX_AGE, _context, _plan, _snapshot, public


@public(PAGE_MAX_AGE)
def practices(request: HttpRequest, plan: str) -> HttpResponse:
    the_plan = _plan(plan)
    snapshot = _snapshot(request, the_plan)
    published = list(
        GoodPractice.objects.filter(plan=the_plan)
        .published()
        .select_related("department", "area")
        # The photos' bytes are fetched by the photo view, one at a time, not with the page.
        .prefetch_related("indicators", Prefetch("documents", queryset=Document.objects.defer("content")))
    )
    context = _context(request, the_plan, snapshot, "practices", practices=published)
    return render(request, "portal/practices.html", context)


# A page's lifetime, not a file's: a withdrawn practice's photo must leave shared caches soon.
@public(PAGE_MAX_AGE)
def practice_photo(request: HttpRequest, plan: str, pk: int) -> HttpResponse:
    """A published practice's photo (shown inline); anything else is a 404, as if it did not exist."""
    the_plan = _plan(plan)
    document = (
        Document.objects.filter(
            pk=pk, practice__plan=the_plan, practice__state="published", content_type__startswith="image/"
        )
        .only("content", "content_type")
        .first()
    )
    if document is None:
        raise Http404(_("No such photo."))
    response = HttpResponse(bytes(document.content), content_type=document.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
