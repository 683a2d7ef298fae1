"""State changes of a batch of contact cards: requested (audited), taken up by the worker, finished
with its PDF and every child's print in the access log (one transaction), failed."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from childfirst.accounts.audit import record
from childfirst.accounts.models import User
from childfirst.areas.models import Area
from childfirst.linkage.keys import encrypt_bytes
from childfirst.registry.children.access import log_access
from childfirst.registry.models import Child

from .models import BatchState, CardBatch

logger = logging.getLogger(__name__)


def do_request_batch(
    user: User, community: Area, purpose: str, *, limit: int | None = None, enqueue: bool = True
) -> CardBatch:
    """Queue the printing of `community`'s cards for `user` (whose right to the community the view
    has checked); the worker takes it up once this commits."""
    now = timezone.now()
    with transaction.atomic():
        batch = CardBatch.objects.create(
            community=community,
            purpose=purpose[:200],
            requested_by=user,
            requested_at=now,
            updated_at=now,
            limit=limit,
            language=translation.get_language() or "zh-hans",
            step=_("Waiting for the worker"),
        )
        record("registry.cards_request", actor=user, obj=batch, area_code=community.code)
        if enqueue:
            transaction.on_commit(lambda: _enqueue(batch.pk))
    return batch


def _enqueue(batch_id: int) -> None:
    from .tasks import print_card_batch

    try:
        print_card_batch(batch_id)
    except Exception:
        logger.exception("card batch %s could not be queued", batch_id)
        do_fail_batch(batch_id, _("The cards could not be queued for printing. Try again later."))


@transaction.atomic
def do_start_batch(batch_id: int) -> CardBatch | None:
    """The worker takes up a queued batch; None when there is nothing to do (gone or taken)."""
    batch = (
        CardBatch.objects.select_for_update().select_related("community", "requested_by").filter(pk=batch_id).first()
    )
    if batch is None or batch.state != BatchState.QUEUED:
        return None
    batch.state = BatchState.RUNNING
    batch.updated_at = timezone.now()
    batch.save(update_fields=["state", "updated_at"])
    return batch


def note_progress(batch_id: int, percent: int, step: str) -> None:
    """The worker's progress report. Not a change of state, so not audited."""
    CardBatch.objects.filter(pk=batch_id, state=BatchState.RUNNING).update(
        progress=max(0, min(100, int(percent))), step=str(step)[:200], updated_at=timezone.now()
    )


def do_finish_batch(batch: CardBatch, children: list[Child], pdf: bytes) -> None:
    """Store the PDF and write every child's print to the access log, together: a card that could
    not be logged is not handed out."""
    nonce, ciphertext = encrypt_bytes(pdf)
    with transaction.atomic():
        log_access(batch.requested_by, children, "print", purpose=batch.purpose)
        now = timezone.now()
        CardBatch.objects.filter(pk=batch.pk).update(
            state=BatchState.DONE,
            progress=100,
            step=_("Done"),
            cards=len(children),
            pdf_nonce=nonce,
            pdf_ciphertext=ciphertext,
            updated_at=now,
            finished_at=now,
        )
        record(
            "registry.cards_print",
            actor=batch.requested_by,
            obj=batch,
            area_code=batch.community.code,
            cards=len(children),
        )


def do_fail_batch(batch_id: int, message: str) -> None:
    with transaction.atomic():
        batch = CardBatch.objects.select_for_update().select_related("community").filter(pk=batch_id).first()
        if batch is None or batch.state == BatchState.DONE:
            return
        now = timezone.now()
        CardBatch.objects.filter(pk=batch_id).update(
            state=BatchState.FAILED, error=message, updated_at=now, finished_at=now
        )
        record("registry.cards_fail", obj=batch, area_code=batch.community.code)


# A batch's PDF names children: it waits for its requester this long, then `childfirst cleanup` drops it.
PDF_HOURS = 24


def do_drop_old_pdfs(now: datetime.datetime, hours: int = PDF_HOURS, *, dry_run: bool = False) -> int:
    """Drop the PDFs of batches finished more than `hours` ago (the rows stay, for the record);
    returns how many."""
    old = CardBatch.objects.filter(finished_at__lt=now - datetime.timedelta(hours=hours), pdf_ciphertext__isnull=False)
    count = old.count()
    if count and not dry_run:
        with transaction.atomic():
            old.update(pdf_nonce=None, pdf_ciphertext=None)
            record("registry.cards_pdf_drop", batches=count, hours=hours)
    return count
