from django.urls import path

from . import method_views, views

app_name = "evaluation"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("domains/<slug:code>/", views.domain_page, name="domain"),
    path("indicators/<str:code>/", views.indicator_page, name="indicator"),
    path("streets/<str:code>/", views.street_page, name="street"),
    path("departments/<slug:code>/", views.department_page, name="department"),
    path("published/", views.snapshots, name="snapshots"),
    path("methods/", method_views.methods, name="methods"),
    path("assessments/", views.assessments, name="assessments"),
    path("published/<int:year>/v<int:version>/", views.snapshot_diff, name="snapshot_diff"),
]
