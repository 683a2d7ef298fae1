"""The department lists as data: the shipped file loads; a wrong one is refused naming line and problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from childfirst.datafile import DataFileInvalid
from childfirst.linkage.sources import SOURCES_FILE, read_sources, sources

GOOD = """\
schema_version: 1
sources:
  - key: student
    name: 学籍
    name_en: Students
    department: education
    headers: {在读学校: school, 班级: ignore}
    retention_days: 730
    proves: [school]
    population: false
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_file():
    spec = read_sources(SOURCES_FILE)
    keys = [s.key for s in spec.sources]
    assert keys == list(sources())
    assert {
        "hukou",
        "residence_permit",
        "student",
        "subsistence",
        "orphan_support",
        "disability",
        "justice",
        "births",
        "deaths",
    } <= set(keys)
    assert {s.key for s in spec.sources if s.population} == {"hukou", "residence_permit"}
    justice = sources()["justice"]
    assert justice.column_fields["子女身份证号"] == "id_number" and "性别" in justice.ignored_headers
    orphans = sources()["orphan_support"]
    assert (
        orphans.proof_for("事实无人抚养儿童") == "category:de_facto_unsupported" and orphans.proof_for("别的") is None
    )


def test_a_good_file(tmp_path):
    [source] = read_sources(write(tmp_path, GOOD)).sources
    assert source.proves == ["school"] and source.column_fields == {"在读学校": "school"}


@pytest.mark.parametrize(
    ("change", "line", "words"),
    [
        (("retention_days: 730", "retention_days: seven"), 8, "seven"),
        (("population: false", "population: false\n    colour: red"), 11, "colour"),
        (("proves: [school]", "proves: [category:no_such_kind]"), 9, "no_such_kind"),
        (("proves: [school]", "proves: [fame]"), 9, "fame"),
        (("在读学校: school", "在读学校: schools"), 7, "schools"),
        (("department: education", "department: Education Bureau"), 6, "Education Bureau"),
    ],
)
def test_a_bad_file_is_refused_precisely(tmp_path, change, line, words):
    with pytest.raises(DataFileInvalid) as raised:
        read_sources(write(tmp_path, GOOD.replace(*change)))
    problem = raised.value.problems[0]
    assert problem.line == line, str(raised.value)
    assert words in str(raised.value)


def test_a_duplicate_key_is_refused(tmp_path):
    text = GOOD + GOOD.split("sources:\n", 1)[1]
    with pytest.raises(DataFileInvalid, match="student"):
        read_sources(write(tmp_path, text))
