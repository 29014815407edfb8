"""Coaching write functions: routing, the alert in the same transaction, claiming, answering,
the pause after self-harm and the response-time report."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from openiop.accounts.roles import Role
from openiop.audit.models import Event
from openiop.safety.coaching import (
    coaching_paused_until,
    coaching_request_claim,
    coaching_request_respond,
    coaching_settings_update,
    median,
    percentile,
    response_times,
)
from openiop.safety.models import Alert, CoachingRequest, CoachingStatus
from tests import factories as f
from tests.diary.helpers import file_card
from tests.safety.test_coaching_helpers import ask, on_call


def test_a_request_goes_to_the_on_call_clinician(world) -> None:
    oncall = on_call(world)
    made = ask(world).request
    assert made.routed_to == oncall
    assert made.status == CoachingStatus.OPEN
    assert made.requested_at is not None


def test_without_an_on_call_shift_it_goes_to_the_primary_clinician(world) -> None:
    assert ask(world).request.routed_to == world.clinician


def test_the_timeline_says_coaching_contact_without_content(world) -> None:
    ask(world, situation="Something very private")
    event = Event.objects.get(participant=world.participant, kind="coaching")
    assert event.summary == "Coaching contact: requested"
    assert event.program == world.program
    assert "private" not in event.summary


def test_a_high_urge_raises_an_alert_with_the_request(world) -> None:
    made = ask(world, urge=4)
    assert len(made.alerts) == 1
    alert = Alert.objects.get()
    assert alert.source_id == made.request.public_id
    assert alert.evidence == "Coaching request: urge 4/5"


def test_an_urge_below_the_threshold_raises_no_alert(world) -> None:
    assert ask(world, urge=3).alerts == []
    assert Alert.objects.count() == 0


def test_invalid_requests_save_nothing(world) -> None:
    with pytest.raises(ValidationError, match="what is happening"):
        ask(world, situation="  ")
    with pytest.raises(ValidationError, match="number we should call"):
        ask(world, reach_by="callback", callback_phone="")
    with pytest.raises(ValidationError, match="skills from the list"):
        ask(world, skills_tried=["Not a skill"])
    with pytest.raises(ValidationError, match="0 to 5"):
        ask(world, urge=6)
    assert CoachingRequest.objects.count() == 0


def test_the_second_claim_is_refused_and_names_the_first(world) -> None:
    made = ask(world).request
    other = f.UserFactory(organization=world.org, role=Role.CLINICIAN, programs=[world.program])
    coaching_request_claim(request=made, actor=world.clinician)
    with pytest.raises(ValidationError, match="Casey Clinician is already answering"):
        coaching_request_claim(request=CoachingRequest.objects.get(pk=made.pk), actor=other)
    made.refresh_from_db()
    assert made.claimed_by == world.clinician


@pytest.mark.django_db(transaction=True)
def test_two_clinicians_claiming_at_once_leave_one_claim(world) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    made = ask(world).request
    other = f.UserFactory(organization=world.org, role=Role.CLINICIAN, programs=[world.program])
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def press(user) -> None:
        try:
            barrier.wait()
            coaching_request_claim(request=CoachingRequest.objects.get(pk=made.pk), actor=user)
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press, args=(u,)) for u in (world.clinician, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert CoachingRequest.objects.get(pk=made.pk).status == CoachingStatus.CLAIMED


def test_answering_by_message_records_times_and_closes(world) -> None:
    asked = timezone.now() - timedelta(minutes=25)
    made = ask(world, now=asked).request
    done = coaching_request_respond(
        request=made,
        actor=world.clinician,
        method="message",
        reply="Try paced breathing for five minutes, then text me back.",
        skills_suggested=["TIPP", "Self-soothe"],
        outcome="skill_helped",
        outcome_note="",
    )
    assert done.status == CoachingStatus.CLOSED
    assert done.responder == world.clinician
    assert done.closed_at is not None
    assert done.minutes_to_response is not None
    assert 24 < done.minutes_to_response < 60
    assert Event.objects.filter(summary="Coaching contact: answered").count() == 1


def test_someone_else_cannot_answer_a_claimed_request(world) -> None:
    made = ask(world).request
    other = f.UserFactory(organization=world.org, role=Role.CLINICIAN, programs=[world.program])
    coaching_request_claim(request=made, actor=world.clinician)
    with pytest.raises(ValidationError, match="Casey Clinician is answering"):
        coaching_request_respond(
            request=CoachingRequest.objects.get(pk=made.pk),
            actor=other,
            method="callback",
            reply="",
            skills_suggested=[],
            outcome="no_answer",
            outcome_note="",
        )


def test_other_outcome_needs_a_note(world) -> None:
    made = ask(world).request
    with pytest.raises(ValidationError, match="Describe the outcome"):
        coaching_request_respond(
            request=made,
            actor=world.clinician,
            method="callback",
            reply="",
            skills_suggested=[],
            outcome="other",
            outcome_note="",
        )
    assert CoachingRequest.objects.get(pk=made.pk).status == CoachingStatus.OPEN


def test_coaching_pauses_for_the_set_hours_after_a_self_harm_card(world) -> None:
    coaching_settings_update(
        program=world.program, actor=world.director, pause_hours_after_self_harm=24
    )
    filed_at = timezone.now() - timedelta(hours=1)
    file_card(world, action_self_harm=True, now=filed_at)
    until = coaching_paused_until(world.episode)
    assert until is not None
    assert until <= filed_at + timedelta(hours=24)
    with pytest.raises(ValidationError, match="paused"):
        ask(world)
    assert CoachingRequest.objects.count() == 0
    assert coaching_paused_until(world.episode, now=filed_at + timedelta(hours=25)) is None


def test_with_the_pause_off_self_harm_does_not_block_coaching(world) -> None:
    file_card(world, action_self_harm=True)
    assert coaching_paused_until(world.episode) is None
    assert ask(world).request.pk is not None


def test_the_pause_setting_is_bounded(world) -> None:
    with pytest.raises(ValidationError, match="0 to 168"):
        coaching_settings_update(
            program=world.program, actor=world.director, pause_hours_after_self_harm=500
        )


def test_median_and_90th_percentile() -> None:
    assert median([10, 30, 20]) == 20
    assert median([10, 20, 30, 40]) == 25
    assert percentile(list(range(1, 11)), 0.9) == 9
    assert percentile([5], 0.9) == 5
    assert median([]) is None
    assert percentile([], 0.9) is None


def test_the_report_groups_by_program_and_week_and_skips_unanswered() -> None:
    today = date(2026, 11, 18)  # a Wednesday
    monday = datetime(2026, 11, 16, 12, tzinfo=UTC)
    rows = [
        ("Adult", monday, monday + timedelta(minutes=10)),
        ("Adult", monday, monday + timedelta(minutes=20)),
        ("Adult", monday, monday + timedelta(minutes=90)),
        ("Adult", monday, None),
        ("Adult", monday - timedelta(weeks=1), monday - timedelta(weeks=1, minutes=-40)),
        ("Adult", monday - timedelta(weeks=9), monday),  # older than 8 weeks
    ]
    report = response_times(rows, today=today)
    assert len(report) == 8
    this_week = report[-1]
    assert this_week.week_start == date(2026, 11, 16)
    assert this_week.answered == 3
    assert this_week.median_minutes == 20
    assert this_week.p90_minutes == 90
    assert report[-2].answered == 1
    assert report[-2].median_minutes == 40
    assert sum(w.answered for w in report) == 4
