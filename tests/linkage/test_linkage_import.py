"""Importing a department list: formats and encodings, all or nothing, snapshots, retention."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from childfirst.accounts.models import AuditEvent
from childfirst.areas.models import Area
from childfirst.linkage import importing
from childfirst.linkage.importing import import_file
from childfirst.linkage.models import JobState, ListImport, PairJob, SourceRecord, StoredFile
from childfirst.linkage.retention import do_purge_expired
from childfirst.registry.children import crypto

from .lists import ROWS, A, B, C, csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db
AS_OF = datetime.date(2025, 9, 1)


@pytest.fixture
def district(db) -> Area:
    return Area.objects.get(code="330302")


def run(content: bytes, name: str = "户籍.csv", source: str = "hukou", as_of=AS_OF, district=None) -> ListImport:
    return import_file(None, source, name, content, as_of=as_of, district=district or Area.objects.get(code="330302"))


def check_records(result: ListImport) -> None:
    assert result.state == JobState.DONE, result.problems
    assert (result.rows_total, result.rows_imported) == (3, 3)
    records = {r.row_number: r for r in SourceRecord.objects.filter(list_import=result)}
    first, second, third = (records[n] for n in sorted(records))
    # Stored as the registry stores a child's number: encrypted, keyed hash, masked.
    assert crypto.decrypt(first.id_nonce, first.id_ciphertext) == A
    assert first.id_hash == crypto.lookup_hash(A)
    assert first.id_masked == A[:4] + "*" * 14 and first.id_valid
    assert A not in first.fingerprint and len(first.fingerprint) == 64
    assert (first.name, first.sex, first.birth_date) == ("张伟", "M", datetime.date(2015, 3, 4))
    assert first.community.code == "330302001001" and first.street.code == "330302001"
    assert first.proves == "population"
    # A street written without its level word, a community by code; spaces inside a name dropped.
    assert (second.name, second.street.code, second.community.code) == ("李婷", "330302001", "330302001002")
    assert "name" in second.repaired
    # Traditional characters made simplified; a lower-case x made upper-case.
    assert third.name == "陈小明" and third.id_hash == crypto.lookup_hash(C)
    assert third.street.code == "330302002" and third.community is None
    assert result.rows_repaired >= 1


def test_csv_utf8_with_bom(district):
    result = run(csv_bytes())
    check_records(result)
    assert result.encoding == "UTF-8 (BOM)"
    assert AuditEvent.objects.filter(action="linkage.imported", object_id=str(result.pk)).exists()


def test_csv_utf8_without_bom(district):
    assert run(csv_bytes(encoding="utf-8")).encoding == "UTF-8"


def test_csv_gbk(district):
    rows = [[c.replace("陳", "陈") if isinstance(c, str) else c for c in row] for row in ROWS]  # 陳 is in GBK too
    result = run(csv_bytes(rows, encoding="gbk"))
    check_records(result)
    assert result.encoding == "GB18030"


def test_xlsx_with_a_title_row(district):
    result = run(xlsx_bytes(title="鹿城区户籍儿童名单（2025年9月）"), name="户籍.xlsx")
    check_records(result)
    assert result.encoding == "XLSX"


def test_xlsx_with_numbers_and_dates(district):
    rows = [["张伟", A, 1, datetime.date(2015, 3, 4), 330302001, 330302001001, "演示路1号"]]
    result = run(xlsx_bytes(rows), name="户籍.xlsx")
    assert result.state == JobState.DONE, result.problems
    record = SourceRecord.objects.get(list_import=result)
    assert (record.sex, record.birth_date, record.community.code) == ("M", datetime.date(2015, 3, 4), "330302001001")


def test_an_id_number_excel_stored_as_a_number_is_a_problem(district):
    rows = [["张伟", float(A[:17] + "0") if A[17] == "X" else float(A), "男", "2015-03-04", "", "", ""]]
    result = run(xlsx_bytes(rows), name="户籍.xlsx")
    assert result.state == JobState.FAILED
    assert result.problems[0]["column"] == "公民身份号码" and "文本" in result.problems[0]["reason"]


def test_unrecognised_headers_name_the_columns_found_and_expected(district):
    result = run(csv_bytes(headers=["甲", "乙", "丙", "丁", "戊", "己", "庚"]))
    assert result.state == JobState.FAILED
    assert not SourceRecord.objects.exists()
    [problem] = result.problems
    assert problem["row"] is None
    assert "甲、乙、丙" in problem["reason"] and "身份证号" in problem["reason"] and "姓名" in problem["reason"]
    assert "列" in problem["reason"]  # in Chinese


def test_bad_rows_are_listed_and_nothing_is_stored(district):
    rows = [
        *ROWS,
        ["王五", "", "未知", "2015-13-40", "五马街道", "", ""],
        ["", "", "男", "2015-01-01", "不存在街道", "", ""],
    ]
    result = run(csv_bytes(rows))
    assert result.state == JobState.FAILED
    assert result.rows_imported == 0 and not SourceRecord.objects.exists()
    places = {(p["row"], p["column"]) for p in result.problems}
    assert {(5, "性别"), (5, "出生日期"), (6, "姓名"), (6, "街道")} <= places
    assert all(p["reason"] for p in result.problems)
    assert "王五" not in str(result.problems)  # positions and reasons only, never a value
    event = AuditEvent.objects.get(action="linkage.import_failed", object_id=str(result.pk))
    assert event.detail["rows_with_problems"] == 2


def test_an_invalid_id_number_is_kept_encrypted_and_counted(district):
    rows = [["张伟", A[:16] + "00", "男", "2015-03-04", "", "", ""]]
    result = run(csv_bytes(rows))
    assert result.state == JobState.DONE
    record = SourceRecord.objects.get(list_import=result)
    assert not record.id_valid and record.id_hash is None
    assert crypto.decrypt(record.id_nonce, record.id_ciphertext) == A[:16] + "00"
    assert result.warnings == [{"column": "公民身份号码", "reason": result.warnings[0]["reason"], "rows": 1}]


def test_an_interrupted_import_leaves_nothing_behind(district, monkeypatch):
    monkeypatch.setattr(importing, "BATCH", 1)
    real = SourceRecord.objects.bulk_create
    calls = []

    def failing(objs, *args, **kwargs):
        calls.append(len(objs))
        if len(calls) == 2:
            raise RuntimeError("the worker was stopped")
        return real(objs, *args, **kwargs)

    monkeypatch.setattr(SourceRecord.objects, "bulk_create", failing)
    result = run(csv_bytes())
    assert len(calls) == 2  # one batch was written before the failure
    assert result.state == JobState.FAILED
    assert not SourceRecord.objects.exists()
    assert str(result.pk) in result.problems[0]["reason"]


def test_snapshot_changes(district):
    first = run(csv_bytes(), as_of=datetime.date(2025, 6, 1))
    assert first.changes == {"previous": None}
    moved = [row[:] for row in ROWS[:2]]
    moved[1][5] = "330302001001"  # B moves to the first community
    newcomer = ["赵六", "", "男", "2016-05-05", "五马街道", "", ""]
    second = run(csv_bytes([*moved, newcomer]), as_of=datetime.date(2025, 9, 1))
    changes = second.changes
    assert changes["previous"] == first.pk
    assert (changes["appeared"]["count"], changes["changed_address"]["count"], changes["disappeared"]["count"]) == (
        1,
        1,
        1,
    )
    appeared = SourceRecord.objects.get(pk=changes["appeared"]["records"][0])
    assert appeared.name == "赵六"
    gone = SourceRecord.objects.get(pk=changes["disappeared"]["records"][0])
    assert gone.list_import == first and gone.id_hash == crypto.lookup_hash(C)
    assert SourceRecord.objects.get(pk=changes["changed_address"]["records"][0]).id_hash == crypto.lookup_hash(B)


def test_purge_removes_lists_past_retention(district):
    old = run(csv_bytes(), as_of=datetime.date(2020, 1, 1))
    new = run(csv_bytes(), as_of=datetime.date(2025, 9, 1))
    purged = do_purge_expired(None, today=datetime.date(2025, 9, 2))
    assert purged.imports == [old.pk] and purged.records == 3
    assert list(ListImport.objects.values_list("pk", flat=True)) == [new.pk]
    assert SourceRecord.objects.filter(list_import=new).count() == 3
    event = AuditEvent.objects.get(action="linkage.purged")
    assert event.detail["imports"] == [old.pk] and event.detail["records"] == 3


def test_purge_drops_old_comparisons(district, users, settings):
    job = PairJob.objects.create(district=district, created_by=users.office)
    PairJob.objects.filter(pk=job.pk).update(
        created_at=job.created_at - datetime.timedelta(days=settings.LINKAGE_PAIR_KEEP_DAYS + 1)
    )
    assert do_purge_expired(None).pair_jobs == [job.pk]
    assert not PairJob.objects.exists()


def test_the_file_is_kept_only_when_configured(district, settings):
    run(csv_bytes())
    assert not StoredFile.objects.exists()
    settings.LINKAGE_KEEP_FILES = True
    result = run(csv_bytes())
    stored = StoredFile.objects.get(list_import=result)
    assert importing.stored_content(stored) == csv_bytes() and csv_bytes() not in bytes(stored.content)


# ----- the command line ---------------------------------------------------------------------------


def test_commands(tmp_path, users, capsys):
    path = tmp_path / "学籍.csv"
    path.write_bytes(csv_bytes(headers=["学生姓名", "身份证件号码", "性别", "出生年月", "街道", "社区", "学校名称"]))
    call_command("linkage_import", "--source", "student", str(path), "--as-of", "2025-09-01", "--user", "office")
    out = capsys.readouterr().out
    assert "3" in out and "student" in out
    imported = ListImport.objects.get()
    assert imported.created_by == users.office and imported.source == "student"
    assert SourceRecord.objects.filter(proves="school").count() == 3
    call_command("linkage_status")
    out = capsys.readouterr().out
    assert "2025-09-01" in out and B not in out and "张伟" not in out
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(headers=["甲", "乙"], rows=[["1", "2"]]))
    with pytest.raises(CommandError):
        call_command("linkage_import", "--source", "student", str(bad))
    with pytest.raises(CommandError):
        call_command("linkage_import", "--source", "nosuch", str(path))
    call_command("linkage_purge", "--dry-run")
    assert "0" in capsys.readouterr().out
