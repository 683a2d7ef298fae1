"""URLs of the casework, referrals and mandatory reports, included into the registry's namespace."""

from django.urls import path

from . import casework_views, mandatory_views, referral_views

urlpatterns = [
    path("work/", casework_views.work_list, name="work_list"),
    path("supervision/", casework_views.supervision, name="supervision"),
    path("children/<int:pk>/casework/", casework_views.child_casework, name="casework"),
    path("children/<int:pk>/visits/new/", casework_views.visit_new, name="visit_new"),
    path("children/<int:pk>/risk/new/", casework_views.risk_new, name="risk_new"),
    path("risk/<int:pk>/", casework_views.risk_detail, name="risk"),
    path("tasks/<int:pk>/close/", casework_views.task_close, name="task_close"),
    path("children/<int:pk>/assistance/new/", casework_views.assistance_new, name="assistance_new"),
    path("assistance/<int:pk>/", casework_views.assistance_detail, name="assistance"),
    path("children/<int:pk>/referrals/new/", referral_views.referral_new, name="referral_new"),
    path("referrals/", referral_views.referral_list, name="referrals"),
    path("referrals/<int:pk>/", referral_views.referral_detail, name="referral"),
    # 强制报告: the intake and its receipt need no login (see mandatory_views).
    path("report/", mandatory_views.report_intake, name="report_intake"),
    path("report/received/", mandatory_views.report_receipt, name="report_receipt"),
    path("reports/", mandatory_views.report_list, name="reports"),
    path("reports/<int:pk>/", mandatory_views.report_detail, name="report"),
    path("reports/<int:pk>/triage/", mandatory_views.report_triage, name="report_triage"),
]
