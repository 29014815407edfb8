"""The access log can only grow: the model and its querysets refuse changes, and on
PostgreSQL so does the database."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from openiop.audit.models import AccessLog, AppendOnlyError

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only"
)


def test_the_model_refuses_to_save_an_existing_entry(world, entry):
    row = entry(actor=world.clinician, participant=world.participant)
    row.object_type = "rewritten"
    with pytest.raises(AppendOnlyError):
        row.save()
    assert AccessLog.objects.get(pk=row.pk).object_type == "participant.chart"


def test_the_model_refuses_to_delete_an_entry(world, entry):
    row = entry(actor=world.clinician, participant=world.participant)
    with pytest.raises(AppendOnlyError):
        row.delete()
    assert AccessLog.objects.filter(pk=row.pk).exists()


def test_bulk_update_and_delete_through_the_orm_are_refused(world, entry):
    row = entry(actor=world.clinician, participant=world.participant)
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.filter(pk=row.pk).update(address="10.0.0.1")
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.filter(pk=row.pk).delete()
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.bulk_update([row], ["address"])
    assert AccessLog.objects.get(pk=row.pk).address == "198.51.100.7"


@needs_postgresql
def test_the_database_refuses_update_through_raw_sql(world, entry):
    row = entry(actor=world.clinician, participant=world.participant)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE audit_accesslog SET address = '10.0.0.1' WHERE id = %s", [row.pk])
    assert AccessLog.objects.get(pk=row.pk).address == "198.51.100.7"


@needs_postgresql
def test_the_database_refuses_delete_through_raw_sql(world, entry):
    row = entry(actor=world.clinician, participant=world.participant)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM audit_accesslog WHERE id = %s", [row.pk])
    assert AccessLog.objects.filter(pk=row.pk).exists()


@needs_postgresql
def test_the_database_still_accepts_new_entries(world, entry):
    entry(actor=world.clinician, participant=world.participant)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM audit_accesslog")
        assert cursor.fetchone()[0] == 1
