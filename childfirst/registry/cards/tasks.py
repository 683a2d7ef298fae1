"""The worker's part of a batch of contact cards: read the community's children, typeset their cards,
store the PDF and log every print, reporting progress on the batch's row. `run_card_batch` is the
whole of it and can be called directly (tests, bench)."""

from __future__ import annotations

import logging

from django.utils import translation
from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task

from childfirst.registry.models import Child

from .actions import do_fail_batch, do_finish_batch, do_start_batch, note_progress

logger = logging.getLogger(__name__)


def run_card_batch(batch_id: int) -> None:
    batch = do_start_batch(batch_id)
    if batch is None:
        return
    with translation.override(batch.language):
        try:
            from .printing import build_cards, render_pdf

            note_progress(batch.pk, 5, _("Reading the children's files"))
            # The requester's view of the community now, as the page showed it: active children on file.
            children = list(
                Child.objects.visible_to(batch.requested_by)
                .active()
                .filter(residence_area=batch.community)
                .select_related("residence_area")
                .order_by("name_sort", "pk")
            )
            if batch.limit is not None:
                children = children[: batch.limit]
            if not children:
                do_fail_batch(batch.pk, _("No child on file lives in this community."))
                return
            cards = build_cards(children)
            note_progress(batch.pk, 30, _("Typesetting %(count)d cards") % {"count": len(cards)})
            pdf = render_pdf(cards)
            note_progress(batch.pk, 80, _("Recording the prints in the children's access logs"))
            do_finish_batch(batch, children, pdf)
        except Exception:
            # The details are for whoever runs the system (the log); the user gets a plain reason.
            logger.exception("card batch %s failed", batch_id)
            do_fail_batch(
                batch_id,
                _(
                    "The cards could not be printed because of an internal error. Give the "
                    "administrator this number: %(id)d."
                )
                % {"id": batch_id},
            )


@db_task()
def print_card_batch(batch_id: int) -> None:
    run_card_batch(batch_id)
