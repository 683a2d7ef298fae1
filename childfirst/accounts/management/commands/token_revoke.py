from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from childfirst.accounts.models import ApiToken
from childfirst.accounts.tokens import TokenError, do_revoke_token
from childfirst.migrating import ensure_migrated


class Command(BaseCommand):
    help = "Revoke an API token, named by its prefix (the first 8 characters of its secret)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_migrated()
        token = ApiToken.objects.filter(prefix=options["prefix"][:8]).select_related("user").first()
        if token is None:
            raise CommandError(_("No API token %(prefix)s.") % {"prefix": options["prefix"]})
        try:
            do_revoke_token(None, token)
        except (PermissionDenied, TokenError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            _("Revoked token %(prefix)s of %(name)s.") % {"prefix": token.prefix, "name": token.user.username}
        )
