from __future__ import annotations

from collections import Counter

from django_otp.plugins.otp_totp.models import TOTPDevice

from openiop.accounts.models import StaffAssignment, User
from openiop.accounts.roles import STAFF_ROLES, Role
from openiop.audit.models import Event, EventKind
from openiop.demo.synthetic import DEMO_LOGINS, DEMO_PASSWORD
from openiop.participants.models import (
    CareTeamMember,
    CareTeamRole,
    Consent,
    Episode,
    EpisodeStatus,
    FamilyContact,
    Participant,
)
from openiop.programs.models import Organization, Program, Room, SessionType, Site, Track
from tests.demo.conftest import TODAY


def test_it_builds_one_clinic_with_one_adult_dbt_program(demo):
    assert Organization.objects.count() == 1
    assert Site.objects.count() == 1
    program = Program.objects.get()
    assert program.name == "Adult DBT IOP"
    assert demo.program == program
    program.full_clean()


def test_it_gives_the_program_a_morning_and_an_evening_track_of_three_days(demo):
    tracks = {t.name: t for t in Track.objects.filter(program=demo.program)}
    assert set(tracks) == {"Morning", "Evening"}
    for track in tracks.values():
        assert len(track.weekdays) == 3
        track.full_clean()
    assert tracks["Morning"].start_time.hour < 12 <= tracks["Evening"].start_time.hour


def test_it_has_a_pet_friendly_room_and_a_telehealth_room(demo):
    rooms = Room.objects.filter(site__organization=demo.organization)
    assert rooms.filter(pet_friendly=True).count() == 1
    assert rooms.filter(telehealth=True).count() == 1


def test_it_has_the_seven_session_types(demo):
    names = set(SessionType.objects.filter(program=demo.program).values_list("name", flat=True))
    assert names == {
        "DBT skills group",
        "Process group",
        "Individual therapy",
        "Family session",
        "Psychoeducation",
        "Expressive therapy",
        "Mindfulness",
    }


def test_it_has_staff_for_every_role_and_clinicians_with_credentials(demo):
    roles = Counter(User.objects.values_list("role", flat=True))
    assert roles[Role.DIRECTOR] == 1
    assert roles[Role.CLINICIAN] == 5
    assert roles[Role.INTAKE] == 1
    assert roles[Role.BILLING] == 1
    assert roles[Role.ADMINISTRATOR] == 1
    clinicians = User.objects.filter(role=Role.CLINICIAN)
    assert all(c.credentials for c in clinicians)
    assert len({c.credentials for c in clinicians}) == 5


def test_it_assigns_staff_to_the_program_but_not_the_administrator(demo):
    assigned = set(StaffAssignment.objects.values_list("user__role", flat=True))
    assert assigned == {Role.DIRECTOR, Role.CLINICIAN, Role.INTAKE, Role.BILLING}
    assert StaffAssignment.objects.count() == 8
    assert not StaffAssignment.objects.filter(user__role=Role.ADMINISTRATOR).exists()


def test_every_staff_member_has_a_confirmed_authenticator(demo):
    staff = User.objects.filter(role__in=STAFF_ROLES)
    assert staff.count() == 9
    for user in staff:
        assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1
    assert not TOTPDevice.objects.exclude(user__role__in=STAFF_ROLES).exists()


def test_it_has_about_forty_participants_in_every_state(demo):
    assert 35 <= Participant.objects.count() <= 45
    assert demo.participants == Participant.objects.count()
    statuses = Counter(Episode.objects.values_list("status", flat=True))
    for status in (
        EpisodeStatus.REFERRED,
        EpisodeStatus.ADMITTED,
        EpisodeStatus.ACTIVE,
        EpisodeStatus.DISCHARGED,
    ):
        assert statuses[status] >= 3, status
    assert demo.statuses == dict(statuses)


def test_active_participants_are_spread_over_weeks_one_to_twelve(demo):
    active = Episode.objects.filter(status=EpisodeStatus.ACTIVE)
    weeks = Counter(e.week_number(TODAY) for e in active)
    assert set(weeks) == set(range(1, 13))


def test_episode_dates_match_each_status(demo):
    for episode in Episode.objects.all():
        episode.full_clean()
        steps = [
            episode.inquiry_on,
            episode.referred_on,
            episode.assessed_on,
            episode.admitted_on,
            episode.started_on,
            episode.discharged_on,
        ]
        present = [d for d in steps if d is not None]
        assert present == sorted(present)
        assert max(present) <= TODAY
        if episode.status == EpisodeStatus.REFERRED:
            assert episode.referred_on
            assert not episode.admitted_on
            assert not episode.track
        if episode.status == EpisodeStatus.ADMITTED:
            assert episode.admitted_on
            assert not episode.started_on
            assert episode.track
        if episode.status == EpisodeStatus.ACTIVE:
            assert episode.started_on
            assert not episode.discharged_on
        if episode.status == EpisodeStatus.DISCHARGED:
            assert episode.started_on
            assert episode.discharged_on
            assert episode.discharge_reason


