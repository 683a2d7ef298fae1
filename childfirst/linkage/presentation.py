"""How tasks and review pairs are shown: the evidence records' fields, the matcher's reasons in words,
the characters in which two records differ, and the evidence text a confirmed category carries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .current import current_imports, kind_matches, source_label
from .models import SourceRecord

# The matcher's comparisons (matching.py) in words; an unknown one is shown by its name.
COMPARISONS = {
    "id_number": gettext_lazy("ID number"),
    "id_digits": gettext_lazy("ID number digits"),
    "name": gettext_lazy("Name"),
    "pinyin": gettext_lazy("Name sound (pinyin)"),
    "surname_pinyin": gettext_lazy("Surname sound"),
    "given_pinyin": gettext_lazy("Given name sound"),
    "birth_date": gettext_lazy("Date of birth"),
    "sex": gettext_lazy("Sex"),
    "street": gettext_lazy("Street/Town"),
    "community": gettext_lazy("Community/Village"),
    "area": gettext_lazy("Area"),
    "school": gettext_lazy("School"),
}
# Words in Splink's level labels, most specific first, and what they mean to a reviewer.
LEVEL_WORDS = (
    ("null", gettext_lazy("missing in one record")),
    ("exact", gettext_lazy("the same")),
    ("swap", gettext_lazy("day and month swapped")),
    ("transpos", gettext_lazy("two digits swapped")),
    ("damerau", gettext_lazy("one or two characters differ")),
    ("levenshtein", gettext_lazy("one or two characters differ")),
    ("jaro", gettext_lazy("similar")),
    ("pinyin", gettext_lazy("sounds the same")),
    ("year", gettext_lazy("close in time")),
    ("month", gettext_lazy("close in time")),
    ("all other", gettext_lazy("different")),
    ("else", gettext_lazy("different")),
)


@dataclass(frozen=True)
class Reason:
    field: str
    level: str
    weight: float

    @property
    def supports(self) -> bool:
        return self.weight > 0


def level_in_words(label: str) -> str:
    """The matcher's level label in the active language: its own translation (matching.py's labels are
    msgids), else the meaning of a word in it."""
    translated = _(label) if label else label
    if translated != label:
        return translated
    lowered = label.lower()
    for word, meaning in LEVEL_WORDS:
        if word in lowered:
            return str(meaning)
    return label


def reasons(stored: dict[str, Any]) -> list[Reason]:
    """The per-field reasons of a link or pair, strongest first."""
    found = []
    for name, value in (stored or {}).items():
        if not isinstance(value, dict):
            continue
        found.append(
            Reason(
                str(COMPARISONS.get(name, name)),
                level_in_words(str(value.get("level", ""))),
                float(value.get("weight") or 0.0),
            )
        )
    return sorted(found, key=lambda r: -abs(r.weight))


def differing(first: str, second: str) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    """Each string as (character, differs from the other at this position)."""
    length = max(len(first), len(second))
    a, b = first.ljust(length, "\0"), second.ljust(length, "\0")
    marks = [x != y for x, y in zip(a, b, strict=True)]
    return (
        [(c, marks[i]) for i, c in enumerate(first)],
        [(c, marks[i]) for i, c in enumerate(second)],
    )


def record_fields(rec: SourceRecord) -> dict[str, str]:
    """The fields of a record a reviewer or director needs, as text (ID number masked)."""
    area = rec.community or rec.street
    return {
        "name": rec.name,
        "id": rec.id_masked,
        "sex": {"M": _("male"), "F": _("female")}.get(rec.sex, rec.sex or "—"),
        "birth": rec.birth_date.isoformat() if rec.birth_date else "",
        "area": area.display_name if area is not None else "",
        "address": rec.address,
        "school": rec.school,
    }


def side_by_side(left: dict[str, str], right: dict[str, str]) -> list[dict[str, Any]]:
    """Rows of (label, left characters, right characters) with differing characters marked."""
    labels = {
        "name": _("Name"),
        "id": _("ID number"),
        "sex": _("Sex"),
        "birth": _("Date of birth"),
        "area": _("Community/Village"),
        "address": _("Address"),
        "school": _("School"),
    }
    rows = []
    for key, label in labels.items():
        a, b = differing(left.get(key, ""), right.get(key, ""))
        rows.append({"label": label, "left": a, "right": b, "same": left.get(key, "") == right.get(key, "")})
    return rows


def evidence_text(records: Iterable[SourceRecord], absent_kinds: Iterable[str] = ()) -> str:
    """What a category added from a task says about its evidence: the lists and their as-of dates,
    and the lists the child is missing from — never a personal detail. Always in Chinese, as the
    registry's documents are."""
    with translation.override("zh-hans"):
        seen = sorted({(r.source, r.list_import.as_of) for r in records})
        parts = [_("%(list)s (as of %(date)s)") % {"list": source_label(s), "date": d.isoformat()} for s, d in seen]
        absent = list(absent_kinds)
        missing = sorted(
            (i.source, i.as_of)
            for i in current_imports()
            if any(kind_matches(p, k) for k in absent for p in i.records.values_list("proves", flat=True).distinct())
        )
        text = _("Department lists: %(lists)s.") % {"lists": "；".join(parts) or "—"}
        if missing:
            text += " " + _("Not in: %(lists)s.") % {
                "lists": "；".join(
                    _("%(list)s (as of %(date)s)") % {"list": source_label(s), "date": d.isoformat()}
                    for s, d in missing
                )
            }
        return text
