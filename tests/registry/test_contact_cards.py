"""Contact cards: a PDF that opens, with the CJK font embedded, the hotlines and the director's
name, never the ID number; one card per child in a community's batch; every print logged; refused
outside the user's area."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.utils import timezone
from pypdf import PdfReader

from childfirst.accounts.models import AuditEvent
from childfirst.areas.models import Area
from childfirst.homes.models import ChildrensHome
from childfirst.registry.cards.printing import Card, Contact, render_pdf
from childfirst.registry.cards.tasks import run_card_batch
from childfirst.registry.children.actions import ChildData, do_create_child
from childfirst.registry.children.idnumber import check_character
from childfirst.registry.models import CardBatch, Child, ChildAccessLog

COMMUNITY = "330302001001"


def make_id(birth: datetime.date, sequence: int) -> str:
    """A valid GB 11643 number for a child born in Lucheng (odd sequence: male)."""
    first17 = f"330302{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def embedded_fonts(pdf: bytes) -> dict[str, bool]:
    """Base font name → whether its program is embedded in the file."""
    fonts = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            fonts[str(font["/BaseFont"])] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return fonts


@pytest.fixture
def people(users):
    users.director.first_name, users.director.email = "李红梅", "lihongmei@example.org"
    users.director.phone = "0577-8765 4321"
    users.director.save()
    users.supervisor.first_name = "王建国"
    users.supervisor.save()
    return users


@pytest.fixture
def child(people):
    birth = datetime.date(2014, 5, 17)
    data = ChildData(
        name="陈小雨",
        sex="male",
        birth_date=birth,
        residence_area=Area.objects.get(code=COMMUNITY),
        id_number=make_id(birth, 7),
    )
    return do_create_child(people.director, data)


OUTSIDERS = ["other_director", "other_supervisor", "office", "leader", "evaluator", "reporter"]


@pytest.mark.django_db
class TestOneCard:
    def test_the_pdf_has_what_a_family_needs_and_no_id_number(self, client, people, child):
        from childfirst.registry.children.actions import do_reveal_id

        id_number = do_reveal_id(people.director, child, "测试核对")
        client.force_login(people.director)
        response = print_card(client, child)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        text = pdf_text(response.content)
        for expected in (
            "陈小雨",
            "李红梅",
            "0577-8765 4321",
            "王建国",
            "lihongmei@example.org",
            "110",
            "12338",
            "12345",
            "五马街道",
        ):
            assert expected in text, expected
        assert id_number not in text and child.id_masked not in text
        digits = re.sub(r"\D", "", text)
        # no run of six of the ID number's digits (its area code, birth date, sequence) appears anywhere
        assert not any(id_number[i : i + 6] in digits for i in range(len(id_number) - 5))
        assert "2014" not in digits  # nor the date of birth

    def test_the_cjk_font_is_embedded(self, client, people, child):
        client.force_login(people.director)
        fonts = embedded_fonts(print_card(client, child).content)
        assert any("notosanscjk" in name.replace("-", "").lower() for name in fonts), fonts
        assert all(fonts.values()), fonts

    def test_the_community_home_is_on_the_card(self, client, people, child):
        ChildrensHome.objects.create(
            community=child.residence_area,
            name="五马一社区儿童之家",
            address="解放街12号",
            opened_on=datetime.date(2021, 1, 1),
        )
        client.force_login(people.supervisor)
        text = pdf_text(print_card(client, child).content)
        assert "五马一社区儿童之家" in text and "解放街12号" in text

    def test_printing_is_logged(self, client, people, child):
        client.force_login(people.director)
        print_card(client, child, "入户走访")
        row = ChildAccessLog.objects.filter(child=child, action="print").get()
        assert row.user == people.director and row.purpose == "入户走访"

    def test_printing_is_a_post_with_csrf_and_a_purpose(self, people, child):
        """Issue 11: card.pdf?purpose=… wrote the access log on a GET (a link, a prefetch, an
        image tag could print a card in the user's name)."""
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        client.force_login(people.director)
        url = f"/registry/children/{child.pk}/card.pdf"
        assert client.get(url, {"purpose": "入户走访"}).status_code == 405
        assert client.post(url, {"purpose": "入户走访"}).status_code == 403  # no CSRF token
        page = client.get(f"/registry/children/{child.pk}/casework/")
        token = page.context["csrf_token"]
        assert f'action="{url}"' in page.content.decode()
        missing = client.post(url, {"purpose": " ", "csrfmiddlewaretoken": str(token)})
        assert missing.status_code == 302 and not ChildAccessLog.objects.filter(action="print").exists()
        response = client.post(url, {"purpose": "入户走访", "csrfmiddlewaretoken": str(token)})
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert ChildAccessLog.objects.filter(child=child, action="print", purpose="入户走访").count() == 1

    @pytest.mark.parametrize(
        "role", ["other_director", "other_supervisor", "office", "leader", "evaluator", "reporter"]
    )
    def test_refused_outside_the_area_or_role(self, client, people, child, role):
        client.force_login(getattr(people, role))
        # A file outside the area answers as missing (404); a role without child files gets 403.
        expected = 404 if role in ("other_director", "other_supervisor", "office") else 403
        assert print_card(client, child).status_code == expected
        assert not ChildAccessLog.objects.filter(child=child, action="print").exists()


def print_card(client, child, purpose="入户走访"):
    return client.post(f"/registry/children/{child.pk}/card.pdf", {"purpose": purpose})


@pytest.mark.django_db
class TestCommunityBatch:
    @pytest.fixture
    def children(self, people):
        community = Area.objects.get(code=COMMUNITY)
        names = ["赵一", "钱二", "孙三", "李四", "周五", "吴六", "郑七", "王八", "冯九", "陈十"]
        made = []
        for i, name in enumerate(names):
            birth = datetime.date(2012 + i % 5, 1 + i, 3)
            data = ChildData(
                name=name, sex="male", birth_date=birth, residence_area=community, id_number=make_id(birth, 2 * i + 1)
            )
            made.append(do_create_child(people.director, data))
        other = Area.objects.get(code="330302001002")
        made.append(do_create_child(people.supervisor, ChildData("卫十一", "female", datetime.date(2013, 2, 2), other)))
        return made

    def test_one_card_per_child_of_the_community_each_print_logged(
        self, client, people, children, django_capture_on_commit_callbacks
    ):
        """The batch is printed by the worker (run at once in the tests, on commit); the page polls
        its progress and offers the PDF to whoever asked for it."""
        client.force_login(people.supervisor)
        page = client.get(f"/registry/cards/{COMMUNITY}/")
        assert page.status_code == 200 and "10" in page.content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/registry/cards/{COMMUNITY}/", {"purpose": "六一走访发放联系卡"})
        batch = CardBatch.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/registry/cards/batch/{batch.pk}/"
        assert batch.state == "done" and batch.progress == 100 and batch.cards == 10
        assert b"\xe8\xb5\xb5" not in bytes(batch.pdf_ciphertext)  # stored encrypted (no 赵 in UTF-8)
        status = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
        assert f"/registry/cards/batch/{batch.pk}/cards.pdf" in status and "hx-trigger" not in status
        pdf = client.get(f"/registry/cards/batch/{batch.pk}/cards.pdf")
        assert pdf["Content-Type"] == "application/pdf"
        reader = PdfReader(io.BytesIO(pdf.content))
        assert len(reader.pages) == 2  # eight to a page
        text = pdf_text(pdf.content)
        assert text.count("儿童关爱联系卡") == 10
        for child in children[:10]:
            assert text.count(child.name) == 1, child.name
        assert "卫十一" not in text  # another community's child
        logged = ChildAccessLog.objects.filter(action="print", purpose="六一走访发放联系卡")
        assert sorted(logged.values_list("child_id", flat=True)) == sorted(c.pk for c in children[:10])
        assert AuditEvent.objects.filter(action="registry.cards_print").count() == 1

    def test_the_page_shows_progress_while_the_worker_prints(self, client, people, children):
        client.force_login(people.director)
        response = client.post(f"/registry/cards/{COMMUNITY}/", {"purpose": "发放联系卡"})  # no worker ran
        batch = CardBatch.objects.get()
        page = client.get(response["Location"]).content.decode()
        assert "<progress" in page and f'hx-get="/registry/cards/batch/{batch.pk}/"' in page
        assert client.get(f"/registry/cards/batch/{batch.pk}/cards.pdf").status_code == 404  # not yet
        assert not ChildAccessLog.objects.filter(action="print").exists()  # nothing printed yet
        run_card_batch(batch.pk)
        assert client.get(f"/registry/cards/batch/{batch.pk}/cards.pdf")["Content-Type"] == "application/pdf"
        assert ChildAccessLog.objects.filter(action="print").count() == 10
        run_card_batch(batch.pk)  # a second delivery of the task prints nothing twice
        assert ChildAccessLog.objects.filter(action="print").count() == 10

    @pytest.mark.parametrize(
        "role", ["other_director", "other_supervisor", "office", "leader", "reporter", "supervisor"]
    )
    def test_a_batch_is_its_requesters_only(self, client, people, children, role):
        client.force_login(people.director)
        client.post(f"/registry/cards/{COMMUNITY}/", {"purpose": "发放联系卡"})
        batch = CardBatch.objects.get()
        run_card_batch(batch.pk)
        client.force_login(getattr(people, role))
        # Another director or supervisor of the area (even the street's own) does not see it: 404;
        # a role without cards: 403.
        expected = 404 if role in ("other_director", "other_supervisor", "supervisor") else 403
        assert client.get(f"/registry/cards/batch/{batch.pk}/").status_code == expected
        assert client.get(f"/registry/cards/batch/{batch.pk}/cards.pdf").status_code == expected

    def test_cleanup_drops_a_batchs_pdf_after_a_day(self, client, people, children):
        from django.core.management import call_command

        client.force_login(people.director)
        client.post(f"/registry/cards/{COMMUNITY}/", {"purpose": "发放联系卡"})
        batch = CardBatch.objects.get()
        run_card_batch(batch.pk)
        call_command("cleanup", stdout=io.StringIO())
        assert CardBatch.objects.get().has_pdf  # printed just now: kept
        CardBatch.objects.update(finished_at=timezone.now() - datetime.timedelta(hours=25))
        out = io.StringIO()
        call_command("cleanup", stdout=out)
        assert "1" in out.getvalue().splitlines()[-1]
        assert not CardBatch.objects.get().has_pdf and CardBatch.objects.get().cards == 10
        assert client.get(f"/registry/cards/batch/{batch.pk}/cards.pdf").status_code == 404
        assert "/cards.pdf" not in client.get(f"/registry/cards/batch/{batch.pk}/").content.decode()
        assert ChildAccessLog.objects.filter(action="print").count() == 10  # the log stays

    def test_a_batch_is_refused_once_the_community_is_no_longer_the_users(self, client, people, children):
        client.force_login(people.director)
        client.post(f"/registry/cards/{COMMUNITY}/", {"purpose": "发放联系卡"})
        batch = CardBatch.objects.get()
        run_card_batch(batch.pk)
        people.director.area = Area.objects.get(code="330302001002")
        people.director.save()
        assert client.get(f"/registry/cards/batch/{batch.pk}/cards.pdf").status_code == 403

    def test_a_purpose_is_required(self, client, people, children):
        client.force_login(people.director)
        response = client.post(f"/registry/cards/{COMMUNITY}/", {"purpose": "  "})
        assert response.status_code == 422 and response["Content-Type"].startswith("text/html")
        assert not ChildAccessLog.objects.filter(action="print").exists()

    @pytest.mark.parametrize("role", ["other_director", "other_supervisor", "office", "leader", "reporter"])
    def test_refused_to_others(self, client, people, children, role):
        client.force_login(getattr(people, role))
        assert client.get(f"/registry/cards/{COMMUNITY}/").status_code == 403
        assert client.post(f"/registry/cards/{COMMUNITY}/", {"purpose": "x"}).status_code == 403
        assert not ChildAccessLog.objects.filter(action="print").exists()


HOSTILE = ['#eval("x")', "]", "[", "$x$", "*bold*", "_x_", "@ref", "<label>", "\\", "`raw`", '"', "//", "/*"]


@pytest.mark.django_db
def test_typst_markup_in_any_text_prints_literally(people):
    """Names and contacts go to Typst as JSON data, never as markup: whatever they hold prints as typed."""
    name = " ".join(HOSTILE)
    contact = Contact(role="儿童主任", name='#eval("1+1") ] #panic("x")', phone="$ 1 $", email="a_b*c@example.org")
    card = Card(child_name=name, community="社区]#", street="街道[", contacts=[contact], home='#image("/etc/passwd")')
    text = pdf_text(render_pdf([card]))
    flat = text.replace("\n", "").replace(" ", "")
    for piece in HOSTILE + ['#eval("1+1")', '#panic("x")', "$1$", "a_b*c@example.org", '#image("/etc/passwd")']:
        assert piece.replace(" ", "") in flat, piece


@pytest.mark.django_db
def test_the_same_cards_give_the_same_bytes(people, child):
    from childfirst.registry.cards.printing import build_cards

    cards = build_cards([Child.objects.select_related("residence_area").get(pk=child.pk)])
    assert render_pdf(cards) == render_pdf(cards)
