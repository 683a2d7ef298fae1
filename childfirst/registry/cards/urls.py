"""URLs of the contact cards, included into the registry's namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("children/<int:pk>/card.pdf", views.child_card, name="child_card"),
    path("cards/", views.card_index, name="cards"),
    path("cards/<str:code>/", views.community_cards, name="community_cards"),
    path("cards/batch/<int:pk>/", views.card_batch, name="card_batch"),
    path("cards/batch/<int:pk>/cards.pdf", views.card_batch_pdf, name="card_batch_pdf"),
]
