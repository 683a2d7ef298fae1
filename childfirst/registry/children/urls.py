"""Pages of the child files, included into the registry's namespace."""

from django.urls import path

from . import access_log_views, views

urlpatterns = [
    path("children/", views.child_list, name="children"),
    path("children/export/", views.child_export, name="children_export"),
    path("children/new/", views.child_create, name="child_create"),
    path("children/<int:pk>/", views.child_detail, name="child"),
    path("children/<int:pk>/edit/", views.child_edit, name="child_edit"),
    path("children/<int:pk>/reveal-id/", views.child_reveal_id, name="child_reveal_id"),
    path("children/<int:pk>/photo/", views.child_photo, name="child_photo"),
    path("children/<int:pk>/photo/change/", views.photo_set, name="child_photo_set"),
    path("children/<int:pk>/guardians/", views.guardian_add, name="child_guardian_add"),
    path("children/<int:pk>/guardians/<int:guardian>/remove/", views.guardian_remove, name="child_guardian_remove"),
    path("children/<int:pk>/categories/", views.category_add, name="child_category_add"),
    path("children/<int:pk>/categories/<int:category>/end/", views.category_end, name="child_category_end"),
    path("children/<int:pk>/exit/", views.child_exit, name="child_exit"),
    path("children/<int:pk>/access-log/", access_log_views.child_access_log, name="child_access_log"),
    path("grants/", views.grants, name="grants"),
    path("grants/<int:pk>/approve/", views.grant_approve, name="grant_approve"),
    path("grants/<int:pk>/reject/", views.grant_reject, name="grant_reject"),
    path("grants/<int:pk>/revoke/", views.grant_revoke, name="grant_revoke"),
]
