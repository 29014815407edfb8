"""The access log can only grow: the model and its querysets refuse changes, and so does the
database, on PostgreSQL and on SQLite (lib/append_only.py): no ORM path goes around it."""

from __future__ import annotations

import pytest
from django.core.management.sql import emit_post_migrate_signal
from django.db import DatabaseError, connection, transaction

from openiop.audit.models import AccessLog, AppendOnlyError
from openiop.lib import append_only


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


def test_the_database_refuses_update_through_raw_sql(world, entry):
    row = entry(actor=world.clinician, participant=world.participant)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE audit_accesslog SET address = '10.0.0.1' WHERE id = %s", [row.pk])
    assert AccessLog.objects.get(pk=row.pk).address == "198.51.100.7"


def test_the_database_refuses_delete_through_raw_sql(world, entry):
    row = entry(actor=world.clinician, participant=world.participant)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM audit_accesslog WHERE id = %s", [row.pk])
    assert AccessLog.objects.filter(pk=row.pk).exists()


def test_the_database_still_accepts_new_entries(world, entry):
    entry(actor=world.clinician, participant=world.participant)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM audit_accesslog")
        assert cursor.fetchone()[0] == 1


def test_the_base_manager_cannot_go_around_the_model(world, entry):
    """`_base_manager` is a plain manager: the queryset's refusal does not apply, the
    database's does."""
    row = entry(actor=world.clinician, participant=world.participant)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLog._base_manager.filter(pk=row.pk).update(address="10.0.0.1")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLog._base_manager.filter(pk=row.pk)._raw_delete(connection.alias)
    assert AccessLog.objects.get(pk=row.pk).address == "198.51.100.7"


def test_every_append_only_table_has_its_trigger(db):
    assert append_only.missing(connection) == []


def test_a_trigger_dropped_by_a_table_rebuild_comes_back_on_migrate(db):
    """Django's SQLite schema editor rebuilds a table to alter it, which drops its triggers;
    audit's post_migrate handler installs whatever is missing."""
    if connection.vendor == "sqlite":
        append_only.drop_sqlite(connection, ["audit_accesslog"])
    else:
        with connection.cursor() as cursor:
            name = append_only.postgres_trigger_name("audit_accesslog")
            cursor.execute(f"DROP TRIGGER {name} ON audit_accesslog")
    assert append_only.missing(connection) == ["audit_accesslog"]
    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
    assert append_only.missing(connection) == []


@pytest.mark.django_db(transaction=True)
def test_transactional_tests_still_flush_the_log(world, entry):
    """The harness drops the SQLite triggers around Django's flush only (tests/conftest.py):
    this test's own rows are flushed at its end, and the triggers are back."""
    entry(actor=world.clinician, participant=world.participant)
    assert AccessLog.objects.count() == 1
    assert append_only.missing(connection) == []


def test_the_harness_puts_the_triggers_back_after_a_flush(db):
    connection.ops.execute_sql_flush([])
    assert append_only.missing(connection) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pgtrigger: PostgreSQL")
def test_no_session_setting_skips_the_trigger(world, entry):
    """django-pgtrigger's triggers step aside for a session that names them in
    `pgtrigger.ignore`, which any role may set; ours are compiled without that escape
    (lib/triggers.py)."""
    row = entry(actor=world.clinician, participant=world.participant)
    name = append_only.postgres_trigger_name("audit_accesslog")

    def update_asking_to_skip() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT set_config('pgtrigger.ignore', %s, true)", ["{" + name + "}"])
            cursor.execute(
                "UPDATE audit_accesslog SET address = '10.0.0.1' WHERE id = %s", [row.pk]
            )

    with pytest.raises(DatabaseError, match="append-only"):
        update_asking_to_skip()
    assert AccessLog.objects.get(pk=row.pk).address == "198.51.100.7"
