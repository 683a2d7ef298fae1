"""The entry page never loses a typed value (issue 13): saving keeps every valid row and refuses only
the bad ones, which come back as typed with their error beside the input and in a list at the top;
a value someone else changed meanwhile costs only itself; the page returns to where the user was,
shows one domain at a time, and carries what the typing warnings need. Excel upload problems name
the indicator and the street, and the upload stays all or nothing."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from childfirst.areas.models import Area
from childfirst.collection import actions
from childfirst.collection.entries import RawCell
from childfirst.collection.excel_import import import_workbook
from childfirst.collection.excel_template import DATA_SHEET, build_template
from childfirst.collection.models import Channel, DataValue, ValueChange

from .test_collection_pages import ENTRY, form_data
from .test_excel import put, snapshot, to_bytes, workbook

STREETS = ["330302001", "330302002", "330302003", "330302004", "330302005", "330302006", "330302007",
           "330302008", "330302009", "330302010", "330302011", "330302012", "330302013", "330302014"]  # fmt: skip


def twenty_values(mistake: dict[str, str]) -> dict[str, str]:
    """Twenty rows as a reporter types them: HEA-04 for the 14 streets, HEA-05 for six, then `mistake`."""
    typed = {}
    for number, street in enumerate(STREETS):
        typed[f"HEA-04|{street}|numerator"] = str(900 + number)
        typed[f"HEA-04|{street}|denominator"] = "1000"
    for street in STREETS[:6]:
        typed[f"HEA-05|{street}|numerator"] = "700"
        typed[f"HEA-05|{street}|denominator"] = "1000"
    typed.update(mistake)
    return typed


def saved_rows(health) -> set[tuple[str, str]]:
    return set(DataValue.objects.filter(submission=health).values_list("indicator__code", "area__code"))


@pytest.mark.django_db
class TestPartialSave:
    def test_twenty_values_one_mistake_keeps_nineteen_and_the_typed_mistake(self, client, users, health):
        client.force_login(users.reporter)
        bad = f"HEA-05|{STREETS[5]}|numerator"
        data = form_data(client.get(ENTRY).context, **twenty_values({bad: "七百"}), at="r-HEA-05-330302006")
        response = client.post(ENTRY, data)

        assert response.status_code == 422
        assert len(saved_rows(health)) == 19 and ("HEA-05", STREETS[5]) not in saved_rows(health)
        assert ValueChange.objects.count() == 19
        body = response.content.decode()
        cell = f"c-HEA-05-{STREETS[5]}-numerator"
        # Beside its input: the input is marked invalid and described by the message that follows it.
        tag = re.search(rf'<input [^>]*id="{cell}"[^>]*>', body).group(0)
        assert 'value="七百"' in tag and 'aria-invalid="true"' in tag and f'aria-describedby="{cell}-error"' in tag
        assert f'<span class="field-error" id="{cell}-error">七百 不是数字</span>' in body
        # In the list at the top, linking to the input.
        summary = body[body.index('id="entry-errors"') : body.index("</section>", body.index('id="entry-errors"'))]
        street = Area.objects.get(code=STREETS[5]).name
        assert f'href="#{cell}"' in summary and f"HEA-05 0-6个月婴儿纯母乳喂养率 · {street}" in summary
        assert "1 行未保存" in body and "新增 19" in body
        # The rows that were saved show what is stored now; the refused one's denominator is kept too.
        assert re.search(r'id="c-HEA-04-330302001-numerator" value="900"', body)
        assert re.search(rf'name="HEA-05\|{STREETS[5]}\|denominator" id="[^"]+" value="1000"', body)
        # Saved rows carry their new version, so saving again changes nothing and conflicts with nothing.
        page = response.context["form"]
        again = form_data(response.context, **{bad: "710"})
        assert page.blocks and client.post(ENTRY, again).status_code == 302
        assert len(saved_rows(health)) == 20 and ValueChange.objects.count() == 20

    def test_numerator_above_denominator_refuses_that_row_only(self, users, health):
        result = actions.save_values(
            users.reporter,
            health,
            [
                RawCell("HEA-04", STREETS[0], numerator="1200", denominator="1000"),
                RawCell("HEA-04", STREETS[1], numerator="950", denominator="1000"),
            ],
            channel=Channel.WEB,
            keep_valid=True,
        )
        assert result.created == 1 and saved_rows(health) == {("HEA-04", STREETS[1])}
        assert [(f.rule, f.area) for f in result.rejected] == [("numerator_above_denominator", STREETS[0])]
        assert "分子（1200）大于分母（1000）" in result.rejected[0].message

    def test_without_keep_valid_it_is_still_all_or_nothing(self, users, health):
        with pytest.raises(actions.ValuesRejected):
            actions.save_values(
                users.reporter,
                health,
                [RawCell("HEA-04", STREETS[0], numerator="x", denominator="1"), RawCell("HEA-01", "330302", value="1")],
                channel=Channel.API,
            )
        assert not saved_rows(health)

    def test_a_stale_version_on_one_cell_does_not_discard_the_others(self, client, users, health):
        actions.save_values(
            users.reporter,
            health,
            [RawCell("HEA-01", "330302", value="1"), RawCell("HEA-06", "330302", value="2")],
            channel=Channel.WEB,
        )
        client.force_login(users.reporter)
        opened = client.get(ENTRY).context  # the page shows both at version 1
        actions.save_values(users.reporter, health, [RawCell("HEA-01", "330302", value="5")], channel=Channel.API)

        typed = {"HEA-01|330302|value": "3", "HEA-06|330302|value": "4", "HEA-32|330302|value": "7"}
        response = client.post(ENTRY, form_data(opened, **typed))

        assert response.status_code == 422
        values = dict(DataValue.objects.filter(submission=health).values_list("indicator__code", "value"))
        assert values == {"HEA-01": 5, "HEA-06": 4, "HEA-32": 7}  # the other's 5 kept; 4 and 7 saved
        body = response.content.decode()
        tag = re.search(r'<input [^>]*id="c-HEA-01-330302-value"[^>]*>', body).group(0)
        assert 'value="3"' in tag and 'aria-invalid="true"' in tag
        assert "现为 5" in body and "再次保存将替换对方的数值" in body
        # Told what it is now, the reporter may save again: their version is the current one.
        assert 'name="HEA-01|330302|version" value="2"' in body
        assert client.post(ENTRY, form_data(response.context)).status_code == 302
        assert DataValue.objects.get(submission=health, indicator__code="HEA-01").value == 3

    def test_a_refused_row_keeps_the_version_its_typist_saw(self, client, users, health):
        actions.save_values(users.reporter, health, [RawCell("HEA-01", "330302", value="1")], channel=Channel.WEB)
        client.force_login(users.reporter)
        opened = client.get(ENTRY).context
        actions.save_values(users.reporter, health, [RawCell("HEA-01", "330302", value="5")], channel=Channel.API)
        response = client.post(ENTRY, form_data(opened, **{"HEA-01|330302|value": "abc"}))
        assert response.status_code == 422
        assert 'name="HEA-01|330302|version" value="1"' in response.content.decode()
        fixed = client.post(ENTRY, form_data(response.context, **{"HEA-01|330302|value": "6"}))
        assert fixed.status_code == 422 and "现为 5" in fixed.content.decode()  # not overwritten unseen
        assert DataValue.objects.get(submission=health, indicator__code="HEA-01").value == 5


@pytest.mark.django_db
class TestPlace:
    def test_after_saving_the_page_returns_to_the_domain_and_row(self, client, users, health):
        client.force_login(users.reporter)
        data = form_data(
            client.get(ENTRY).context,
            **{"HEA-04|330302003|numerator": "950", "HEA-04|330302003|denominator": "1000"},
            at="r-HEA-04-330302003",
            domain="health",  # the page's hidden field: the domain shown
        )
        response = client.post(ENTRY, data)
        assert response.status_code == 302
        assert response["Location"] == f"{ENTRY}?domain=health&open=r-HEA-04-330302003#r-HEA-04-330302003"
        page = client.get(response["Location"]).context["form"]
        opened = [b.indicator.code for g in page.domains for b in g.blocks if b.open]
        assert opened == ["HEA-04"]

    def test_a_place_that_is_not_an_id_of_the_page_is_not_echoed(self, client, users, health):
        client.force_login(users.reporter)
        response = client.post(ENTRY, form_data(client.get(ENTRY).context, at='"><script>'))
        assert response.status_code == 302 and "script" not in response["Location"]

    def test_one_domain_at_a_time_and_every_domain_holding_an_error(self, client, users, health):
        client.force_login(users.reporter)
        first = client.get(ENTRY)
        shown = {g.domain.code: g.shown for g in first.context["form"].domains}
        assert shown == {"health": True, "safety": False}
        assert re.search(r'<section class="entry-domain" id="domain-safety"[^>]* hidden>', first.content.decode())
        assert client.get(f"{ENTRY}?domain=safety").context["domain"] == "safety"
        # Saving from the safety domain with a mistake in health: both are shown, health's block unfolded.
        data = form_data(first.context, domain="safety", **{"HEA-04|330302001|numerator": "x"})
        response = client.post(ENTRY, data)
        groups = {g.domain.code: g for g in response.context["form"].domains}
        assert groups["health"].shown and groups["safety"].shown
        assert [b.indicator.code for b in groups["health"].blocks if b.open] == ["HEA-04"]

    def test_the_page_carries_what_typing_warnings_need(self, client, users, health):
        client.force_login(users.reporter)
        body = client.get(ENTRY).content.decode()
        block = re.search(r'<details class="indicator-block" id="HEA-04"[^>]*>', body).group(0)
        assert 'data-unit="%"' in block and "data-proportion" in block and 'data-yoy-threshold="10"' in block
        assert 'data-msg-over100="超过 100%，请核对分子和分母"' in body


@pytest.mark.django_db
def test_upload_problems_name_the_indicator_and_the_street(client, users, health):
    wb = workbook(build_template(health))
    ws = wb[DATA_SHEET]
    row = put(ws, "HEA-04", "330302001", numerator=1200, denominator=1000)
    put(ws, "HEA-01", "330302", value=3)  # valid, and not saved: an upload stays all or nothing
    before = snapshot()
    result = import_workbook(to_bytes(wb), user=users.reporter, file_name="x.xlsx")
    assert snapshot() == before
    problem = next(p for p in result.errors if p.cell == f"G{row}")
    assert problem.about == "HEA-04 新生儿访视率 · 五马街道"
    assert str(problem).startswith(f"{DATA_SHEET}!G{row} (HEA-04 新生儿访视率 · 五马街道): ")
    client.force_login(users.reporter)
    page = client.post(f"{ENTRY}upload/", {"file": SimpleUploadedFile("x.xlsx", to_bytes(wb))})
    html = page.content.decode()
    assert '<th scope="col">指标 · 区域</th>' in html and "<td>HEA-04 新生儿访视率 · 五马街道</td>" in html
