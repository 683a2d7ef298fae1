"""The area tree's pages, included from the root URLconf under areas/ (namespace `areas`)."""

from django.urls import path

from . import area_views as views

app_name = "areas"

urlpatterns = [
    path("", views.area_tree, name="tree"),
    path("<str:code>/", views.area_detail, name="area"),
]
