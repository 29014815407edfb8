"""Fixtures for the discharge tests: the shared world, with a past session the participant
attended and a future session they are on the roster of."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from openiop.discharge.models import DischargeSummary
from openiop.discharge.services import episode_discharge
from openiop.lib.timezones import today_in
from openiop.participants.models import DischargeKind
from openiop.scheduling.models import Attendance, AttendanceStatus, Session
from tests.scheduling.attendance_support import make_session, session_type


@pytest.fixture
def sessions(world: SimpleNamespace) -> SimpleNamespace:
    kind = session_type(world.program)
    past = make_session(
        program=world.program,
        kind=kind,
        starts_at=timezone.now() - timedelta(days=3),
        minutes=180,
        facilitators=[world.clinician],
        roster=[world.episode],
        created_by=world.director,
    )
    Attendance.objects.create(
        organization=world.org,
        session=past,
        participant=world.participant,
        episode=world.episode,
        status=AttendanceStatus.PRESENT,
        minutes=180,
        recorded_by=world.clinician,
        recorded_at=timezone.now(),
    )
    future = make_session(
        program=world.program,
        kind=kind,
        starts_at=timezone.now() + timedelta(days=3),
        facilitators=[world.clinician],
        roster=[world.episode],
        created_by=world.director,
    )
    return SimpleNamespace(past=past, future=future, kind=kind)


def discharge(world: SimpleNamespace, **kw: object) -> DischargeSummary:
    args: dict[str, object] = {
        "actor": world.clinician,
        "episode": world.episode,
        "on": today_in(world.program.time_zone),
        "kind": DischargeKind.COMPLETED,
        "reason": "Met the goals of the program",
        "destination": "outpatient",
        "provider": "Riverside Counseling",
        "appointments": "Therapy intake next Tuesday",
        "medication_followup": "No medications",
    }
    args.update(kw)
    summary = episode_discharge(**args)
    assert summary is not None
    return summary


@pytest.fixture
def summary(world: SimpleNamespace) -> DischargeSummary:
    return discharge(world)


def rostered(session: Session, world: SimpleNamespace) -> bool:
    return session.roster.filter(participant=world.participant).exists()
