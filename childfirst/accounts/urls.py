from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("me/", views.my_account, name="me"),
    path("users/", views.user_list, name="users"),
    path("lockouts/", views.lockouts, name="lockouts"),
    path("lockouts/<int:pk>/unlock/", views.unlock, name="unlock"),
    path("password/", views.password_change, name="password"),
    path("password/done/", views.password_done, name="password_done"),
    path("tokens/", views.token_create, name="token_create"),
    path("tokens/<str:prefix>/revoke/", views.token_revoke, name="token_revoke"),
]
