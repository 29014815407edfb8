"""Database-level rules for accounts."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from openiop.accounts.models import User
from tests import factories as f


def test_email_is_unique_regardless_of_case_in_the_database(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email=world.clinician.email.upper(), full_name="Dup", role="clinician")
    assert User.objects.filter(email__iexact=world.clinician.email).count() == 1


def test_sign_in_lookup_ignores_case_even_for_rows_stored_in_mixed_case(db):
    user = f.UserFactory(email="Mixed.Case@Example.test")
    assert User.objects.get_by_natural_key("mixed.case@example.test") == user
