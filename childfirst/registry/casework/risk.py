"""The guardianship-risk checklist (data/risk_checklist.yaml) and its scoring.

Pure Python: the score is the sum of the weights of the ticked items; the level follows from the
thresholds, except that a ticked `critical` item makes it high at once, and the assessor may raise
(never lower) the level with a reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel, ConfigDict, Field, model_validator

from childfirst.datafile import DataFile

CHECKLIST_FILE = Path(__file__).resolve().parent.parent / "data" / "risk_checklist.yaml"

LEVELS = ("low", "medium", "high")
LEVEL_LABELS = {"low": _("low"), "medium": _("medium"), "high": _("high")}


def level_rank(level: str | None) -> int:
    """low < medium < high; no level ranks below low."""
    return LEVELS.index(level) if level in LEVELS else -1


def stricter(a: str | None, b: str | None) -> str | None:
    return a if level_rank(a) >= level_rank(b) else b


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Bilingual(_Strict):
    text: str = Field(min_length=1)
    text_en: str = ""

    @property
    def display(self) -> str:
        if (get_language() or "").startswith("en") and self.text_en:
            return self.text_en
        return self.text


class Item(_Bilingual):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    group: str
    weight: int = Field(ge=0, le=100)
    critical: bool = False


class Thresholds(_Strict):
    medium: int = Field(ge=1)
    high: int = Field(ge=1)


class Checklist(_Strict):
    schema_version: Literal[1]
    version: str = Field(min_length=1)
    thresholds: Thresholds
    items: list[Item] = Field(min_length=1)
    groups: dict[str, _Bilingual]

    @model_validator(mode="after")
    def _consistent(self) -> Checklist:
        if self.thresholds.high <= self.thresholds.medium:
            raise ValueError(_("thresholds.high must be above thresholds.medium"))
        codes = [item.code for item in self.items]
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            raise ValueError(_("item codes must be unique: %(codes)s") % {"codes": ", ".join(duplicates)})
        unknown = sorted({item.group for item in self.items} - set(self.groups))
        if unknown:
            raise ValueError(_("items name groups that are not listed: %(groups)s") % {"groups": ", ".join(unknown)})
        return self

    def item(self, code: str) -> Item | None:
        return next((i for i in self.items if i.code == code), None)

    def grouped(self) -> list[tuple[_Bilingual, list[Item]]]:
        """Items under their group headings, in the file's order of groups."""
        return [(group, [i for i in self.items if i.group == code]) for code, group in self.groups.items()]

    def score(self, ticked: Iterable[str], raised_to: str | None = None) -> Result:
        """Score the ticked item codes. Unknown codes are an error, not silently ignored: an answer
        that counts for nothing would understate the risk."""
        ticked = list(dict.fromkeys(ticked))
        unknown = [code for code in ticked if self.item(code) is None]
        if unknown:
            raise UnknownItems(unknown)
        items = [self.item(code) for code in ticked]
        score = sum(item.weight for item in items if item is not None)
        critical = [item.code for item in items if item is not None and item.critical]
        if critical or score >= self.thresholds.high:
            computed = "high"
        elif score >= self.thresholds.medium:
            computed = "medium"
        else:
            computed = "low"
        if raised_to is not None and raised_to not in LEVELS:
            raise ValueError(raised_to)
        level = stricter(computed, raised_to) or computed
        return Result(score=score, computed=computed, level=level, critical=critical, ticked=ticked)


class UnknownItems(ValueError):
    def __init__(self, codes: list[str]):
        self.codes = codes
        super().__init__(_("not items of the checklist: %(codes)s") % {"codes": ", ".join(codes)})


@dataclass(frozen=True)
class Result:
    score: int
    computed: str  # the level the checklist gives
    level: str  # after the assessor's raise, if any
    critical: list[str]
    ticked: list[str]

    @property
    def was_raised(self) -> bool:
        return self.level != self.computed


def load_checklist(path: Path = CHECKLIST_FILE) -> Checklist:
    """The checklist in `path`; DataFileInvalid naming line and column when it is wrong."""
    return DataFile.read(path).validate(Checklist)


@lru_cache(maxsize=1)
def current_checklist() -> Checklist:
    return load_checklist()
