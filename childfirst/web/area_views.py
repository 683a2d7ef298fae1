"""The area tree, limited to what the user's scope covers (URL namespace `areas`). These pages live
above accounts (they need the signed-in user's scope), not in the areas app, which lies below it."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from childfirst.accounts.decorators import role_required
from childfirst.accounts.http import AuthenticatedHttpRequest
from childfirst.areas.access import get_area_for_user
from childfirst.areas.models import Area


@role_required()
def area_tree(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The top of the user's scope and what lies below it; `?all=1` includes areas no longer valid."""
    show_all = request.GET.get("all") == "1"
    # visible_areas is annotated QuerySet[Area]; what it returns comes from Area.objects, an AreaQuerySet.
    queryset = request.user.visible_areas().select_related("replaced_by")
    if not show_all:
        queryset = queryset.valid_on()
    areas = list(queryset)
    children: dict[int | None, list[Area]] = {}
    codes = {a.pk for a in areas}
    roots = []
    for area in areas:
        if area.parent_id in codes:
            children.setdefault(area.parent_id, []).append(area)
        else:
            roots.append(area)
    tree = [(root, [(child, children.get(child.pk, [])) for child in children.get(root.pk, [])]) for root in roots]
    return render(
        request,
        "areas/area_tree.html",
        {"tree": tree, "show_all": show_all, "today": timezone.localdate(), "count": len(areas)},
    )


@role_required()
def area_detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    area = get_area_for_user(request, code)
    visible_ancestors = [a for a in area.ancestors() if request.user.can_see_area(a)]
    return render(
        request,
        "areas/area_detail.html",
        {
            "area": area,
            "ancestors": visible_ancestors,
            "children": area.children.select_related("replaced_by").order_by("code"),
            "today": timezone.localdate(),
        },
    )
