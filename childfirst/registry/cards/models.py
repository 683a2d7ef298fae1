"""A community's batch of contact cards, printed by the worker (a huey task) while the page shows
its progress; the PDF waits encrypted on the row until its requester downloads it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from childfirst.areas.models import Area


class BatchState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Printing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class CardBatch(models.Model):
    community = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("community"))
    purpose = models.CharField(_("purpose of printing"), max_length=200)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"))
    state = models.CharField(_("state"), max_length=10, choices=BatchState.choices, default=BatchState.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (percent)"), default=0)
    step = models.CharField(_("current step"), max_length=200, blank=True)
    # The requester's language, so that the steps the worker writes read in it.
    language = models.CharField(max_length=10, default="zh-hans")
    # At most this many cards (the first in the order of the children's names); none: all. For the bench.
    limit = models.PositiveIntegerField(null=True, blank=True)
    cards = models.PositiveIntegerField(_("cards"), default=0)
    error = models.TextField(_("error"), blank=True)
    updated_at = models.DateTimeField(_("last progress at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # The PDF names children: AES-GCM under the linkage's file key, as every file in transit.
    pdf_nonce = models.BinaryField(null=True, editable=False)
    pdf_ciphertext = models.BinaryField(null=True, editable=False)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("batch of contact cards")
        verbose_name_plural = _("batches of contact cards")

    def __str__(self) -> str:
        return f"cards {self.community_id} ({self.state})"

    @property
    def has_pdf(self) -> bool:
        return self.pdf_ciphertext is not None

    @property
    def is_active(self) -> bool:
        return self.state in (BatchState.QUEUED, BatchState.RUNNING)
