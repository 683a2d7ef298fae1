"""Importing a department list as a dated snapshot: every state change of a ListImport, and the reading,
normalising and storing between them.

All or nothing. The file is read and every row normalised first, outside any transaction, with the
progress written to the import's row as it goes (each update commits on its own, so the office's page
sees it). A row that cannot be read — a date or sex that means nothing, a street that is not the
district's, neither a name nor an ID number — is listed (row, column, reason; never a value) and then
nothing is stored. Only a clean file is stored, in one transaction with the snapshot's changes against
the source's previous list: an exception or a killed worker half-way leaves no record behind.

Each row's ID number is stored as the registry stores a child's (registry/children/crypto.py: AES-GCM,
keyed hash for look-up, masked for display); a number that is not valid is kept encrypted as given
(a damaged number still helps the matcher) and counted in the import's warnings."""

from __future__ import annotations

import datetime
import hashlib
import logging
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from childfirst.accounts.audit import record
from childfirst.accounts.models import Role, User
from childfirst.areas.models import Area, Level
from childfirst.registry.children import crypto
from childfirst.registry.children.idnumber import mask_id

from . import keys
from .headers import HeaderError, HeaderMap, header_key, recognise_headers
from .models import JobState, ListImport, SourceRecord, StoredFile
from .normalise import NormalisedRow, normalise_area, normalise_row
from .reading import FileRefused, Table, check_size, read_table
from .sources import Source, get_source

logger = logging.getLogger(__name__)

MAX_PROBLEMS = 1000  # listed; beyond, a count (a wrong file can have a problem on every row)
BATCH = 2000
PROGRESS_EVERY = 500
ID_FIELDS = ("id_number", "guardian_id_number")
# Fields whose spreadsheet number cells are codes, not quantities: 110105001.0 is "110105001".
CODE_FIELDS = {"record_id", "id_number", "guardian_id_number", "street", "community"}
# Problems of these fields leave the row readable: the value is kept as given (see the module's doc).
WARNING_FIELDS = {"id_number", "guardian_id_number"}
WAITING = gettext_lazy("Waiting for the import worker")
INTERNAL_ERROR = gettext_lazy(
    "The list could not be imported because of an internal error. Try again later; if it fails again, give "
    "the system administrator this import number: %(id)d."
)


@dataclass
class Problem:
    row: int | None
    column: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "reason": str(self.reason)}


class ImportFailed(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s)")


@dataclass
class Prepared:
    """A clean file's records, ready to store."""

    records: list[SourceRecord] = field(default_factory=list)
    rows_total: int = 0
    rows_repaired: int = 0
    warnings: Counter[tuple[str, str]] = field(default_factory=Counter)


# ----- areas ---------------------------------------------------------------------------------------

_BRACKETS = re.compile(r"[(（\[【].*?[)）\]】]")
_LEVEL_SUFFIXES = ("街道", "社区", "镇", "乡", "村")


def area_keys(name: str) -> set[str]:
    """The forms a list may write an area's name in: as normalised (office suffixes dropped), without a
    bracketed note, and without the level word (五马街道 / 五马; 五马第一社区（演示） / 五马第一)."""
    base = normalise_area(name)
    plain = _BRACKETS.sub("", base)
    out = {base, plain}
    for suffix in _LEVEL_SUFFIXES:
        if plain.endswith(suffix) and len(plain) > len(suffix):
            out.add(plain[: -len(suffix)])
    return {key for key in out if key}


