"""The linkage app's tables.

A department list arrives as a `ListImport` (one dated snapshot of one source declared in
`data/sources.yaml`); each readable row becomes a `SourceRecord`, normalised, its ID number encrypted
and hashed as the registry does. A `LinkageRun` links every current record into the person index
(`Person`: one real child → the records that belong to them and the registry file if there is one);
pairs between the two thresholds wait as `ReviewItem`s. Discovery rules raise `VerificationTask`s
for the director of the child's community.

Population lists are the most sensitive data in the system: nobody browses them. A record is seen
only through a task or a review item in the viewer's scope (`access.py`), and each such view is
written to the registry's access log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from childfirst.accounts.models import Role
from childfirst.areas.models import Area, district_code


class JobState(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class ListImportQuerySet(models.QuerySet["ListImport"]):
    def visible_to(self, user) -> ListImportQuerySet:
        """Imports the user may see: the office's, of its own district (nobody else sees lists)."""
        if getattr(user, "role", "") != Role.OFFICE:
            return self.none()
        scope = user.scope_area()
        return self if scope is None else self.filter(district__code=district_code(scope.code))

    def done(self) -> ListImportQuerySet:
        return self.filter(state=JobState.DONE)

    def current(self, source: str, district: Area) -> ListImport | None:
        """The source's current list in the district: the finished import of the latest as-of date."""
        return self.done().filter(source=source, district=district).order_by("-as_of", "-finished_at", "-id").first()


