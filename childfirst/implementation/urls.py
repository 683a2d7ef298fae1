"""The implementation pages of one plan, under plans/<plan>/implementation/ (namespace `implementation`)."""

from django.urls import path

from . import document_views, practice_views, recommendation_views, report_views, scorecard_views

app_name = "implementation"

urlpatterns = [
    path("documents/<int:pk>/", document_views.document_download, name="document"),
    # implementation reports (成员单位年度实施报告)
    path("reports/", report_views.reports_index, name="reports"),
    path("rounds/<int:year>/", report_views.round_page, name="round"),
    path("rounds/<int:year>/open/", report_views.open_reports, name="open_reports"),
    path("reports/<int:pk>/", report_views.report_page, name="report"),
    path("reports/<int:pk>/do/<slug:step>/", report_views.report_step, name="report_step"),
    path("reports/<int:pk>/attach/", report_views.attach, name="attach"),
    path("reports/<int:pk>/documents/<int:document>/remove/", report_views.remove_document, name="remove_document"),
    path("reports/<int:pk>/word/", report_views.word_template, name="word_template"),
    path("reports/<int:pk>/word/upload/", report_views.word_upload, name="word_upload"),
    # scorecard (目标考核)
    path("scorecard/", scorecard_views.scorecard_default, name="scorecard_default"),
    path("<int:year>/scorecard/", scorecard_views.scorecard, name="scorecard"),
    path("<int:year>/scorecard.xlsx", scorecard_views.scorecard_export, name="scorecard_export"),
    path("scorecard/weights/", scorecard_views.weights, name="scorecard_weights"),
    path("scorecard/weights.yaml", scorecard_views.weights_file, name="weights_file"),
    path("scorecard/weights/<int:pk>.yaml", scorecard_views.weights_version, name="weights_version"),
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
