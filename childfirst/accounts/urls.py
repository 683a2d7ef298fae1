from django.urls import path

from . import admin_views, views

app_name = "accounts"

urlpatterns = [
    path("me/", views.my_account, name="me"),
    path("users/", admin_views.user_list, name="users"),
    path("users/new/", admin_views.user_create, name="user_create"),
    path("users/<int:pk>/", admin_views.user_edit, name="user_edit"),
    path("users/<int:pk>/active/", admin_views.user_active, name="user_active"),
    path("users/<int:pk>/password/", admin_views.user_password_reset, name="user_password_reset"),
    path("lockouts/", views.lockouts, name="lockouts"),
    path("lockouts/<int:pk>/unlock/", views.unlock, name="unlock"),
    path("password/", views.password_change, name="password"),
    path("password/done/", views.password_done, name="password_done"),
    path("tokens/", views.token_create, name="token_create"),
    path("tokens/<str:prefix>/revoke/", views.token_revoke, name="token_revoke"),
]
