from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from childfirst.accounts.models import Role, User
from childfirst.areas.models import Area
from childfirst.collection.actions import CollectionError, ValuesRejected
from childfirst.collection.models import ReportingRound
from childfirst.collection.prefill import Prefill, apply_prefills, describe
from childfirst.collection.scope import expected_for
from childfirst.datafile import DataFileInvalid
from childfirst.homes.coverage import coverage
from childfirst.migrating import ensure_migrated
from childfirst.plans.commands import plan_from_option
from childfirst.plans.models import Indicator, Plan
from childfirst.registry.aggregates import (
    check_mapping,
    children_by_category,
    prefills,
    read_mapping,
    recounted_by_category,
)
from childfirst.registry.aggregates import reading_day as _day
from childfirst.registry.models import CategoryType
from childfirst.registry.tally import maintain as tally


class Command(BaseCommand):
    help = (
        "The registry's aggregate counts for a year (children by category and street, children's homes' coverage) "
        "and the values they suggest for the plan's indicators (data/aggregates.yaml). With --apply --user U, fill "
        "them into U's department's draft through the normal save path; a value someone entered is never replaced, "
        "a different one is reported. Counts only: no child is named."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, help="the data year")
        parser.add_argument("--plan", help="plan code (without it: the only plan loaded)")
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.add_argument("--check", action="store_true", help="only validate data/aggregates.yaml")
        parser.add_argument(
            "--rebuild", action="store_true", help="recount the count table from the child files (after bulk writes)"
        )
        parser.add_argument(
            "--verify", action="store_true", help="say whether the count table agrees with a recount of the files"
        )
        parser.add_argument("--apply", action="store_true", help="fill the suggestions into the draft")
        parser.add_argument("--user", help="the department reporter who fills them (with --apply)")

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_migrated()
        if options["check"]:
            self._check()
            return
        if options["rebuild"]:
            rows = tally.rebuild()
            self.stdout.write(_("Count table recounted from the files: %(rows)d row(s).") % {"rows": rows})
            return
        if options["verify"]:
            self._verify(options["plan"], options["year"])
            return
        if options["year"] is None:
            raise CommandError(_("Give the year: --year 2025."))
        if options["apply"] and not options["user"]:
            raise CommandError(_("--apply needs --user: the department reporter who fills the values."))
        plan = plan_from_option(options["plan"])
        year = options["year"]
        try:
            mapping = read_mapping().plans.get(plan.code, {})
        except DataFileInvalid as exc:
            raise CommandError(str(exc)) from None
        found = {(p.indicator, p.area): p for p in prefills(plan, year, mapping)}
        if options["apply"]:
            self._apply(plan, year, options["user"], list(found.values()))
            return
        if options["json"]:
            self.stdout.write(json.dumps(self._payload(plan, year, found), ensure_ascii=False, indent=2))
            return
        self._print(plan, year, found)

    def _check(self) -> None:
        try:
            problems = check_mapping()
        except DataFileInvalid as exc:
            raise CommandError(str(exc)) from None
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(_("%(count)d problem(s) in the aggregates file.") % {"count": len(problems)})
        self.stdout.write(_("The aggregates file is valid."))

    def _verify(self, plan_code: str | None, year: int | None) -> None:
        """The table against a recount of its rows, and (with a plan) a year's figures read from it
        against the same figures counted from the files. Counts only in the output."""
        wrong = tally.differences()
        for (community, tops, first, last), stored, counted in wrong[:20]:
            self.stderr.write(f"  area {community} [{tops}] {first}–{last}: {stored} ≠ {counted}")
        mismatched = 0
        if plan_code or year:
            plan = plan_from_option(plan_code)
            year = year or timezone.localdate().year
            read, recounted = children_by_category(plan.area, year), recounted_by_category(plan.area, year)
            mismatched = sum(read[code] != recounted.get(code) for code in read)
        if wrong or mismatched:
            raise CommandError(
                _("The count table disagrees with the files: %(rows)d row(s), %(lines)d category line(s). "
                  "Run --rebuild.") % {"rows": len(wrong), "lines": mismatched}
            )  # fmt: skip
        self.stdout.write(_("The count table agrees with the files."))

    def _payload(self, plan: Plan, year: int, found: dict[tuple[str, str], Prefill]) -> dict:
        def number(n: Decimal | None) -> str | None:
            return None if n is None else format(n.normalize(), "f")

        homes = coverage(plan.area, _day(year))
        return {
            "plan": plan.code,
            "year": year,
            "children_by_category": children_by_category(plan.area, year),
            "homes": {
                s.street.code: {
                    "communities": s.communities,
                    "with_home": s.with_home,
                    "meeting_standard": s.meeting_standard,
                    "demonstration": s.demonstration,
                }
                for s in homes.streets
            },
            "prefills": [
                {
                    "indicator": p.indicator,
                    "area": p.area,
                    "value": number(p.value),
                    "numerator": number(p.numerator),
                    "denominator": number(p.denominator),
                }
                for p in found.values()
            ],
        }

    def _print(self, plan: Plan, year: int, found: dict[tuple[str, str], Prefill]) -> None:
        streets = list(Area.objects.within(plan.area).streets().valid_on(_day(year)))
        names = dict(CategoryType.objects.values_list("code", "name"))
        self.stdout.write(_("Children by category and street, %(year)s:") % {"year": year})
        table = children_by_category(plan.area, year)
        self.stdout.write("  " + "\t".join([_("category"), *[s.name for s in streets], _("total")]))
        for code, by_street in table.items():
            counts = [by_street.get(s.code, 0) for s in streets]
            self.stdout.write("  " + "\t".join([names.get(code, code), *map(str, counts), str(sum(counts))]))
        homes = coverage(plan.area, _day(year))
        self.stdout.write(_("Children's homes on %(day)s:") % {"day": homes.day.isoformat()})
        for s in homes.streets:
            self.stdout.write(
                f"  {s.street.name}\t{_('communities')} {s.communities}\t{_('with a home')} {s.with_home}\t"
                f"{_('meeting 五有')} {s.meeting_standard}\t{_('demonstration')} {s.demonstration}"
            )
        self.stdout.write(_("Suggested values (%(count)d):") % {"count": len(found)})
        units = dict(Indicator.objects.filter(plan=plan).values_list("code", "unit"))
        for prefill in found.values():
            self.stdout.write(f"  {prefill.indicator}\t{prefill.area}\t{describe(prefill, units[prefill.indicator])}")

    def _apply(self, plan: Plan, year: int, username: str, found: list[Prefill]) -> None:
        user = User.objects.filter(username=username, is_active=True).select_related("department").first()
        if user is None or user.role != Role.DEPT_REPORTER or user.department is None:
            raise CommandError(_("%(user)s is not an active department reporter.") % {"user": username})
        reporting_round = ReportingRound.objects.filter(plan=plan, year=year).first()
        if reporting_round is None:
            raise CommandError(_("There is no %(year)s round.") % {"year": year})
        submission = reporting_round.submissions.filter(department=user.department).first()
        expected = expected_for(plan, year, user.department) if submission else None
        cells = {(i.code, a.code) for i, a in expected.cells()} if expected else set()
        mine = [p for p in found if (p.indicator, p.area) in cells]
        others = sorted({p.indicator for p in found} - {p.indicator for p in mine})
        if others:
            self.stdout.write(
                _("Not for %(department)s (another department reports them): %(codes)s")
                % {"department": user.department.name, "codes": ", ".join(others)}
            )
        if not mine:
            self.stdout.write(_("Nothing to fill for %(department)s.") % {"department": user.department.name})
            return
        assert submission is not None  # without one, `cells` and so `mine` are empty
        try:
            result = apply_prefills(user, submission, mine)
        except ValuesRejected as exc:
            raise CommandError("\n".join([str(exc), *map(str, exc.findings)])) from None
        except (CollectionError, PermissionDenied) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            _("Filled %(filled)d value(s); %(same)d already entered the same; %(conflicts)d entered differently "
              "(left as entered); %(partial)d with one part of a rate only (for the entry page).")
            % {"filled": len(result.filled), "same": len(result.same), "conflicts": len(result.conflicts),
               "partial": len(result.partial)}
        )  # fmt: skip
        for prefill, stored in result.conflicts:
            entered = stored.value if stored.value is not None else stored.missing_reason
            self.stdout.write(
                "  "
                + _("%(indicator)s %(area)s: entered %(entered)s, the registry counts %(suggested)s")
                % {"indicator": prefill.indicator, "area": prefill.area, "entered": entered,
                   "suggested": describe(prefill, stored.indicator.unit)}
            )  # fmt: skip
