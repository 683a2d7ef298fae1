"""Open data from published evaluations: what the public portal shows and lets people download.

Everything here reads published snapshots (`Snapshot.objects.latest_versions()`) and the plan
catalogue, nothing else: not the accepted-but-unpublished values of collection, and never the
children's registry. A page or a file is always about one snapshot, which it names (year, version,
publication date), so every figure on the portal traces back to a frozen publication.

Downloads follow Open SDG's data format: one CSV per indicator with the columns Year, then the
breakdown (街镇, blank on the district's headline rows), then Value; UTF-8; headline rows first,
then streets in area-code order, years ascending.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from childfirst.areas.models import Area
from childfirst.evaluation.labels import STATUS_LABELS, STATUS_ORDER
from childfirst.evaluation.models import Snapshot, SnapshotResult, SnapshotValue
from childfirst.evaluation.snapshot_targets import apply_result_targets
from childfirst.plans.models import Comparator, Domain, Indicator, Unit
from childfirst.plans.targets import apply_targets, carried_target
from childfirst.spreadsheet import csv_writer

CSV_HEADER = ["Year", "街镇", "Value"]


def format_value(value: float) -> str:
    """A figure as the CSV writes it: whole numbers without a decimal point, others exactly."""
    return str(int(value)) if value == int(value) else repr(value)


@dataclass
class IndicatorFigures:
    """One indicator as a snapshot publishes it: the district's result and every value."""

    indicator: Indicator
    status: str
    latest_value: float | None
    latest_year: int | None
    district: list[tuple[int, float]] = field(default_factory=list)  # (year, value), years ascending
    streets: dict[Area, list[tuple[int, float]]] = field(default_factory=dict)  # street → (year, value)

    def street_latest(self, year: int) -> list[tuple[Area, float | None]]:
        """Each street's value of `year` (None when it has none), in area-code order."""
        return [(area, dict(series).get(year)) for area, series in self.streets.items()]

    def csv_rows(self) -> list[list[str]]:
        rows = [[str(y), "", format_value(v)] for y, v in self.district]
        for area, series in self.streets.items():
            rows.extend([str(y), area.name, format_value(v)] for y, v in series)
        return rows

    def csv_text(self) -> str:
        out = io.StringIO()
        writer = csv_writer(out, lineterminator="\n")
        writer.writerow(CSV_HEADER)
        writer.writerows(self.csv_rows())
        return out.getvalue()


@dataclass
class Publication:
    """What one published snapshot says, indicator by indicator, in plan order."""

    snapshot: Snapshot
    indicators: list[IndicatorFigures]

    def by_code(self, code: str) -> IndicatorFigures | None:
        return next((f for f in self.indicators if f.indicator.code == code), None)

    def for_domain(self, domain: Domain) -> list[IndicatorFigures]:
        return [f for f in self.indicators if f.indicator.domain_id == domain.pk]

    def status_counts(self) -> Counter:
        return Counter(f.status for f in self.indicators)

    def counts_by_domain(self, domains: list[Domain]) -> list[tuple[Domain, list[int]]]:
        """Per domain, the number of indicators in each status of STATUS_ORDER."""
        grouped: dict[int, Counter] = defaultdict(Counter)
        for f in self.indicators:
            grouped[f.indicator.domain_id][f.status] += 1
        return [(d, [grouped[d.pk][s] for s in STATUS_ORDER]) for d in domains]


def publication(snapshot: Snapshot, *, codes: list[str] | None = None, values: bool = True) -> Publication:
    """The snapshot's district results and all its values (district and streets), in three queries;
    `codes` limits it to some indicators; `values=False` leaves the values out (results only)."""
    results = SnapshotResult.objects.filter(snapshot=snapshot, area_id=snapshot.plan.area_id).select_related(
        "indicator__domain"
    )
    rows = SnapshotValue.objects.filter(snapshot=snapshot, value__isnull=False)
    if not values:
        rows = rows.none()
    if codes is not None:
        results = results.filter(indicator__code__in=codes)
        rows = rows.filter(indicator__code__in=codes)
    result_rows = list(results)
    apply_result_targets(result_rows)  # the targets this snapshot was evaluated against
    figures: dict[int, IndicatorFigures] = {}
    for result in sorted(result_rows, key=lambda r: (r.indicator.domain.number, r.indicator.order, r.indicator.code)):
        figures[result.indicator_id] = IndicatorFigures(
            indicator=result.indicator,
            status=result.status,
            latest_value=result.latest_value,
            latest_year=result.latest_year,
        )
    areas = {a.pk: a for a in Area.objects.filter(pk__in=rows.values("area_id").distinct())} if values else {}
    streets: dict[int, dict[Area, list[tuple[int, float]]]] = defaultdict(lambda: defaultdict(list))
    for indicator_id, area_id, year, value in rows.order_by("year").values_list(
        "indicator_id", "area_id", "year", "value"
    ):
        if indicator_id not in figures:
            continue
        assert value is not None  # value__isnull=False above
        if area_id == snapshot.plan.area_id:
            figures[indicator_id].district.append((year, value))
        else:
            streets[indicator_id][areas[area_id]].append((year, value))
    for indicator_id, by_area in streets.items():
        figures[indicator_id].streets = {a: by_area[a] for a in sorted(by_area, key=lambda a: a.code)}
    return Publication(snapshot, list(figures.values()))


