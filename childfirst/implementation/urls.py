"""URLs of section 四, under plans/<plan>/implementation/ (namespace `implementation`)."""

from __future__ import annotations

from django.urls import path

from . import scorecard_views

app_name = "implementation"

urlpatterns = [
    # scorecard (目标考核)
    path("scorecard/", scorecard_views.scorecard_default, name="scorecard_default"),
    path("<int:year>/scorecard/", scorecard_views.scorecard, name="scorecard"),
    path("<int:year>/scorecard.xlsx", scorecard_views.scorecard_export, name="scorecard_export"),
    path("scorecard/weights/", scorecard_views.weights, name="scorecard_weights"),
    path("scorecard/weights.yaml", scorecard_views.weights_file, name="weights_file"),
    path("scorecard/weights/<int:pk>.yaml", scorecard_views.weights_version, name="weights_version"),
]
