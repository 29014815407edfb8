from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from openiop.accounts.models import AccountEvent, AccountEventKind


@pytest.fixture
def history(world) -> AccountEvent:
    return AccountEvent.objects.create(
        organization=world.org,
        actor=world.admin,
        subject=world.clinician,
        kind=AccountEventKind.MFA_RESET,
        summary="Two-step sign-in reset",
    )


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE accounts_accountevent SET summary = 'rewritten' WHERE id = %s",
        "DELETE FROM accounts_accountevent WHERE id = %s",
    ],
)
def test_the_database_refuses_to_rewrite_account_history(history, statement: str) -> None:
    with (
        pytest.raises(DatabaseError, match="accounts_accountevent is append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, [history.pk])
    history.refresh_from_db()
    assert history.summary == "Two-step sign-in reset"
