"""The registry's part of the personal-data check on what may be published (implementation's good
practices): does a text hold the full name of a child on file? Registered at start-up
(`RegistryConfig.ready`), so the lower layer asks without importing the registry.

A name is looked up as the registry stores it (`names.normalise_name`), through the index on
`Child.name`: every run of Chinese characters in the texts gives its 2–4 character substrings, and one
`IN` query per chunk answers which of them are a child's full name. A page of text is a few thousand
candidates, a handful of indexed look-ups; no name is ever read into memory beyond those found."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from django.utils.translation import gettext_lazy as _

from .models import Child
from .names import normalise_name

SHORTEST, LONGEST = 2, 4
# SQLite allows 999 parameters in old builds; stay well below.
CHUNK = 500
WHAT = _("the name of a child on file")
_CHINESE_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]{" + str(SHORTEST) + ",}")


def _candidates(text: str) -> Iterator[str]:
    for run in _CHINESE_RUN.findall(normalise_name(text)):
        for length in range(SHORTEST, LONGEST + 1):
            for start in range(len(run) - length + 1):
                yield run[start : start + length]


def texts_naming_a_child(texts: Sequence[str]) -> set[int]:
    """The indexes of `texts` that hold the full name of a child on file."""
    by_candidate: dict[str, set[int]] = {}
    for index, text in enumerate(texts):
        for candidate in _candidates(text):
            by_candidate.setdefault(candidate, set()).add(index)
    candidates = list(by_candidate)
    found: set[int] = set()
    for start in range(0, len(candidates), CHUNK):
        chunk = candidates[start : start + CHUNK]
        for name in Child.objects.filter(name__in=chunk).values_list("name", flat=True).distinct():
            found |= by_candidate[name]
    return found