def metadata(pub: Publication) -> list[dict]:
    """One record per indicator: its definition, target, source sentence, status and file."""
    indicators = {
        i.pk: i
        for i in Indicator.objects.filter(pk__in=[f.indicator.pk for f in pub.indicators]).prefetch_related(
            "responsibilities__department"
        )
    }
    apply_targets(indicators.values(), {f.indicator.pk: carried_target(f.indicator) for f in pub.indicators})
    records = []
    for f in pub.indicators:
        indicator = indicators[f.indicator.pk]
        records.append(
            {
                "code": indicator.code,
                "name": indicator.name,
                "name_en": indicator.name_en,
                "domain": f.indicator.domain.name,
                "domain_en": f.indicator.domain.name_en,
                "unit": indicator.unit,
                "unit_zh": str(_zh(Unit(indicator.unit).label)),
                "comparator": indicator.comparator,
                "comparator_zh": str(_zh(Comparator(indicator.comparator).label)),
                "target": float(indicator.target) if indicator.target is not None else None,
                "target_display": _zh(indicator.target_display),
                "target_year": indicator.target_year,
                "direction": indicator.direction,
                "numerator": indicator.numerator,
                "denominator": indicator.denominator,
                "departments": [d.name for d in indicator.departments()],
                "source_text": indicator.source_text,
                "status": f.status,
                "status_zh": str(_zh(STATUS_LABELS.get(f.status, f.status))),
                "latest_value": f.latest_value,
                "latest_year": f.latest_year,
                "file": f"data/{indicator.code}.csv",
            }
        )
    return records


def _zh(text) -> str:
    """Downloads are the same for every visitor: always in Chinese (the English names sit beside)."""
    from django.utils import translation

    with translation.override("zh-hans"):
        return str(text)


METADATA_COLUMNS = [
    "code", "name", "name_en", "domain", "domain_en", "unit", "unit_zh", "comparator", "comparator_zh",
    "target", "target_display", "target_year", "direction", "numerator", "denominator", "departments",
    "source_text", "status", "status_zh", "latest_value", "latest_year", "file",
]  # fmt: skip


def metadata_csv(records: list[dict]) -> str:
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\n")
    writer.writerow(METADATA_COLUMNS)
    for record in records:
        row = dict(record, departments="、".join(record["departments"]))
        writer.writerow(["" if row[c] is None else row[c] for c in METADATA_COLUMNS])
    return out.getvalue()


def readme(pub: Publication) -> str:
    snapshot = pub.snapshot
    plan = snapshot.plan
    published = timezone.localtime(snapshot.published_at).strftime("%Y-%m-%d %H:%M")
    return f"""# {plan.name} — 开放数据 / Open data

{plan.name}（{plan.start_year}–{plan.end_year}）{snapshot.year} 年度监测评估的公开数据，
第 {snapshot.version} 版，发布于 {published}（评估方法版本 {snapshot.method_version}）。
共 {len(pub.indicators)} 项指标。只包含已发布的汇总数据，不含任何个人信息。

- `data/<指标代码>.csv`：每项指标一个文件，采用 Open SDG 数据格式，UTF-8 编码（带 BOM，Excel 可直接打开）。
  列：`Year`（年份）、`街镇`（空白表示全区合计）、`Value`（数值，单位见元数据）。
  全区行在前，随后按街镇代码排列，年份升序；缺失的数值不列出。
- `metadata.csv`、`metadata.json`：指标元数据——名称、领域、单位、目标、责任单位、规划原文、
  {snapshot.year} 年评估状态和最新值。
- 全区的比率由各街镇分子、分母合计得出，不是各街镇比率的平均数。

Open data of the {plan.name_en or plan.name} ({plan.start_year}–{plan.end_year}): the published evaluation
of {snapshot.year}, version {snapshot.version}, published {published} (method {snapshot.method_version}),
{len(pub.indicators)} indicators. Aggregate published figures only; no personal data.

- `data/<code>.csv`: one file per indicator in Open SDG's data format, UTF-8 with a byte-order mark.
  Columns: `Year`, `街镇` (street/town; blank on the district's headline rows), `Value` (unit in the
  metadata). Headline rows first, then streets by area code, years ascending; missing values are left out.
- `metadata.csv`, `metadata.json`: each indicator's name, domain, unit, target, responsible units, the
  plan's sentence, its {snapshot.year} status and latest value.
- District rates come from summed numerators and denominators, never from averaging street rates.
"""


# Every CSV people download starts with a UTF-8 byte-order mark, so Excel shows the Chinese names
# instead of mojibake; pandas (and so Open SDG's sdg-build) skips it when reading.
BOM = "\ufeff"


def build_zip(pub: Publication) -> bytes:
    """Every indicator's CSV, the metadata as CSV and JSON, and a README; the same snapshot always
    gives the same bytes (fixed member order and timestamps)."""
    stamp = timezone.localtime(pub.snapshot.published_at).timetuple()[:6]
    records = metadata(pub)
    members = [
        ("README.md", readme(pub)),
        ("metadata.csv", BOM + metadata_csv(records)),
        ("metadata.json", json.dumps(records, ensure_ascii=False, indent=2) + "\n"),
        *((f"data/{f.indicator.code}.csv", BOM + f.csv_text()) for f in pub.indicators),
    ]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in members:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, text.encode("utf-8"))
    return out.getvalue()
