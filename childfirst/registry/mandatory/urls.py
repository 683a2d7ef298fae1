"""URLs of the mandatory reports (强制报告), included into the registry's namespace."""

from django.urls import path

from . import views

urlpatterns = [
    # 强制报告: the intake and its receipt need no login (see views.py).
    path("report/", views.report_intake, name="report_intake"),
    path("report/received/", views.report_receipt, name="report_receipt"),
    path("reports/", views.report_list, name="reports"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/triage/", views.report_triage, name="report_triage"),
]
