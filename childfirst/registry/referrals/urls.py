"""URLs of the referrals, included into the registry's namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("children/<int:pk>/referrals/new/", views.referral_new, name="referral_new"),
    path("referrals/", views.referral_list, name="referrals"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral"),
]
