from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from childfirst.accounts.models import User
from childfirst.migrating import ensure_migrated


class Command(BaseCommand):
    help = "List accounts with role and scope."

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_migrated()
        for user in User.objects.select_related("department", "area").order_by("role", "username"):
            scope = user.department.name if user.department else (user.area.name if user.area else "—")
            flags = " [demo]" if user.is_demo else ""
            self.stdout.write(f"{user.username:<20} {user.role_label:<12} {scope}{flags}")
