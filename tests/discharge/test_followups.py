"""Alumni check-ins: only with consent, made due by the worker on their day, closed as answered
or missed, and stopped when the participant declines."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError

from openiop.discharge.models import AlumniConsent, FollowUp, FollowUpStatus
from openiop.discharge.services import (
    alumni_consent_record,
    followups_decline,
    followups_run,
)
from openiop.discharge.tasks import followups as followups_task
from openiop.measures.models import Administration, AdministrationStatus, Phase, ResponseMode
from openiop.measures.services import battery_set, response_record
from openiop.ops.periodic import registered_periodic
from openiop.participants.consents import consent_revoke, consent_sign
from tests.discharge.conftest import discharge


def _noon(day):
    return datetime.combine(day, time(18, 0), tzinfo=UTC)  # noon in Chicago


def test_no_followups_without_consent(world):
    discharge(world)
    assert not FollowUp.objects.exists()
    discharge_declined = AlumniConsent.objects.filter(episode=world.episode)
    assert not discharge_declined.exists()


def test_declining_at_discharge_records_it_and_schedules_nothing(world):
    discharge(world, followup_consent=False)
    consent = AlumniConsent.objects.get(episode=world.episode)
    assert consent.agreed is False
    assert not FollowUp.objects.exists()


def test_consent_at_discharge_schedules_30_90_180(world):
    discharge(world, followup_consent=True, consent_how="in_person")
    world.episode.refresh_from_db()
    rows = list(FollowUp.objects.filter(episode=world.episode).order_by("day_offset"))
    assert [r.day_offset for r in rows] == [30, 90, 180]
    assert [r.due_on for r in rows] == [
        world.episode.discharged_on + timedelta(days=d) for d in (30, 90, 180)
    ]
    assert all(r.status == FollowUpStatus.PENDING for r in rows)
    consent = AlumniConsent.objects.get(episode=world.episode)
    assert consent.is_active
    assert consent.recorded_by == world.clinician


def test_consent_later_from_staff_schedules_them(world):
    discharge(world)
    alumni_consent_record(actor=world.clinician, episode=world.episode, agreed=True, how="phone")
    assert FollowUp.objects.filter(episode=world.episode).count() == 3


def test_consent_needs_a_discharged_episode(world):
    with pytest.raises(ValidationError):
        alumni_consent_record(
            actor=world.clinician, episode=world.episode, agreed=True, how="phone"
        )


def test_the_worker_is_registered():
    assert "discharge.followups" in registered_periodic()


def test_worker_makes_them_due_on_their_day_with_the_fallback_battery(world):
    discharge(world, followup_consent=True)
    world.episode.refresh_from_db()
    day30 = world.episode.discharged_on + timedelta(days=30)
    assert followups_run(now=_noon(day30 - timedelta(days=1))).made_due == 0
    result = followups_run(now=_noon(day30))
    assert result.made_due == 1
    followup = FollowUp.objects.get(day_offset=30)
    assert followup.status == FollowUpStatus.DUE
    admins = Administration.objects.filter(
        episode=world.episode, phase=Phase.FOLLOWUP, period_start=day30
    )
    assert sorted(admins.values_list("instrument_code", flat=True)) == ["GAD-7", "PHQ-9"]
    assert followup.administration in list(admins)
    # Idempotent: a second pass makes nothing new.
    assert followups_run(now=_noon(day30)).made_due == 0
    assert admins.count() == 2


def test_the_programs_followup_battery_is_used_when_configured(world):
    battery_set(program=world.program, phase=Phase.FOLLOWUP, instruments=["WHO-5"], actor=None)
    discharge(world, followup_consent=True)
    world.episode.refresh_from_db()
    followups_run(now=_noon(world.episode.discharged_on + timedelta(days=30)))
    codes = Administration.objects.filter(phase=Phase.FOLLOWUP).values_list(
        "instrument_code", flat=True
    )
    assert list(codes) == ["WHO-5"]


def test_answered_followups_close_as_completed(world):
    discharge(world, followup_consent=True)
    world.episode.refresh_from_db()
    day30 = world.episode.discharged_on + timedelta(days=30)
    followups_run(now=_noon(day30))
    for admin in Administration.objects.filter(phase=Phase.FOLLOWUP):
        answers = [0] * (9 if admin.instrument_code == "PHQ-9" else 7)
        response_record(
            participant=world.participant,
            episode=world.episode,
            instrument_code=admin.instrument_code,
            answers=answers,
            entered_by=world.participant_user,
            mode=ResponseMode.PORTAL,
            administration=admin,
        )
    result = followups_run(now=_noon(day30 + timedelta(days=1)))
    assert result.completed == 1
    assert FollowUp.objects.get(day_offset=30).status == FollowUpStatus.COMPLETED


def test_unanswered_followups_are_missed_after_the_window(world):
    discharge(world, followup_consent=True)
    world.episode.refresh_from_db()
    day30 = world.episode.discharged_on + timedelta(days=30)
    followups_run(now=_noon(day30))
    assert followups_run(now=_noon(day30 + timedelta(days=3))).missed == 0
    result = followups_run(now=_noon(day30 + timedelta(days=8)))
    assert result.missed == 1
    assert FollowUp.objects.get(day_offset=30).status == FollowUpStatus.MISSED
    assert not Administration.objects.filter(
        phase=Phase.FOLLOWUP, status=AdministrationStatus.DUE
    ).exists()


def test_a_followup_whose_day_passed_long_ago_is_missed_not_opened(world):
    discharge(world, followup_consent=True)
    world.episode.refresh_from_db()
    late = world.episode.discharged_on + timedelta(days=45)
    result = followups_run(now=_noon(late))
    assert result.missed == 1
    assert not Administration.objects.filter(phase=Phase.FOLLOWUP).exists()


def test_declining_stops_every_open_followup(world):
    discharge(world, followup_consent=True)
    world.episode.refresh_from_db()
    followups_run(now=_noon(world.episode.discharged_on + timedelta(days=30)))
    closed = followups_decline(participant=world.participant, actor=world.participant_user)
    assert closed == 3
    assert set(FollowUp.objects.values_list("status", flat=True)) == {FollowUpStatus.DECLINED}
    assert set(
        Administration.objects.filter(phase=Phase.FOLLOWUP).values_list("status", flat=True)
    ) == {AdministrationStatus.CANCELLED}
    assert AlumniConsent.objects.get().withdrawn_at is not None
    with pytest.raises(ValidationError):
        followups_decline(participant=world.participant, actor=world.participant_user)


def test_the_task_reports_counts_only(world):
    discharge(world, followup_consent=True)
    text = followups_task(_noon(world.episode.discharged_on + timedelta(days=30)))
    assert text == "1 follow-ups due, 0 answered, 0 missed"


def _signed_followup_consent(world):
    return consent_sign(
        actor=world.clinician,
        participant=world.participant,
        episode=world.episode,
        kind="followup",
        typed_name="Patricia Example",
    )


def test_a_signed_followup_consent_schedules_checkins_at_discharge(world):
    _signed_followup_consent(world)
    discharge(world)  # the form's question left unanswered
    consent = AlumniConsent.objects.get(episode=world.episode)
    assert consent.agreed
    assert consent.how == "written"
    assert FollowUp.objects.filter(episode=world.episode).count() == 3


def test_an_answer_at_discharge_wins_over_the_signed_consent(world):
    _signed_followup_consent(world)
    discharge(world, followup_consent=False)
    assert not FollowUp.objects.exists()


def test_revoking_the_signed_consent_stops_checkins(world):
    signed = _signed_followup_consent(world)
    discharge(world)
    consent_revoke(actor=world.clinician, consent=signed, how="writing")
    world.episode.refresh_from_db()
    followups_run(now=_noon(world.episode.discharged_on + timedelta(days=30)))
    assert FollowUp.objects.get(day_offset=30).status == FollowUpStatus.DECLINED
    assert not Administration.objects.filter(phase=Phase.FOLLOWUP).exists()
