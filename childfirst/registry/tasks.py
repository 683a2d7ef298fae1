"""The registry's background tasks, here so that huey's autodiscovery (`<app>.tasks`) finds them."""

from .cards.tasks import print_card_batch  # noqa: F401
