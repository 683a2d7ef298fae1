from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.core.wsgi import get_wsgi_application
from django.utils.translation import gettext as _

from childfirst.migrating import ensure_migrated


class Command(BaseCommand):
    help = "Run the web app with a production WSGI server (waitress)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args: Any, host: str, port: int, threads: int, **options: Any) -> None:
        import waitress

        ensure_migrated()
        shown = f"[{host}]" if ":" in host else host
        self.stdout.write(
            _("ChildFirst is serving on http://%(host)s:%(port)d/ (Ctrl-C stops it)") % {"host": shown, "port": port}
        )
        self.stdout.flush()
        waitress.serve(get_wsgi_application(), host=host, port=port, threads=threads, ident="childfirst")
