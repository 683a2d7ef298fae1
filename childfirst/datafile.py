"""Reading the YAML data files (plans, areas) with a schema and precise error locations.

A file is parsed once into plain data plus a map from every key path to its line and
column, validated with a pydantic model, and every problem is reported with its place in
the file in the active language. Nothing here raises a traceback at the user: callers get
a `DataFileInvalid` holding the full list of problems.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pydantic
import yaml
from django.utils.translation import gettext as _

Path_ = tuple[str | int, ...]
Model = TypeVar("Model", bound=pydantic.BaseModel)


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    column: int | None
    path: Path_
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}:{self.column}"
        dotted = dotted_path(self.path)
        return f"{where}: {dotted + ': ' if dotted else ''}{self.message}"


class DataFileInvalid(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def dotted_path(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class _Marks:
    """Line/column of every node, by key path, gathered while walking the composed YAML."""

    def __init__(self) -> None:
        self.at: dict[Path_, tuple[int, int]] = {}
        self.duplicates: list[tuple[Path_, int, int]] = []

    def walk(self, node: yaml.Node, path: Path_ = ()) -> None:
        self.at[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                key = str(key_node.value)
                if key in seen:
                    self.duplicates.append(
                        (path + (key,), key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                    )
                seen.add(key)
                self.walk(value_node, path + (key,))
                # A missing-key error points at the mapping; an error on the key points at the key.
                self.at.setdefault(path + (key,), (key_node.start_mark.line + 1, key_node.start_mark.column + 1))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self.walk(item, path + (index,))

    def locate(self, path: Path_) -> tuple[int | None, int | None]:
        for cut in range(len(path), -1, -1):
            if path[:cut] in self.at:
                return self.at[path[:cut]]
        return None, None


class DataFile:
    """A parsed YAML file: `data` plus where each part of it stands."""

    def __init__(self, name: str, data: Any, marks: _Marks):
        self.name = name
        self.data = data
        self._marks = marks

    @classmethod
    def read(cls, path: Path | str) -> DataFile:
        path = Path(path)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise DataFileInvalid(
                [
                    Problem(
                        str(path),
                        None,
                        None,
                        (),
                        _("cannot read the file: %(reason)s") % {"reason": exc.strerror},
                    )
                ]
            ) from None
        return cls.parse(raw, str(path))

    @classmethod
    def parse(cls, raw: bytes, name: str) -> DataFile:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            message = _("the file is not UTF-8 text (byte %(position)d)") % {"position": exc.start}
            raise DataFileInvalid([Problem(name, None, None, (), message)]) from None
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
            reason = f"{exc.context or ''} {exc.problem or ''}".strip()
            message = _("YAML syntax error: %(reason)s") % {"reason": reason}
            raise DataFileInvalid([Problem(name, line, column, (), message)]) from None
        except yaml.YAMLError as exc:
            raise DataFileInvalid(
                [Problem(name, None, None, (), _("YAML error: %(reason)s") % {"reason": exc})]
            ) from None
        finally:
            loader.dispose()
        marks = _Marks()
        if node is not None:
            marks.walk(node)
        datafile = cls(name, data, marks)
        if marks.duplicates:
            raise DataFileInvalid(
                [
                    Problem(name, line, col, path, _("duplicate key; the later value would silently win"))
                    for path, line, col in marks.duplicates
                ]
            )
        return datafile

    def problem(self, path: Path_, message: str) -> Problem:
        line, column = self._marks.locate(path)
        return Problem(self.name, line, column, path, message)

    def validate(self, model: type[Model]) -> Model:
        """The data as `model`, or DataFileInvalid listing every schema problem."""
        try:
            return model.model_validate(self.data)
        except pydantic.ValidationError as exc:
            problems = [self.problem(tuple(err["loc"]), pydantic_message(err)) for err in exc.errors()]
            raise DataFileInvalid(problems) from None


def pydantic_message(err: Any) -> str:
    """One pydantic error in the active language."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    given = err.get("input")
    shown = repr(given) if not isinstance(given, dict | list) else type(given).__name__
    if kind == "missing":
        return _("required field is missing")
    if kind == "extra_forbidden":
        return _("unknown field (a typo?)")
    if kind in ("literal_error", "enum"):
        return _("%(value)s is not allowed; expected one of %(expected)s") % {
            "value": shown,
            "expected": ctx.get("expected", ""),
        }
    if kind in ("string_type", "string_sub_type"):
        return _("expected text, got %(value)s") % {"value": shown}
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return _("expected a whole number, got %(value)s") % {"value": shown}
    if kind in ("float_type", "float_parsing", "decimal_type", "decimal_parsing", "finite_number"):
        return _("expected a number, got %(value)s") % {"value": shown}
    if kind in ("bool_type", "bool_parsing"):
        return _("expected true or false, got %(value)s") % {"value": shown}
    if kind == "list_type":
        return _("expected a list")
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return _("expected a mapping of fields")
    if kind == "string_too_short":
        return _("must not be empty")
    if kind == "string_pattern_mismatch":
        return _("%(value)s does not have the required form %(pattern)s") % {
            "value": shown,
            "pattern": ctx.get("pattern", ""),
        }
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = next(iter(ctx.values()), "")
        symbol = {"greater_than_equal": "≥", "greater_than": ">", "less_than_equal": "≤", "less_than": "<"}[kind]
        return _("%(value)s must be %(symbol)s %(bound)s") % {
            "value": shown,
            "symbol": symbol,
            "bound": bound,
        }
    if kind in ("value_error", "assertion_error"):
        error = ctx.get("error")
        return str(error) if error else err["msg"]
    return err["msg"]


def raise_if(problems: Iterable[Problem]) -> None:
    problems = list(problems)
    if problems:
        raise DataFileInvalid(problems)
