from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from childfirst.accounts.models import User
from childfirst.accounts.tokens import TokenError, do_create_token
from childfirst.migrating import ensure_migrated


class Command(BaseCommand):
    help = "Make an API token for a user. The secret is printed once and cannot be shown again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="what the token is for, e.g. the client program")
        parser.add_argument("--expires", help="last day the token works, YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_migrated()
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(_("No user %(name)s.") % {"name": options["username"]})
        expires = None
        if options["expires"]:
            try:
                day = datetime.date.fromisoformat(options["expires"])
            except ValueError:
                raise CommandError(_("--expires must be a date like 2026-12-31.")) from None
            # The named day is the last one the token works: it lapses at the following midnight.
            expires = timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time()))
        try:
            token, secret = do_create_token(None, user, name=options["name"], expires_at=expires)
        except (PermissionDenied, TokenError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(secret)
        # Shown as the last minute it works, so that "--expires 2026-12-31" reads back as that day.
        last = token.expires_at - datetime.timedelta(minutes=1) if token.expires_at else None
        until = timezone.localtime(last).strftime("%Y-%m-%d %H:%M") if last else _("no expiry")
        self.stderr.write(
            _(
                "Token %(prefix)s for %(name)s (%(until)s). The secret above is shown only now: "
                "keep it safe; send it as the header Authorization: Bearer <secret>."
            )
            % {"prefix": token.prefix, "name": user.username, "until": until}
        )