class AreaResolver:
    """Streets and communities of one district, found by code or by name (a community's name within its
    street when the row names the street)."""

    AMBIGUOUS = object()

    def __init__(self, district: Area, day: datetime.date):
        areas = list(Area.objects.within(district).valid_on(day).filter(level__in=[Level.STREET, Level.COMMUNITY]))
        self.by_code = {a.code: a for a in areas}
        self.streets: dict[str, Any] = {}
        self.communities: dict[str, Any] = {}
        self.in_street: dict[tuple[int, str], Any] = {}
        for area in areas:
            for key in area_keys(area.name):
                if area.level == Level.STREET:
                    self._put(self.streets, key, area)
                else:
                    self._put(self.communities, key, area)
                    self._put(self.in_street, (area.parent_id, key), area)

    def _put(self, table: dict, key: Any, area: Area) -> None:
        table[key] = area if table.get(key, area) is area else self.AMBIGUOUS

    def _find(self, table: dict, text: str, level: Level, key_of: Callable[[str], Any]) -> Area | str:
        by_code = self.by_code.get(text)
        if by_code is not None:
            return by_code if by_code.level == level else _("This code is not of a street/town here.")
        if text.isdigit():
            return _("No area of the district has this code.")
        found = None
        for key in area_keys(text):
            candidate = table.get(key_of(key))
            if candidate is not None:
                found = candidate
                break
        if found is self.AMBIGUOUS:
            return _("Several areas of the district have this name: give the street/town too, or the code.")
        if found is None:
            return _("No %(level)s of the district has this name.") % {"level": level.label}
        return found

    def resolve(self, street: str, community: str) -> tuple[Area | None, Area | None, list[tuple[str, str]]]:
        """(street, community, problems as (field, reason))."""
        problems: list[tuple[str, str]] = []
        found_street: Area | None = None
        found_community: Area | None = None
        if street:
            result = self._find(self.streets, street, Level.STREET, lambda k: k)
            if isinstance(result, Area):
                found_street = result
            else:
                problems.append(("street", result))
        if community:
            if found_street is not None:
                street_pk = found_street.pk
                result = self._find(self.in_street, community, Level.COMMUNITY, lambda k: (street_pk, k))
            else:
                result = self._find(self.communities, community, Level.COMMUNITY, lambda k: k)
            if isinstance(result, Area):
                found_community = result
                if found_street is None and not street:
                    found_street = self.by_code.get(result.street_code)
                elif found_street is not None and not result.code.startswith(found_street.code):
                    problems.append(("community", _("This community is not in the street/town the row names.")))
            else:
                problems.append(("community", result))
        return found_street, found_community, problems


# ----- reading and normalising ------------------------------------------------------------------


def _cell(field_name: str, value: object) -> object:
    if isinstance(value, float) and field_name in CODE_FIELDS and value.is_integer():
        return str(int(value))
    return value


def recogniser(source: Source) -> Callable[[list[str]], HeaderMap]:
    ignored = source.ignored_headers

    def recognise(headers: list[str]) -> HeaderMap:
        shown = ["" if header_key(h) in ignored else h for h in headers]
        mapped = recognise_headers(shown, source.column_fields)
        return HeaderMap(mapped.columns, tuple(headers))

    return recognise


def _proof_index(source: Source, headers: list[str]) -> int | None:
    if source.proof_column is None:
        return None
    wanted = {header_key(h) for h in source.proof_column.headers}
    for index, header in enumerate(headers):
        if header_key(header) in wanted:
            return index
    raise FileRefused(
        _("This list must have a column saying what each row is (%(names)s); none was found.")
        % {"names": "、".join(source.proof_column.headers)}
    )


def identity(row: NormalisedRow) -> str:
    """The keyed fingerprint of the row's identity: the valid ID number, else name + birth date + sex
    (+ the damaged number's characters), so that the same child has the same fingerprint in the next
    snapshot of the list."""
    if row.id_number.number:
        return keys.fingerprint("id", row.id_number.number)
    name = row.name.name if row.name else ""
    birth = row.birth_date.isoformat() if row.birth_date else ""
    return keys.fingerprint("row", name, birth, row.sex, row.id_number.digits)


