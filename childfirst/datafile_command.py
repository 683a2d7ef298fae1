"""How commands report a bad data file: every problem, then a clear 'nothing was changed'."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from childfirst.datafile import DataFileInvalid


def invalid_file_error(exc: DataFileInvalid) -> CommandError:
    header = _("%(count)d problem(s) found; nothing was changed:") % {"count": len(exc.problems)}
    return CommandError("\n".join([header, *(f"  {problem}" for problem in exc.problems)]))
