from django.urls import path

from . import method_views, publish_views, views

app_name = "evaluation"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("domains/<slug:code>/", views.domain_page, name="domain"),
    path("indicators/<str:code>/", views.indicator_page, name="indicator"),
    path("streets/", views.street_list, name="streets"),
    path("streets/<str:code>/", views.street_page, name="street"),
    path("departments/<slug:code>/", views.department_page, name="department"),
    path("published/", views.snapshots, name="snapshots"),
    path("published/publish/", publish_views.publish, name="publish"),
    path("methods/", method_views.methods, name="methods"),
    path("assessments/", views.assessments, name="assessments"),
    path("published/<int:year>/v<int:version>/", views.snapshot_diff, name="snapshot_diff"),
]
