"""The facilitator's home lists sessions that someone attended and that have no note at all,
from the last two weeks: an undocumented session is, to a payer, one that did not happen."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from openiop.notes import services
from openiop.scheduling.models import Attendance, AttendanceStatus, SessionStatus
from tests.notes.conftest import group_session


def _built(world, **kw):
    return group_session(
        world.program, facilitator=world.clinician, director=world.director, attendees=2, **kw
    )


def test_an_attended_session_without_a_note_is_listed(world, login) -> None:
    built = _built(world)
    assert services.sessions_without_note(world.clinician, timezone.now()) == [built.session]
    page = login(world.clinician).get(reverse("home")).content.decode()
    assert "Sessions without a note" in page
    assert reverse("scheduling:session_detail", args=[built.session.public_id]) in page
    # Listed by session only: no attendee's name on the home list for it.
    section = page.split("Sessions without a note", 1)[1].split("</section>", 1)[0]
    for episode in built.episodes:
        assert episode.participant.legal_last_name not in section


def test_opening_a_note_takes_the_session_off_the_list(world) -> None:
    built = _built(world)
    services.note_open_for_session(session=built.session, actor=world.clinician)
    assert services.sessions_without_note(world.clinician, timezone.now()) == []


def test_sessions_nobody_attended_cancelled_or_old_are_not_listed(world) -> None:
    nobody = _built(world)
    Attendance.objects.filter(session=nobody.session).update(
        status=AttendanceStatus.ABSENT_EXCUSED, minutes=0
    )
    cancelled = _built(world)
    cancelled.session.status = SessionStatus.CANCELLED
    cancelled.session.save()
    old = _built(world)
    old.session.starts_at -= timedelta(days=20)
    old.session.ends_at -= timedelta(days=20)
    old.session.save()
    assert services.sessions_without_note(world.clinician, timezone.now()) == []


def test_only_the_facilitators_own_sessions_are_listed(world) -> None:
    _built(world)
    assert services.sessions_without_note(world.director, timezone.now()) == []
    assert services.sessions_without_note(world.outsider_clinician, timezone.now()) == []
