"""The homes' page that reads a plan's indicators, under plans/<plan>/homes/ (namespace `homes`).
The other homes pages do not depend on a plan and stay under /registry/homes/ (homes/urls.py)."""

from django.urls import path

from . import views

app_name = "homes"

urlpatterns = [
    path("coverage/", views.homes_coverage, name="coverage"),
]
