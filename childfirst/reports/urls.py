"""Report generation for signed-in users (the office, leaders, evaluators)."""

from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("request/", views.request_report, name="request"),
    path("jobs/<int:pk>/", views.job_row, name="job"),
    path("jobs/<int:pk>/report.<slug:fmt>", views.download, name="download"),
]
