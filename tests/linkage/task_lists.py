"""Department lists made directly in the database for the linkage tests (the import part has its own
tests), and a stand-in for the matcher with the engine's interface: exact on the ID number, "same
child" for the same name, date of birth and sex, "review" for the same name and sex with another date."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.utils import timezone

from childfirst.areas.models import Area
from childfirst.linkage.models import JobState, ListImport, SourceRecord
from childfirst.registry.children import crypto
from childfirst.registry.children.idnumber import check_character, mask_id

DIRECTOR_COMMUNITY = "330302001001"  # 五马第一社区 (the director's)
OTHER_COMMUNITY = "330302001002"  # 五马第二社区 (the other director's)
STREET = "330302001"  # 五马街道 (the supervisor's)
OTHER_STREET_COMMUNITY = "330302002001"  # 松台第一社区
REVIEW, MATCH = 0.5, 0.95


def id_number(birth: datetime.date, sequence: int, sex: str = "M") -> str:
    # Digit 17 odd for a boy, even for a girl.
    seq = f"{sequence:02d}{(1 if sex == 'M' else 2)}"
    first17 = f"330302{birth:%Y%m%d}{seq}"
    return first17 + check_character(first17)


def years_ago(years: int, days: int = 0) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - datetime.timedelta(days=days)


@dataclass
class Row:
    name: str
    birth: datetime.date
    sex: str = "M"
    number: str = ""
    community: str | None = DIRECTOR_COMMUNITY
    street: str | None = None
    proves: str = ""
    school: str = ""
    event_date: datetime.date | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def make_list(source: str, rows: list[Row], *, proves: str, as_of: datetime.date | None = None) -> ListImport:
    """A finished import of `source` holding `rows` (normalised as the import would leave them)."""
    as_of = as_of or timezone.localdate()
    list_import = ListImport.objects.create(
        source=source,
        district=Area.objects.get(code="330302"),
        as_of=as_of,
        state=JobState.DONE,
        rows_total=len(rows),
        rows_imported=len(rows),
        finished_at=timezone.now(),
    )
    for index, row in enumerate(rows, start=2):
        community = Area.objects.get(code=row.community) if row.community else None
        street = Area.objects.get(code=row.street) if row.street else (community.street() if community else None)
        identity = row.number or f"{row.name}|{row.birth}|{row.sex}"
        nonce = ciphertext = None
        if row.number:
            nonce, ciphertext = crypto.encrypt(row.number)
        SourceRecord.objects.create(
            list_import=list_import,
            source=source,
            row_number=index,
            fingerprint=crypto.lookup_hash(f"test-fingerprint:{identity}"),
            id_hash=crypto.lookup_hash(row.number) if row.number else None,
            id_nonce=nonce,
            id_ciphertext=ciphertext,
            id_masked=mask_id(row.number) if row.number else "",
            id_valid=bool(row.number),
            name=row.name,
            sex=row.sex,
            birth_date=row.birth,
            community=community,
            street=street,
            school=row.school,
            proves=row.proves or proves,
            event_date=row.event_date,
        )
    return list_import


@dataclass
class FakePair:
    left_id: str
    right_id: str
    probability: float
    method: str
    weights: dict[str, float]
    levels: dict[str, str]


def _sex(value: Any) -> str:
    return {"male": "M", "female": "F"}.get(value or "", value or "")


def fake_link(left: list[dict[str, Any]], right: list[dict[str, Any]] | None = None) -> list[FakePair]:
    pairs = []
    others = right if right is not None else left
    for i, a in enumerate(left):
        for j, b in enumerate(others):
            if right is None and j <= i:
                continue
            if a["id_number"] and a["id_number"] == b["id_number"]:
                pairs.append(
                    FakePair(
                        a["record_id"], b["record_id"], 1.0, "id", {"id_number": 12.0}, {"id_number": "Exact match"}
                    )
                )
            elif a["name"] == b["name"] and _sex(a["sex"]) == _sex(b["sex"]):
                same_birth = a["birth_date"] == b["birth_date"]
                probability = 0.99 if same_birth else 0.7
                weights = {"name": 6.0, "birth_date": 4.0 if same_birth else -2.5, "sex": 0.5}
                levels = {
                    "name": "Exact match",
                    "birth_date": "Exact match" if same_birth else "All other comparisons",
                    "sex": "Exact match",
                }
                pairs.append(FakePair(a["record_id"], b["record_id"], probability, "probabilistic", weights, levels))
    return pairs


@pytest.fixture
def matcher(monkeypatch):
    """The run and the suggestions with the stand-in matcher and fixed thresholds."""
    from childfirst.linkage import run

    monkeypatch.setattr(run, "_link", fake_link)
    monkeypatch.setattr(run, "thresholds", lambda: (REVIEW, MATCH))
    return fake_link