class ListImport(models.Model):
    """One import of one department list: an as-of snapshot. The newest finished import of a source is
    its current list; comparing it with the one before shows who appeared, moved or disappeared."""

    source = models.CharField(_("source"), max_length=40, db_index=True)
    district = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("district"))
    as_of = models.DateField(_("as of"))
    state = models.CharField(_("state"), max_length=8, choices=JobState.choices, default=JobState.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    step = models.CharField(_("step"), max_length=200, blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    rows_total = models.PositiveIntegerField(_("rows in the file"), default=0)
    rows_imported = models.PositiveIntegerField(_("rows imported"), default=0)
    rows_repaired = models.PositiveIntegerField(_("rows repaired"), default=0)
    # [{"row": 12, "column": "身份证号", "reason": "…"}] — positions and reasons only, never a value.
    problems = models.JSONField(_("problems"), default=list, blank=True)
    # [{"column": "身份证号", "reason": "…", "rows": 12}] — readable rows with a value kept as given but not
    # valid (a damaged ID number still helps the matcher): counted per column and reason, never a value.
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    # Appeared / changed / disappeared against the previous snapshot of the same source.
    changes = models.JSONField(_("changes since the previous list"), default=dict, blank=True)
    is_synthetic = models.BooleanField(_("synthetic (demo) data"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ListImportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("list import")
        verbose_name_plural = _("list imports")
        indexes = [models.Index(fields=["source", "state", "as_of"])]

    def __str__(self) -> str:
        return f"{self.source} {self.as_of} #{self.pk}"


class Person(models.Model):
    """One real child in the person index: the source records linked to them and, if there is one, their
    registry file. Its fields are the best values seen across its records (for routing and display)."""

    id_hash = models.CharField(_("ID number look-up hash"), max_length=64, null=True, blank=True, db_index=True)
    id_masked = models.CharField(_("ID number (masked)"), max_length=18, blank=True)
    name = models.CharField(_("name"), max_length=50, blank=True)
    sex = models.CharField(_("sex"), max_length=1, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    street = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("street/town")
    )
    community = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("community/village")
    )
    child = models.OneToOneField(
        "registry.Child",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        verbose_name=_("registry file"),
    )
    child_probability = models.FloatField(_("match probability with the file"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("person index")

    def __str__(self) -> str:
        return _("person %(pk)s") % {"pk": self.pk}


class LinkMethod(models.TextChoices):
    ID = "id", _("same valid ID number")
    PROBABILISTIC = "probabilistic", _("probabilistic match")
    CLERICAL = "clerical", _("confirmed by review")
    SINGLE = "single", _("no other record")


class SourceRecord(models.Model):
    """One readable row of an imported list, normalised. The ID number is kept only encrypted, with a
    keyed hash for look-up, and masked for display; `fingerprint` is a keyed hash of the row's identity
    (ID number, else name + birth date + sex) that stays the same across snapshots."""

    list_import = models.ForeignKey(
        ListImport, on_delete=models.CASCADE, related_name="records", verbose_name=_("list import")
    )
    source = models.CharField(_("source"), max_length=40, db_index=True)
    row_number = models.PositiveIntegerField(_("row"))
    fingerprint = models.CharField(_("identity fingerprint"), max_length=64, db_index=True)
    id_hash = models.CharField(_("ID number look-up hash"), max_length=64, null=True, blank=True, db_index=True)
    id_nonce = models.BinaryField(_("ID number nonce"), max_length=12, null=True, blank=True, editable=False)
    # The characters as given (cleaned), valid or not: a damaged number still helps the matcher.
    id_ciphertext = models.BinaryField(_("ID number (encrypted)"), max_length=64, null=True, blank=True, editable=False)
    id_masked = models.CharField(_("ID number (masked)"), max_length=18, blank=True)
    id_valid = models.BooleanField(_("ID number valid"), default=False)
    name = models.CharField(_("name"), max_length=50, blank=True)
    name_pinyin = models.CharField(_("name in pinyin"), max_length=300, blank=True)
    sex = models.CharField(_("sex"), max_length=1, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    street = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("street/town")
    )
    community = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("community/village")
    )
    school = models.CharField(_("school"), max_length=100, blank=True)
    guardian_name = models.CharField(_("guardian"), max_length=50, blank=True)
    # What this row proves, from the source's declaration (a category code, "death", "school" …).
    proves = models.CharField(_("proves"), max_length=40, blank=True)
    event_date = models.DateField(_("event date"), null=True, blank=True)
    repaired = models.JSONField(_("fields repaired"), default=list, blank=True)
    person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="records",
        verbose_name=_("person"),
    )
    match_method = models.CharField(_("linked by"), max_length=16, choices=LinkMethod.choices, blank=True)
    match_probability = models.FloatField(_("match probability"), null=True, blank=True)
    # {comparison: {"weight": match weight, "level": level label}} from Splink, shown in Chinese.
    match_reasons = models.JSONField(_("match reasons"), default=dict, blank=True)

    class Meta:
        ordering = ["list_import", "row_number"]
        verbose_name = _("source record")
        verbose_name_plural = _("source records")
        constraints = [models.UniqueConstraint(fields=["list_import", "row_number"], name="linkage_record_row")]

    def __str__(self) -> str:
        return _("%(source)s record %(pk)s") % {"source": self.source, "pk": self.pk}


class LinkageRun(models.Model):
    """One run of the linker over every current list (and discovery after it, if asked)."""

    kind = models.CharField(_("kind"), max_length=12, default="link")  # "link" | "discover"
    state = models.CharField(_("state"), max_length=8, choices=JobState.choices, default=JobState.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    step = models.CharField(_("step"), max_length=200, blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("linkage run")
        verbose_name_plural = _("linkage runs")

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M}"


class ReviewState(models.TextChoices):
    PENDING = "pending", _("awaiting review")
    MATCH = "match", _("same child")
    NON_MATCH = "non_match", _("different children")


class ReviewItem(models.Model):
    """A pair the matcher could not decide (probability between the two thresholds): two source records,
    or a source record and a registry file. `pair_key` (keyed hash of both fingerprints, order-free)
    carries a decision across re-runs, so nobody is asked twice."""

    pair_key = models.CharField(_("pair key"), max_length=64, unique=True)
    left = models.ForeignKey(SourceRecord, on_delete=models.CASCADE, related_name="+", verbose_name=_("record"))
    right = models.ForeignKey(
        SourceRecord, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("other record")
    )
    child = models.ForeignKey(
        "registry.Child",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registry file"),
    )
    probability = models.FloatField(_("match probability"))
    reasons = models.JSONField(_("match reasons"), default=dict, blank=True)
    # Scope: the street (and community when known) of the records, for who may review it.
    street = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("street/town")
    )
    state = models.CharField(_("state"), max_length=10, choices=ReviewState.choices, default=ReviewState.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-probability", "id"]
        verbose_name = _("review item")
        verbose_name_plural = _("clerical review")

    def __str__(self) -> str:
        return _("review item %(pk)s") % {"pk": self.pk}


class TaskState(models.TextChoices):
    OPEN = "open", _("to verify")
    CONFIRMED = "confirmed", _("confirmed")
    REJECTED = "rejected", _("rejected")
    WITHDRAWN = "withdrawn", _("no longer applies")


class VerificationTask(models.Model):
    """A discovery rule's finding about one child, for the director of the child's community (the
    street supervisor when only the street is known) to confirm or reject with a reason."""

    rule = models.CharField(_("rule"), max_length=40, db_index=True)
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, null=True, blank=True, related_name="tasks", verbose_name=_("person")
    )
    child = models.ForeignKey(
        "registry.Child",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="verification_tasks",
        verbose_name=_("registry file"),
    )
    street = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("street/town"))
    community = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("community/village")
    )
    evidence = models.ManyToManyField(SourceRecord, related_name="tasks", blank=True, verbose_name=_("evidence"))
    state = models.CharField(_("state"), max_length=10, choices=TaskState.choices, default=TaskState.OPEN)
    deadline = models.DateField(_("deadline"))
    reason = models.CharField(_("reason"), max_length=40, blank=True)
    note = models.TextField(_("note"), blank=True)
    is_synthetic = models.BooleanField(_("synthetic (demo) data"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("verification task")
        verbose_name_plural = _("verification tasks")
        constraints = [
            # A rule that fires again for the same child does not open a second task while one is open.
            models.UniqueConstraint(
                fields=["rule", "person"],
                condition=models.Q(state="open"),
                name="linkage_one_open_task_per_rule_and_person",
            )
        ]

    def __str__(self) -> str:
        return _("verification task %(pk)s") % {"pk": self.pk}


class PairJobQuerySet(models.QuerySet["PairJob"]):
    def visible_to(self, user) -> PairJobQuerySet:
        """A comparison of two lists is its requester's alone (the office user who uploaded both files)."""
        if getattr(user, "role", "") != Role.OFFICE or not getattr(user, "pk", None):
            return self.none()
        return self.filter(created_by=user)


class PairJob(models.Model):
    """The office's comparison of two lists it uploads (比对两份名单): stateless as `linkage pair` — the
    lists are not imported — its result a workbook to download. Its files are kept encrypted for
    LINKAGE_PAIR_KEEP_DAYS, then purged with the job."""

    district = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("district"))
    state = models.CharField(_("state"), max_length=8, choices=JobState.choices, default=JobState.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    step = models.CharField(_("step"), max_length=200, blank=True)
    left_name = models.CharField(_("first list"), max_length=200, blank=True)
    right_name = models.CharField(_("second list"), max_length=200, blank=True)
    id_column = models.CharField(_("id column"), max_length=100, blank=True)
    # {"left": rows, "right": rows, "match": n, "review": n, "seconds": t}
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = PairJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("comparison of two lists")
        verbose_name_plural = _("comparisons of two lists")

    def __str__(self) -> str:
        return f"pair #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.state in (JobState.QUEUED, JobState.RUNNING)


class StoredFile(models.Model):
    """A file in transit, encrypted (AES-GCM, a key of its own derived from the registry's): an uploaded
    list waiting for its import worker (kept after it only with LINKAGE_KEEP_FILES), or a comparison's
    two lists and its result. In the database, not on one web server's disk, so any worker can read it."""

    class Purpose(models.TextChoices):
        LIST = "list", _("uploaded list")
        LEFT = "left", _("first list")
        RIGHT = "right", _("second list")
        RESULT = "result", _("result")

    list_import = models.ForeignKey(ListImport, on_delete=models.CASCADE, null=True, blank=True, related_name="files")
    pair_job = models.ForeignKey(PairJob, on_delete=models.CASCADE, null=True, blank=True, related_name="files")
    purpose = models.CharField(_("purpose"), max_length=8, choices=Purpose.choices)
    name = models.CharField(_("file name"), max_length=200, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    nonce = models.BinaryField(max_length=12, editable=False)
    content = models.BinaryField(editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")

    def __str__(self) -> str:
        return f"{self.purpose} #{self.pk}"
