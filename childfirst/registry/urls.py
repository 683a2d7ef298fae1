"""Pages of the children's registry, one url module per job, all in the "registry" namespace (the
children's homes, their own app, keep their names in it too, so pages and links stay as they were)."""

from django.urls import include, path

app_name = "registry"
urlpatterns = [
    path("", include("childfirst.registry.children.urls")),
    path("", include("childfirst.registry.casework.urls")),
    path("", include("childfirst.registry.referrals.urls")),
    path("", include("childfirst.registry.mandatory.urls")),
    path("", include("childfirst.registry.cards.urls")),
    path("", include("childfirst.homes.urls")),
]