def prepare(
    list_import: ListImport,
    source: Source,
    content: bytes,
    progress: Callable[[int, str], None],
) -> Prepared:
    """Read and normalise every row; ImportFailed listing every problem, or the records to store."""
    try:
        table, mapped = read_table(content, list_import.file_name, recogniser(source))
    except (FileRefused, HeaderError) as error:
        raise ImportFailed([Problem(None, "", str(error))]) from None
    assert isinstance(mapped, HeaderMap)  # what recogniser returns
    list_import.encoding = table.encoding
    ListImport.objects.filter(pk=list_import.pk).update(encoding=table.encoding)
    try:
        proof_index = _proof_index(source, table.headers)
    except FileRefused as error:
        raise ImportFailed([Problem(None, "", str(error))]) from None
    return _normalise_rows(list_import, source, table, mapped, proof_index, progress)


def _normalise_rows(
    list_import: ListImport,
    source: Source,
    table: Table,
    mapped: HeaderMap,
    proof_index: int | None,
    progress: Callable[[int, str], None],
) -> Prepared:
    column_of = {name: table.headers[index] or name for name, index in mapped.columns.items()}
    resolver = AreaResolver(list_import.district, list_import.as_of)
    out = Prepared(rows_total=len(table.rows))
    problems: list[Problem] = []
    total = max(len(table.rows), 1)
    for position, (number, cells) in enumerate(table.rows):
        if position % PROGRESS_EVERY == 0:
            progress(
                5 + 75 * position // total, _("Reading row %(row)d of %(total)d") % {"row": position, "total": total}
            )
        raw_values = mapped.get(cells)
        values = {name: _cell(name, value) for name, value in raw_values.items()}
        row_problems: list[tuple[str, str]] = []
        for name in ID_FIELDS:
            # Excel keeps 15 significant digits: an 18-digit number typed into a number cell has lost
            # its last three (a 15-digit old number survives).
            value = raw_values.get(name)
            if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) >= 1e15:
                row_problems.append(
                    (
                        name,
                        _(
                            "Excel stored the ID number as a number and lost its last digits: "
                            "format the column as text."
                        ),
                    )
                )
                values[name] = None
        row = normalise_row(values)
        for name, reason in row.problems:
            if name in WARNING_FIELDS:
                out.warnings[(column_of.get(name, name), reason)] += 1
            else:
                row_problems.append((name, reason))
        if row.name is None and not row.id_number.digits:
            row_problems.append(("name", _("The row has neither a name nor an ID number.")))
        street, community, area_problems = resolver.resolve(row.street, row.community)
        row_problems.extend(area_problems)
        proof = source.proves[0]
        if proof_index is not None and source.proof_column is not None:
            raw = cells[proof_index] if proof_index < len(cells) else None
            found = source.proof_for(raw)
            if found is None:
                listed = "、".join(source.proof_column.values)
                row_problems.append(("proof", _("The value is not one of %(values)s.") % {"values": listed}))
            else:
                proof = found
        if row_problems:
            for name, reason in row_problems:
                header = (
                    table.headers[proof_index]
                    if name == "proof" and proof_index is not None
                    else column_of.get(name, name)
                )
                problems.append(Problem(number, header, reason))
            continue
        if problems:
            continue  # the import fails anyway: only the problems are still gathered
        out.rows_repaired += bool(row.repaired)
        out.records.append(_record(list_import, source, number, row, street, community, proof))
    if problems:
        raise ImportFailed(problems)
    return out


def _record(
    list_import: ListImport,
    source: Source,
    number: int,
    row: NormalisedRow,
    street: Area | None,
    community: Area | None,
    proof: str,
) -> SourceRecord:
    digits = row.id_number.digits[:40]  # a cell of text where the number should be: enough of it to compare
    nonce, ciphertext = crypto.encrypt(digits) if digits else (None, None)
    return SourceRecord(
        list_import=list_import,
        source=source.key,
        row_number=number,
        fingerprint=identity(row),
        id_hash=crypto.lookup_hash(row.id_number.number) if row.id_number.number else None,
        id_nonce=nonce,
        id_ciphertext=ciphertext,
        id_masked=mask_id(digits)[:18],
        id_valid=row.id_number.valid,
        name=(row.name.name if row.name else "")[:50],
        name_pinyin=(row.name.pinyin if row.name else "")[:300],
        sex=row.sex,
        birth_date=row.birth_date,
        address=row.address[:200],
        street=street,
        community=community,
        school=row.school[:100],
        guardian_name=(row.guardian_name.name if row.guardian_name else "")[:50],
        proves=proof,
        event_date=row.event_date,
        repaired=sorted(set(row.repaired)),
    )


