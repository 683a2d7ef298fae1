from django.urls import path

from . import views

app_name = "areas"

urlpatterns = [
    path("", views.area_tree, name="tree"),
    path("<str:code>/", views.area_detail, name="area"),
]
