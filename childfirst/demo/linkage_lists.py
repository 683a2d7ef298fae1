"""Synthetic department lists for the demonstration, consistent with the demo registry's children.

The 户籍 (household registration) and 居住证 (residence permit) lists hold the demo's active children (the
registered ones and the migrant ones), the 学籍 (student) list its school-age children in school, the 低保
list its children in economic hardship, the justice list some children of a parent in prison — with the
same ID numbers, and the errors real lists carry: traditional characters, a homophone character, spaces,
lower-case x, full-width digits, dates in every form, missing ID numbers, a duplicate row.

On top of those, children with no registry file, for discovery to find: several children aged 6–15 in
demo-director's community who are in the household list but in no school (suspected out of school); a
child of a prisoner; a child on the benefit list; and a few near-duplicate pairs (no ID number in the
student list, a homophone in the name, day and month swapped) for clerical review. Everything is made
up: the imports are marked synthetic. `load_demo_lists` is idempotent (a source already imported as
synthetic is not imported again); it also writes the student list as a workbook the office can upload
from the web (var/demo/学籍名单-示例.xlsx)."""

from __future__ import annotations

import datetime
import io
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import opencc
from django.conf import settings
from django.utils import timezone
from openpyxl import Workbook

from childfirst.areas.models import Area
from childfirst.linkage.importing import import_file
from childfirst.linkage.models import JobState, ListImport
from childfirst.registry.children import crypto
from childfirst.registry.children.idnumber import check_character
from childfirst.registry.models import Child, ChildCategory, ChildStatus
from childfirst.spreadsheet import append_row, csv_writer, is_dangerous

DISTRICT = "330302"
# demo-director's community (data/lucheng-demo.yaml): the out-of-school children and the prisoner's child
# with no file live there, so that they reach demo-director's work list.
DIRECTOR_COMMUNITY = "330302001001"
STUDENT_FILE = "学籍名单-示例.xlsx"
HOMOPHONES = {
    "伟": "玮",
    "婷": "亭",
    "明": "鸣",
    "杰": "洁",
    "涵": "含",
    "轩": "萱",
    "宇": "雨",
    "晨": "辰",
    "浩": "昊",
}
EXTRA_NAMES = ("林子航", "陈语桐", "黄俊熙", "王可欣", "潘一凡", "郑思远", "吴欣然", "周浩然")


@dataclass
class Kid:
    number: str | None
    name: str
    sex: str  # 男 / 女
    birth: datetime.date
    street: Area
    community: Area
    school: str = ""
    codes: tuple[str, ...] = ()
    migrant: bool = False


