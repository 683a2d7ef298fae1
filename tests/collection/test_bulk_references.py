"""Bulk inserts on PostgreSQL check their foreign keys once per distinct id instead of a trigger per
row (issue 16, item 6): the guarantees stay — a value never points at a missing row, a bad request
changes nothing, and the constraints keep guarding the referenced rows afterwards."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from childfirst.areas.models import Area
from childfirst.collection.actions import HISTORY_COLUMNS, NEW_VALUE_COLUMNS
from childfirst.collection.bulk import insert_rows
from childfirst.collection.models import Channel, DataValue, ValueChange

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY path is PostgreSQL's")

MISSING = 2_000_000_000  # no row has this id


def value_rows(health, areas, user):
    indicator = health.round.plan.indicators.filter(per_street=True).first()
    now = timezone.now()
    return [
        (health.round_id, health.pk, indicator.pk, area.pk, 5, None, None, "", "", "", 1, now, user.pk, Channel.API)
        for area in areas
    ]


def session_replication_role() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        return cursor.fetchone()[0]


def streets(count):
    return list(Area.objects.filter(code__startswith="330302", code__regex=r"^\d{9}$").order_by("code")[:count])


def test_values_and_history_go_in_with_their_references_checked(health, users):
    ids = insert_rows(DataValue, NEW_VALUE_COLUMNS, value_rows(health, streets(3), users.reporter))
    history = [
        (i, timezone.now(), users.reporter.pk, Channel.API, health.state, None, None, {"value": "5"}) for i in ids
    ]
    insert_rows(ValueChange, HISTORY_COLUMNS, history)
    assert DataValue.objects.filter(pk__in=ids).count() == 3
    assert ValueChange.objects.filter(data_value_id__in=ids).count() == 3
    assert session_replication_role() == "origin"  # the triggers are back for whatever follows


def test_a_missing_reference_is_refused_and_nothing_is_written(health, users):
    rows = value_rows(health, streets(3), users.reporter)
    rows[1] = (*rows[1][:3], MISSING, *rows[1][4:])  # an area that does not exist
    before = DataValue.objects.count()
    with pytest.raises(IntegrityError, match="area_id"), transaction.atomic():
        insert_rows(DataValue, NEW_VALUE_COLUMNS, rows)
    assert DataValue.objects.count() == before
    assert session_replication_role() == "origin"


def test_a_history_row_of_a_missing_value_is_refused(health, users):
    row = (MISSING, timezone.now(), users.reporter.pk, Channel.API, health.state, None, None, {"value": "5"})
    with pytest.raises(IntegrityError, match="data_value_id"), transaction.atomic():
        insert_rows(ValueChange, HISTORY_COLUMNS, [row])


def test_the_constraints_still_guard_the_referenced_rows(health, users):
    """Deleting an area a new value points at is refused by the database itself, as before."""
    area = streets(1)[0]
    insert_rows(DataValue, NEW_VALUE_COLUMNS, value_rows(health, [area], users.reporter))
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # checked now, not at a commit the test never makes
        cursor.execute("DELETE FROM areas_area WHERE id = %s", [area.pk])


def test_a_table_with_triggers_of_its_own_keeps_the_per_row_path(health, users):
    """Pausing triggers would pause those too, so such a table is left to the per-row checks."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION pg_temp.untouched() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$"
        )
        cursor.execute(
            "CREATE TRIGGER untouched BEFORE INSERT ON collection_datavalue "
            "FOR EACH ROW EXECUTE FUNCTION pg_temp.untouched()"
        )
    rows = value_rows(health, streets(2), users.reporter)
    rows[0] = (*rows[0][:3], MISSING, *rows[0][4:])
    # No check of its own here: the COPY goes in, and the constraint's trigger refuses it when checked.
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        insert_rows(DataValue, NEW_VALUE_COLUMNS, rows)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
