"""The demo's recommendations (open, answered, overdue and escalated, closed after a return) and good
practices (two published, one awaiting the office), made through the product's own do_* actions by the
demo accounts, then dated back where the story needs it. Texts and dates: data/lucheng-followup.yaml.
Idempotent: a recommendation or practice whose title is already there is left alone."""

from __future__ import annotations

import datetime
import io
from pathlib import Path
from typing import Any

import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from childfirst.accounts.models import User
from childfirst.areas.models import Area
from childfirst.implementation.models import Assignment, GoodPractice, Recommendation, Response
from childfirst.implementation.practice_actions import do_publish_practice, do_submit_practice
from childfirst.implementation.recommendation_actions import (
    do_close_assignment,
    do_escalate_overdue,
    do_issue_recommendation,
    do_respond,
    do_return,
)
from childfirst.plans.models import Department, Indicator, Plan

FOLLOWUP_FILE = Path(__file__).resolve().parent / "data" / "lucheng-followup.yaml"


def demo_photo(colour: tuple[int, int, int]) -> bytes:
    """A made-up picture (coloured shapes, no person) standing in for a photo of an activity."""
    image = Image.new("RGB", (480, 320), (245, 240, 230))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 180, 440, 290), fill=colour)
    draw.ellipse((300, 40, 400, 140), fill=(250, 200, 60))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def _users() -> dict[str, User]:
    return {u.username: u for u in User.objects.filter(is_demo=True).select_related("department", "area")}


def _issue(plan: Plan, spec: dict[str, Any], office: User, users: dict[str, User], today: datetime.date) -> None:
    departments = list(Department.objects.filter(area=plan.area, code__in=spec.get("departments", [])))
    streets = list(Area.objects.filter(code__in=spec.get("streets", [])))
    indicator = Indicator.objects.filter(plan=plan, code=spec["indicator"]).first() if "indicator" in spec else None
    area = Area.objects.filter(code=spec["street"]).first() if "street" in spec else None
    due = today + datetime.timedelta(days=spec["due_in_days"])
    recommendation = do_issue_recommendation(
        office,
        plan,
        year=spec["year"],
        title=spec["title"],
        text=spec["text"].strip(),
        source=spec["source"],
        # Issued on a day before the due date (an overdue one was issued when it was still in time).
        due_date=max(due, today),
        departments=departments,
        streets=streets,
        indicator=indicator,
        area=area,
        is_synthetic=True,
    )
    for answer in spec.get("answers", []):
        assignment = recommendation.assignments.select_related("department", "area").get(
            department__code=answer["department"]
        )
        assignment.recommendation = recommendation
        do_respond(users[answer["by"]], assignment, action_taken=answer["text"].strip())
        assignment.refresh_from_db()
        if "returned" in answer:
            do_return(office, assignment, answer["returned"])
    if spec["state"] == "closed":
        for assignment in recommendation.assignments.select_related("department", "area"):
            assignment.recommendation = recommendation
            do_close_assignment(office, assignment)
    _date_back(recommendation, spec, today, due)


def _date_back(recommendation: Recommendation, spec: dict[str, Any], today: datetime.date, due: datetime.date) -> None:
    """The story's dates: issued some days ago, answered and closed before the due date (demo rows only)."""
    now = timezone.now()
    issued = now - datetime.timedelta(days=spec.get("issued_days_ago", max(10, -spec["due_in_days"] + 30)))
    Recommendation.objects.filter(pk=recommendation.pk).update(issued_at=issued, due_date=due)
    if spec["state"] != "closed":
        return
    closed = timezone.make_aware(datetime.datetime.combine(due - datetime.timedelta(days=5), datetime.time(15)))
    responses = list(Response.objects.filter(assignment__recommendation=recommendation).order_by("responded_at", "pk"))
    for number, response in enumerate(responses, start=1):
        answered = issued + (closed - issued) * number / (len(responses) + 1)
        decided = answered + datetime.timedelta(days=2) if number < len(responses) else closed
        Response.objects.filter(pk=response.pk).update(responded_at=answered, decided_at=decided)
    Assignment.objects.filter(recommendation=recommendation).update(closed_at=closed)
    Recommendation.objects.filter(pk=recommendation.pk).update(closed_at=closed)


def _practice(plan: Plan, spec: dict[str, Any], office: User, users: dict[str, User], number: int) -> None:
    photos = []
    if spec.get("photo"):
        colour = [(90, 150, 200), (120, 180, 110), (200, 120, 90)][number % 3]
        photos.append(SimpleUploadedFile(f"{spec['key']}.jpg", demo_photo(colour), "image/jpeg"))
    practice = do_submit_practice(
        users[spec["by"]],
        plan,
        year=spec["year"],
        title=spec["title"],
        text=spec["text"].strip(),
        indicators=list(Indicator.objects.filter(plan=plan, code__in=spec["indicators"])),
        photos=photos,
        no_faces_confirmed=True,
        is_synthetic=True,
    )
    if spec["state"] == "published":
        do_publish_practice(office, practice)


@transaction.atomic
def load_demo_followup(plan: Plan, path: Path = FOLLOWUP_FILE) -> dict[str, int]:
    """The demo's recommendations and good practices (each once), then the daily escalation."""
    with path.open(encoding="utf-8") as stream:
        data = yaml.safe_load(stream)
    users = _users()
    office = users[data["office"]]
    today = timezone.localdate()
    existing = set(Recommendation.objects.filter(plan=plan, is_synthetic=True).values_list("title", flat=True))
    made = 0
    for spec in data["recommendations"]:
        if spec["title"] not in existing:
            _issue(plan, spec, office, users, today)
            made += 1
    have = set(GoodPractice.objects.filter(plan=plan, is_synthetic=True).values_list("title", flat=True))
    practices = 0
    for number, spec in enumerate(data["practices"]):
        if spec["title"] not in have:
            _practice(plan, spec, office, users, number)
            practices += 1
    escalated = do_escalate_overdue(today)
    return {"recommendations_created": made, "good_practices_created": practices, "followups_escalated": escalated}
