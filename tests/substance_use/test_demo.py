"""The demo clinic's medication lists: recorded, marked and reconciled at admission."""

from __future__ import annotations

from datetime import date

import pytest

from openiop.demo.synthetic import build_demo
from openiop.substance_use.models import Medication, MedicationReconciliation
from openiop.substance_use.selectors import medication_panel

TODAY = date(2026, 3, 16)


@pytest.mark.django_db
def test_the_demo_keeps_medication_lists_with_maud_from_an_outside_prescriber() -> None:
    build_demo(today=TODAY)
    assert Medication.objects.count() == 6
    reconciled = MedicationReconciliation.objects.filter(occasion="admission")
    assert reconciled.count() == 4
    assert all(r.hash_matches() for r in reconciled)
    naltrexone = Medication.objects.get(name="Naltrexone")
    panel = medication_panel(naltrexone.episode, on=TODAY)
    marked = {row.entry.name: row.use_disorder for row in panel.rows}
    assert marked["Naltrexone"] is not None
    assert marked["Naltrexone"].label == "MAUD"
    # The demo program does not treat substance use: no Part 2 gap is shown there.
    assert panel.gaps == []