# ----- the snapshot's changes ---------------------------------------------------------------------


def previous_import(list_import: ListImport) -> ListImport | None:
    """The source's list this one follows: the latest finished one of an earlier or the same as-of date."""
    return (
        ListImport.objects.done()
        .filter(source=list_import.source, district=list_import.district, as_of__lte=list_import.as_of)
        .exclude(pk=list_import.pk)
        .order_by("-as_of", "-finished_at", "-id")
        .first()
    )


def _places(list_import: ListImport) -> dict[str, tuple[int, tuple[Any, ...]]]:
    places: dict[str, tuple[int, tuple[Any, ...]]] = {}
    rows = SourceRecord.objects.filter(list_import=list_import).order_by("row_number")
    for pk, fingerprint, street, community, address in rows.values_list(
        "pk", "fingerprint", "street_id", "community_id", "address"
    ):
        places.setdefault(fingerprint, (pk, (street, community, address)))
    return places


def compute_changes(list_import: ListImport) -> dict[str, Any]:
    """Who appeared, changed address or disappeared since the source's previous list, by fingerprint:
    counts and the record ids (this list's for the first two, the previous list's for the third)."""
    previous = previous_import(list_import)
    if previous is None:
        return {"previous": None}
    old, new = _places(previous), _places(list_import)
    appeared = [pk for fp, (pk, _place) in new.items() if fp not in old]
    disappeared = [pk for fp, (pk, _place) in old.items() if fp not in new]
    moved = [pk for fp, (pk, place) in new.items() if fp in old and old[fp][1] != place]
    return {
        "previous": previous.pk,
        "previous_as_of": previous.as_of.isoformat(),
        "appeared": {"count": len(appeared), "records": appeared},
        "changed_address": {"count": len(moved), "records": moved},
        "disappeared": {"count": len(disappeared), "records": disappeared},
    }


# ----- state changes ------------------------------------------------------------------------------


def district_of(user: User | None, code: str | None = None) -> Area:
    """The district an import belongs to: the user's (the office's scope), else the one named, else the
    only district of the area tree. ValidationError when it cannot be told."""
    scope = user.scope_area() if user is not None else None
    if scope is not None and scope.level == Level.CITY:
        # Lists name children: they stay with the districts' offices; a city monitors counts only.
        raise PermissionDenied(_("Department lists are imported by a district's office, not a city's."))
    if code:
        district = Area.objects.filter(code=code, level=Level.DISTRICT).first()
        if district is None:
            raise ValidationError(_("There is no district with the code %(code)s.") % {"code": code})
        if user is not None and not user.can_see_area(district):
            raise PermissionDenied(_("This district is outside your scope."))
        return district
    if scope is not None:
        return Area.objects.get(code=scope.district_code)
    districts = list(Area.objects.filter(level=Level.DISTRICT)[:2])
    if len(districts) != 1:
        raise ValidationError(_("Name the district (--district CODE): the area tree has several."))
    return districts[0]


def _check_requester(actor: User | None, district: Area) -> None:
    if actor is None:
        return  # the command line, run by whoever runs the system
    if actor.role != Role.OFFICE or not actor.can_see_area(district):
        raise PermissionDenied(_("Only the office of the district imports department lists."))


