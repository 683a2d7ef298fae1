from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from childfirst.demo.load import DEMO_PASSWORD, demo_users, load_demo
from childfirst.migrating import ensure_migrated


class Command(BaseCommand):
    help = "Load the shipped plan, areas, synthetic demo data and one demo account per role (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_migrated()
        counts = load_demo()
        self.stdout.write(
            _("Demo loaded: %(indicators)d indicators in the catalogue; all communities and accounts are synthetic.")
            % counts
        )
        self.stdout.write(_("Demo logins (password for all: %(password)s):") % {"password": DEMO_PASSWORD})
        for account in demo_users():
            if account.department:
                scope = account.department.name
            else:
                assert account.area is not None  # every demo account has a department or an area
                scope = account.area.name
            self.stdout.write(f"  {account.username:<18} {account.role_label}（{scope}）")
