"""Alumni in the portal (see, answer, stop, opt in) and the program outcomes page."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone

from openiop.audit.models import AccessAction, AccessLog
from openiop.discharge.models import AlumniConsent, FollowUp, FollowUpStatus
from openiop.discharge.selectors import program_outcomes
from openiop.discharge.services import followups_run
from openiop.measures.models import Administration, AdministrationStatus, Phase, ResponseMode
from openiop.measures.services import response_record
from openiop.participants.models import DischargeKind
from tests.discharge.conftest import discharge
from tests.measures.helpers import phq9, record


def _made_due(world):
    discharge(world, followup_consent=True)
    world.episode.refresh_from_db()
    day30 = world.episode.discharged_on + timedelta(days=30)
    followups_run(now=datetime.combine(day30, time(18), tzinfo=UTC))
    # The discharge questionnaires are answered; only the follow-up is open.
    Administration.objects.filter(phase=Phase.DISCHARGE).update(status=AdministrationStatus.MISSED)


def test_an_alumnus_sees_the_30_day_checkin_on_the_portal_home(world, login):
    _made_due(world)
    page = login(world.participant_user).get(reverse("portal:home")).content.decode()
    assert "Your 30-day check-in" in page
    for admin in Administration.objects.filter(phase=Phase.FOLLOWUP):
        assert reverse("portal:checkin", args=[admin.public_id]) in page
    assert "Stop alumni check-ins" in page


def test_an_alumnus_sees_the_discharge_checkin(world, login):
    discharge(world)
    page = login(world.participant_user).get(reverse("portal:home")).content.decode()
    assert "Your discharge check-in" in page


def test_an_alumnus_answers_through_the_portal_checkin_flow(world, login):
    _made_due(world)
    client = login(world.participant_user)
    admin = Administration.objects.get(phase=Phase.FOLLOWUP, instrument_code="PHQ-9")
    for number in range(1, 10):
        response = client.post(
            reverse("portal:checkin_question", args=[admin.public_id, number]), {"answer": "0"}
        )
        assert response.status_code == 302
    response = client.post(reverse("portal:checkin_review", args=[admin.public_id]))
    assert response.status_code == 302
    admin.refresh_from_db()
    assert admin.status == AdministrationStatus.COMPLETED


def test_another_participant_cannot_open_an_alumnus_checkin(world, login):
    _made_due(world)
    admin = Administration.objects.filter(phase=Phase.FOLLOWUP).first()
    assert admin is not None
    response = login(world.other_participant_user).get(
        reverse("portal:checkin", args=[admin.public_id])
    )
    assert response.status_code == 404


def test_an_alumnus_can_stop_checkins(world, login):
    _made_due(world)
    client = login(world.participant_user)
    response = client.post(reverse("discharge:portal_decline"))
    assert response.status_code == 302
    assert set(FollowUp.objects.values_list("status", flat=True)) == {FollowUpStatus.DECLINED}
    page = client.get(reverse("portal:home")).content.decode()
    assert "Your 30-day check-in" not in page


def test_an_alumnus_who_was_not_asked_can_opt_in(world, login):
    discharge(world)
    client = login(world.participant_user)
    page = client.get(reverse("portal:home")).content.decode()
    assert "Yes, check in with me" in page
    response = client.post(reverse("discharge:portal_agree", args=[world.episode.public_id]))
    assert response.status_code == 302
    consent = AlumniConsent.objects.get()
    assert consent.how == "portal"
    assert consent.is_active
    assert FollowUp.objects.count() == 3


def test_a_participant_cannot_opt_in_for_someone_elses_episode(world, login):
    discharge(world)
    response = login(world.other_participant_user).post(
        reverse("discharge:portal_agree", args=[world.episode.public_id])
    )
    assert response.status_code == 404
    assert not AlumniConsent.objects.exists()


def test_staff_cannot_use_portal_actions(world, login):
    assert login(world.clinician).post(reverse("discharge:portal_decline")).status_code == 403


def test_outcomes_aggregate_discharges_scores_and_followups(world, login):
    record(world, "PHQ-9", phq9(16), at=timezone.now() - timedelta(days=10))
    record(world, "PHQ-9", phq9(6), at=timezone.now() - timedelta(days=1))
    _made_due(world)
    admin = Administration.objects.get(phase=Phase.FOLLOWUP, instrument_code="PHQ-9")
    response_record(
        participant=world.participant,
        episode=world.episode,
        instrument_code="PHQ-9",
        answers=phq9(4),
        entered_by=world.participant_user,
        mode=ResponseMode.PORTAL,
        administration=admin,
    )
    Administration.objects.filter(phase=Phase.FOLLOWUP, status=AdministrationStatus.DUE).update(
        status=AdministrationStatus.MISSED
    )
    followups_run(now=timezone.now() + timedelta(days=40))
    [program] = [
        o
        for o in program_outcomes(world.director, since=timezone.localdate() - timedelta(days=30))
        if o.program == world.program
    ]
    assert program.discharges == 1
    assert program.completion_rate == 100
    assert dict(program.by_kind) == {str(DischargeKind.COMPLETED.label): 1}
    day30 = next(r for r in program.followups if r.day_offset == 30)
    assert (day30.answered, day30.closed, day30.rate) == (1, 1, 100)
    phq = next(s for s in program.scores if s.code == "PHQ-9")
    assert phq.means["intake"] == 16
    assert phq.means["discharge"] == 6
    assert phq.means["day_30"] == 4
    assert (phq.improved, phq.paired, phq.improved_pct) == (1, 1, 100)


def test_outcomes_page_shows_aggregates_without_names_and_due_list(
    world, login, django_assert_max_num_queries
):
    _made_due(world)
    client = login(world.director)
    with django_assert_max_num_queries(40):
        response = client.get(reverse("discharge:outcomes"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Adult DBT IOP" in page
    assert "Discharges by kind" in page
    # Names appear only in the due list, which is audited.
    assert page.count(world.participant.display_name) == 1
    assert AccessLog.objects.filter(
        action=AccessAction.LIST, object_type="discharge.followups", participant=world.participant
    ).exists()


def test_outcomes_page_refuses_billing(world, login):
    assert login(world.billing).get(reverse("discharge:outcomes")).status_code == 403
