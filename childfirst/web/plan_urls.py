"""The plan catalogue's pages, included from the root URLconf under plans/ (namespace `plans`)."""

from django.urls import path

from childfirst.evaluation import key_project_views

from . import plan_views as views
from . import revision_views

app_name = "plans"

urlpatterns = [
    path("", views.plan_list, name="list"),
    path("<slug:plan>/", views.plan_detail, name="plan"),
    path("<slug:plan>/switch/", views.switch_plan, name="switch"),
    path("<slug:plan>/indicators/", views.indicator_list, name="indicators"),
    path("<slug:plan>/indicators/<str:code>/", views.indicator_detail, name="indicator"),
    path("<slug:plan>/domains/<slug:domain>/", views.domain_detail, name="domain"),
    path("<slug:plan>/revisions/", revision_views.revision_list, name="revisions"),
    path("<slug:plan>/projects/", key_project_views.key_project_list, name="key_projects"),
    path("<slug:plan>/projects/<str:code>/", key_project_views.key_project_detail, name="key_project"),
]