@transaction.atomic
def do_request_import(
    actor: User | None,
    source_key: str,
    as_of: datetime.date,
    file_name: str,
    content: bytes | None,
    *,
    district: Area,
    is_synthetic: bool = False,
    store_file: bool = True,
    request: HttpRequest | None = None,
) -> ListImport:
    """A new import of `source_key` as of `as_of`, waiting for the worker; with `store_file` the content
    is kept encrypted for the worker (the web), otherwise the caller runs it at once (the command)."""
    _check_requester(actor, district)
    source = get_source(source_key)
    if source is None:
        raise ValidationError(_("There is no list called %(source)s.") % {"source": source_key})
    if as_of > timezone.localdate():
        raise ValidationError(_("The as-of date cannot be in the future."))
    if content is not None:
        try:
            check_size(len(content))
        except FileRefused as error:
            raise ValidationError(str(error)) from None
    list_import = ListImport.objects.create(
        source=source.key,
        district=district,
        as_of=as_of,
        file_name=file_name[-200:],
        is_synthetic=is_synthetic,
        created_by=actor,
        step=str(WAITING),
    )
    detail: dict[str, Any] = {"source": source.key, "as_of": as_of.isoformat(), "synthetic": is_synthetic}
    if content is not None:
        detail |= {"bytes": len(content), "sha256": hashlib.sha256(content).hexdigest()}
        if store_file:
            store(StoredFile.Purpose.LIST, file_name, content, list_import=list_import)
    record("linkage.import_requested", actor=actor, obj=list_import, area_code=district.code, request=request, **detail)
    if store_file:
        transaction.on_commit(lambda: _enqueue(list_import.pk))
    return list_import


def store(purpose: str, name: str, content: bytes, **owner: Any) -> StoredFile:
    nonce, ciphertext = keys.encrypt_bytes(content)
    return StoredFile.objects.create(
        purpose=purpose,
        name=name[-200:],
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        nonce=nonce,
        content=ciphertext,
        **owner,
    )


def stored_content(stored: StoredFile) -> bytes:
    return keys.decrypt_bytes(stored.nonce, stored.content)


def _enqueue(import_id: int) -> None:
    from .tasks import import_list

    try:
        import_list(import_id)
    except Exception:
        logger.exception("list import %s could not be queued", import_id)
        do_fail_import(import_id, [Problem(None, "", _("The import could not be handed to the worker's queue."))])


@transaction.atomic
def do_start_import(import_id: int) -> ListImport | None:
    """The worker takes up a queued import; None when there is nothing to do."""
    list_import = ListImport.objects.select_for_update().select_related("district").filter(pk=import_id).first()
    if list_import is None or list_import.state != JobState.QUEUED:
        return None
    list_import.state = JobState.RUNNING
    list_import.started_at = timezone.now()
    list_import.save(update_fields=["state", "started_at"])
    return list_import


def note_progress(import_id: int, percent: int, step: str) -> None:
    """Progress on the import's row, committed at once (called outside the storing transaction)."""
    ListImport.objects.filter(pk=import_id, state=JobState.RUNNING).update(
        progress=max(0, min(100, int(percent))), step=str(step)[:200]
    )


def _problem_list(problems: list[Problem]) -> list[dict[str, Any]]:
    listed = [p.as_dict() for p in problems[:MAX_PROBLEMS]]
    if len(problems) > MAX_PROBLEMS:
        listed.append(
            {
                "row": None,
                "column": "",
                "reason": _("… and %(count)d more problems.") % {"count": len(problems) - MAX_PROBLEMS},
            }
        )
    return listed


@transaction.atomic
def do_fail_import(import_id: int, problems: list[Problem], rows_total: int = 0) -> ListImport | None:
    list_import = ListImport.objects.select_for_update().select_related("district").filter(pk=import_id).first()
    if list_import is None or list_import.state == JobState.DONE:
        return list_import
    list_import.state = JobState.FAILED
    list_import.problems = _problem_list(problems)
    list_import.rows_total = rows_total
    list_import.step = ""
    list_import.finished_at = timezone.now()
    list_import.save(update_fields=["state", "problems", "rows_total", "step", "finished_at"])
    rows = sorted({p.row for p in problems if p.row is not None})
    record(
        "linkage.import_failed",
        obj=list_import,
        area_code=list_import.district.code,
        source=list_import.source,
        problems=len(problems),
        rows_with_problems=len(rows),
    )
    return list_import


