"""Mandatory reports about a child nobody knows (issue 13, item 6): an abandoned infant has no name
(不详), the reporter may know only the street (community 不清楚, the place in words) and an
approximate age (约 9 岁, 约 6 个月); the receipt gives a number to call; the supervisor opens a file
with a date of birth estimated from the age, shown as estimated on the file and in the export; 不详 is
never matched as a name."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.utils import timezone

from childfirst.areas.models import Area
from childfirst.linkage.run import _child_row, suggest_files
from childfirst.registry.children.actions import ChildData, do_create_child
from childfirst.registry.children.names import is_unknown_name
from childfirst.registry.mandatory import actions
from childfirst.registry.mandatory.intake import estimated_birth_date, name_suggestions
from childfirst.registry.models import AgeUnit, Child, MandatoryReport

from .test_mandatory_reports import form_data, id_number
from .test_registry_casework import make_child

WUMA, WUMA_1 = "330302001", "330302001001"


def street_only(**overrides) -> dict:
    """The intake's data for an unnamed infant found somewhere in 五马街道 (community not known)."""
    data = form_data(
        child_name="不详",
        child_age="6",
        child_age_unit="months",
        child_sex="female",
        community=f"s{Area.objects.get(code=WUMA).pk}",
        place="五马街道公交站旁的纸箱里",
        concerns=["abandonment"],
        description="早上七点在公交站发现一名女婴，裹着毯子，无人认领。",
    )
    data.update(overrides)
    return data


def report_about_an_infant(**extra) -> MandatoryReport:
    fields = {
        "reporter_institution": "五马小学",
        "reporter_kind": "school",
        "reporter_name": "林老师",
        "reporter_phone": "13800000000",
        "child_name": "",
        "child_age": 6,
        "child_age_unit": AgeUnit.MONTHS,
        "child_sex": "female",
        "community": None,
        "street": Area.objects.get(code=WUMA),
        "place": "五马街道公交站",
        "concerns": ["abandonment"],
        "description": "发现一名女婴。",
        "urgency": "urgent",
    }
    fields.update(extra)
    return actions.do_file_mandatory_report(None, **fields)


@pytest.mark.django_db
class TestIntake:
    @override_settings(REPORT_HOTLINE="0577-8888 1234")
    def test_an_unnamed_infant_reported_by_street_with_a_number_to_call(self):
        client = Client()
        page = client.get("/registry/report/").content.decode()
        assert f'value="s{Area.objects.get(code=WUMA).pk}"' in page  # 五马街道 · community not known
        response = client.post("/registry/report/", street_only())
        assert response.status_code == 302
        report = MandatoryReport.objects.get()
        assert report.child_name == "" and report.community is None and report.street.code == WUMA
        assert (report.child_age, report.child_age_unit, report.urgency) == (6, "months", "urgent")
        assert report.place == "五马街道公交站旁的纸箱里"
        receipt = client.get(response.url).content.decode()
        assert report.receipt_number in receipt
        assert "0577-8888 1234" in receipt and 'href="tel:057788881234"' in receipt
        assert "公交站" not in receipt  # the receipt tells nothing of the report

    @override_settings(REPORT_HOTLINE="")
    def test_without_a_hotline_the_receipt_says_who_calls_back(self):
        client = Client()
        response = client.post("/registry/report/", street_only())
        receipt = client.get(response.url).content.decode()
        assert "tel:" not in receipt and "五马街道" in receipt

    def test_an_unknown_community_needs_the_place_and_keeps_what_was_typed(self):
        response = Client().post("/registry/report/", street_only(place=""))
        page = response.content.decode()
        assert response.status_code == 200 and not MandatoryReport.objects.exists()
        assert page.count('class="field-error"') == 1 and "公交站发现一名女婴" in page

    def test_an_age_in_years_must_be_a_childs(self):
        response = Client().post("/registry/report/", form_data(child_age="19"))
        assert response.status_code == 200 and not MandatoryReport.objects.exists()
        assert 'class="field-error"' in response.content.decode()
        # 19 months is an infant's age.
        assert Client().post("/registry/report/", form_data(child_age="19", child_age_unit="months")).status_code == 302

    def test_a_street_choice_must_name_a_street(self):
        community = Area.objects.get(code=WUMA_1)
        response = Client().post("/registry/report/", street_only(community=f"s{community.pk}"))
        assert response.status_code == 200 and not MandatoryReport.objects.exists()

    def test_the_action_refuses_a_report_without_a_place(self):
        with pytest.raises(actions.CaseworkError):
            report_about_an_infant(place=" ")
        with pytest.raises(actions.CaseworkError):
            report_about_an_infant(street=None)

    def test_the_supervisor_sees_not_known_and_the_place(self, client, users):
        report = report_about_an_infant()
        client.force_login(users.supervisor)
        page = client.get(f"/registry/reports/{report.pk}/").content.decode()
        assert "姓名不详" in page and "约 6 个月" in page and "五马街道 · 社区不清楚 · 五马街道公交站" in page
        listing = client.get("/registry/reports/").content.decode()
        assert "姓名不详" in listing


