"""URLs of the children's homes. Included by the registry's urls, so the paths (/registry/homes/…) and
the names ("registry:home" …) stay what users and links know."""

from django.urls import path

from . import views

urlpatterns = [
    path("homes/", views.homes_overview, name="homes"),
    # From before the coverage page named its plan (homes/plan_urls.py): on to the current plan's.
    path("homes/coverage/", views.homes_coverage_old_link, name="homes_coverage"),
    path("homes/streets/<str:code>/", views.street_homes, name="homes_street"),
    path("homes/new/<str:code>/", views.home_create, name="home_create"),
    path("homes/<int:pk>/", views.home_detail, name="home"),
    path("homes/<int:pk>/edit/", views.home_edit, name="home_edit"),
    path("homes/<int:pk>/state/", views.home_state, name="home_state"),
    path("homes/<int:pk>/type/", views.home_type, name="home_type"),
    path("homes/<int:pk>/link/", views.home_link, name="home_link"),
    path("homes/<int:pk>/standard/<str:item>/", views.home_standard, name="home_standard"),
    path("homes/<int:pk>/activities/new/", views.activity_add, name="home_activity_add"),
    path("homes/<int:pk>/activities/<int:activity>/delete/", views.activity_delete, name="home_activity_delete"),
]
