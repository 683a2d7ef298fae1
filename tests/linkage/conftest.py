"""Fixtures of the linkage tests: `matcher` (the stand-in matcher of lists.py) for every file here."""

from .lists import matcher  # noqa: F401  (a fixture, used by name)
