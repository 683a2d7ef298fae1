"""The shipped Lucheng catalogue against the plan's own text: every quantitative target is an
indicator with the right comparator and value, and every plan sentence with a number is
accounted for by an indicator or by a stated reason."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal

import pytest

from childfirst.datafile import DataFile
from childfirst.demo.load import PLAN_FILE
from childfirst.plans.loader import normalise_text
from childfirst.plans.models import RATE_UNITS, Comparator, Indicator
from childfirst.plans.schema import PlanFile

SPEC = DataFile.read(PLAN_FILE).validate(PlanFile)
PLAN_TEXT = (PLAN_FILE.parent / SPEC.plan.source_document).read_text(encoding="utf-8")
DIGIT = re.compile(r"[0-9０-９]")


def numeric_sentences() -> list[str]:
    """Sentences of sections 二 (domains) and 三 (key projects) holding a digit, item numbers and
    the document's bookmarks left out."""
    body = PLAN_TEXT[PLAN_TEXT.index("二、发展领域") : PLAN_TEXT.index("四、规划实施和保障机制")]
    body = re.sub(r"\[bookmark: [^\]]*\]", "", body)
    sentences = []
    for line in body.splitlines():
        line = re.sub(r"^\s*[0-9]+\s*[．.]", "", line)
        for sentence in re.split(r"(?<=[。；])", line):
            if DIGIT.search(sentence):
                sentences.append(sentence.strip())
    return sentences


def covering(sentence: str) -> list[str]:
    """Indicator codes, or 'no indicator: <reason>', that account for this sentence."""
    plain = normalise_text(sentence)
    found = []
    for indicator in SPEC.indicators:
        for quote in [indicator.source_text, *indicator.also_in]:
            quote = normalise_text(quote)
            if quote in plain or plain in quote:
                found.append(indicator.code)
                break
    for item in SPEC.non_indicator_numbers:
        text = normalise_text(item.text)
        if text in plain or plain in text:
            found.append(f"no indicator: {item.reason}")
    return found


def test_every_sentence_with_a_number_is_covered(capsys):
    sentences = numeric_sentences()
    assert len(sentences) > 40
    uncovered = []
    with capsys.disabled():
        print(f"\n{len(sentences)} plan sentences with a number:")
        for sentence in sentences:
            cover = covering(sentence)
            print(f"  {sentence[:60]}{'…' if len(sentence) > 60 else ''}\n      → {', '.join(cover) or 'UNCOVERED'}")
            if not cover:
                uncovered.append(sentence)
    assert not uncovered


@pytest.mark.django_db
def test_indicator_counts_per_domain(plan):
    counts = Counter(plan.indicators.active().values_list("domain__code", flat=True))
    assert counts == {
        "family": 3,
        "health": 38,
        "safety": 4,
        "education": 11,
        "welfare": 16,
        "law": 4,
        "environment": 8,
    }
    assert plan.domains.count() == 7
    assert plan.key_projects.count() == 5
    numeric = plan.indicators.filter(comparator__in=[">=", "<=", "<", ">", "annual_decrease"]).count()
    assert numeric >= 50  # the plan's "about fifty" quantitative targets


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "comparator", "target", "unit"),
    [
        ("新生儿访视率", ">=", "90", "%"),
        ("0-6个月婴儿纯母乳喂养率", ">=", "65", "%"),
        ("新生儿死亡率", "<=", "3", "‰"),
        ("婴儿死亡率", "<=", "5", "‰"),
        ("5岁以下儿童死亡率", "<=", "6", "‰"),
        ("每千人拥有3岁以下婴幼儿托位数", ">=", "4.5", "per_1000_population"),
        ("每千名儿童拥有儿科执业（助理）医生数", ">=", "1", "per_1000_children"),
        ("5岁以下儿童贫血患病率", "<=", "8", "%"),
        ("5岁以下儿童生长迟缓率", "<=", "4", "%"),
        ("严重致残的出生缺陷发生率", "<=", "9", "‰"),
        ("12岁儿童龋患患病率", "<=", "25", "%"),
        ("儿童伤害死亡率", "<", "8.78", "per_100000"),
        ("儿童食品抽查批次合格率", ">=", "95", "%"),
        ("学前教育毛入园率", ">=", "99", "%"),
        ("普惠性幼儿园覆盖面", ">=", "91.5", "%"),
        ("九年义务教育巩固率", ">=", "100", "%"),
        ("残疾儿童义务教育入学率", ">=", "99", "%"),
        ("示范型儿童之家覆盖率", ">=", "15", "%"),
        ("区级以上示范型儿童之家数", ">=", "50", "count"),
        ("中小学法治副校长配备率", ">=", "100", "%"),
        ("学生心理危机干预网格员数", ">=", "10", "count"),
        ("生态文明教育普及率", ">=", "100", "%"),
    ],
)
def test_quantitative_targets(plan, name, comparator, target, unit):
    indicator = Indicator.objects.get(plan=plan, name=name)
    assert (indicator.comparator, indicator.target, indicator.unit) == (comparator, Decimal(target), unit)
    assert indicator.target_year == 2025


