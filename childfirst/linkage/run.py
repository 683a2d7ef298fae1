"""A linkage run: every current list linked into the person index, the registry's files attached,
the undecided pairs queued for clerical review.

1. The records of every current list (the newest finished import per source) go to the matcher as one
   dedupe-and-link job. ID numbers are decrypted in memory for it and never written anywhere else.
2. Links above the match threshold, and pairs a reviewer decided "same child", join records into
   clusters (connected components); a pair decided "different children" is never used as a link.
   Each cluster is one Person: the person its records (or their earlier snapshots, by fingerprint)
   already belonged to, else a new one, so person numbers — and the tasks on them — stay put.
3. Registry files are attached: by the ID number's keyed hash first (Child.id_hash is the same
   hash), then by the matcher between the persons still without a file and the files without an ID
   number. Pairs between the thresholds become ReviewItems keyed by an order-free hash of the two
   fingerprints, so a decision survives re-runs and new snapshots of the same rows.

Running again on the same data changes nothing."""

from __future__ import annotations

import datetime
import importlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, cast

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from childfirst.accounts.audit import record
from childfirst.accounts.models import User
from childfirst.areas.models import Area
from childfirst.registry.children import crypto
from childfirst.registry.children.names import is_unknown_name
from childfirst.registry.models import Child

from .current import RESIDENCE_KINDS, current_records
from .models import LinkageRun, LinkMethod, Person, ReviewItem, ReviewState, SourceRecord

Progress = Callable[[int, str], None]
# Every run reports these (0 when nothing happened), so a caller can read any of them.
COUNT_KEYS = (
    "records",
    "persons",
    "persons_new",
    "persons_changed",
    "records_changed",
    "links_id",
    "links_probabilistic",
    "links_clerical",
    "files_by_id",
    "files_by_match",
    "files_changed",
    "files_detached",
    "reviews_new",
    "reviews_dropped",
    "reviews_pending",
)


class Pair(Protocol):
    """What the matcher returns for a pair (matching.MatchPair)."""

    left_id: str
    right_id: str
    probability: float
    method: str
    weights: dict[str, float]
    levels: dict[str, str]


def thresholds() -> tuple[float, float]:
    """(review, match) thresholds: the matcher's own (matching.thresholds(), data/linkage.yaml)."""
    limits = importlib.import_module("childfirst.linkage.matching").thresholds()
    return float(limits.review), float(limits.match)


def pair_key(first: str, second: str) -> str:
    """An order-free keyed hash of two fingerprints (a record's, or "child:<pk>" for a file): the same
    pair in a later snapshot has the same key, and the key reveals neither."""
    low, high = sorted((first, second))
    return crypto.lookup_hash(f"linkage-pair:{low}|{high}")


def child_fingerprint(child_id: int) -> str:
    return f"child:{child_id}"


# ----- the matcher's input ------------------------------------------------------------------------


def _record_row(rec: SourceRecord) -> dict[str, Any]:
    number = None
    if rec.id_ciphertext is not None and rec.id_nonce is not None:
        number = crypto.decrypt(rec.id_nonce, rec.id_ciphertext)  # in memory only, for the matcher
    return {
        "record_id": f"r{rec.pk}",
        "id_number": number,
        "name": None if is_unknown_name(rec.name) else rec.name,
        "sex": rec.sex or None,
        "birth_date": rec.birth_date.isoformat() if rec.birth_date else None,
        "street": rec.street.code if rec.street_id and rec.street else None,
        "community": rec.community.code if rec.community_id and rec.community else None,
        "school": rec.school or None,
    }


def _child_row(child: Child) -> dict[str, Any]:
    community = child.residence_area
    return {
        "record_id": f"c{child.pk}",
        "id_number": None,
        # 不详 (a foundling's file) is no name: compared as one, every such file would match the others.
        "name": None if is_unknown_name(child.name) else child.name,
        "sex": child.sex,
        "birth_date": child.birth_date.isoformat(),
        "street": community.street_code,
        "community": community.code,
        "school": child.school or None,
    }


