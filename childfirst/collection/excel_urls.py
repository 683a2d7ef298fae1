from django.urls import path

from . import excel_views

app_name = "collection_excel"

urlpatterns = [
    path("rounds/<int:year>/<slug:department>/template.xlsx", excel_views.template, name="template"),
    path("rounds/<int:year>/<slug:department>/upload/", excel_views.upload, name="upload"),
]
