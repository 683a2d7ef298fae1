"""URLs of the casework (visits, risk, tasks, assistance), included into the registry's namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("work/", views.work_list, name="work_list"),
    path("supervision/", views.supervision, name="supervision"),
    path("children/<int:pk>/casework/", views.child_casework, name="casework"),
    path("children/<int:pk>/visits/new/", views.visit_new, name="visit_new"),
    path("children/<int:pk>/risk/new/", views.risk_new, name="risk_new"),
    path("risk/<int:pk>/", views.risk_detail, name="risk"),
    path("tasks/<int:pk>/close/", views.task_close, name="task_close"),
    path("children/<int:pk>/assistance/new/", views.assistance_new, name="assistance_new"),
    path("assistance/<int:pk>/", views.assistance_detail, name="assistance"),
]
