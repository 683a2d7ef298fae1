"""Fixtures of the linkage tests: `matcher` (the stand-in matcher of task_lists.py) for every file here."""

from .task_lists import matcher  # noqa: F401  (a fixture, used by name)
