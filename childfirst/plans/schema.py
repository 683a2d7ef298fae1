"""The schema of a plan file (YAML). `childfirst plan schema` prints it as JSON Schema.

Structural rules (types, allowed values, required fields) live in the pydantic models;
rules that need the whole file (references between parts, quotes from the plan text) are
in loader.check_plan_file so that every problem is reported with its place in the file.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
UNITS = Literal["%", "‰", "per_1000_children", "per_1000_population", "per_100000", "count", "pp"]
COMPARATORS = Literal[">=", "<=", "<", ">", "annual_decrease", "yoy_increase", "up", "down"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PlanInfo(Strict):
    code: str = Field(pattern=SLUG)
    name: str = Field(min_length=1)
    name_en: str = ""
    area: str = Field(pattern=r"^\d{6}(\d{3}){0,2}$", description="code of the district or city the plan is for")
    start_year: int = Field(ge=2000, le=2100)
    end_year: int = Field(ge=2000, le=2100)
    version: str = ""
    source_document: str = Field(
        default="", description="the plan's text, next to this file; every quoted sentence must appear in it"
    )
    status: Literal["draft", "in_force", "ended"] = Field(
        default="in_force", description="draft: not yet adopted (shown as a draft on every page); ended: period over"
    )
    synthetic: bool = Field(default=False, description="made up for a demo or a test, never a real plan")
    succeeds: str | None = Field(default=None, pattern=SLUG, description="code of the plan this one follows")


class DepartmentSpec(Strict):
    code: str = Field(pattern=SLUG)
    name: str = Field(min_length=1)
    name_en: str = ""


class TextItem(Strict):
    number: int = Field(ge=1)
    text: str = Field(min_length=1)


class MeasureItem(Strict):
    number: int = Field(ge=1)
    title: str = Field(min_length=1)
    text: str = Field(min_length=1)


class DomainSpec(Strict):
    code: str = Field(pattern=SLUG)
    number: int = Field(ge=1)
    name: str = Field(min_length=1)
    name_en: str = ""
    section: str = ""
    goals: list[TextItem] = []
    measures: list[MeasureItem] = []


class MilestoneSpec(Strict):
    year: int = Field(ge=2000, le=2100)
    text: str = Field(min_length=1)
    indicator: str | None = None


class KeyProjectSpec(Strict):
    code: str = Field(pattern=r"^[A-Za-z0-9-]+$")
    number: int = Field(ge=1)
    name: str = Field(min_length=1)
    name_en: str = ""
    domain: str
    text: str = Field(min_length=1)
    departments: list[str] = Field(min_length=1)
    milestones: list[MilestoneSpec] = []


class SourceRef(Strict):
    part: Literal["goal", "measure", "key_project"]
    number: int = Field(ge=1)


class BaselineSpec(Strict):
    year: int = Field(ge=1990, le=2100)
    value: Decimal | None = None


class DepartmentRef(Strict):
    code: str
    inferred: bool = False


class IndicatorSpec(Strict):
    code: str = Field(pattern=r"^[A-Z]{2,5}-\d{2,3}$")
    name: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    domain: str
    source: SourceRef
    source_text: str = Field(min_length=4)
    also_in: list[str] = []
    unit: UNITS
    comparator: COMPARATORS
    target: Decimal | None = None
    target_year: int = Field(ge=2000, le=2100)
    baseline: BaselineSpec | None = None
    period: Literal["level", "annual", "cumulative"] = "level"
    per_street: bool = False
    numerator: str | None = None
    denominator: str | None = None
    departments: list[DepartmentRef] = Field(min_length=1)
    measures: list[int] = []
    key_project: str | None = None
    note: str = ""
    continues: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9]+(-[a-z0-9]+)*/[A-Z]{2,5}-\d{2,3}$",
        description="<plan code>/<indicator code> of an earlier plan's indicator this one carries on",
    )
    continues_note: str = Field(default="", description="how the definition changed, when it did")
    from_districts: str | None = Field(
        default=None,
        pattern=r"^[A-Z]{2,5}-\d{2,3}$",
        description="a city plan's indicator whose numerator and denominator are the sums of this indicator's "
        "accepted values in the plans of the city's districts; derived, never typed",
    )


class NumberWithoutIndicator(Strict):
    text: str = Field(min_length=1)
    reason: str = Field(min_length=1)


class PlanFile(Strict):
    schema_version: Literal[1]
    plan: PlanInfo
    departments: list[DepartmentSpec] = Field(min_length=1)
    domains: list[DomainSpec] = Field(min_length=1)
    key_projects: list[KeyProjectSpec] = []
    indicators: list[IndicatorSpec] = Field(min_length=1)
    non_indicator_numbers: list[NumberWithoutIndicator] = []
