from django.urls import path

from . import views

app_name = "plans"

urlpatterns = [
    path("", views.plan_list, name="list"),
    path("<slug:plan>/", views.plan_detail, name="plan"),
    path("<slug:plan>/indicators/", views.indicator_list, name="indicators"),
    path("<slug:plan>/indicators/<str:code>/", views.indicator_detail, name="indicator"),
    path("<slug:plan>/domains/<slug:domain>/", views.domain_detail, name="domain"),
    path("<slug:plan>/projects/", views.key_project_list, name="key_projects"),
    path("<slug:plan>/projects/<str:code>/", views.key_project_detail, name="key_project"),
]