def _link(left: Sequence[dict[str, Any]], right: Sequence[dict[str, Any]] | None = None) -> list[Pair]:
    """The engine (columns.prepare → matching.link) over rows keyed by the canonical field names."""
    import pyarrow as pa

    # The engine (DuckDB and Splink) is loaded only when a run needs it.
    columns = importlib.import_module("childfirst.linkage.columns")
    matching = importlib.import_module("childfirst.linkage.matching")

    review, match = thresholds()
    names = ["record_id", "id_number", "name", "sex", "birth_date", "street", "community", "school"]

    def table(rows: Sequence[dict[str, Any]]) -> Any:
        return columns.prepare(pa.table({n: pa.array([r[n] for r in rows], pa.string()) for n in names}))

    if not left or (right is not None and not right):
        return []
    return list(
        matching.link(
            table(left),
            table(right) if right is not None else None,
            review_threshold=review,
            match_threshold=match,
        )
    )


def reasons_of(pair: Pair) -> dict[str, dict[str, Any]]:
    """{comparison: {"weight": match weight, "level": level label}} as SourceRecord.match_reasons keeps them."""
    names = set(pair.weights) | set(pair.levels)
    return {
        name: {"weight": round(float(pair.weights.get(name, 0.0)), 3), "level": pair.levels.get(name, "")}
        for name in sorted(names)
    }


# ----- clusters -----------------------------------------------------------------------------------


class _Clusters:
    """Union-find over record ids."""

    def __init__(self, ids: Iterable[int]):
        self.parent = {i: i for i in ids}

    def find(self, i: int) -> int:
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:
            self.parent[i], i = root, self.parent[i]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> list[list[int]]:
        found: dict[int, list[int]] = defaultdict(list)
        for i in self.parent:
            found[self.find(i)].append(i)
        return sorted((sorted(g) for g in found.values()), key=lambda g: g[0])


@dataclass
class _Link:
    probability: float
    method: str
    reasons: dict[str, Any]


def _most_common(values: Iterable[Any]) -> Any:
    counted = Counter(v for v in values if v not in (None, ""))
    return counted.most_common(1)[0][0] if counted else None


def _bulk_set(model: type[models.Model], objects: Sequence[models.Model], fields: list[str]) -> None:
    """What bulk_update does, without its CASE expression per row (minutes at tens of thousands of rows
    on SQLite): one parameterised UPDATE by primary key, executed for every object. Table and column
    names come from the model's own metadata, never from input."""
    if not objects:
        return
    meta = model._meta
    columns = [cast("models.Field[Any, Any]", meta.get_field(name)) for name in fields]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(str(column.column))} = %s" for column in columns)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(str(meta.pk.column))} = %s"  # noqa: S608
    rows = [
        [column.get_db_prep_save(getattr(obj, column.attname), connection) for column in columns] + [obj.pk]
        for obj in objects
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])


def _person_values(records: list[SourceRecord]) -> dict[str, Any]:
    """The person's best values: the most common across their records; the place from the
    population and residence lists first."""
    valid = [r for r in records if r.id_valid and r.id_hash]
    placed = [r for r in records if r.proves in RESIDENCE_KINDS and (r.community_id or r.street_id)] or records
    community = _most_common(r.community_id for r in placed)
    street = _most_common(r.street_id for r in placed if community is None or r.community_id == community)
    return {
        "id_hash": _most_common(r.id_hash for r in valid),
        "id_masked": _most_common(r.id_masked for r in valid) or _most_common(r.id_masked for r in records) or "",
        "name": _most_common(r.name for r in records) or "",
        "sex": _most_common(r.sex for r in records) or "",
        "birth_date": _most_common(r.birth_date for r in records),
        "community_id": community,
        "street_id": street,
    }


def _street_of(rec: SourceRecord) -> int | None:
    if rec.street_id:
        return rec.street_id
    if rec.community is not None:
        street = rec.community.street()
        return street.pk if street else None
    return None


def _with_places(records: list[SourceRecord]) -> list[SourceRecord]:
    """`records` with their street and community set from one read of the areas they name: a few
    hundred areas shared by tens of thousands of records, not two area objects per record."""
    ids = {r.street_id for r in records} | {r.community_id for r in records}
    areas = Area.objects.in_bulk([pk for pk in ids if pk is not None])
    for rec in records:
        rec.street = areas.get(rec.street_id) if rec.street_id else None
        rec.community = areas.get(rec.community_id) if rec.community_id else None
    return records


# ----- the run ------------------------------------------------------------------------------------


