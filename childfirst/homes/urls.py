"""URLs of the children's homes and the contact cards, included into the registry's namespace."""

from django.urls import path

from . import contact_cards, homes_views

urlpatterns = [
    path("homes/", homes_views.homes_overview, name="homes"),
    path("homes/coverage/", homes_views.homes_coverage, name="homes_coverage"),
    path("homes/streets/<str:code>/", homes_views.street_homes, name="homes_street"),
    path("homes/new/<str:code>/", homes_views.home_create, name="home_create"),
    path("homes/<int:pk>/", homes_views.home_detail, name="home"),
    path("homes/<int:pk>/edit/", homes_views.home_edit, name="home_edit"),
    path("homes/<int:pk>/state/", homes_views.home_state, name="home_state"),
    path("homes/<int:pk>/type/", homes_views.home_type, name="home_type"),
    path("homes/<int:pk>/link/", homes_views.home_link, name="home_link"),
    path("homes/<int:pk>/standard/<str:item>/", homes_views.home_standard, name="home_standard"),
    path("homes/<int:pk>/activities/new/", homes_views.activity_add, name="home_activity_add"),
    path("homes/<int:pk>/activities/<int:activity>/delete/", homes_views.activity_delete, name="home_activity_delete"),
    path("children/<int:pk>/card.pdf", contact_cards.child_card, name="child_card"),
    path("cards/<str:code>/", contact_cards.community_cards, name="community_cards"),
]
