"""The area tree: Lucheng and its 14 streets/towns, synthetic communities, history kept."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from childfirst.areas.loader import load_areas
from childfirst.areas.models import Area
from childfirst.datafile import DataFileInvalid
from childfirst.demo.load import AREA_FILE

STREETS = [
    "五马街道", "松台街道", "南汇街道", "滨江街道", "七都街道", "大南街道", "南郊街道",
    "广化街道", "蒲鞋市街道", "双屿街道", "仰义街道", "丰门街道", "藤桥镇", "山福镇",
]  # fmt: skip


@pytest.mark.django_db
def test_lucheng_and_its_fourteen_streets():
    district = Area.objects.get(code="330302")
    assert district.name == "鹿城区" and district.level == "district" and not district.is_synthetic
    streets = Area.objects.streets().filter(parent=district)
    assert sorted(s.name for s in streets) == sorted(STREETS)
    assert all(s.code.startswith("330302") and len(s.code) == 9 for s in streets)
    assert not any(s.is_synthetic for s in streets)


@pytest.mark.django_db
def test_demo_communities_are_synthetic_and_say_so():
    communities = Area.objects.communities()
    assert communities.count() >= 14 * 4
    assert all(c.is_synthetic and "演示" in c.name for c in communities)
    assert all(c.code.startswith(c.parent.code) for c in communities.select_related("parent"))
    assert Area.objects.get(code="330302013001").kind == "村"  # towns have villages


@pytest.mark.django_db
def test_restructuring_keeps_history():
    merged = Area.objects.get(code="330302001005")
    assert merged.replaced_by.code == "330302001001"
    assert merged.is_valid_on(datetime.date(2022, 6, 1))
    assert not merged.is_valid_on(datetime.date(2023, 6, 1))
    assert merged in Area.objects.valid_on(datetime.date(2022, 6, 1))
    assert merged not in Area.objects.valid_on()


@pytest.mark.django_db
def test_area_pages_show_history(client, users):
    client.force_login(users.supervisor)
    current = client.get("/areas/").content.decode()
    assert "已撤并" not in current
    everything = client.get("/areas/?all=1").content.decode()
    assert "五马第五社区（演示，已撤并）" in everything
    detail = client.get("/areas/330302001005/").content.decode()
    assert "2023-01-01" in detail and "五马第一社区（演示）" in detail


@pytest.mark.django_db
def test_reloading_areas_is_idempotent():
    before = Area.objects.count()
    result = load_areas(AREA_FILE)
    assert result.created == 0 and result.updated == 0
    assert Area.objects.count() == before


@pytest.mark.django_db
def test_bad_area_file_is_refused_with_locations(tmp_path: Path):
    text = AREA_FILE.read_text(encoding="utf-8")
    text = text.replace('code: "330302001", name: 五马街道', 'code: "33030201", name: 五马街道')
    text = text.replace('code: "330302002", name: 松台街道', 'code: "330399002", name: 松台街道')
    path = tmp_path / "areas.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileInvalid) as caught:
        load_areas(path)
    joined = "\n".join(str(p) for p in caught.value.problems)
    assert "不是 9 位" in joined or "位数应为 9" in joined
    assert "不以上级区划代码 330302 开头" in joined
    assert Area.objects.get(code="330302001").name == "五马街道"