@transaction.atomic
def do_run_linkage(
    user: User | None = None, *, run: LinkageRun | None = None, progress: Progress | None = None
) -> dict[str, int]:
    """Link every current list into the person index and attach the registry's files. Returns the
    counts (also stored on `run`)."""
    note = progress or (lambda percent, step: None)
    review_threshold, match_threshold = thresholds()
    note(5, _("Reading the current lists"))
    records = _with_places(list(current_records().order_by("pk")))
    by_pk = {r.pk: r for r in records}
    counts: Counter[str] = Counter({key: 0 for key in COUNT_KEYS})
    counts["records"] = len(records)
    decisions = dict(ReviewItem.objects.exclude(state=ReviewState.PENDING).values_list("pair_key", "state"))
    wanted_reviews: dict[str, dict[str, Any]] = {}

    note(15, _("Linking the records"))
    pairs = _link([_record_row(r) for r in records]) if records else []
    clusters = _Clusters(by_pk)
    best: dict[int, _Link] = {}

    def keep_best(pk: int, link: _Link) -> None:
        if pk not in best or link.probability > best[pk].probability:
            best[pk] = link

    for pair in pairs:
        a, b = int(pair.left_id[1:]), int(pair.right_id[1:])
        if a == b or a not in by_pk or b not in by_pk:
            continue
        key = pair_key(by_pk[a].fingerprint, by_pk[b].fingerprint)
        decision = decisions.get(key)
        if decision == ReviewState.NON_MATCH:
            continue
        if decision == ReviewState.MATCH or pair.probability >= match_threshold:
            method = LinkMethod.CLERICAL if decision == ReviewState.MATCH else pair.method
            link = _Link(float(pair.probability), str(method), reasons_of(pair))
            clusters.union(a, b)
            keep_best(a, link)
            keep_best(b, link)
            counts["links_" + str(method)] += 1
        elif pair.probability >= review_threshold:
            wanted_reviews[key] = {
                "left_id": min(a, b),
                "right_id": max(a, b),
                "child_id": None,
                "probability": float(pair.probability),
                "reasons": reasons_of(pair),
                "street_id": _street_of(by_pk[min(a, b)]) or _street_of(by_pk[max(a, b)]),
            }

    note(45, _("Writing the person index"))
    groups = clusters.groups()
    # Earlier snapshots' rows say which person a fingerprint belonged to.
    earlier: dict[str, int] = {}
    fingerprints = {r.fingerprint for r in records}
    for fingerprint, person_id in (
        SourceRecord.objects.filter(fingerprint__in=fingerprints, person__isnull=False)
        .order_by("-list_import__as_of", "-pk")
        .values_list("fingerprint", "person_id")
    ):
        earlier.setdefault(fingerprint, person_id)
    taken: set[int] = set()
    person_of_group: list[int] = []
    persons_to_create: list[int] = []
    for index, group in enumerate(groups):
        votes = Counter(by_pk[pk].person_id or earlier.get(by_pk[pk].fingerprint) for pk in group)
        choice = next(
            (pid for pid, _n in sorted(votes.items(), key=lambda v: (-v[1], v[0] or 0)) if pid and pid not in taken),
            None,
        )
        if choice is None:
            persons_to_create.append(index)
            person_of_group.append(0)
        else:
            taken.add(choice)
            person_of_group.append(choice)
    now = timezone.now()
    created = Person.objects.bulk_create([Person(created_at=now, updated_at=now) for _i in persons_to_create])
    for index, new_person in zip(persons_to_create, created, strict=True):
        person_of_group[index] = new_person.pk
    counts["persons_new"] = len(persons_to_create)
    counts["persons"] = len(groups)
    persons = Person.objects.in_bulk(person_of_group)
    changed_persons: list[Person] = []
    changed_records: list[SourceRecord] = []
    for group, person_id in zip(groups, person_of_group, strict=True):
        person = persons[person_id]
        members = [by_pk[pk] for pk in group]
        values = _person_values(members)
        if any(getattr(person, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(person, k, v)
            person.updated_at = now
            changed_persons.append(person)
        for rec in members:
            strongest = best.get(rec.pk)
            method = strongest.method if strongest else LinkMethod.SINGLE
            rec_probability = strongest.probability if strongest else None
            rec_reasons = strongest.reasons if strongest else {}
            if (rec.person_id, rec.match_method, rec.match_probability, rec.match_reasons) != (
                person_id,
                method,
                rec_probability,
                rec_reasons,
            ):
                rec.person_id, rec.match_method = person_id, method
                rec.match_probability, rec.match_reasons = rec_probability, rec_reasons
                changed_records.append(rec)
    _bulk_set(Person, changed_persons, [*_person_values([]).keys(), "updated_at"])
    _bulk_set(SourceRecord, changed_records, ["person", "match_method", "match_probability", "match_reasons"])
    counts["persons_changed"] = len(changed_persons) - len(persons_to_create)
    counts["records_changed"] = len(changed_records)

    note(70, _("Attaching the registry's files"))
    _attach_files(persons, person_of_group, groups, by_pk, decisions, wanted_reviews, counts, match_threshold)

    note(90, _("Updating the review queue"))
    _write_reviews(wanted_reviews, counts)
    result = dict(sorted(counts.items()))
    record("linkage.linked", actor=user, obj=run, counts=result)
    if run is not None:
        run.counts = result
        run.save(update_fields=["counts"])
    note(100, _("Done"))
    return result


def _attach_files(
    persons: dict[int, Person],
    person_of_group: list[int],
    groups: list[list[int]],
    by_pk: dict[int, SourceRecord],
    decisions: dict[str, str],
    wanted_reviews: dict[str, dict[str, Any]],
    counts: Counter[str],
    match_threshold: float,
) -> None:
    """Person → registry file: the same valid ID number first, then the matcher against the files
    without an ID number (or a review item between the thresholds)."""
    wanted: dict[int, tuple[int, float | None]] = {}  # person → (child, probability)
    hashes = {p.id_hash: pid for pid, p in persons.items() if p.id_hash}
    for child_id, id_hash in Child.objects.filter(id_hash__in=list(hashes)).values_list("pk", "id_hash"):
        if id_hash is not None:
            wanted[hashes[id_hash]] = (child_id, 1.0)
    counts["files_by_id"] = len(wanted)
    # Everyone else (without a file by ID number) against the files without an ID number.
    taken = {child_id for child_id, _p in wanted.values()}
    open_children = list(
        Child.objects.filter(id_hash__isnull=True).exclude(pk__in=taken).select_related("residence_area")
    )
    left_rows = []
    group_of_record: dict[int, int] = {}
    for group, person_id in zip(groups, person_of_group, strict=True):
        if person_id in wanted:
            continue
        for pk in group:
            group_of_record[pk] = person_id
            left_rows.append(_record_row(by_pk[pk]))
    best: dict[int, tuple[float, int]] = {}  # child → (probability, person)
    if left_rows and open_children:
        for pair in _link(left_rows, [_child_row(c) for c in open_children]):
            rec_pk, child_pk = int(pair.left_id[1:]), int(pair.right_id[1:])
            holder = group_of_record.get(rec_pk)
            if holder is None:
                continue
            key = pair_key(by_pk[rec_pk].fingerprint, child_fingerprint(child_pk))
            decision = decisions.get(key)
            if decision == ReviewState.NON_MATCH:
                continue
            found = 1.0 if decision == ReviewState.MATCH else float(pair.probability)
            if decision == ReviewState.MATCH or found >= match_threshold:
                if child_pk not in best or found > best[child_pk][0]:
                    best[child_pk] = (found, holder)
            else:
                wanted_reviews[key] = {
                    "left_id": rec_pk,
                    "right_id": None,
                    "child_id": child_pk,
                    "probability": found,
                    "reasons": reasons_of(pair),
                    "street_id": _street_of(by_pk[rec_pk]),
                }
    for child_pk, (found, holder) in sorted(best.items(), key=lambda kv: -kv[1][0]):
        if holder not in wanted:
            wanted[holder] = (child_pk, found)
            counts["files_by_match"] += 1
    # Apply. A file belongs to one person: every holder that loses or changes its file lets go first.
    changes: dict[int, tuple[int | None, float | None]] = {
        pid: wanted.get(pid, (None, None))
        for pid, person in persons.items()
        if (person.child_id, person.child_probability) != wanted.get(pid, (None, None))
    }
    holders = {child: pid for pid, (child, _p) in wanted.items()}
    release = [
        pid
        for pid, child in Person.objects.filter(child__in=list(holders)).values_list("pk", "child_id")
        if holders[child] != pid
    ]
    Person.objects.filter(pk__in=release + list(changes)).update(child=None, child_probability=None)
    now = timezone.now()
    attached: list[Person] = []
    for person_id, (new_child, new_probability) in changes.items():
        if new_child is None:
            counts["files_detached"] += 1  # found before and not now: the lists changed
            continue
        attached.append(Person(pk=person_id, child_id=new_child, child_probability=new_probability, updated_at=now))
        counts["files_changed"] += 1
    _bulk_set(Person, attached, ["child", "child_probability", "updated_at"])


def _write_reviews(wanted: dict[str, dict[str, Any]], counts: Counter[str]) -> None:
    """Create the new pending pairs, refresh those still wanted, drop pending pairs no longer found
    (a decided pair stays: its decision is applied whenever the pair comes back)."""
    existing = {item.pair_key: item for item in ReviewItem.objects.filter(pair_key__in=list(wanted))}
    new = []
    for key, values in wanted.items():
        item = existing.get(key)
        if item is None:
            new.append(ReviewItem(pair_key=key, **values))
            continue
        if item.state != ReviewState.PENDING:
            continue
        if any(getattr(item, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(item, k, v)
            item.save()
    ReviewItem.objects.bulk_create(new, batch_size=2000)
    stale = ReviewItem.objects.filter(state=ReviewState.PENDING).exclude(pair_key__in=list(wanted))
    counts["reviews_dropped"] = stale.delete()[0]
    counts["reviews_new"] = len(new)
    counts["reviews_pending"] = ReviewItem.objects.filter(state=ReviewState.PENDING).count()


# ----- suggestions for the registry ---------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    child: Child
    probability: float


def suggest_files(
    candidates: Iterable[Child],
    *,
    name: str,
    birth_date: datetime.date | None,
    sex: str,
    area: Area | None,
    limit: int = 5,
) -> list[Suggestion]:
    """Existing files that may be the child described (a new file or a mandatory report without a
    valid ID number), best first, among `candidates` — pass the files the user may see, so that a
    suggestion never tells of a file elsewhere."""
    children = list(candidates)
    if not children or is_unknown_name(name):
        return []
    left = {
        "record_id": "q0",
        "id_number": None,
        "name": name,
        "sex": sex or None,
        "birth_date": birth_date.isoformat() if birth_date else None,
        "street": area.street_code if area else None,
        "community": area.code if area else None,
        "school": None,
    }
    by_pk = {c.pk: c for c in children}
    review, _match = thresholds()
    # The files on the left: the child described has at most one true partner among them.
    found = [
        Suggestion(by_pk[int(p.left_id[1:])], float(p.probability))
        for p in _link([_child_row(c) for c in children], [left])
        if p.probability >= review and int(p.left_id[1:]) in by_pk
    ]
    return sorted(found, key=lambda s: -s.probability)[:limit]


# ----- the background job -------------------------------------------------------------------------


def note_progress(run_id: int, percent: int, step: str) -> None:
    """Progress on the run's row, outside the run's transaction (so the page sees it)."""
    LinkageRun.objects.filter(pk=run_id).update(progress=max(0, min(100, percent)), step=str(step)[:200])


def queue_run(kind: str, user: User | None = None) -> LinkageRun:
    """A queued run of `kind` ("link" or "discover"), audited."""
    if kind not in ("link", "discover"):
        raise ValueError(kind)
    with transaction.atomic():
        run = LinkageRun.objects.create(kind=kind, created_by=user)
        record("linkage.run_queued", actor=user, obj=run, kind=kind)
    return run


def execute_run(run_id: int) -> LinkageRun:
    """Do the queued run `run_id` (the worker's job; also called directly by the commands and tests).
    A failure marks the run failed with a plain reason and re-raises for the log."""
    from .discovery import do_discover
    from .models import JobState

    run = LinkageRun.objects.get(pk=run_id)
    LinkageRun.objects.filter(pk=run_id).update(state=JobState.RUNNING, progress=0)
    try:
        if run.kind == "discover":
            note_progress(run_id, 10, _("Applying the discovery rules"))
            do_discover(user=run.created_by, run=run)
        else:
            do_run_linkage(run.created_by, run=run, progress=lambda p, s: note_progress(run_id, p, s))
    except Exception:
        LinkageRun.objects.filter(pk=run_id).update(
            state=JobState.FAILED, step=_("The run failed; see the server log."), finished_at=timezone.now()
        )
        raise
    LinkageRun.objects.filter(pk=run_id).update(state=JobState.DONE, progress=100, finished_at=timezone.now())
    run.refresh_from_db()
    return run
