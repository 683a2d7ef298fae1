"""The implementation pages of one plan, under plans/<plan>/implementation/ (namespace `implementation`)."""

from django.urls import path

from . import document_views, practice_views, recommendation_views

app_name = "implementation"

urlpatterns = [
    path("documents/<int:pk>/", document_views.document_download, name="document"),
    # Recommendations and their follow-up (督办).
    path("recommendations/", recommendation_views.recommendations, name="recommendations"),
    path("recommendations/new/", recommendation_views.recommendation_new, name="recommendation_new"),
    path("recommendations/<int:pk>/", recommendation_views.recommendation, name="recommendation"),
    path("assignments/<int:pk>/respond/", recommendation_views.assignment_respond, name="assignment_respond"),
    path("assignments/<int:pk>/close/", recommendation_views.assignment_close, name="assignment_close"),
    path("assignments/<int:pk>/return/", recommendation_views.assignment_return, name="assignment_return"),
    # Good practices (好做法好经验).
    path("practices/", practice_views.practices, name="practices"),
    path("practices/new/", practice_views.practice_new, name="practice_new"),
    path("practices/<int:pk>/", practice_views.practice, name="practice"),
    path("practices/<int:pk>/publish/", practice_views.practice_publish, name="practice_publish"),
    path("practices/<int:pk>/decline/", practice_views.practice_decline, name="practice_decline"),
    path("practices/<int:pk>/withdraw/", practice_views.practice_withdraw, name="practice_withdraw"),
]
