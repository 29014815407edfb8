"""The demo clinic's medication lists: a few active participants with what they take, who
prescribes it (the program's prescriber, an outside prescriber) and the admission
reconciliation, so the chart's medication panel and the list are worth opening.

The demo has one program, which does not treat substance use: drug and alcohol testing,
which only such a program does, has no demo records yet."""

from __future__ import annotations

import random
from datetime import date, timedelta

from openiop.accounts.models import Role, User
from openiop.participants.models import Episode, EpisodeStatus
from openiop.programs.models import Program
from openiop.substance_use.services import (
    MedicationInput,
    medication_record,
    reconciliation_sign,
)

# (name, dose, route, frequency, indication, prescribed by the program)
_LISTS: list[list[tuple[str, str, str, str, str, bool]]] = [
    [("Sertraline", "100 mg", "oral", "once daily", "depression", True)],
    [
        ("Lamotrigine", "200 mg", "oral", "once daily", "bipolar II disorder", True),
        ("Naltrexone", "50 mg", "oral", "once daily", "alcohol use disorder", False),
    ],
    [
        ("Fluoxetine", "40 mg", "oral", "once daily", "depression", True),
        ("Hydroxyzine", "25 mg", "oral", "as needed at night", "sleep", True),
    ],
    [("Levothyroxine", "75 mcg", "oral", "once daily before breakfast", "hypothyroidism", False)],
]


def build(*, program: Program, today: date, rng: random.Random) -> int:
    """Returns how many medications were recorded."""
    episodes = list(
        Episode.objects.filter(program=program, status=EpisodeStatus.ACTIVE)
        .exclude(primary_clinician__isnull=True)
        .select_related("participant", "program", "primary_clinician")
        .order_by("pk")[: len(_LISTS)]
    )
    prescriber = (
        User.objects.filter(assignments__program=program, role=Role.CLINICIAN)
        .order_by("-pk")
        .first()
    )
    count = 0
    for episode, items in zip(episodes, _LISTS, strict=False):
        actor = episode.primary_clinician
        assert actor is not None
        for name, dose, route, frequency, indication, in_program in items:
            medication_record(
                actor=actor,
                episode=episode,
                data=MedicationInput(
                    name=name,
                    dose=dose,
                    route=route,
                    frequency=frequency,
                    indication=indication,
                    prescriber_kind="program" if in_program and prescriber else "outside",
                    prescriber_user=prescriber if in_program else None,
                    prescriber_name="" if in_program and prescriber else "Dr. Imani Brooks",
                    source="prescriber" if in_program else "participant",
                    start_on=today - timedelta(days=rng.randint(60, 400)),
                ),
            )
            count += 1
        start = episode.admitted_on or episode.started_on or today
        reconciliation_sign(
            actor=actor,
            episode=episode,
            occasion="admission",
            reviewed_on=min(start, today),
            reviewed_with_participant=True,
        )
    return count