@transaction.atomic
def do_finish_import(import_id: int, prepared: Prepared, progress: Callable[[int, str], None]) -> ListImport:
    """Store every record and the changes since the previous list, in one transaction."""
    list_import = ListImport.objects.select_for_update().select_related("district").get(pk=import_id)
    progress(80, _("Saving %(count)d records") % {"count": len(prepared.records)})
    for start in range(0, len(prepared.records), BATCH):
        SourceRecord.objects.bulk_create(prepared.records[start : start + BATCH])
    list_import.state = JobState.DONE
    list_import.progress = 100
    list_import.step = ""
    list_import.rows_total = prepared.rows_total
    list_import.rows_imported = len(prepared.records)
    list_import.rows_repaired = prepared.rows_repaired
    list_import.problems = []
    list_import.warnings = [
        {"column": column, "reason": reason, "rows": count} for (column, reason), count in prepared.warnings.items()
    ]
    list_import.changes = compute_changes(list_import)
    list_import.finished_at = timezone.now()
    list_import.save()
    changes = list_import.changes
    record(
        "linkage.imported",
        obj=list_import,
        area_code=list_import.district.code,
        source=list_import.source,
        as_of=list_import.as_of.isoformat(),
        rows=list_import.rows_imported,
        repaired=list_import.rows_repaired,
        previous=changes.get("previous"),
        **{key: changes[key]["count"] for key in ("appeared", "changed_address", "disappeared") if key in changes},
    )
    return list_import


def run_import(import_id: int, content: bytes | None = None) -> ListImport | None:
    """The whole import (the worker's task, or the command's inline run). The content is the stored
    file's when not given; the stored file is dropped at the end unless LINKAGE_KEEP_FILES."""
    list_import = do_start_import(import_id)
    if list_import is None:
        return None
    source = get_source(list_import.source)
    prepared: Prepared | None = None
    try:
        if content is None:
            stored = list_import.files.filter(purpose=StoredFile.Purpose.LIST).first()
            if stored is None:
                return do_fail_import(import_id, [Problem(None, "", _("The uploaded file is no longer there."))])
            content = stored_content(stored)
        if source is None:
            return do_fail_import(import_id, [Problem(None, "", _("The list's source is no longer declared."))])

        def progress(percent: int, step: str) -> None:
            note_progress(import_id, percent, step)

        progress(1, _("Reading the file"))
        prepared = prepare(list_import, source, content, progress)
        return do_finish_import(import_id, prepared, progress)
    except ImportFailed as failed:
        return do_fail_import(import_id, failed.problems, rows_total=_rows_seen(prepared))
    except Exception:
        logger.exception("list import %s failed", import_id)
        return do_fail_import(import_id, [Problem(None, "", str(INTERNAL_ERROR) % {"id": import_id})])
    finally:
        if not settings.LINKAGE_KEEP_FILES:
            StoredFile.objects.filter(list_import_id=import_id).delete()


def _rows_seen(prepared: Prepared | None) -> int:
    return prepared.rows_total if prepared is not None else 0


def import_file(
    actor: User | None,
    source_key: str,
    path_name: str,
    content: bytes,
    *,
    as_of: datetime.date,
    district: Area,
    is_synthetic: bool = False,
) -> ListImport:
    """Import a file at once (the command line, the demo): the same steps as the worker's, inline. The
    file is kept (encrypted) only with LINKAGE_KEEP_FILES."""
    list_import = do_request_import(
        actor,
        source_key,
        as_of,
        path_name,
        content,
        district=district,
        is_synthetic=is_synthetic,
        store_file=False,
    )
    if settings.LINKAGE_KEEP_FILES:
        with transaction.atomic():
            store(StoredFile.Purpose.LIST, path_name, content, list_import=list_import)
    result = run_import(list_import.pk, content)
    assert result is not None  # just created, so queued
    return result
