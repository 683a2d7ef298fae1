"""Child files: the child, their guardians, photo and the categories (孤儿, 留守儿童 …) they fall into;
who looked at which file (the access log) and the office's grants to files of an area.

The ID number (居民身份证号码, GB 11643) is never stored in clear: it is encrypted (AES-GCM, see
crypto.py) and found by a keyed hash in a UNIQUE column, so one ID number has at most one file.
`id_masked` (the first 4 characters, the rest starred: idnumber.mask_id) is what pages show without
decrypting.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from childfirst.areas.models import Area
from childfirst.bilingual import BilingualName


class Sex(models.TextChoices):
    MALE = "male", _("male")
    FEMALE = "female", _("female")


class ChildStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    EXITED = "exited", _("exited")


class ExitReason(models.TextChoices):
    TURNED_18 = "turned_18", _("turned 18")
    MOVED_AWAY = "moved_away", _("moved away")
    DECEASED = "deceased", _("deceased")
    NOT_ELIGIBLE = "not_eligible", _("no longer eligible")


class Grade(models.TextChoices):
    NOT_IN_SCHOOL = "none", _("not in school")
    PRESCHOOL = "preschool", _("kindergarten")
    PRIMARY_1 = "p1", _("primary year 1")
    PRIMARY_2 = "p2", _("primary year 2")
    PRIMARY_3 = "p3", _("primary year 3")
    PRIMARY_4 = "p4", _("primary year 4")
    PRIMARY_5 = "p5", _("primary year 5")
    PRIMARY_6 = "p6", _("primary year 6")
    JUNIOR_1 = "j1", _("junior middle year 1")
    JUNIOR_2 = "j2", _("junior middle year 2")
    JUNIOR_3 = "j3", _("junior middle year 3")
    SENIOR_1 = "s1", _("senior middle year 1")
    SENIOR_2 = "s2", _("senior middle year 2")
    SENIOR_3 = "s3", _("senior middle year 3")
    VOCATIONAL = "vocational", _("vocational school")
    SPECIAL = "special", _("special education school")


class ChildQuerySet(models.QuerySet["Child"]):
    def visible_to(self, user: Any) -> ChildQuerySet:
        """The ONE scoping rule for child files, used by every page, export and API call.

        A community director sees the children living in the community, a street supervisor those
        living in the street; a department's reporters and reviewers only children with an open
        referral to their department; the office only the areas an unexpired grant names; leaders,
        evaluators, inactive or expired accounts nothing."""
        from childfirst.accounts.models import DEPARTMENT_ROLES, Role

        from ..referrals.models import Referral

        if user is None or not user.is_authenticated or not user.is_active or user.access_expired():
            return self.none()
        if user.role in (Role.COMMUNITY_DIRECTOR, Role.STREET_SUPERVISOR):
            if user.area_id is None:
                return self.none()
            if user.role == Role.COMMUNITY_DIRECTOR:
                return self.filter(residence_area_id=user.area_id)
            return self.filter(residence_area__code__startswith=user.area.code)
        if user.role in DEPARTMENT_ROLES:
            if user.department_id is None:
                return self.none()
            referred = Referral.objects.open().filter(department_id=user.department_id).values("child_id")
            return self.filter(pk__in=referred)
        if user.role == Role.OFFICE:
            codes = list(RegistryGrant.objects.in_force().filter(user=user).values_list("area__code", flat=True))
            if not codes:
                return self.none()
            condition = models.Q(pk__in=[])
            for code in codes:
                condition |= models.Q(residence_area__code__startswith=code)
            return self.filter(condition)
        return self.none()

    def active(self) -> ChildQuerySet:
        return self.filter(status=ChildStatus.ACTIVE)


class Child(models.Model):
    # db_index: on PostgreSQL Django adds a varchar_pattern_ops twin, so a name's beginning is an
    # index range. Substrings are found by the trigram and character indexes of migration 0004.
    name = models.CharField(_("name"), max_length=50, db_index=True)
    # Space-separated readings ("zengxiaoming cengxiaoming") so a polyphone surname is found
    # under each reading; initials likewise ("zxm cxm").
    name_pinyin = models.CharField(_("name in pinyin"), max_length=300, blank=True, db_index=True)
    name_initials = models.CharField(_("pinyin initials"), max_length=100, blank=True, db_index=True)
    # The list's order: surname then given name, syllable by syllable (names.sort_key), so that
    # 陈 and 程 are not interleaved as they are in the concatenated `name_pinyin`.
    name_sort = models.CharField(_("sort key"), max_length=300, blank=True, editable=False)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices)
    birth_date = models.DateField(_("date of birth"))
    # A foundling's date of birth is worked out from an approximate age: shown with 约 and (estimated).
    birth_date_estimated = models.BooleanField(
        _("date of birth estimated"), default=False, help_text=_("the exact date is not known")
    )
    # A child without household registration (无户口) has no ID number yet: all three stay empty.
    id_nonce = models.BinaryField(_("ID number nonce"), max_length=12, null=True, blank=True, editable=False)
    id_ciphertext = models.BinaryField(_("ID number (encrypted)"), max_length=64, null=True, blank=True, editable=False)
    id_hash = models.CharField(_("ID number look-up hash"), max_length=64, unique=True, null=True, editable=False)
    id_masked = models.CharField(_("ID number (masked)"), max_length=18, blank=True, editable=False)
    hukou_area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("household registration (community)"),
        help_text=_("empty when registered outside the district"),
    )
    hukou_place = models.CharField(
        _("household registration elsewhere"),
        max_length=120,
        blank=True,
        help_text=_("province, city and county of a registration outside the district"),
    )
    residence_area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("community of residence")
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    school = models.CharField(_("school"), max_length=100, blank=True)
    grade = models.CharField(_("grade"), max_length=12, choices=Grade.choices, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=ChildStatus.choices, default=ChildStatus.ACTIVE, db_index=True
    )
    exit_reason = models.CharField(_("reason for exit"), max_length=16, choices=ExitReason.choices, blank=True)
    exit_date = models.DateField(_("exit date"), null=True, blank=True)
    exit_note = models.CharField(_("note on the exit"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    is_synthetic = models.BooleanField(
        _("synthetic (demo)"), default=False, help_text=_("made up for the demonstration; not a real child")
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["residence_area", "name_sort", "pk"]
        verbose_name = _("child")
        verbose_name_plural = _("children")
        indexes = [
            models.Index(fields=["residence_area", "status"]),
            # The list's pages in order, its count and a search inside one community from the index
            # alone (PostgreSQL; SQLite has no INCLUDE and makes a plain index).
            models.Index(
                fields=["residence_area", "status", "name_sort", "id"],
                include=["name", "name_pinyin", "name_initials"],
                name="child_list_sorted",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="active", exit_date__isnull=True)
                | models.Q(status="exited", exit_date__isnull=False),
                name="child_exit_date_iff_exited",
            ),
        ]

    def __str__(self) -> str:
        # The file number, not the name: str() ends up in logs and error messages.
        return _("child file %(pk)s") % {"pk": self.pk}

    @property
    def is_active(self) -> bool:
        return self.status == ChildStatus.ACTIVE

    def age_on(self, day: datetime.date | None = None) -> int:
        day = day or timezone.localdate()
        return day.year - self.birth_date.year - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))

    @property
    def age(self) -> int:
        return self.age_on()


class ChildPhoto(models.Model):
    """Kept in the database, not on disk, so the web tier stays stateless; served only through
    an access-checked, logged view."""

    child = models.OneToOneField(Child, on_delete=models.CASCADE, related_name="photo", verbose_name=_("child"))
    content = models.BinaryField(_("image"), editable=False)
    content_type = models.CharField(_("content type"), max_length=40)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return _("photo of child file %(pk)s") % {"pk": self.child_id}


class GuardianRelation(models.TextChoices):
    FATHER = "father", _("father")
    MOTHER = "mother", _("mother")
    GRANDPARENT = "grandparent", _("grandparent")
    RELATIVE = "relative", _("other relative")
    FOSTER = "foster", _("foster carer")
    INSTITUTION = "institution", _("institution")
    OTHER = "other", _("other")


class Guardian(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="guardians", verbose_name=_("child"))
    name = models.CharField(_("name"), max_length=50)
    relation = models.CharField(_("relation"), max_length=12, choices=GuardianRelation.choices)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    is_primary = models.BooleanField(_("primary guardian"), default=False)

    class Meta:
        ordering = ["child", "-is_primary", "pk"]
        verbose_name = _("guardian")
        verbose_name_plural = _("guardians")
        constraints = [
            models.UniqueConstraint(
                fields=["child"], condition=models.Q(is_primary=True), name="one_primary_guardian_per_child"
            )
        ]

    def __str__(self) -> str:
        return _("guardian %(pk)s") % {"pk": self.pk}


class CategoryType(BilingualName, models.Model):
    """A category of child the platform follows (孤儿, 困境儿童 and its sub-types …), loaded from
    data/categories.yaml."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="subtypes", verbose_name=_("parent")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("category of child")
        verbose_name_plural = _("categories of child")

    def __str__(self) -> str:
        return self.display_name