def test_admitted_episodes_have_a_primary_clinician_on_their_care_team(demo):
    admitted = Episode.objects.exclude(status=EpisodeStatus.REFERRED)
    for episode in admitted:
        assert episode.primary_clinician is not None
        assert CareTeamMember.objects.filter(
            episode=episode, user=episode.primary_clinician, role=CareTeamRole.PRIMARY
        ).exists()
    assert not CareTeamMember.objects.filter(episode__status=EpisodeStatus.REFERRED).exists()
    ended = CareTeamMember.objects.filter(episode__status=EpisodeStatus.DISCHARGED)
    assert ended.exists()
    assert not ended.filter(until__isnull=True).exists()


def test_participants_have_family_contacts_and_some_consents(demo):
    with_family = Participant.objects.filter(family_contacts__isnull=False).distinct().count()
    assert with_family >= Participant.objects.count() // 2
    # Family portal permissions are signed releases (demo/intake.py build_consents).
    assert Consent.objects.filter(recipient_contact__isnull=False).count() >= 5
    for contact in FamilyContact.objects.all():
        assert contact.phone.startswith("555-01")
        assert contact.email.endswith("@example.org")


def test_all_contact_details_are_fictional(demo):
    for participant in Participant.objects.all():
        assert participant.phone.startswith("555-01")
        assert participant.email.endswith("@example.org")
    assert not User.objects.exclude(email__endswith="@example.org").exists()


def test_the_timeline_shows_history_on_the_days_it_happened(demo):
    for participant in Participant.objects.all():
        kinds = set(participant.events.values_list("kind", flat=True))
        assert {EventKind.PARTICIPANT_CREATED, EventKind.EPISODE_OPENED} <= kinds
    discharged = Episode.objects.filter(status=EpisodeStatus.DISCHARGED).first()
    assert discharged is not None
    assert discharged.discharged_on is not None
    first_event = Event.objects.filter(participant=discharged.participant).order_by("at").first()
    assert first_event is not None
    assert first_event.at.date() < discharged.discharged_on


def test_one_login_per_role_with_the_demo_password(demo):
    assert [(login.role, login.email) for login in demo.logins] == list(DEMO_LOGINS)
    assert {login.role for login in demo.logins} == {r.value for r in Role}
    for role, email in DEMO_LOGINS:
        user = User.objects.get(email=email)
        assert user.role == role
        assert user.check_password(DEMO_PASSWORD)


def test_the_participant_login_is_active_with_a_consenting_family_member(demo):
    participant = Participant.objects.get(user__email="participant@example.org")
    assert participant.episodes.get().status == EpisodeStatus.ACTIVE
    contact = FamilyContact.objects.get(user__email="family@example.org")
    assert contact.participant == participant
    assert any(c.is_active_on(TODAY) for c in contact.signed_consents.all())


def test_the_clinician_login_has_a_caseload(demo):
    clinician = User.objects.get(email="clinician@example.org")
    assert clinician == User.objects.filter(role=Role.CLINICIAN).order_by("id").first()
    assert Episode.objects.filter(primary_clinician=clinician, status=EpisodeStatus.ACTIVE).exists()


def test_the_intake_board_has_an_inquiry_at_every_stage(demo):
    from openiop.intake.models import Inquiry, InquiryStatus

    stages = set(Inquiry.objects.values_list("status", flat=True))
    assert stages == set(InquiryStatus.values)
    admitted = Inquiry.objects.get(status=InquiryStatus.ADMITTED)
    assert admitted.episode is not None
    assert admitted.episode.admitted_on is not None


def test_every_track_member_fits_the_groups(demo):
    from openiop.scheduling.models import RosterShortfall, Session

    assert not RosterShortfall.objects.exists()
    for track in Track.objects.all():
        members = Episode.objects.filter(
            track=track, status__in=[EpisodeStatus.ACTIVE, EpisodeStatus.ADMITTED]
        ).count()
        sessions = Session.objects.filter(track=track, session_type__is_group=True)
        assert members <= min(s.capacity for s in sessions)
        for session in sessions.select_related("room"):
            assert session.room is None or session.capacity <= session.room.capacity


def test_the_demo_seeds_no_alert_in_the_future(demo):
    from django.utils import timezone

    from openiop.safety.models import Alert

    assert Alert.objects.exists()
    assert not Alert.objects.filter(created_at__gt=timezone.now()).exists()


def test_a_demo_built_before_breakfast_has_no_alert_from_later_that_day(db):
    import random
    import zoneinfo
    from datetime import datetime, time

    from openiop.demo.diary import build_diary
    from openiop.diary.models import DiaryCard
    from openiop.safety.models import Alert
    from tests import factories as f

    program = f.ProgramFactory()
    f.UserFactory(organization=program.organization, role=Role.DIRECTOR, programs=[program])
    clinician = f.UserFactory(
        organization=program.organization, role=Role.CLINICIAN, programs=[program]
    )
    f.EpisodeFactory(
        program=program,
        participant=f.ParticipantFactory(organization=program.organization),
        primary_clinician=clinician,
        status=EpisodeStatus.ACTIVE,
        started_on=TODAY.replace(day=1),
    )
    early = datetime.combine(TODAY, time(6, 0), tzinfo=zoneinfo.ZoneInfo(program.time_zone))
    build_diary(program=program, today=TODAY, rng=random.Random(3), now=early)
    alerts = Alert.objects.filter(program=program)
    assert alerts.filter(day=TODAY).exists()
    assert not alerts.filter(created_at__gt=early).exists()
    assert not DiaryCard.objects.filter(episode__program=program, submitted_at__gt=early).exists()