@pytest.mark.django_db
class TestEstimatedBirthDate:
    def test_the_estimate_is_the_middle_of_the_age(self):
        received = timezone.make_aware(datetime.datetime(2026, 3, 31, 9, 0))
        report = MandatoryReport(received_at=received, child_age=9, child_age_unit=AgeUnit.YEARS)
        assert estimated_birth_date(report) == datetime.date(2016, 9, 30)  # 9½ years before
        report.child_age, report.child_age_unit = 6, AgeUnit.MONTHS
        assert estimated_birth_date(report) == datetime.date(2025, 9, 15)  # 6 months and 15 days before
        report.child_age = None
        assert estimated_birth_date(report) is None

    def test_a_file_from_the_report_with_an_estimated_date(self, client, users):
        report = report_about_an_infant()
        client.force_login(users.supervisor)
        page = client.get(f"/registry/reports/{report.pk}/").content.decode()
        estimate = estimated_birth_date(report)
        assert estimate is not None
        assert f'value="{estimate:%Y-%m-%d}"' in page and 'value="不详"' in page
        assert re.search(r'<input type="checkbox" name="birth_date_estimated"[^>]* checked', page)
        response = client.post(
            f"/registry/reports/{report.pk}/triage/",
            {
                "step": "new_file",
                "name": "不详",
                "sex": "female",
                "birth_date": f"{estimate:%Y-%m-%d}",
                "birth_date_estimated": "on",
                "residence_area": Area.objects.get(code=WUMA_1).pk,
                "address": "五马街道公交站",
            },
        )
        assert response.status_code == 302
        report.refresh_from_db()
        child = report.child
        assert child is not None and child.birth_date_estimated and child.birth_date == estimate
        detail = client.get(f"/registry/children/{child.pk}/").content.decode()
        assert f"约 {estimate:%Y-%m-%d}（估计）" in detail
        export = client.post("/registry/children/export/", {"reason": "核对弃婴档案"})
        assert export.status_code == 200
        assert f"约 {estimate:%Y-%m-%d}（估计）" in export.content.decode("utf-8")

    def test_an_id_number_gives_the_exact_date(self, users):
        with pytest.raises(ValidationError) as refused:
            make_child(
                users.director,
                birth_date=datetime.date(2015, 3, 1),
                birth_date_estimated=True,
                id_number=id_number(),
            )
        assert "birth_date_estimated" in refused.value.message_dict
        child = make_child(users.director, id_number=id_number())
        assert not child.birth_date_estimated

    def test_the_form_refuses_an_estimate_beside_the_reports_id_number(self, client, users):
        report = report_about_an_infant(child_id_number=id_number(sequence="222"))
        client.force_login(users.supervisor)
        response = client.post(
            f"/registry/reports/{report.pk}/triage/",
            {
                "step": "new_file",
                "name": "不详",
                "sex": "female",
                "birth_date": "2015-03-01",
                "birth_date_estimated": "on",
                "use_report_id": "on",
                "residence_area": Area.objects.get(code=WUMA_1).pk,
            },
        )
        assert response.status_code == 200 and not Child.objects.exists()
        assert "身份证号" in response.content.decode()


@pytest.mark.django_db
class TestUnknownNameIsNoName:
    def test_the_words_for_no_name(self):
        assert all(is_unknown_name(word) for word in ("", " ", "不详", "无名", "未知", "Unknown"))
        assert not is_unknown_name("王小明")

    def test_not_known_is_stored_empty_and_never_suggests_files(self, users):
        make_child(users.director, name="不详")
        make_child(users.director, name="王小明")
        report = report_about_an_infant(child_name="不详")
        assert report.child_name == ""
        assert name_suggestions(report, users.supervisor) == []

    def test_the_matcher_never_compares_not_known(self, users):
        foundlings = [
            do_create_child(
                users.director,
                ChildData(
                    name="不详",
                    sex="female",
                    birth_date=timezone.localdate() - datetime.timedelta(days=200),
                    birth_date_estimated=True,
                    residence_area=Area.objects.get(code=WUMA_1),
                ),
            )
        ]
        assert _child_row(foundlings[0])["name"] is None
        assert (
            suggest_files(
                foundlings,
                name="不详",
                birth_date=foundlings[0].birth_date,
                sex="female",
                area=foundlings[0].residence_area,
            )
            == []
        )


def test_a_hotline_that_is_no_phone_number_stops_start_up():
    import os
    import subprocess
    import sys

    env = {**os.environ, "CHILDFIRST_REPORT_HOTLINE": "call the office"}
    started = subprocess.run(
        [sys.executable, "-c", "import childfirst.settings"], env=env, capture_output=True, text=True, check=False
    )
    assert started.returncode != 0 and "CHILDFIRST_REPORT_HOTLINE" in started.stderr
    env["CHILDFIRST_REPORT_HOTLINE"] = "0577-8888 1234"
    assert subprocess.run([sys.executable, "-c", "import childfirst.settings"], env=env, check=False).returncode == 0
