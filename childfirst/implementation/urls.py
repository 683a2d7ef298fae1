"""The implementation pages of one plan, under plans/<plan>/implementation/ (namespace `implementation`)."""

from django.urls import path

from . import document_views

app_name = "implementation"

urlpatterns = [
    path("documents/<int:pk>/", document_views.document_download, name="document"),
]
