from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from childfirst.accounts.models import User
from childfirst.collection.excel_import import Problem, check_size, import_workbook
from childfirst.migrating import ensure_migrated
from childfirst.plans.commands import plan_from_option


class Command(BaseCommand):
    help = "Validate a filled-in Excel template and, if nothing is wrong, save its values as a draft."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the filled-in .xlsx template")
        parser.add_argument("--user", help="the reporter uploading it (a reporter of the template's department)")
        parser.add_argument(
            "--as-system", action="store_true", help="save as the system, without a user (administrators only)"
        )
        parser.add_argument(
            "--plan", help="plan code; the template names its own plan, and a template of another plan is refused"
        )

    def handle(self, *args: Any, file: str, user: str | None, as_system: bool, **options: Any) -> None:
        ensure_migrated()
        # The template records its plan, so no plan need be chosen; a code given must be a loaded plan's.
        plan = plan_from_option(options["plan"]).code if options["plan"] else None
        if bool(user) == as_system:
            raise CommandError(_("Name the reporter with --user NAME, or use --as-system (not both)."))
        actor = None
        if user:
            actor = User.objects.filter(username=user, is_active=True).select_related("department").first()
            if actor is None:
                raise CommandError(_("There is no active user %(name)s.") % {"name": user})
        path = Path(file)
        try:
            size = path.stat().st_size
            too_big = check_size(size)
            content = b"" if too_big else path.read_bytes()
        except OSError as exc:
            raise CommandError(_("cannot read the file: %(reason)s") % {"reason": exc.strerror}) from None
        if too_big:
            raise _failed([too_big])
        result = import_workbook(content, user=actor, file_name=path.name, plan=plan)
        if not result.ok:
            raise _failed(result.errors)
        assert result.submission is not None  # a workbook saved without errors names its submission
        self.stdout.write(
            _(
                "Saved as a draft of %(department)s, %(year)s: %(rows)d rows read, %(created)d values new, "
                "%(updated)d changed, %(unchanged)d unchanged."
            )
            % {
                "department": result.submission.department.name,
                "year": result.submission.round.year,
                "rows": result.rows,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            }
        )
        if result.notices:
            self.stdout.write(_("Please check:"))
            for notice in result.notices:
                self.stdout.write(f"  {notice}")


def _failed(problems: list[Problem]) -> CommandError:
    header = _("%(count)d problem(s) found; nothing was saved:") % {"count": len(problems)}
    return CommandError("\n".join([header, *(f"  {problem}" for problem in problems)]))
