"""The public open-data portal: no login, published snapshots only."""

from django.urls import path

from . import portal_practices
from . import portal_views as views

app_name = "portal"
urlpatterns = [
    path("", views.index, name="index"),
    path("language/<str:code>/", views.language, name="language"),
    path("<slug:plan>/", views.plan_page, name="plan"),
    path("<slug:plan>/domains/<slug:domain>/", views.domain_page, name="domain"),
    path("<slug:plan>/indicators/<str:code>/", views.indicator_page, name="indicator"),
    path("<slug:plan>/projects/", views.key_projects, name="key_projects"),
    path("<slug:plan>/practices/", portal_practices.practices, name="practices"),
    path("<slug:plan>/practices/photos/<int:pk>", portal_practices.practice_photo, name="practice_photo"),
    path("<slug:plan>/data/", views.downloads, name="downloads"),
    path("<slug:plan>/data/all.zip", views.download_all, name="download_all"),
    path("<slug:plan>/data/<str:code>.csv", views.indicator_csv, name="indicator_csv"),
]
