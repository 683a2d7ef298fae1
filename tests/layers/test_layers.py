"""The parts' imports point one way (DESIGN.md, "Data flows one way"): every module under
childfirst/ is read with `ast`, and each app may import only apps at or below its own layer.
Imports under `if TYPE_CHECKING:` are for annotations only and are exempt."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "childfirst"

# Each app's layer; an app may import apps whose layer is at most its own.
LAYER = {
    "plans": 0,
    "areas": 0,
    "accounts": 1,
    "notifications": 1,  # the inbox: every part above writes to it
    "collection": 2,
    "evaluation": 3,
    "implementation": 3.5,  # section 四: reads the evaluation, feeds the reports
    "reports": 4,
    "registry": 5,  # but see REGISTRY_MAY_IMPORT
    "homes": 5,
    "linkage": 5,
    "web": 9,
    "demo": 9,
}
# Registry and homes feed collection counts only: besides plans, areas and accounts they may use
# collection's prefill API (the registration of their source, and the command that applies it).
# (notifications, at the accounts layer, is below collection too: the registry writes to the inbox.)
LOWER_THAN_COLLECTION = {"plans", "areas", "accounts", "notifications"}
PREFILL_API = {"childfirst.collection.prefill"}
# The same kind of door in implementation: the registry offers its check for children's names on what
# may be published (good practices) through `register_personal_data_check`, and nothing else.
PREFILL_API |= {"childfirst.implementation.personal_data"}
# The one registry module that goes further: the command that applies the counts to a department's
# draft goes through collection's normal save path (its actions, the round and the expected cells).
APPLIES_COUNTS = {
    ("childfirst.registry.management.commands.registry_aggregates", "childfirst.collection.actions"),
    ("childfirst.registry.management.commands.registry_aggregates", "childfirst.collection.models"),
    ("childfirst.registry.management.commands.registry_aggregates", "childfirst.collection.scope"),
}
FEEDS_COLLECTION = {"registry", "homes"}
# Modules at the package's top: shared helpers every app may use (they import no app), and the
# project's shell (settings, URLs, the console command, the API root), above every app but the demo.
SHARED = {"bilingual", "confirm", "datafile", "datafile_command", "migrating", "spreadsheet", "typesetting"}
SHELL = {"__init__", "__main__", "api", "cli", "settings", "urls", "wsgi"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def runtime_imports(path: Path) -> list[tuple[int, str]]:
    """(line, imported module) for every import that runs, wherever it is (lazy imports count)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.append((node.lineno, target))
            # `from childfirst import demo` imports the module childfirst.demo.
            found.extend((node.lineno, f"{target}.{alias.name}") for alias in node.names if target == "childfirst")
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def part_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "childfirst" or len(parts) < 2:
        return None
    return parts[1]


def refusal(importer: str, imported: str) -> str | None:
    """Why `importer` may not import `imported`, or None when it may."""
    mine, theirs = part_of(importer), part_of(imported)
    if theirs is None or mine == theirs:
        return None
    if theirs == "demo":
        return "nothing in the product imports the demo"
    if theirs in SHARED:
        return None
    if mine in SHARED:
        return "shared helpers import no app"
    if mine in SHELL:
        return None
    if theirs in SHELL:
        return "apps do not import the project's shell"
    if theirs not in LAYER or mine not in LAYER:
        return f"unknown part {theirs if theirs not in LAYER else mine}: add it to LAYER"
    if mine in FEEDS_COLLECTION:
        if (importer, imported) in APPLIES_COUNTS:
            return None
        allowed = theirs in LOWER_THAN_COLLECTION | FEEDS_COLLECTION | {"linkage"}
        if allowed or any(imported == api or imported.startswith(f"{api}.") for api in PREFILL_API):
            return None
        return f"{mine} feeds collection counts only (through collection's prefill API)"
    if LAYER[theirs] > LAYER[mine]:
        return f"{mine} (layer {LAYER[mine]}) may not import {theirs} (layer {LAYER[theirs]})"
    return None


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def test_the_walk_sees_the_apps():
    parts = {part_of(module_name(p)) for p in MODULES}
    assert {"plans", "areas", "accounts", "collection", "evaluation", "reports", "web", "demo"} <= parts


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE.parent)))
def test_imports_point_down(path):
    importer = module_name(path)
    problems = [
        f"{path.relative_to(PACKAGE.parent)}:{line} imports {imported}: {why}"
        for line, imported in runtime_imports(path)
        if (why := refusal(importer, imported))
    ]
    assert not problems, "\n".join(problems)


def test_the_rule_itself():
    assert refusal("childfirst.plans.views", "childfirst.accounts.decorators")
    assert refusal("childfirst.plans.views", "childfirst.reports.opendata")
    assert refusal("childfirst.collection.prefill", "childfirst.registry.aggregates")
    assert refusal("childfirst.web.views", "childfirst.demo.load")
    assert refusal("childfirst.registry.aggregates", "childfirst.evaluation.models")
    assert refusal("childfirst.registry.aggregates", "childfirst.collection.models")
    assert not refusal("childfirst.registry.aggregates", "childfirst.collection.prefill")
    assert not refusal("childfirst.registry.apps", "childfirst.implementation.personal_data")
    assert refusal("childfirst.registry.apps", "childfirst.implementation.models")
    assert not refusal("childfirst.evaluation.views", "childfirst.collection.models")
    assert not refusal("childfirst.demo.load", "childfirst.registry.models")
    assert not refusal("childfirst.urls", "childfirst.web.views")


# The district's name and code and the plan's indicator codes (XXX-nn), which only the demo and the
# plans' data files may name: the product runs any district's plan loaded as data.
PLAN_SPECIFIC = re.compile(r"鹿城|330302|\b(?:FAM|HEA|SAF|EDU|WEL|LAW|ENV)-\d+")


def test_no_python_outside_the_demo_names_the_district_or_an_indicator():
    found = [
        f"{path.relative_to(PACKAGE.parent)}:{number}: {line.strip()}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.relative_to(PACKAGE).parts[0] != "demo" and "data" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if PLAN_SPECIFIC.search(line)
    ]
    assert not found, "\n".join(found)


def test_the_plan_specific_pattern_itself():
    assert PLAN_SPECIFIC.search('code = "HEA-04"') and PLAN_SPECIFIC.search("鹿城区") and PLAN_SPECIFIC.search("330302")
    assert not PLAN_SPECIFIC.search("HEALTH-2025") and not PLAN_SPECIFIC.search("XY-04")
