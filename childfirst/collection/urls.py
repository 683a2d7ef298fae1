from django.urls import path

from . import views

app_name = "collection"

urlpatterns = [
    path("", views.round_list, name="rounds"),
    path("rules/", views.rules, name="rules"),
    path("rounds/open/", views.round_open, name="round_open"),
    path("rounds/<int:year>/", views.round_detail, name="round"),
    path("rounds/<int:year>/state/", views.round_state, name="round_state"),
    path("rounds/<int:year>/values.csv", views.round_export, name="round_export"),
    path("rounds/<int:year>/<slug:department>/", views.entry, name="entry"),
    path("rounds/<int:year>/<slug:department>/do/<slug:step>/", views.workflow, name="workflow"),
    path(
        "rounds/<int:year>/<slug:department>/history/<str:indicator>/<str:area>/",
        views.value_history,
        name="history",
    ),
]
