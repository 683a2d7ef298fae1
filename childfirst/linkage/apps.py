from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LinkageConfig(AppConfig):
    name = "childfirst.linkage"
    label = "linkage"
    verbose_name = _("Record linkage")

    def ready(self) -> None:
        # Coverage (counts per street, never a child) is offered to the departments as prefills.
        from childfirst.collection.prefill import register_prefill_source

        from .coverage import SOURCE, prefills

        register_prefill_source(SOURCE, prefills, _("From the linked department lists"), "部门名单比对覆盖率")
