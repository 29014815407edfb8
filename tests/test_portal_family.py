"""The family page (issue 13 point 4, issue 14): with a release covering the schedule and
attendance, the family member sees the family sessions they are invited to and the
participant's attendance, from the program that gave the consent and no other; nothing is
promised that does not appear; revoking removes it at once; every view is accounted for."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from openiop.participants.consents import consent_revoke
from openiop.participants.models import (
    ConsentInfo,
    ConsentKind,
    ConsentRevokedHow,
    Disclosure,
    DisclosureChannel,
)
from openiop.programs.models import SessionCategory
from openiop.scheduling.models import Attendance, AttendanceStatus, FamilyAttendee
from tests import factories as f
from tests.participants.consent_support import family_member, sign, sud_world
from tests.scheduling.attendance_support import make_session, session_type

ALL = [ConsentInfo.FAMILY_SCHEDULE, ConsentInfo.ATTENDANCE, ConsentInfo.PROGRAM_CONTACT]


@pytest.fixture
def fam(world: SimpleNamespace) -> SimpleNamespace:
    """Robin, with a release from the DBT program for schedule, attendance and contact; the
    participant also attends a substance-use program (newer episode) Robin knows nothing of."""
    sud_program, sud_episode = sud_world(world)
    world.sud_program, world.sud_episode = sud_program, sud_episode
    world.robin = family_member(world.episode)
    world.release = sign(
        world.episode, world.clinician, recipient_contact=world.robin, information=ALL
    )
    family_type = session_type(
        world.program, category=SessionCategory.FAMILY, name="Family therapy"
    )
    world.invited = make_session(
        program=world.program,
        kind=family_type,
        starts_at=timezone.now() + timedelta(days=2),
        minutes=50,
        facilitators=[world.clinician],
        roster=[world.episode],
        created_by=world.director,
    )
    FamilyAttendee.objects.create(
        organization=world.org, session=world.invited, contact=world.robin
    )
    world.not_invited = make_session(
        program=world.program,
        kind=session_type(world.program, category=SessionCategory.FAMILY, name="Couples session"),
        starts_at=timezone.now() + timedelta(days=3),
        minutes=50,
        facilitators=[world.clinician],
        roster=[world.episode],
        created_by=world.director,
    )
    group = make_session(
        program=world.program,
        kind=session_type(world.program, name="Skills group"),
        starts_at=timezone.now() - timedelta(hours=3),
        minutes=90,
        facilitators=[world.clinician],
        roster=[world.episode],
        created_by=world.director,
    )
    Attendance.objects.create(
        organization=world.org,
        session=group,
        participant=world.participant,
        episode=world.episode,
        status=AttendanceStatus.PRESENT,
        minutes=90,
        recorded_by=world.clinician,
        recorded_at=timezone.now(),
    )
    sud_group = make_session(
        program=sud_program,
        kind=session_type(sud_program, name="Recovery group"),
        starts_at=timezone.now() - timedelta(hours=5),
        minutes=60,
        facilitators=[world.clinician],
        roster=[sud_episode],
        created_by=world.clinician,
    )
    Attendance.objects.create(
        organization=world.org,
        session=sud_group,
        participant=world.participant,
        episode=sud_episode,
        status=AttendanceStatus.ABSENT_UNEXCUSED,
        minutes=0,
        recorded_by=world.clinician,
        recorded_at=timezone.now(),
    )
    return world


def _page(client: Any) -> str:
    response = client.get(reverse("portal:family_home"))
    assert response.status_code == 200
    return response.content.decode()


def test_it_names_the_program_of_the_consent_and_never_the_other(
    fam: SimpleNamespace, login: Any
) -> None:
    text = _page(login(fam.robin.user))
    assert fam.program.name in text
    assert 'href="tel:555-0100"' in text
    assert fam.sud_program.name not in text
    assert "Recovery group" not in text


def test_it_shows_the_family_sessions_they_are_invited_to(fam: SimpleNamespace, login: Any) -> None:
    text = _page(login(fam.robin.user))
    assert "Family therapy" in text
    assert "Couples session" not in text


def test_it_shows_this_weeks_attendance_and_hours(fam: SimpleNamespace, login: Any) -> None:
    text = _page(login(fam.robin.user))
    assert "Attendance this week" in text
    assert "Skills group" in text
    assert "Attended" in text
    assert "1.5 h" in text


def test_a_release_for_the_schedule_only_shows_no_attendance_and_promises_nothing(
    world: SimpleNamespace, login: Any
) -> None:
    robin = family_member(world.episode)
    sign(
        world.episode,
        world.clinician,
        recipient_contact=robin,
        information=[ConsentInfo.FAMILY_SCHEDULE],
    )
    text = _page(login(robin.user))
    assert "Attendance this week" not in text
    assert "No family sessions are scheduled for you" in text
    assert "will appear" not in text


def test_revoking_the_release_removes_it_at_once(fam: SimpleNamespace, login: Any) -> None:
    client = login(fam.robin.user)
    assert "Family therapy" in _page(client)
    consent_revoke(actor=fam.clinician, consent=fam.release, how=ConsentRevokedHow.VERBAL)
    text = _page(client)
    assert "Family therapy" not in text
    assert "Skills group" not in text
    assert fam.participant.display_name not in text


def test_a_part2_consent_shows_the_substance_use_programs_own_information(
    fam: SimpleNamespace, login: Any
) -> None:
    sid = f.FamilyContactFactory(
        participant=fam.participant,
        program=fam.sud_program,
        user=f.UserFactory(organization=fam.org, role="family", full_name="Sid"),
        name="Sid Sponsor",
        relationship="Sponsor",
    )
    sign(
        fam.sud_episode,
        fam.clinician,
        ConsentKind.PART2,
        recipient_contact=sid,
        information=[ConsentInfo.ATTENDANCE],
    )
    text = _page(login(sid.user))
    assert fam.sud_program.name in text
    assert "Recovery group" in text
    assert "Missed" in text
    assert fam.program.name not in text
    assert "Skills group" not in text
    assert "42 CFR part 2" in text  # the redisclosure notice goes with it


def test_each_view_is_in_the_participants_accounting_once_a_day(
    fam: SimpleNamespace, login: Any
) -> None:
    client = login(fam.robin.user)
    _page(client)
    _page(client)
    row = Disclosure.objects.get()
    assert row.channel == DisclosureChannel.FAMILY_PORTAL
    assert row.consent == fam.release
    assert row.recipient_contact == fam.robin
    assert sorted(row.information) == sorted(ALL)
    portal = login(fam.participant_user).get(reverse("portal:disclosures")).content.decode()
    assert "Seen in the family portal" in portal
    assert "Robin Example" in portal


def test_the_logo_takes_a_family_member_to_their_own_page(fam: SimpleNamespace, login: Any) -> None:
    client = login(fam.robin.user)
    assert f'class="brand" href="{reverse("portal:family_home")}"' in _page(client)
    assert client.get("/").url == reverse("portal:family_home")


def test_the_page_keeps_a_bounded_query_count(
    fam: SimpleNamespace, login: Any, django_assert_max_num_queries: Any
) -> None:
    client = login(fam.robin.user)
    with django_assert_max_num_queries(40):
        _page(client)
