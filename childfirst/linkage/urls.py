from django.urls import path

from . import import_views

app_name = "linkage"

urlpatterns = [
    path("", import_views.index, name="index"),
    path("imports/upload", import_views.upload, name="upload"),
    path("imports/<int:pk>/", import_views.import_detail, name="import"),
    path("imports/<int:pk>/progress", import_views.import_progress, name="import_progress"),
    path("pair/", import_views.pair, name="pair"),
    path("pair/<int:pk>/", import_views.pair_job, name="pair_job"),
    path("pair/<int:pk>/download", import_views.pair_download, name="pair_download"),
]