def demo_dir() -> Path:
    path = settings.VAR_DIR / "demo"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _age(birth: datetime.date, today: datetime.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _registry_kids() -> list[Kid]:
    """The registry's active synthetic children in file order, read as plain values with one read of
    the areas and one of the current categories (twenty thousand model objects, each with its areas
    and categories, took ~3 s of the demo build)."""
    active = Child.objects.filter(is_synthetic=True, status=ChildStatus.ACTIVE)
    children = active.order_by("pk").values_list(
        "pk",
        "id_nonce",
        "id_ciphertext",
        "name",
        "sex",
        "birth_date",
        "residence_area_id",
        "school",
        "hukou_area_id",
    )
    codes: dict[int, list[str]] = {}
    current = ChildCategory.objects.filter(end=None, child__in=active)
    for child_id, code in current.values_list("child_id", "type__code"):
        codes.setdefault(child_id, []).append(code)
    areas = Area.objects.in_bulk()
    kids = []
    for pk, nonce, ciphertext, name, sex, birth, residence_id, school, hukou_id in children:
        community = areas[residence_id]
        assert community.parent_id is not None  # a residence is a community, under its street
        kids.append(
            Kid(
                number=crypto.decrypt(nonce, ciphertext) if ciphertext else None,
                name=name,
                sex="男" if sex == "male" else "女",
                birth=birth,
                street=areas[community.parent_id],
                community=community,
                school=school,
                codes=tuple(codes.get(pk, ())),
                migrant=hukou_id is None,
            )
        )
    return kids


def _new_number(rng: random.Random, birth: datetime.date, sex: str, used: set[str]) -> str:
    while True:
        sequence = rng.randrange(0, 999)
        if (sequence % 2 == 1) != (sex == "男"):
            sequence = (sequence + 1) % 1000
        first17 = f"{DISTRICT}{birth:%Y%m%d}{sequence:03d}"
        number = first17 + check_character(first17)
        if crypto.lookup_hash(number) not in used:
            used.add(crypto.lookup_hash(number))
            return number


def _date_text(rng: random.Random, day: datetime.date) -> object:
    """A date as lists write them: mostly ISO, then the other forms in use."""
    form = rng.random()
    if form < 0.7:
        return day.isoformat()
    if form < 0.8:
        return f"{day.year}/{day.month}/{day.day}"
    if form < 0.9:
        return f"{day:%Y%m%d}"
    return f"{day.year}年{day.month}月{day.day}日"


def _number_text(rng: random.Random, number: str | None) -> str:
    if not number:
        return ""
    roll = rng.random()
    if roll < 0.01:
        return number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    if roll < 0.03:
        return number.lower()
    return number


def _name_text(rng: random.Random, name: str, t2s: opencc.OpenCC) -> str:
    roll = rng.random()
    if roll < 0.02:
        return t2s.convert(name)  # traditional characters
    if roll < 0.03 and len(name) == 2:
        return f"{name[0]} {name[1]}"  # a space inside
    return name


class Lists:
    """The rows of each list, built once from the registry and the made-up extras."""

    def __init__(self, today: datetime.date, seed: int = 12):
        self.today = today
        self.rng = random.Random(seed)  # noqa: S311 — made-up data, reproducible by design
        self.s2t = opencc.OpenCC("s2t")
        self.kids = _registry_kids()
        self.used = {crypto.lookup_hash(k.number) for k in self.kids if k.number}
        director = Area.objects.get(code=DIRECTOR_COMMUNITY)
        assert director.parent is not None  # a community has its street
        self.director_community = director
        self.out_of_school = [self._extra(director, age) for age in (7, 9, 12, 14)]
        self.prisoner_child = self._extra(director, 10, school="鹿城区演示第一小学")
        benefit_home = Area.objects.get(code="330302002001")
        self.benefit_child = self._extra(benefit_home, 11, school="鹿城区演示第二小学")
        # Near duplicates: school-age registered children whose student row has no ID number, a homophone
        # in the name and the day and month of birth swapped (a day ≤ 12, so that the swap is a date).
        candidates = [
            k
            for k in self.kids
            if not k.migrant and 7 <= _age(k.birth, today) <= 14 and k.birth.day <= 12 and k.birth.day != k.birth.month
        ]
        # The demo supervisor's street first, so that demo-supervisor has pairs to review.
        candidates.sort(key=lambda k: k.street != director.parent)
        self.near = [k for k in candidates if any(ch in HOMOPHONES for ch in k.name[1:])][:3]

    def _extra(self, community: Area, age: int, school: str = "") -> Kid:
        sex = "男" if self.rng.random() < 0.5 else "女"
        birth = self.today - datetime.timedelta(days=age * 365 + self.rng.randrange(30, 300))
        name = EXTRA_NAMES[self.rng.randrange(len(EXTRA_NAMES))]
        assert community.parent is not None
        return Kid(self._number(birth, sex), name, sex, birth, community.parent, community, school=school)

    def _number(self, birth: datetime.date, sex: str) -> str:
        return _new_number(self.rng, birth, sex, self.used)

    def hukou(self) -> tuple[list[str], list[list[object]]]:
        headers = ["姓名", "公民身份号码", "性别", "出生日期", "街道", "社区", "户籍地址"]
        rows = []
        for kid in (
            [k for k in self.kids if not k.migrant] + self.out_of_school + [self.prisoner_child, self.benefit_child]
        ):
            rows.append(
                [
                    _name_text(self.rng, kid.name, self.s2t),
                    _number_text(self.rng, kid.number),
                    kid.sex,
                    _date_text(self.rng, kid.birth),
                    kid.street.name,
                    kid.community.name,
                    f"{kid.street.name}演示路{self.rng.randrange(1, 300)}号",
                ]
            )
        return headers, rows

    def residence_permit(self) -> tuple[list[str], list[list[object]]]:
        headers = ["居住证号", "姓名", "公民身份号码", "性别", "出生日期", "街道", "社区", "现居住地详址"]
        rows = []
        for index, kid in enumerate(k for k in self.kids if k.migrant):
            rows.append(
                [
                    f"JZ{index + 1:07d}",
                    _name_text(self.rng, kid.name, self.s2t),
                    _number_text(self.rng, kid.number),
                    kid.sex,
                    _date_text(self.rng, kid.birth),
                    kid.street.name,
                    kid.community.name,
                    f"{kid.street.name}演示路{self.rng.randrange(1, 300)}号",
                ]
            )
        return headers, rows

    def student(self) -> tuple[list[str], list[list[object]]]:
        headers = ["全国学籍号", "学生姓名", "身份证件号码", "性别", "出生日期", "学校名称", "街道", "社区"]
        rows: list[list[object]] = []
        near = {id(k) for k in self.near}
        pupils = [
            k for k in self.kids if 6 <= _age(k.birth, self.today) <= 17 and k.school and "out_of_school" not in k.codes
        ] + [self.prisoner_child, self.benefit_child]
        for kid in pupils:
            name, number, birth = kid.name, _number_text(self.rng, kid.number), kid.birth
            if kid is self.near[0]:
                # The same name and place but another date of birth, and no ID number: the matcher cannot
                # tell, so the pair waits for the street supervisor's review.
                number = ""
                birth = birth.replace(year=birth.year - 2, month=birth.day, day=birth.month)
            elif id(kid) in near:
                name = name[0] + "".join(HOMOPHONES.get(ch, ch) for ch in name[1:])
                number = ""
                birth = birth.replace(month=birth.day, day=birth.month)
            elif self.rng.random() < 0.03:
                number = ""  # the student list lacks some ID numbers
            row: list[object] = [
                f"G{(kid.number or '0' * 18)[:6]}{len(rows) + 1:08d}",
                _name_text(self.rng, name, self.s2t),
                number,
                kid.sex,
                _date_text(self.rng, birth),
                kid.school,
                kid.street.name,
                kid.community.name,
            ]
            rows.append(row)
            if self.rng.random() < 0.01:
                rows.append([f"G{len(rows) + 1:014d}", *row[1:]])  # a duplicate inside the list
        return headers, rows

    def subsistence(self) -> tuple[list[str], list[list[object]]]:
        headers = [
            "低保证号",
            "成员姓名",
            "成员身份证号",
            "性别",
            "出生日期",
            "户主姓名",
            "街道",
            "社区",
            "保障起始日期",
        ]
        rows = []
        poor = [k for k in self.kids if "distress_poverty" in k.codes] + [self.benefit_child]
        for index, kid in enumerate(poor):
            rows.append(
                [
                    f"DB{index + 1:06d}",
                    kid.name,
                    _number_text(self.rng, kid.number),
                    kid.sex,
                    _date_text(self.rng, kid.birth),
                    kid.name[0] + "某某",
                    kid.street.name,
                    kid.community.name,
                    (self.today - datetime.timedelta(days=self.rng.randrange(30, 900))).isoformat(),
                ]
            )
        return headers, rows

    def justice(self) -> tuple[list[str], list[list[object]]]:
        headers = [
            "服刑人员姓名",
            "服刑人员身份证号",
            "子女姓名",
            "子女身份证号",
            "子女性别",
            "子女出生日期",
            "街道",
            "社区",
            "入监日期",
        ]
        rows = []
        children = [k for k in self.kids if "parents_custody_addiction" in k.codes][::2] + [self.prisoner_child]
        for kid in children:
            parent_birth = kid.birth - datetime.timedelta(days=365 * 28 + self.rng.randrange(0, 3000))
            rows.append(
                [
                    kid.name[0] + "某",
                    self._number(parent_birth, "男"),
                    kid.name,
                    _number_text(self.rng, kid.number),
                    kid.sex,
                    _date_text(self.rng, kid.birth),
                    kid.street.name,
                    kid.community.name,
                    (self.today - datetime.timedelta(days=self.rng.randrange(30, 700))).isoformat(),
                ]
            )
        return headers, rows


def xlsx(headers: list[str], rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "名单"
    append_row(sheet, headers)
    for row in rows:
        # append_row finds the row it wrote by the sheet's size, which costs a pass over the sheet:
        # only a row with a formula-looking cell needs it (none does here, but the check stays).
        if any(is_dangerous(cell) for cell in row):
            append_row(sheet, row)
        else:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(headers: list[str], rows: list[list[object]], encoding: str) -> bytes:
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


# Which lists the demo imports, and as what file (the student list also written for the web upload).
PLAN = (
    ("hukou", "户籍人口名单.csv", "gb18030"),
    ("residence_permit", "居住证名单.csv", "utf-8-sig"),
    ("student", STUDENT_FILE, "xlsx"),
    ("subsistence", "低保名单.xlsx", "xlsx"),
    ("justice", "服刑人员子女名单.csv", "utf-8-sig"),
)


def load_demo_lists(today: datetime.date | None = None) -> dict[str, Any]:
    """Import the demo's department lists once (synthetic); returns the rows imported per list."""
    today = today or timezone.localdate()
    done = set(ListImport.objects.filter(is_synthetic=True, state=JobState.DONE).values_list("source", flat=True))
    student_path = demo_dir() / STUDENT_FILE
    if done >= {source for source, _name, _enc in PLAN} and student_path.exists():
        return {"lists_imported": 0}
    if not Child.objects.filter(is_synthetic=True).exists():
        return {"lists_imported": 0}
    lists = Lists(today)
    district = Area.objects.get(code=DISTRICT)
    counts: dict[str, Any] = {"lists_imported": 0}
    for source, name, encoding in PLAN:
        headers, rows = getattr(lists, source)()
        content = xlsx(headers, rows) if encoding == "xlsx" else csv_bytes(headers, rows, encoding)
        if source == "student":
            student_path.write_bytes(content)
        if source in done:
            continue
        result = import_file(None, source, name, content, as_of=today, district=district, is_synthetic=True)
        if result.state != JobState.DONE:
            raise RuntimeError(f"the demo's {source} list did not import: {result.problems[:3]}")
        counts["lists_imported"] += 1
        counts[f"list_{source}_rows"] = result.rows_imported
    return counts
