"""`childfirst linkage pair LEFT RIGHT --out LINKS.csv` on real files (issue 12, deliverable 7)."""

from __future__ import annotations

import csv
import datetime

import openpyxl
import pytest
from django.core.management import CommandError, call_command

# Synthetic records (valid invented ID numbers).
HOUSEHOLD = [
    ["户籍编号", "姓名", "公民身份号码", "性别", "出生日期", "街道", "社区"],
    ["H1", "张伟", "11010520150304048X", "女", "2015-03-04", "鹿城街道", "一社区"],
    ["H2", "李婷", "110105201405060019", "男", "2014-05-06", "鹿城街道", "二社区"],
    ["H3", "欧阳娜娜", "110105201201010027", "女", "2012-01-01", "南汇街道", "三社区"],
    ["H4", "王小明", "110105201107080016", "男", "2011-07-08", "南汇街道", "三社区"],
]
STUDENTS = [
    ["学籍号", "学生姓名", "身份证件号码（必填）", "性别", "出生年月", "乡镇"],
    ["S1", "張 偉", "11010520150304048x", "2", "20150304", "鹿城"],  # traditional, space, lower x
    ["S2", "李亭", "", "1", "2014年5月6日", "鹿城"],  # homophone, no ID number
    ["S3", "欧阳娜娜", "110105201201010072", "2", "2012.1.1", "南汇"],  # two digits transposed
    ["S4", "赵六", "", "1", "2013/2/3", "南汇"],  # in no household list
    ["S5", "李婷", "110105201405060019", "1", "2014-05-06", "鹿城"],  # a duplicate of H2 in the list
]


def _write_csv(path, rows, encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def _write_xlsx(path, rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def _links(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["left_id", "right_id", "match_probability", "decision"]
    return {(r[0], r[1]): (float(r[2]), r[3]) for r in rows[1:]}


def _check(links):
    matches = {pair for pair, (_p, decision) in links.items() if decision == "match"}
    assert {("H1", "S1"), ("H2", "S2"), ("H3", "S3"), ("H2", "S5")} <= matches
    assert not any(right == "S4" for _left, right in matches)
    rights = [right for _left, right in matches]
    assert len(rights) == len(set(rights))  # every right record in at most one match


def test_csv_utf8_and_gbk(tmp_path, capsys):
    left = _write_csv(tmp_path / "household.csv", HOUSEHOLD)
    right = _write_csv(tmp_path / "students.csv", STUDENTS, encoding="gbk")
    out = tmp_path / "links.csv"
    call_command("linkage_pair", str(left), str(right), "--out", str(out))
    _check(_links(out))
    printed = capsys.readouterr().out
    assert "左侧名单 4 条" in printed and "右侧名单 5 条" in printed and "秒" in printed


def test_xlsx(tmp_path):
    household = [list(r) for r in HOUSEHOLD]
    household[1][4] = datetime.date(2015, 3, 4)  # a date cell
    left = _write_xlsx(tmp_path / "household.xlsx", household)
    right = _write_xlsx(tmp_path / "students.xlsx", STUDENTS)
    out = tmp_path / "links.csv"
    call_command("linkage_pair", str(left), str(right), "--out", str(out))
    _check(_links(out))


def test_id_column(tmp_path):
    def id_last(rows):
        return [["性别", *row[1:], "记录号"] if n == 0 else [row[3], *row[1:], row[0]] for n, row in enumerate(rows)]

    left = _write_csv(tmp_path / "household.csv", id_last(HOUSEHOLD))
    right = _write_csv(tmp_path / "students.csv", id_last(STUDENTS))
    out = tmp_path / "links.csv"
    call_command("linkage_pair", str(left), str(right), "--out", str(out), "--id", "记录号")
    assert ("H1", "S1") in _links(out)


def test_unrecognised_headers_write_nothing(tmp_path):
    left = _write_csv(tmp_path / "household.csv", HOUSEHOLD)
    right = _write_csv(tmp_path / "other.csv", [["甲", "乙"], ["1", "2"]])
    out = tmp_path / "links.csv"
    with pytest.raises(CommandError) as error:
        call_command("linkage_pair", str(left), str(right), "--out", str(out))
    message = str(error.value)
    assert "other.csv" in message and "甲、乙" in message and "身份证号" in message
    assert sorted(tmp_path.iterdir()) == sorted([left, right])  # no links file, no temporary file


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ((2, 4, "not a date"), ["students.csv", "第 3 行", "出生年月", "日期格式无法识别"]),
        ((2, 0, "S1"), ["students.csv", "第 3 行", "学籍号", "与第 2 行重复"]),
        ((2, 0, ""), ["students.csv", "第 3 行", "学籍号", "记录编号为空"]),
    ],
)
def test_bad_rows_name_file_row_and_column(tmp_path, change, expected):
    rows = [list(r) for r in STUDENTS]
    row, column, value = change
    rows[row][column] = value
    left = _write_csv(tmp_path / "household.csv", HOUSEHOLD)
    right = _write_csv(tmp_path / "students.csv", rows)
    out = tmp_path / "links.csv"
    with pytest.raises(CommandError) as error:
        call_command("linkage_pair", str(left), str(right), "--out", str(out))
    assert all(part in str(error.value) for part in expected), str(error.value)
    assert "李亭" not in str(error.value)
    assert not out.exists()


def test_neither_utf8_nor_gbk(tmp_path):
    left = _write_csv(tmp_path / "household.csv", HOUSEHOLD)
    right = tmp_path / "students.csv"
    right.write_bytes(b"\xff\xfe\x00\xd8\x00\x00\xff")
    with pytest.raises(CommandError, match=r"students\.csv"):
        call_command("linkage_pair", str(left), str(right), "--out", str(tmp_path / "links.csv"))
