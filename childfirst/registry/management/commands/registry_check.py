from __future__ import annotations

from typing import Any

from cryptography.exceptions import InvalidTag
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count
from django.utils.translation import gettext as _

from childfirst.migrating import ensure_migrated
from childfirst.registry.children import crypto
from childfirst.registry.children.idnumber import parse_id_number
from childfirst.registry.models import Child, ChildCategory, ChildStatus


class Command(BaseCommand):
    help = (
        "Check the children's registry: files by status and category, files without an ID number, and every "
        "stored ID number decrypted and re-checked (GB 11643, agreement with sex and date of birth, look-up hash). "
        "Prints file numbers only, never names or ID numbers. Exit status 1 when a problem is found."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--show", type=int, default=20, help="list at most this many problem file numbers")

    def handle(self, *args: Any, show: int, **options: Any) -> None:
        ensure_migrated()
        by_status = dict(Child.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
        self.stdout.write(
            _("Files: %(active)d active, %(exited)d closed.")
            % {"active": by_status.get(ChildStatus.ACTIVE, 0), "exited": by_status.get(ChildStatus.EXITED, 0)}
        )
        current = (
            ChildCategory.objects.current()
            .filter(child__status=ChildStatus.ACTIVE)
            .values_list("type__code", "type__name")
            .annotate(n=Count("child", distinct=True))
            .order_by("type__order")
        )
        for code, name, count in current:
            self.stdout.write(f"  {name} ({code}): {count}")
        without = Child.objects.filter(id_hash__isnull=True).count()
        self.stdout.write(_("Files without an ID number: %(count)d") % {"count": without})
        problems: list[tuple[int, str]] = []
        rows = Child.objects.filter(id_hash__isnull=False).values_list(
            "pk", "id_nonce", "id_ciphertext", "id_hash", "birth_date", "sex"
        )
        for pk, nonce, ciphertext, stored_hash, birth_date, sex in rows.iterator(chunk_size=2000):
            try:
                number = crypto.decrypt(nonce, ciphertext)
            except InvalidTag:
                problems.append((pk, _("cannot be decrypted (wrong key?)")))
                continue
            try:
                parse_id_number(number, birth_date=birth_date, sex=sex)
            except ValidationError as exc:
                problems.append((pk, "; ".join(exc.messages)))
            if crypto.lookup_hash(number) != stored_hash:
                problems.append((pk, _("the look-up hash does not match (wrong key?)")))
        self.stdout.write(_("ID numbers with a problem: %(count)d") % {"count": len(problems)})
        for pk, problem in problems[:show]:
            self.stdout.write(_("  file %(pk)s: %(problem)s") % {"pk": pk, "problem": problem})
        if problems:
            raise CommandError(_("%(count)d ID numbers need attention.") % {"count": len(problems)}, returncode=1)
