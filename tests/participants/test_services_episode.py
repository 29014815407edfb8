from __future__ import annotations

import datetime as dt
from typing import cast

import pytest
from django.core.exceptions import ValidationError

from openiop.accounts.models import User
from openiop.audit.models import Event, EventKind
from openiop.lib.timezones import today_in
from openiop.participants import services
from openiop.participants.models import (
    CareTeamMember,
    CareTeamRole,
    Episode,
    EpisodeStatus,
)
from tests import factories as f


@pytest.fixture
def today(world):
    return today_in(world.program.time_zone)


@pytest.fixture
def inquiry(world, today):
    """A fresh inquiry in the staff's program, ten days old."""
    participant = f.ParticipantFactory(organization=world.org)
    return f.EpisodeFactory(
        participant=participant,
        program=world.program,
        status=EpisodeStatus.INQUIRY,
        inquiry_on=today - dt.timedelta(days=10),
        admitted_on=None,
        started_on=None,
    )


def _move(world, episode, status, on, **kw):
    return services.episode_transition(
        actor=world.intake, episode=episode, to_status=status, on=on, **kw
    )


def test_an_episode_walks_the_whole_path_setting_each_date(world, inquiry, today):
    d = today - dt.timedelta(days=9)
    _move(world, inquiry, EpisodeStatus.REFERRED, d)
    _move(world, inquiry, EpisodeStatus.ASSESSED, d + dt.timedelta(days=1))
    _move(
        world,
        inquiry,
        EpisodeStatus.ADMITTED,
        d + dt.timedelta(days=2),
        track=world.morning,
        primary_clinician=world.clinician,
    )
    _move(world, inquiry, EpisodeStatus.ACTIVE, d + dt.timedelta(days=3))
    _move(world, inquiry, EpisodeStatus.ON_HOLD, d + dt.timedelta(days=4))
    _move(world, inquiry, EpisodeStatus.ACTIVE, d + dt.timedelta(days=5))
    _move(
        world,
        inquiry,
        EpisodeStatus.DISCHARGED,
        d + dt.timedelta(days=6),
        discharge_reason="Completed program",
    )
    episode = Episode.objects.get(pk=inquiry.pk)
    assert episode.status == EpisodeStatus.DISCHARGED
    assert episode.referred_on == d
    assert episode.assessed_on == d + dt.timedelta(days=1)
    assert episode.admitted_on == d + dt.timedelta(days=2)
    # Coming back from a hold does not move the first day in program.
    assert episode.started_on == d + dt.timedelta(days=3)
    assert episode.hold_since is None
    assert episode.discharged_on == d + dt.timedelta(days=6)
    assert episode.discharge_reason == "Completed program"
    assert episode.track == world.morning
    assert episode.primary_clinician == world.clinician
    assert CareTeamMember.objects.filter(
        episode=episode, user=world.clinician, role=CareTeamRole.PRIMARY, until__isnull=True
    ).exists()
    summaries = list(
        Event.objects.filter(kind=EventKind.EPISODE_STATUS).values_list("summary", flat=True)
    )
    assert len(summaries) == 7
    # The reason stays on the episode; the timeline does not repeat it.
    assert not any("Completed program" in s for s in summaries)


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (EpisodeStatus.INQUIRY, EpisodeStatus.ACTIVE),
        (EpisodeStatus.INQUIRY, EpisodeStatus.ADMITTED),
        (EpisodeStatus.ACTIVE, EpisodeStatus.REFERRED),
        (EpisodeStatus.ACTIVE, EpisodeStatus.ACTIVE),
    ],
)
def test_it_refuses_moves_outside_the_transition_table(world, today, start, target):
    episode = f.EpisodeFactory(
        participant=f.ParticipantFactory(organization=world.org),
        program=world.program,
        status=start,
        track=world.morning,
        primary_clinician=world.clinician,
    )
    with pytest.raises(ValidationError, match="cannot become"):
        _move(world, episode, target, today)
    episode.refresh_from_db()
    assert episode.status == start
    assert not Event.objects.filter(kind=EventKind.EPISODE_STATUS).exists()


def test_a_discharged_episode_cannot_move(world, inquiry, today):
    _move(world, inquiry, EpisodeStatus.DISCHARGED, today, discharge_reason="Did not admit")
    with pytest.raises(ValidationError, match="cannot become"):
        _move(world, inquiry, EpisodeStatus.ACTIVE, today)


def test_a_date_before_the_inquiry_is_refused(world, inquiry):
    with pytest.raises(ValidationError) as error:
        _move(world, inquiry, EpisodeStatus.REFERRED, inquiry.inquiry_on - dt.timedelta(days=1))
    assert "before the inquiry date" in error.value.message_dict["on"][0]
    inquiry.refresh_from_db()
    assert inquiry.status == EpisodeStatus.INQUIRY
    assert inquiry.referred_on is None


