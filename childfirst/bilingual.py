"""Names kept in Chinese and English; the interface shows the one of the active language."""

from __future__ import annotations

from django.utils.translation import get_language


class BilingualName:
    """`display_name` picks the English name when English is active and one exists."""

    name: str
    name_en: str

    @property
    def display_name(self) -> str:
        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name
