from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from childfirst.plans.schema import PlanFile


class Command(BaseCommand):
    help = "Print the JSON Schema of plan files."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(json.dumps(PlanFile.model_json_schema(), ensure_ascii=False, indent=2))
