from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _load_categories(sender: object, **kwargs: object) -> None:
    """The categories of child are data (data/categories.yaml): every migrated database has them."""
    from .children.categories import load_categories

    load_categories()


class RegistryConfig(AppConfig):
    name = "childfirst.registry"
    verbose_name = _("Children's registry")

    def ready(self) -> None:
        post_migrate.connect(_load_categories, sender=self, dispatch_uid="registry-load-categories")
        # The registry's aggregate counts are offered to the departments as prefills (counts only).
        from childfirst.collection.prefill import register_prefill_source
        from childfirst.registry.aggregates import SOURCE, prefills

        register_prefill_source(SOURCE, prefills, _("From the children's information platform"), "儿童信息平台汇总")
        # What the office may publish (good practices) is refused when it names a child on file.
        from childfirst.implementation.personal_data import register_personal_data_check
        from childfirst.registry.children.personal_data import WHAT, texts_naming_a_child

        register_personal_data_check("registry-names", texts_naming_a_child, WHAT)
