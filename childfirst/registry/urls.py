"""Pages of the children's registry."""

from django.urls import path  # noqa: F401

app_name = "registry"
urlpatterns: list = []
