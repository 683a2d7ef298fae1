from __future__ import annotations

import datetime
import getpass
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from childfirst.accounts.actions import do_create_user
from childfirst.accounts.models import Role, User
from childfirst.areas.models import Area
from childfirst.migrating import ensure_migrated
from childfirst.plans.models import Department


class Command(BaseCommand):
    help = "Create an account with a role and scope. The password is asked for (or read from stdin)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=[r.value for r in Role])
        parser.add_argument("--name", default="", help="full name shown in the interface")
        parser.add_argument("--department", help="department code (reporters and reviewers)")
        parser.add_argument("--area", help="area code the account is limited to")
        parser.add_argument("--phone", default="", help="work phone, printed on children's contact cards")
        parser.add_argument("--expires", help="last day of access, YYYY-MM-DD (required for evaluators)")
        parser.add_argument("--password-stdin", action="store_true", help="read the password from standard input")

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_migrated()
        if User.objects.filter(username=options["username"]).exists():
            raise CommandError(_("User name %(name)s is taken.") % {"name": options["username"]})
        department = area = expires = None
        if options["department"]:
            department = Department.objects.filter(code=options["department"]).first()
            if department is None:
                raise CommandError(_("unknown department %(code)s") % {"code": options["department"]})
        if options["area"]:
            area = Area.objects.filter(code=options["area"]).first()
            if area is None:
                raise CommandError(_("Unknown area %(code)s.") % {"code": options["area"]})
        if options["expires"]:
            try:
                day = datetime.date.fromisoformat(options["expires"])
            except ValueError:
                raise CommandError(_("--expires must be a date like 2026-12-31.")) from None
            expires = timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time()))
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass(_("Password: "))
            if getpass.getpass(_("Password (again): ")) != password:
                raise CommandError(_("The two passwords differ."))
        try:
            user = do_create_user(
                None,
                username=options["username"],
                password=password,
                role=Role(options["role"]),
                full_name=options["name"],
                department=department,
                area=area,
                access_expires_at=expires,
                phone=options["phone"],
            )
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from None
        self.stdout.write(_("Created %(name)s (%(role)s).") % {"name": user.username, "role": user.role_label})
