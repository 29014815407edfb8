"""The synthetic demo clinic: one organization running an adult DBT intensive outpatient
program, with staff for every role and about forty participants at every stage of care.

Everything here is invented. Names are combined at random from short made-up lists, phone
numbers are in the 555-01xx range reserved for fiction, e-mail addresses are @example.org.
The same seed and the same `today` always give the same clinic, so screenshots, tutorials
and bug reports can refer to "the demo" and mean the same people.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from openiop.accounts.models import StaffAssignment, User
from openiop.accounts.roles import STAFF_ROLES, Role
from openiop.audit.models import EventKind
from openiop.audit.services import event_record
from openiop.demo import billing as billing_demo
from openiop.demo import care as care_demo
from openiop.demo import discharge as discharge_demo
from openiop.demo import notes as notes_demo
from openiop.demo import substance_use as substance_use_demo
from openiop.demo.coaching import build_coaching
from openiop.demo.diary import build_diary
from openiop.demo.history import build_past_rosters, schedule_starts_on
from openiop.demo.intake import build_intake, signed_consent
from openiop.demo.measures import build_measures
from openiop.demo.safety import build_safety_plans
from openiop.participants.consents import FAMILY_PORTAL_INFO
from openiop.participants.models import (
    CareTeamMember,
    CareTeamRole,
    ConsentExpiry,
    ConsentInfo,
    ConsentKind,
    DischargeKind,
    Episode,
    EpisodeStatus,
    FamilyContact,
    Participant,
)
from openiop.programs.models import (
    Organization,
    Program,
    Room,
    SessionCategory,
    SessionType,
    Site,
    Track,
)

# Printed by `openiop demo`; only ever valid in a database built by build_demo.
DEMO_PASSWORD = "demo-iop-password"  # noqa: S105

ORGANIZATION_NAME = "Riverbend Behavioral Health (demo)"
PROGRAM_NAME = "Adult DBT IOP"

# The one login printed per role, in the order the table shows them.
DEMO_LOGINS: tuple[tuple[str, str], ...] = (
    (Role.ADMINISTRATOR, "admin@example.org"),
    (Role.DIRECTOR, "director@example.org"),
    (Role.CLINICIAN, "clinician@example.org"),
    (Role.INTAKE, "intake@example.org"),
    (Role.BILLING, "billing@example.org"),
    (Role.PARTICIPANT, "participant@example.org"),
    (Role.FAMILY, "family@example.org"),
)

FIRST_NAMES = (
    "Amara", "Bashir", "Calla", "Dario", "Eshe", "Farid", "Greta", "Hiroshi", "Ines", "Jalen",
    "Kalani", "Lior", "Mireya", "Nikhil", "Odette", "Paolo", "Quinn", "Rosalind", "Soren",
    "Tamsin", "Umar", "Valeria", "Wren", "Xiomara", "Yusuf", "Zadie", "Anouk", "Bodhi",
    "Cyrus", "Delphine", "Emeka", "Freya", "Gideon", "Halona", "Ivo", "Jun", "Keziah", "Lucan",
    "Marisol", "Noor",
)  # fmt: skip
LAST_NAMES = (
    "Abernathy", "Brightwater", "Castellano", "Delacroix-Moon", "Eberhardt", "Fairweather",
    "Galloway", "Hollins", "Iwasaki", "Jaramillo", "Kowalczyk", "Lindqvist", "Mbeki-Hart",
    "Nakagawa", "Okonkwo-Reyes", "Pellegrino", "Quintanilla", "Rasmussen", "Santangelo",
    "Thornbury", "Umberfield", "Vasquez-Lund", "Whitlock", "Yamashiro", "Zelenko", "Ashgrove",
    "Birchall", "Cordero", "Dunmore", "Ellery",
)  # fmt: skip
PRONOUNS = ("she/her", "he/him", "they/them", "she/they", "he/they", "")
RELATIONSHIPS = ("Parent", "Partner", "Spouse", "Sibling", "Adult child", "Friend", "Grandparent")
STREETS = ("Alder", "Juniper", "Larkspur", "Millbrook", "Quarry", "Sumac", "Tamarack", "Wicker")
REFERRAL_SOURCES = (
    "Primary care physician",
    "Inpatient unit step-down",
    "Outpatient therapist",
    "Self-referral",
    "Emergency department",
    "Employee assistance program",
)
DISCHARGE_REASONS = (
    (DischargeKind.COMPLETED, "Completed program; stepped down to outpatient therapy"),
    (DischargeKind.COMPLETED, "Completed program; stepped down to outpatient therapy"),
    (DischargeKind.STEPPED_DOWN, "Continuing in a weekly DBT skills group"),
    (DischargeKind.STEPPED_UP, "Stepped up to partial hospitalization"),
    (DischargeKind.AGAINST_ADVICE, "Left the program before completion"),
)

# (name, category, minutes, billing code, group?) — codes are the usual CPT/HCPCS ones.
SESSION_TYPES = (
    ("DBT skills group", SessionCategory.SKILLS_GROUP, 90, "90853", True),
    ("Process group", SessionCategory.PROCESS_GROUP, 60, "90853", True),
    ("Individual therapy", SessionCategory.INDIVIDUAL, 50, "90834", False),
    ("Family session", SessionCategory.FAMILY, 50, "90847", False),
    ("Psychoeducation", SessionCategory.PSYCHOEDUCATION, 60, "G0410", True),
    ("Expressive therapy", SessionCategory.EXPRESSIVE, 60, "G0410", True),
    ("Mindfulness", SessionCategory.MINDFULNESS, 30, "", True),
)

# (e-mail, full name, credentials). The first clinician is the printed clinician login.
DIRECTOR = ("director@example.org", "Dr. Imogen Ashcombe", "PhD, LP")
CLINICIANS = (
    ("clinician@example.org", "Teodoro Vance", "LCSW"),
    ("m.okafor@example.org", "Mariam Okafor", "LPC"),
    ("r.takahashi@example.org", "Ren Takahashi", "PsyD"),
    ("s.delgado@example.org", "Solenne Delgado", "LMFT"),
    ("a.brennan@example.org", "Aurelio Brennan", "PMHNP-BC"),
)
INTAKE = ("intake@example.org", "Priya Lindgren", "LMHC")
BILLING = ("billing@example.org", "Corwin Abara", "")
ADMINISTRATOR = ("admin@example.org", "Hollis Ferrante", "")

# How many participants in each state. Active participants are spread evenly over weeks
# 1-12 of treatment (two per week), so every week of the curriculum has someone in it.
REFERRED_COUNT = 5
ADMITTED_COUNT = 4
ACTIVE_WEEKS = 12
# Active participants by week in program (1 to 12): 20 in all, so that with the 4 admitted
# each of the two tracks has 12 members, as many as its rooms hold (groups of at most 12).
ACTIVE_BY_WEEK = (2, 2, 2, 2, 1, 2, 2, 1, 2, 2, 1, 1)
DISCHARGED_COUNT = 7
# The participant with a portal account (and the family member with consent) is active in
# this week: far enough in to have a history, not so far that discharge is near.
PORTAL_PARTICIPANT_WEEK = 4


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    name: str


@dataclass
class DemoSummary:
    organization: Organization
    program: Program
    logins: list[DemoLogin]
    password: str
    participants: int
    statuses: dict[str, int] = field(default_factory=dict)


Progress = Callable[[str], None]


def _quiet(message: str) -> None:
    pass


@transaction.atomic
def build_demo(*, today: date, seed: int = 7, progress: Progress = _quiet) -> DemoSummary:
    """Create the demo clinic. Call on a database without the demo organization; the caller
    decides whether the database may be seeded at all (see the `seed` command)."""
    rng = random.Random(seed)  # noqa: S311 — synthetic data, not security
    builder = _Builder(rng=rng, today=today, progress=progress)
    return builder.build()


class _Builder:
    def __init__(self, *, rng: random.Random, today: date, progress: Progress) -> None:
        self.rng = rng
        self.today = today
        self.progress = progress
        # One Argon2 hash for every demo account: hashing is deliberately slow, and all demo
        # accounts share the printed password anyway.
        self.password_hash = make_password(DEMO_PASSWORD)
        self.used_names: set[tuple[str, str]] = set()
        self.phone_numbers = iter(range(1, 100))
        self.members = 0
        self.discharges = 0

    def build(self) -> DemoSummary:
        self._clinic()
        self._staff()
        participants = self._participants()
        build_curriculum(program=self.program, today=self.today)
        build_schedule(program=self.program, today=self.today, rng=self.rng)
        build_past_rosters(program=self.program)
        build_attendance(program=self.program, today=self.today, rng=self.rng)
        build_diary(program=self.program, today=self.today, rng=self.rng)
        build_coaching(program=self.program, today=self.today, rng=self.rng)
        build_safety_plans(program=self.program, today=self.today, rng=self.rng)
        build_intake(program=self.program, today=self.today, rng=self.rng)
        build_measures(program=self.program, today=self.today, rng=self.rng)
        care_demo.build(program=self.program, today=self.today, rng=self.rng)
        notes_demo.build(program=self.program, today=self.today, rng=self.rng)
        discharge_demo.build(program=self.program, today=self.today, rng=self.rng)
        billing_demo.build(program=self.program, today=self.today, rng=self.rng)
        substance_use_demo.build(program=self.program, today=self.today, rng=self.rng)
        statuses = Counter(
            Episode.objects.filter(program=self.program).values_list("status", flat=True)
        )
        logins = [
            DemoLogin(role=str(role), email=email, name=User.objects.get(email=email).full_name)
            for role, email in DEMO_LOGINS
        ]
        return DemoSummary(
            organization=self.org,
            program=self.program,
            logins=logins,
            password=DEMO_PASSWORD,
            participants=participants,
            statuses=dict(statuses),
        )

    # -- clinic ------------------------------------------------------------------------------

    def _clinic(self) -> None:
        self.org = Organization.objects.create(name=ORGANIZATION_NAME, phone="555-0100")
        self.site = Site.objects.create(
            organization=self.org,
            name="Millbrook Street Clinic",
            address="410 Millbrook Street, Suite 200\nRiverbend, ST 00000",
            phone="555-0100",
        )
        self.program = Program.objects.create(
            organization=self.org,
            site=self.site,
            name=PROGRAM_NAME,
            time_zone="America/Chicago",
            weekly_hours_min=Decimal("9.0"),
            weekly_hours_max=Decimal("19.0"),
            planned_weeks=ACTIVE_WEEKS,
            phone="555-0101",
        )
        self.program.full_clean()
        self.morning = Track.objects.create(
            organization=self.org,
            program=self.program,
            name="Morning",
            days="0,2,4",
            start_time=time(9, 0),
            end_time=time(12, 0),
        )
        self.evening = Track.objects.create(
            organization=self.org,
            program=self.program,
            name="Evening",
            days="0,1,3",
            start_time=time(17, 30),
            end_time=time(20, 30),
        )
        rooms = [
            Room(name="Willow Room", capacity=12, wheelchair_accessible=True),
            Room(name="Cedar Room", capacity=12, pet_friendly=True, wheelchair_accessible=True),
            Room(name="Birch Office", capacity=4, wheelchair_accessible=True),
            Room(name="Virtual Room", capacity=12, telehealth=True),
        ]
        for room in rooms:
            room.organization = self.org
            room.site = self.site
        Room.objects.bulk_create(rooms)
        SessionType.objects.bulk_create(
            SessionType(
                organization=self.org,
                program=self.program,
                name=name,
                category=category,
                default_minutes=minutes,
                billing_code=code,
                is_group=is_group,
            )
            for name, category, minutes, code, is_group in SESSION_TYPES
        )
        self.progress("clinic: 1 organization, 1 site, 1 program, 2 tracks, 4 rooms")

    # -- staff -------------------------------------------------------------------------------

    def _user(self, email: str, full_name: str, role: str, credentials: str = "") -> User:
        user = User(
            organization=self.org,
            email=email,
            full_name=full_name,
            credentials=credentials,
            role=role,
            password=self.password_hash,
        )
        user.save()
        if role in STAFF_ROLES:
            # A confirmed authenticator so the demo can sign in; `openiop totp` reads it.
            TOTPDevice.objects.create(user=user, name="Demo authenticator", confirmed=True)
            if role != Role.ADMINISTRATOR:
                StaffAssignment.objects.create(
                    user=user, program=self.program, organization=self.org
                )
        return user

    def _staff(self) -> None:
        email, name, creds = ADMINISTRATOR
        self._user(email, name, Role.ADMINISTRATOR, creds)
        email, name, creds = DIRECTOR
        self.director = self._user(email, name, Role.DIRECTOR, creds)
        self.clinicians = [
            self._user(email, name, Role.CLINICIAN, creds) for email, name, creds in CLINICIANS
        ]
        # The prescriber sees everyone for medication management; the others carry caseloads.
        self.prescriber = self.clinicians[-1]
        self.therapists = self.clinicians[:-1]
        # Supervision: the director supervises the licensed therapists; the newest counselor
        # is supervised by the psychologist, so co-signatures show up in the demo.
        for therapist in self.therapists:
            therapist.supervisor = self.director
        self.therapists[1].supervisor = self.therapists[2]
        User.objects.bulk_update(self.therapists, ["supervisor"])
        email, name, creds = INTAKE
        self.intake = self._user(email, name, Role.INTAKE, creds)
        email, name, creds = BILLING
        self._user(email, name, Role.BILLING, creds)
        self.progress(f"staff: 1 director, {len(self.clinicians)} clinicians, intake, billing")

    # -- participants ------------------------------------------------------------------------

    def _participants(self) -> int:
        plan: list[tuple[str, int]] = [(EpisodeStatus.REFERRED, 0)] * REFERRED_COUNT
        plan += [(EpisodeStatus.ADMITTED, 0)] * ADMITTED_COUNT
        plan += [
            (EpisodeStatus.ACTIVE, week)
            for week, count in enumerate(ACTIVE_BY_WEEK, start=1)
            for _ in range(count)
        ]
        plan += [(EpisodeStatus.DISCHARGED, 0)] * DISCHARGED_COUNT
        self.rng.shuffle(plan)
        portal_index = next(
            i
            for i, (status, week) in enumerate(plan)
            if status == EpisodeStatus.ACTIVE and week == PORTAL_PARTICIPANT_WEEK
        )
        total = len(plan)
        for number, (status, week) in enumerate(plan, start=1):
            self._participant(
                number=number, status=status, week=week, portal=number - 1 == portal_index
            )
            if number % 10 == 0 or number == total:
                self.progress(f"participants {number}/{total}")
        return total

    def _name(self) -> tuple[str, str]:
        while True:
            pair = (self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES))
            if pair not in self.used_names:
                self.used_names.add(pair)
                return pair

    def _phone(self) -> str:
        return f"555-01{next(self.phone_numbers):02d}"

    def _event(
        self,
        participant: Participant,
        kind: str,
        summary: str,
        actor: User | None,
        on: date,
        *,
        in_program: bool = False,
    ) -> None:
        # The demo invents months of history in one go; the timeline should show it on the
        # days it happened, not all at the moment of seeding.
        at = datetime.combine(on, time(10, 0), tzinfo=ZoneInfo(self.program.time_zone))
        event_record(
            participant=participant,
            kind=kind,
            summary=summary,
            actor=actor,
            at=at,
            program=self.program if in_program else None,
        )

    def _participant(self, *, number: int, status: str, week: int, portal: bool) -> None:
        rng = self.rng
        first, last = self._name()
        age_days = rng.randint(19 * 365, 64 * 365)
        dates = self._episode_dates(status, week)
        participant_user = None
        if portal:
            participant_user = self._user(
                "participant@example.org", f"{first} {last}", Role.PARTICIPANT
            )
        participant = Participant.objects.create(
            organization=self.org,
            record_number=f"P-{number:05d}",
            user=participant_user,
            legal_first_name=first,
            legal_last_name=last,
            # Some people go by another name than their legal one.
            preferred_name=rng.choice(FIRST_NAMES) if rng.random() < 0.15 else "",
            pronouns=rng.choice(PRONOUNS),
            date_of_birth=self.today - timedelta(days=age_days),
            phone=self._phone(),
            email=f"{first}.{last}".lower().replace("-", "") + f"{number}@example.org",
            address=f"{rng.randint(10, 999)} {rng.choice(STREETS)} Lane\nRiverbend, ST 00000",
        )
        inquiry = dates["inquiry_on"]
        assert inquiry is not None  # every episode starts with an inquiry
        self._event(
            participant, EventKind.PARTICIPANT_CREATED, "Record created", self.intake, inquiry
        )

        track: Track | None = None
        if status in (EpisodeStatus.ADMITTED, EpisodeStatus.ACTIVE):
            # Members alternate between the tracks, so each fits its rooms.
            self.members += 1
            track = self.morning if self.members % 2 else self.evening
        elif status != EpisodeStatus.REFERRED:
            track = rng.choice((self.morning, self.evening))
        primary = rng.choice(self.therapists) if track else None
        kind, reason = "", ""
        if status == EpisodeStatus.DISCHARGED:
            # Every kind of ending appears: completed, stepped down, stepped up, left early.
            kind, reason = DISCHARGE_REASONS[self.discharges % len(DISCHARGE_REASONS)]
            self.discharges += 1
        start = dates.get("started_on") or dates.get("admitted_on")
        planned = self.program.planned_weeks if start else None
        episode = Episode.objects.create(
            organization=self.org,
            participant=participant,
            program=self.program,
            track=track,
            primary_clinician=primary,
            status=status,
            referral_source=rng.choice(REFERRAL_SOURCES),
            discharge_reason=reason,
            discharge_kind=kind,
            planned_weeks=planned,
            planned_end_on=start + timedelta(weeks=planned) if start and planned else None,
            **dates,
        )
        self._episode_events(participant, episode)
        if primary is not None:
            self._care_team(participant, episode, primary)
        self._family(participant, episode, portal=portal)
        if participant_user is not None:
            self._event(
                participant,
                EventKind.PORTAL_ACCOUNT,
                "Portal account created",
                self.intake,
                dates["admitted_on"] or inquiry,
            )

    def _episode_dates(self, status: str, week: int) -> dict[str, date | None]:
        """Dates consistent with the status: every step the episode went through has a day,
        in order, none after today."""
        rng, today = self.rng, self.today
        started = admitted = assessed = discharged = None
        if status == EpisodeStatus.REFERRED:
            referred = today - timedelta(days=rng.randint(0, 10))
        elif status == EpisodeStatus.ADMITTED:
            admitted = today - timedelta(days=rng.randint(0, 4))
            assessed = admitted - timedelta(days=rng.randint(0, 3))
            referred = assessed - timedelta(days=rng.randint(2, 7))
        else:
            if status == EpisodeStatus.ACTIVE:
                started = today - timedelta(days=7 * (week - 1) + rng.randint(0, 6))
            else:
                started = today - timedelta(days=rng.randint(100, 200))
                discharged = started + timedelta(days=rng.randint(45, 84))
            admitted = started - timedelta(days=rng.randint(1, 5))
            assessed = admitted - timedelta(days=rng.randint(0, 3))
            referred = assessed - timedelta(days=rng.randint(2, 7))
        inquiry = referred - timedelta(days=rng.randint(0, 5))
        return {
            "inquiry_on": inquiry,
            "referred_on": referred,
            "assessed_on": assessed,
            "admitted_on": admitted,
            "started_on": started,
            "discharged_on": discharged,
        }

    def _episode_events(self, participant: Participant, episode: Episode) -> None:
        self._event(
            participant,
            EventKind.EPISODE_OPENED,
            f"Inquiry to {self.program.name}",
            self.intake,
            episode.inquiry_on,
            in_program=True,
        )
        steps = (
            ("referred_on", "Referred"),
            ("assessed_on", "Intake assessment completed"),
            ("admitted_on", "Admitted"),
            ("started_on", "First day in program (active)"),
            ("discharged_on", "Discharged"),
        )
        for field_name, summary in steps:
            day = getattr(episode, field_name)
            if day is None:
                continue
            if field_name == "admitted_on" and episode.track is not None:
                summary = f"Admitted to the {episode.track.name.lower()} track"
            if field_name == "discharged_on":
                summary = f"Discharged: {episode.discharge_reason}"
            actor = (
                self.intake
                if field_name in {"referred_on", "assessed_on", "admitted_on"}
                else (episode.primary_clinician)
            )
            self._event(participant, EventKind.EPISODE_STATUS, summary, actor, day, in_program=True)

    def _care_team(self, participant: Participant, episode: Episode, primary: User) -> None:
        since = episode.admitted_on or episode.inquiry_on
        until = episode.discharged_on
        group_lead = self.rng.choice([c for c in self.therapists if c != primary])
        members = [
            (primary, CareTeamRole.PRIMARY),
            (group_lead, CareTeamRole.GROUP),
            (self.prescriber, CareTeamRole.PRESCRIBER),
        ]
        CareTeamMember.objects.bulk_create(
            CareTeamMember(
                organization=self.org,
                episode=episode,
                user=user,
                role=role,
                since=since,
                until=until,
            )
            for user, role in members
        )
        summary = ", ".join(f"{user.full_name} ({role.label.lower()})" for user, role in members)
        self._event(
            participant,
            EventKind.CARE_TEAM,
            f"Care team: {summary}",
            self.director,
            since,
            in_program=True,
        )

    def _family(self, participant: Participant, episode: Episode, *, portal: bool) -> None:
        rng = self.rng
        count = 1 if portal else rng.choice((0, 1, 1, 1, 2))
        for index in range(count):
            first, _ = self._name()
            # Most family contacts share the participant's surname; some don't.
            last = participant.legal_last_name if rng.random() < 0.6 else self._name()[1]
            name = f"{first} {last}"
            family_user = None
            if portal:
                family_user = self._user("family@example.org", name, Role.FAMILY)
            contact = FamilyContact.objects.create(
                organization=self.org,
                participant=participant,
                program=self.program,
                user=family_user,
                name=name,
                relationship=rng.choice(RELATIONSHIPS),
                phone=self._phone(),
                email=f"{first}.{last}".lower().replace("-", "") + "@example.org",
                is_emergency_contact=index == 0,
            )
            on = episode.assessed_on or episode.inquiry_on
            self._event(
                participant,
                EventKind.FAMILY_CONTACT,
                f"Family contact added: {contact.name} ({contact.relationship.lower()})",
                self.intake,
                on,
            )
            if index == 0:
                participant.emergency_contact_name = contact.name
                participant.emergency_contact_phone = contact.phone
                participant.emergency_contact_relationship = contact.relationship
                participant.save(
                    update_fields=[
                        "emergency_contact_name",
                        "emergency_contact_phone",
                        "emergency_contact_relationship",
                    ]
                )
            if episode.admitted_on is not None and (portal or rng.random() < 0.5):
                self._consents(participant, episode, contact, all_scopes=portal)

    def _consents(
        self,
        participant: Participant,
        episode: Episode,
        contact: FamilyContact,
        *,
        all_scopes: bool,
    ) -> None:
        scopes = (
            list(FAMILY_PORTAL_INFO)
            if all_scopes
            else [ConsentInfo.FAMILY_SCHEDULE, ConsentInfo.PROGRAM_CONTACT]
        )
        granted = episode.admitted_on or episode.inquiry_on
        recorder = episode.primary_clinician or self.intake
        # Signed on admission; it ends with the episode.
        signed_consent(
            episode=episode,
            kind=ConsentKind.PART2 if self.program.treats_sud else ConsentKind.RELEASE,
            on=granted,
            recorder=recorder,
            recipient=contact,
            information=[value for value in ConsentInfo.values if value in scopes],
            purpose="So my family can support my treatment and join family sessions",
            expiry=ConsentExpiry.DISCHARGE,
        ).save()
        labels = ", ".join(str(ConsentInfo(s).label).lower() for s in scopes)
        self._event(
            participant,
            EventKind.CONSENT,
            f"Consent for {contact.name} to see: {labels}",
            recorder,
            granted,
        )


# -- attendance (scheduling: ATTENDANCE) -------------------------------------------------------


def build_attendance(*, program: Program, today: date, rng: random.Random) -> int:
    """Attendance for the demo schedule's sessions before today: mostly present, some late or
    absent; one participant misses two sessions in a row unexcused and another has a thin last
    week, so the primary clinicians' homes have follow-ups. Today's sessions are left for the
    clinician to take. Rows are written in bulk (the demo must build quickly); the last absence
    goes through attendance_record so the real rule raises its follow-up. Returns how many
    sessions got attendance."""
    from openiop.lib.timezones import local_date
    from openiop.scheduling.attendance import attendance_minutes, attendance_record
    from openiop.scheduling.hours import local_midnight, week_start_of
    from openiop.scheduling.models import Attendance, AttendanceStatus, RosterEntry, Session
    from openiop.scheduling.tasks import compliance_check

    sessions = list(
        Session.objects.filter(
            program=program,
            status="scheduled",
            ends_at__lt=local_midnight(today, program.time_zone),
        )
        .select_related("program")
        .prefetch_related("facilitators")
        .order_by("starts_at", "id")
    )
    if not sessions:
        return 0
    director = User.objects.filter(role=Role.DIRECTOR, assignments__program=program).first()
    roster: dict[int, list[RosterEntry]] = {}
    for entry in RosterEntry.objects.filter(session__in=sessions).select_related(
        "participant", "episode"
    ):
        roster.setdefault(entry.session_id, []).append(entry)
    last_week = week_start_of(today) - timedelta(days=7)
    people = sorted(
        {
            e.participant_id
            for entries in roster.values()
            for e in entries
            if e.episode.status == EpisodeStatus.ACTIVE and e.episode.primary_clinician_id
        }
    )
    # Two chosen participants carry the demo's follow-ups; everyone else is ordinary.
    absent_twice = people[0] if people else None
    thin_week = people[1] if len(people) > 1 else None
    absences: list[tuple[Session, RosterEntry, User]] = []
    rows: list[Attendance] = []
    for session in reversed(sessions):  # newest first: the absences are the latest two
        clinicians = [
            u for u in session.facilitators.all() if u.role in (Role.CLINICIAN, Role.DIRECTOR)
        ]
        actor = clinicians[0] if clinicians else director
        if actor is None:
            continue
        week = week_start_of(local_date(session.starts_at, program.time_zone))
        for entry in roster.get(session.pk, []):
            status = AttendanceStatus.PRESENT
            arrived = departed = None
            roll = rng.random()
            if entry.participant_id == absent_twice and len(absences) < 2:
                absences.append((session, entry, actor))
                continue
            if entry.participant_id == thin_week and week == last_week:
                status = AttendanceStatus.ABSENT_EXCUSED
            elif roll < 0.07:
                status = AttendanceStatus.LATE
                arrived = session.starts_at + timedelta(minutes=rng.choice([10, 15, 20, 25]))
            elif roll < 0.10:
                status = AttendanceStatus.LEFT_EARLY
                departed = session.ends_at - timedelta(minutes=rng.choice([15, 30]))
            elif roll < 0.14:
                status = AttendanceStatus.ABSENT_EXCUSED
            rows.append(
                Attendance(
                    organization_id=session.organization_id,
                    session=session,
                    participant_id=entry.participant_id,
                    episode_id=entry.episode_id,
                    status=status,
                    arrived_at=arrived,
                    departed_at=departed,
                    minutes=attendance_minutes(
                        session=session, status=status, arrived_at=arrived, departed_at=departed
                    ),
                    recorded_by=actor,
                    recorded_at=session.ends_at + timedelta(minutes=5),
                )
            )
    Attendance.objects.bulk_create(rows, batch_size=500)
    for session, entry, actor in reversed(absences):  # older first, the rule fires on the second
        attendance_record(
            session=session,
            participant=entry.participant,
            status=AttendanceStatus.ABSENT_UNEXCUSED,
            actor=actor,
            now=session.ends_at + timedelta(minutes=5),
        )
    compliance_check(program=program, week_start=last_week)
    return len(sessions)


# -- schedule (scheduling: SESSIONS) -----------------------------------------------------------

SCHEDULE_WEEKS = 12
SCHEDULE_WEEKS_BEFORE = 4


def build_schedule(*, program: Program, today: date, rng: random.Random) -> int:
    """A 12-week schedule (four weeks back, eight ahead) through the write functions: per track
    a skills group that follows the curriculum on every meeting day, mindfulness after it, then
    a process group, psychoeducation, or animal-assisted therapy in the pet-friendly room, one
    per meeting day. Weekly individual sessions with each active participant's primary
    clinician, a few family sessions, some declared unavailable times. Rosters come from the
    rolling-roster rules. Returns how many sessions there are."""
    from openiop.scheduling import services as schedule
    from openiop.scheduling.models import (
        ClinicianHours,
        RosterEntry,
        RosterSource,
        Session,
        Unavailability,
        UnavailabilityReason,
    )

    tz = ZoneInfo(program.time_zone)
    director = User.objects.get(role=Role.DIRECTOR, assignments__program=program)
    clinicians = list(
        User.objects.filter(role=Role.CLINICIAN, assignments__program=program).order_by("pk")
    )
    rooms = {r.name: r for r in Room.objects.filter(site_id=program.site_id)}
    types = {t.category: t for t in SessionType.objects.filter(program=program)}
    monday = today - timedelta(days=today.weekday())
    # Back to the first day of the earliest stay, so discharged participants have the groups
    # they attended (demo/history.py); ahead the same number of weeks as ever.
    starts_on = schedule_starts_on(program, monday - timedelta(weeks=SCHEDULE_WEEKS_BEFORE))
    ends_on = monday + timedelta(weeks=SCHEDULE_WEEKS - SCHEDULE_WEEKS_BEFORE, days=-1)

    def at(clock: time, minutes: int) -> time:
        moment = datetime.combine(today, clock) + timedelta(minutes=minutes)
        return moment.time()

    for index, track in enumerate(Track.objects.filter(program=program).order_by("start_time")):
        lead = clinicians[index % len(clinicians)]
        days = track.weekdays
        third = [
            (SessionCategory.PROCESS_GROUP, "", "Willow Room"),
            (SessionCategory.PSYCHOEDUCATION, "", "Willow Room"),
            (SessionCategory.EXPRESSIVE, "Animal-assisted therapy", "Cedar Room"),
        ]
        plan = [
            (SessionCategory.SKILLS_GROUP, "", days, 0, 90, "Willow Room", True),
            (SessionCategory.MINDFULNESS, "", days, 90, 30, "Willow Room", False),
        ]
        for day, (category, topic, room) in zip(days, third, strict=False):
            plan.append((category, topic, [day], 120, 60, room, False))
        for category, topic, weekdays, offset, minutes, room, curriculum in plan:
            schedule.series_create(
                actor=director,
                program=program,
                track=track,
                session_type=types[category],
                weekdays=weekdays,
                start_time=at(track.start_time, offset),
                end_time=at(track.start_time, offset + minutes),
                starts_on=starts_on,
                ends_on=ends_on,
                facilitators=[lead],
                room=rooms[room],
                capacity=rooms[room].capacity,
                topic=topic,
                follows_curriculum=curriculum,
            )

    # Weekly individual sessions up to this week: each clinician's caseload gets consecutive
    # afternoon slots (13:00-16:00, Tuesday to Friday), so nobody is double-booked. Next week
    # on is left to the week planner (the director builds it: docs/guide/director.md). Written
    # in bulk: hundreds of plain bookings would slow the demo down without showing anything new.
    active = list(
        Episode.objects.filter(program=program, status=EpisodeStatus.ACTIVE)
        .exclude(primary_clinician=None)
        .order_by("pk")
    )
    slot_of: dict[int, int] = {}
    sessions: list[Session] = []
    owners: list[tuple[Episode, User]] = []
    for episode in active:
        clinician = episode.primary_clinician
        assert clinician is not None
        slot = slot_of.get(clinician.pk, 0)
        slot_of[clinician.pk] = slot + 1
        weekday, hour = 1 + (slot // 4) % 4, 13 + slot % 4
        first = max(starts_on, episode.started_on or starts_on)
        when = first + timedelta(days=(weekday - first.weekday()) % 7)
        while when <= min(ends_on, monday + timedelta(days=6)):
            start = datetime.combine(when, time(hour, 0), tzinfo=tz)
            sessions.append(
                Session(
                    organization_id=program.organization_id,
                    program=program,
                    session_type=types[SessionCategory.INDIVIDUAL],
                    starts_at=start,
                    ends_at=start + timedelta(minutes=50),
                    room=rooms["Virtual Room"],
                    telehealth_url=f"https://video.example.org/demo/{episode.public_id.hex[:12]}",
                    capacity=1,
                    created_by=clinician,
                )
            )
            owners.append((episode, clinician))
            when += timedelta(weeks=1)
    Session.objects.bulk_create(sessions)
    sessions = list(
        Session.objects.filter(
            program=program, session_type=types[SessionCategory.INDIVIDUAL]
        ).order_by("pk")
    )
    through = Session.facilitators.through
    through.objects.bulk_create(
        through(session_id=s.pk, user_id=clinician.pk)
        for s, (_, clinician) in zip(sessions, owners, strict=True)
    )
    RosterEntry.objects.bulk_create(
        RosterEntry(
            organization_id=program.organization_id,
            session=s,
            participant_id=episode.participant_id,
            episode=episode,
            source=RosterSource.BOOKED,
            added_by=clinician,
        )
        for s, (episode, clinician) in zip(sessions, owners, strict=True)
    )

    # A few family sessions next week, Saturday late morning, with the family contacts.
    with_family = [e for e in active if e.participant.family_contacts.exists()][:4]
    saturday = monday + timedelta(days=12)
    for n, episode in enumerate(with_family):
        clinician = episode.primary_clinician
        assert clinician is not None
        start = datetime.combine(saturday, time(10 + n, 0), tzinfo=tz)
        schedule.session_book_family(
            actor=clinician,
            participant=episode.participant,
            program=program,
            session_type=types[SessionCategory.FAMILY],
            starts_at=start,
            ends_at=start + timedelta(minutes=50),
            facilitators=[clinician],
            contacts=list(episode.participant.family_contacts.all()[:2]),
            room=rooms["Birch Office"],
        )

    # Clinicians' working hours, which the week planner keeps individual sessions inside:
    # therapists 9:00-17:00 on weekdays, the evening shift 12:00-20:00, the director's
    # mornings.
    ClinicianHours.objects.bulk_create(
        ClinicianHours(
            organization_id=program.organization_id,
            program=program,
            user=user,
            weekday=day,
            start_time=start,
            end_time=end,
        )
        for n, user in enumerate([director, *clinicians])
        for day in range(5)
        for start, end in [
            (time(9, 0), time(12, 0))
            if n == 0
            else (time(12, 0), time(20, 0))
            if n % 3 == 0
            else (time(9, 0), time(17, 0))
        ]
    )

    # Declared unavailable times: work for evening participants, school or childcare.
    rows = []
    for episode in rng.sample(active, min(8, len(active))):
        reason = rng.choice(list(UnavailabilityReason))
        rows.append(
            Unavailability(
                organization_id=program.organization_id,
                participant_id=episode.participant_id,
                weekday=rng.choice([1, 3]),
                start_time=time(8, 0) if reason != UnavailabilityReason.CHILDCARE else time(15, 0),
                end_time=time(12, 30) if reason != UnavailabilityReason.CHILDCARE else time(17, 0),
                reason=reason,
            )
        )
    Unavailability.objects.bulk_create(rows)
    return Session.objects.filter(program=program).count()


# -- curriculum and reminders (scheduling: CALENDAR) -------------------------------------------

# The rotation's week the demo's "today" falls in: mid-way through the 24 weeks (emotion
# regulation), so the chart shows lessons attended, a make-up list and lessons still to come.
CURRICULUM_WEEK_TODAY = 12


def build_curriculum(*, program: Program, today: date) -> int:
    """The standard DBT rotation for the program, anchored so that today is mid-cycle, and
    e-mail reminders an hour ahead for the participant with a portal account. Returns the
    number of lessons."""
    from openiop.participants.models import Participant
    from openiop.programs.curriculum import (
        curriculum_anchor_set,
        curriculum_default,
        curriculum_load,
    )
    from openiop.programs.models import Lesson
    from openiop.scheduling.models import ReminderLead
    from openiop.scheduling.reminders import reminder_preference_set

    curriculum_default(program)
    monday = today - timedelta(days=today.weekday())
    # One full cycle further back than today's week needs: today's lesson is the same, and the
    # groups discharged participants attended months ago taught lessons too.
    cycle = curriculum_load(program).cycle_weeks
    anchor = monday - timedelta(weeks=CURRICULUM_WEEK_TODAY - 1 + cycle)
    curriculum_anchor_set(program=program, starts_on=anchor)
    portal_participant = (
        Participant.objects.filter(user__isnull=False, episodes__program=program)
        .select_related("user")
        .first()
    )
    if portal_participant is not None and portal_participant.user is not None:
        reminder_preference_set(
            participant=portal_participant,
            lead_minutes=ReminderLead.HOUR_1,
            email_enabled=True,
            actor=portal_participant.user,
        )
    return Lesson.objects.filter(block__program=program).count()
