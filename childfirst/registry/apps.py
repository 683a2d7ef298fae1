from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _load_categories(sender, **kwargs) -> None:  # type: ignore[no-untyped-def]
    """The categories of child are data (data/categories.yaml): every migrated database has them."""
    from .categories import load_categories

    load_categories()


class RegistryConfig(AppConfig):
    name = "childfirst.registry"
    verbose_name = _("Children's registry")

    def ready(self) -> None:
        post_migrate.connect(_load_categories, sender=self, dispatch_uid="registry-load-categories")
