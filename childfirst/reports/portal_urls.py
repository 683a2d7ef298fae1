"""The public open-data portal: no login, published snapshots only."""

from django.urls import path  # noqa: F401

app_name = "portal"
urlpatterns: list = []
