from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from django.db import transaction

from openiop.demo.synthetic import DemoSummary, build_demo

TODAY = date(2026, 3, 16)  # a Monday


@pytest.fixture(scope="module")
def demo_once(django_db_setup, django_db_blocker) -> Iterator[DemoSummary]:
    """The demo clinic built once per test module (building takes about a second) inside a
    transaction that is rolled back after the module; each test's own transaction nests in it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_demo(today=TODAY, seed=7)
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_once: DemoSummary, db) -> DemoSummary:
    return demo_once