class ChildCategoryQuerySet(models.QuerySet["ChildCategory"]):
    def current(self, day: datetime.date | None = None) -> ChildCategoryQuerySet:
        """Categories in force on `day` (today by default): started, and not ended by then."""
        day = day or timezone.localdate()
        return self.filter(start__lte=day).filter(models.Q(end__isnull=True) | models.Q(end__gt=day))


class ChildCategory(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="categories", verbose_name=_("child"))
    type = models.ForeignKey(CategoryType, on_delete=models.PROTECT, related_name="+", verbose_name=_("category"))
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True, help_text=_("first day it no longer applies"))
    evidence = models.TextField(_("evidence"), blank=True, help_text=_("documents seen, decisions, certificates"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ChildCategoryQuerySet.as_manager()

    class Meta:
        ordering = ["child", "start", "pk"]
        verbose_name = _("category of a child")
        verbose_name_plural = _("categories of a child")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gt=models.F("start")),
                name="category_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child_id}: {self.type_id} {self.start}–{self.end or ''}"

    def is_current(self, day: datetime.date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.start <= day and (self.end is None or self.end > day)


# ----- the access log and grants -----------------------------------------------------------------

# Who looked at which child file, and the office's time-limited grants to child files of an area.
#
# The access log is append-only like accounts.AuditEvent (database triggers refuse UPDATE and
# DELETE, migration 0001). It names a child by file number only, and outlives the file: when an
# exited file is purged its log rows stay, pointing at a number that no longer exists.


class AccessAction(models.TextChoices):
    VIEW = "view", _("viewed the file")
    SEARCH = "search", _("searched or listed")
    CREATE = "create", _("created the file")
    EDIT = "edit", _("edited the file")
    EXPORT = "export", _("exported")
    PRINT = "print", _("printed")
    REVEAL_ID = "reveal_id", _("revealed the ID number")
    PHOTO = "photo", _("viewed the photo")
    API_READ = "api_read", _("read through the API")
    EXIT = "exit", _("closed the file")
    PURGE = "purge", _("purged the file")
    # A department list's records seen through a verification task or a review pair (linkage).
    LIST_RECORDS = "list_records", _("viewed department list records")


class ChildAccessLogQuerySet(models.QuerySet["ChildAccessLog"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("the access log is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("the access log is append-only")


class ChildAccessLog(models.Model):
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("who")
    )
    user_name = models.CharField(_("who (as recorded)"), max_length=150, blank=True)
    # No database constraint: the row must survive the file's purge.
    child = models.ForeignKey(
        Child,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="access_log",
        verbose_name=_("child file"),
    )
    action = models.CharField(_("action"), max_length=16, choices=AccessAction.choices, db_index=True)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    # For searches and exports: how many files the result held (never the search terms: they are names).
    result_count = models.PositiveIntegerField(_("files in the result"), null=True, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = ChildAccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("child file access")
        verbose_name_plural = _("child file access log")
        indexes = [models.Index(fields=["child", "created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.user_name} {self.action} {self.child_id or ''}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("the access log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("the access log is append-only")

    @property
    def purpose_label(self) -> str:
        """The purpose in the reader's language when the product wrote it (children/purposes.py)."""
        from .purposes import purpose_label

        return purpose_label(self.purpose)

    @property
    def user_label(self) -> str:
        """Who: the account's name, or "the system" for a row written without one (the public form)."""
        return str(_("the system")) if self.user_name == "system" and self.user_id is None else self.user_name


class GrantState(models.TextChoices):
    PENDING = "pending", _("awaiting approval")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")


class RegistryGrantQuerySet(models.QuerySet["RegistryGrant"]):
    def in_force(self, now: Any = None) -> RegistryGrantQuerySet:
        """Approved by a second office user, neither revoked nor expired: the only grants that
        open child files."""
        now = now or timezone.now()
        return self.filter(state=GrantState.APPROVED, revoked_at__isnull=True, expires_at__gt=now)

    def awaiting_approval(self, now: Any = None) -> RegistryGrantQuerySet:
        """Requested, not yet decided, neither withdrawn nor past their end."""
        now = now or timezone.now()
        return self.filter(state=GrantState.PENDING, revoked_at__isnull=True, expires_at__gt=now)

    def open(self, now: Any = None) -> RegistryGrantQuerySet:
        """Awaiting approval or in force."""
        now = now or timezone.now()
        return self.filter(
            state__in=[GrantState.PENDING, GrantState.APPROVED], revoked_at__isnull=True, expires_at__gt=now
        )

    def concerning(self, area: Area) -> RegistryGrantQuerySet:
        """Grants that open files of `area`: those naming the area, an area above it (the
        district for a street) or an area inside it (a community of a street)."""
        above = [ancestor.code for ancestor in area.ancestors()]
        return self.filter(models.Q(area__code__in=above) | models.Q(area__code__startswith=area.code))

    def visible_to(self, user: Any) -> RegistryGrantQuerySet:
        """The grants an office user may see and decide on: those of areas in the user's scope."""
        from childfirst.accounts.models import Role

        if user is None or not user.is_authenticated or user.role != Role.OFFICE:
            return self.none()
        scope = user.scope_area()
        return self.filter(area__code__startswith=scope.code) if scope is not None else self


class RegistryGrant(models.Model):
    """The office sees no child file unless a grant names the user and an area (a street or a
    community, or the district), with a reason and an end date; then read-only.

    Two people: one office user requests the grant, another approves it (neither the requester
    nor the grantee: the check constraint below holds it in the database too). Only approved,
    unexpired, unrevoked grants open files (ChildQuerySet.visible_to)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="registry_grants", verbose_name=_("user")
    )
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    reason = models.CharField(_("reason"), max_length=200)
    state = models.CharField(
        _("state"), max_length=10, choices=GrantState.choices, default=GrantState.PENDING, db_index=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    # Who approved or rejected the request, and why it was rejected. Grants made before the
    # two-person rule that had ended by then are "approved" with nobody here (migration 0007).
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved or rejected by"),
    )
    decided_at = models.DateTimeField(_("approved or rejected at"), null=True, blank=True)
    rejection_reason = models.CharField(_("reason for the rejection"), max_length=200, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = RegistryGrantQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("access grant to child files")
        verbose_name_plural = _("access grants to child files")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(decided_by=models.F("requested_by")) & ~models.Q(decided_by=models.F("user")),
                name="grant_decided_by_a_second_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.area_id} ({self.expires_at:%Y-%m-%d})"

    def is_in_force(self) -> bool:
        return self.state == GrantState.APPROVED and self.revoked_at is None and self.expires_at > timezone.now()

    def is_awaiting_approval(self) -> bool:
        return self.state == GrantState.PENDING and self.revoked_at is None and self.expires_at > timezone.now()