@pytest.mark.django_db
def test_myopia_target_is_a_yearly_decrease_from_2018(plan):
    myopia = Indicator.objects.get(plan=plan, name="儿童青少年总体近视率")
    assert myopia.comparator == Comparator.ANNUAL_DECREASE
    assert myopia.target == 1 and myopia.unit == "%"
    assert myopia.baseline_year == 2018
    assert "每年降低1个百分点以上" in myopia.source_text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "comparator"),
    [
        ("残疾儿童康复救助人数", "yoy_increase"),
        ("专职心理健康教师数", "yoy_increase"),
        ("中小学生《国家学生体质健康标准》优良达标率", "up"),
        ("0-6岁残疾儿童抢救性康复率", "up"),
        ("儿童心理行为问题发生率", "down"),
        ("儿童精神疾病患病率", "down"),
        ("流浪儿童数量", "down"),
    ],
)
def test_directional_goals(plan, name, comparator):
    indicator = Indicator.objects.get(plan=plan, name=name)
    assert indicator.comparator == comparator and indicator.target is None


@pytest.mark.django_db
def test_every_indicator_is_complete(plan):
    for indicator in plan.indicators.catalogue():
        assert indicator.name and indicator.name_en, indicator.code
        assert normalise_text(indicator.source_text) in normalise_text(PLAN_TEXT), indicator.code
        assert indicator.departments(), indicator.code
        if indicator.unit in RATE_UNITS:
            assert indicator.numerator and indicator.denominator, indicator.code
        if indicator.comparator in {">=", "<=", "<", ">", "annual_decrease"}:
            assert indicator.target is not None, indicator.code
        # "以上/以下/以内" include the number, "低于/高于" do not.
        if "低于" in indicator.source_text and indicator.comparator in {">=", "<="}:
            pytest.fail(f"{indicator.code}: 低于 is strict")


@pytest.mark.django_db
def test_key_projects_keep_the_plans_own_responsible_units(plan):
    units = {p.code: sorted(d.name for d in p.departments.all()) for p in plan.key_projects.all()}
    assert units == {
        "KP1": ["区卫健局"],
        "KP2": ["区妇联", "区民政局"],
        "KP3": ["区残联"],
        "KP4": ["区卫健局", "区教育局"],
        "KP5": ["区妇联", "区教育局"],
    }
    for indicator in plan.indicators.filter(key_project__isnull=False):
        named = {d.code for d in indicator.key_project.departments.all()}
        stated = {r.department.code for r in indicator.responsibilities.all() if not r.inferred}
        assert stated <= named, indicator.code


@pytest.mark.django_db
def test_member_units_are_departments(plan):
    names = set(plan.area.departments.values_list("name", flat=True))
    for unit in (
        "区卫健局",
        "区教育局",
        "区民政局",
        "区妇联",
        "区残联",
        "团区委",
        "区司法局",
        "区市场监管局",
        "区人社局",
    ):
        assert unit in names
    assert any("公安" in n for n in names) and any("生态环境" in n for n in names)
    assert any("法院" in n for n in names) and any("检察院" in n for n in names)