def test_a_date_before_the_last_step_is_refused(world, inquiry, today):
    _move(world, inquiry, EpisodeStatus.REFERRED, today - dt.timedelta(days=2))
    with pytest.raises(ValidationError, match="last recorded date"):
        _move(world, inquiry, EpisodeStatus.ASSESSED, today - dt.timedelta(days=3))


def test_a_future_date_is_refused(world, inquiry, today):
    with pytest.raises(ValidationError, match="cannot be in the future"):
        _move(world, inquiry, EpisodeStatus.REFERRED, today + dt.timedelta(days=1))


def test_admitting_needs_a_track_and_a_primary_clinician(world, inquiry, today):
    _move(world, inquiry, EpisodeStatus.REFERRED, today)
    _move(world, inquiry, EpisodeStatus.ASSESSED, today)
    with pytest.raises(ValidationError) as error:
        _move(world, inquiry, EpisodeStatus.ADMITTED, today)
    assert set(error.value.message_dict) == {"track", "primary_clinician"}
    inquiry.refresh_from_db()
    assert inquiry.status == EpisodeStatus.ASSESSED


def test_admitting_refuses_a_track_of_another_program(world, inquiry, today):
    _move(world, inquiry, EpisodeStatus.REFERRED, today)
    _move(world, inquiry, EpisodeStatus.ASSESSED, today)
    elsewhere = f.TrackFactory(program=world.other_program)
    with pytest.raises(ValidationError) as error:
        _move(
            world,
            inquiry,
            EpisodeStatus.ADMITTED,
            today,
            track=elsewhere,
            primary_clinician=world.clinician,
        )
    assert "track" in error.value.message_dict
    assert not CareTeamMember.objects.filter(episode=inquiry).exists()


def test_admitting_refuses_a_clinician_outside_the_program(world, inquiry, today):
    _move(world, inquiry, EpisodeStatus.REFERRED, today)
    _move(world, inquiry, EpisodeStatus.ASSESSED, today)
    with pytest.raises(ValidationError) as error:
        _move(
            world,
            inquiry,
            EpisodeStatus.ADMITTED,
            today,
            track=world.morning,
            primary_clinician=world.outsider_clinician,
        )
    assert "primary_clinician" in error.value.message_dict


def test_discharge_needs_a_reason(world, inquiry, today):
    with pytest.raises(ValidationError) as error:
        _move(world, inquiry, EpisodeStatus.DISCHARGED, today, discharge_reason="  ")
    assert "discharge_reason" in error.value.message_dict
    inquiry.refresh_from_db()
    assert inquiry.is_open


def test_staff_cannot_move_an_episode_in_a_program_they_do_not_work_in(world, today):
    with pytest.raises(ValidationError, match="assigned to"):
        _move(world, world.other_episode, EpisodeStatus.ON_HOLD, today)


def test_only_one_open_episode_per_program(world, today):
    before = Episode.objects.count()
    with pytest.raises(ValidationError) as error:
        services.episode_open(
            actor=world.intake,
            participant=world.participant,
            program=world.program,
            inquiry_on=today,
        )
    assert "already has an open episode" in error.value.message_dict["program"][0]
    assert Episode.objects.count() == before


def test_a_new_episode_may_open_after_discharge(world, today):
    _move(world, world.episode, EpisodeStatus.DISCHARGED, today, discharge_reason="Completed")
    episode = services.episode_open(
        actor=world.intake, participant=world.participant, program=world.program, inquiry_on=today
    )
    assert episode.status == EpisodeStatus.INQUIRY
    assert (
        Event.objects.filter(participant=world.participant, kind=EventKind.EPISODE_OPENED).count()
        == 1
    )


def test_changing_the_primary_clinician_moves_the_primary_row(world):
    colleague = cast(
        User, f.UserFactory(organization=world.org, role="clinician", programs=[world.program])
    )
    services.episode_update(
        actor=world.director, episode=world.episode, primary_clinician=colleague
    )
    world.episode.refresh_from_db()
    assert world.episode.primary_clinician == colleague
    current = CareTeamMember.objects.filter(
        episode=world.episode, role=CareTeamRole.PRIMARY, until__isnull=True
    )
    assert [m.user for m in current] == [colleague]
    assert CareTeamMember.objects.filter(
        episode=world.episode, user=world.clinician, until__isnull=False
    ).exists()
    event = Event.objects.get(kind=EventKind.EPISODE_STATUS)
    assert colleague.full_name in event.summary


def test_a_participant_in_treatment_keeps_a_track(world):
    with pytest.raises(ValidationError, match="needs a track"):
        services.episode_update(actor=world.clinician, episode=world.episode, track=None)
    world.episode.refresh_from_db()
    assert world.episode.track == world.morning


def test_changing_the_track_records_it(world):
    services.episode_update(actor=world.clinician, episode=world.episode, track=world.evening)
    world.episode.refresh_from_db()
    assert world.episode.track == world.evening
    assert "track Evening" in Event.objects.get(kind=EventKind.EPISODE_STATUS).summary
