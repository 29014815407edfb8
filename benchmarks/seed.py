"""The census the benchmark measures: one program at a given number of active participants,
each with up to twelve weeks of history, and six discharged episodes behind every active one.

Everything is invented and deterministic: the same size, seed and `now` always give the same
rows. Rows are built directly and written with bulk_create (a thousand participants with their
history is about a million rows); only the few things a page must find made by the real rules
(alerts raised by a diary card, plans, notes, safety plans, coaching) go through the demo's
builders or the write functions.

The shape, chosen so that what grows with the census is the caseload and the tables, not one
clinician's day:

- Groups of twelve: one track per twelve active participants, each meeting three days a week
  (skills group, mindfulness, and a process / psychoeducation / expressive group).
- Each track has twelve *slots*. A slot holds the current active episode (its first day spread
  over the last twelve weeks) and, before it, six discharged episodes back to back with gaps, so
  discharges spread over roughly the last two years and past rosters stay at about twelve.
- One clinician (`clinician@bench.example.org`) is the primary clinician of every episode: the
  worst case the issue names. Their own schedule stays the size of one clinician's week
  (a few tracks' groups and forty weekly individual sessions), so the figures show what the
  caseload costs rather than an impossible diary.
- A therapist pool (one per forty participants) runs the other groups and individual sessions.
- Sixteen "writer" participants have portal accounts, no diary card in the last eight days
  and a weekly check-in due, so the write benchmark has a free day to file for every request.
"""

from __future__ import annotations

import math
import random
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from benchmarks.clock import BENCH_NOW, TIME_ZONE
from openiop.accounts.models import StaffAssignment, User
from openiop.accounts.roles import Role
from openiop.audit.models import AccessAction, AccessLog, Event, EventKind
from openiop.diary.models import DEFAULT_EMOTIONS, DiaryCard, Medication
from openiop.discharge.models import (
    FOLLOWUP_DAYS,
    AlumniConsent,
    ChangeKind,
    ConsentHow,
    Destination,
    EpisodeChange,
    FollowUp,
    FollowUpStatus,
)
from openiop.discharge.services import FOLLOWUP_WINDOW
from openiop.intake.models import Inquiry, InquirySource, InquiryStatus
from openiop.measures.definitions import Instrument, get_instrument
from openiop.measures.models import (
    Administration,
    AdministrationStatus,
    Phase,
    Response,
    ResponseMode,
)
from openiop.measures.scoring import score
from openiop.measures.services import INTAKE_BATTERY
from openiop.participants.models import (
    CareTeamMember,
    CareTeamRole,
    DischargeKind,
    Episode,
    EpisodeStatus,
    FamilyContact,
    Participant,
)
from openiop.programs.models import (
    Lesson,
    Organization,
    Program,
    Room,
    SessionCategory,
    SessionType,
    Site,
    SkillsModule,
    Track,
)
from openiop.scheduling.models import (
    Attendance,
    AttendanceStatus,
    FollowUpItem,
    FollowUpKind,
    RosterEntry,
    RosterSource,
    Session,
    SessionSeries,
)

GROUP_SIZE = 12
WEEKS = 12  # planned length of stay and weeks of schedule history
DISCHARGED_PER_ACTIVE = 6
INDIVIDUAL_CASELOAD = 40  # weekly individual sessions per therapist
WRITERS = 16
SCHEDULE_WEEKS_AHEAD = 1
ACCESS_ROWS_ACTIVE = 40  # audit history per participant (reads of the chart and lists)
ACCESS_ROWS_DISCHARGED = 8
BATCH = 2000

PASSWORD = "bench-census-password"  # noqa: S105 — synthetic accounts in a throw-away database
CLINICIAN_EMAIL = "clinician@bench.example.org"
DIRECTOR_EMAIL = "director@bench.example.org"
ADMIN_EMAIL = "admin@bench.example.org"
BILLING_EMAIL = "billing@bench.example.org"
INTAKE_EMAIL = "intake@bench.example.org"

FIRST_NAMES = (
    "Amara", "Bashir", "Calla", "Dario", "Eshe", "Farid", "Greta", "Hiroshi", "Ines", "Jalen",
    "Kalani", "Lior", "Mireya", "Nikhil", "Odette", "Paolo", "Quinn", "Rosalind", "Soren",
    "Tamsin", "Umar", "Valeria", "Wren", "Xiomara", "Yusuf", "Zadie", "Anouk", "Bodhi",
    "Cyrus", "Delphine", "Emeka", "Freya", "Gideon", "Halona", "Ivo", "Jun", "Keziah", "Lucan",
    "Marisol", "Noor",
)  # fmt: skip
LAST_NAMES = (
    "Abernathy", "Brightwater", "Castellano", "Delacroix", "Eberhardt", "Fairweather",
    "Galloway", "Hollins", "Iwasaki", "Jaramillo", "Kowalczyk", "Lindqvist", "Mbeki",
    "Nakagawa", "Okonkwo", "Pellegrino", "Quintanilla", "Rasmussen", "Santangelo",
    "Thornbury", "Umberfield", "Vasquez", "Whitlock", "Yamashiro", "Zelenko", "Ashgrove",
    "Birchall", "Cordero", "Dunmore", "Ellery",
)  # fmt: skip
# The participant search the benchmark runs: one surname in thirty.
SEARCH_WORD = "Lindqvist"

SESSION_TYPES = (
    ("DBT skills group", SessionCategory.SKILLS_GROUP, 90, "90853", True),
    ("Process group", SessionCategory.PROCESS_GROUP, 60, "90853", True),
    ("Individual therapy", SessionCategory.INDIVIDUAL, 50, "90834", False),
    ("Family session", SessionCategory.FAMILY, 50, "90847", False),
    ("Psychoeducation", SessionCategory.PSYCHOEDUCATION, 60, "G0410", True),
    ("Expressive therapy", SessionCategory.EXPRESSIVE, 60, "G0410", True),
    ("Mindfulness", SessionCategory.MINDFULNESS, 30, "", True),
)
DISCHARGE_KINDS = (
    (DischargeKind.COMPLETED, Destination.OUTPATIENT, "Completed; weekly outpatient therapy", 55),
    (DischargeKind.STEPPED_DOWN, Destination.OUTPATIENT_GROUP, "Continuing in a skills group", 15),
    (DischargeKind.STEPPED_UP, Destination.PHP, "Stepped up to partial hospitalization", 12),
    (DischargeKind.AGAINST_ADVICE, Destination.NONE, "Left the program before completion", 18),
)
WEEKLY_CODES = ("PHQ-9", "GAD-7")

Progress = Callable[[str], None]
M = TypeVar("M", bound=models.Model)


@dataclass
class Census:
    """What the benchmark needs to find in the seeded database."""

    program: Program
    active: int
    discharged: int
    clinician: User
    director: User
    administrator: User
    billing: User
    reader: Participant  # portal pages and the chart: a participant eight weeks in
    writers: list[Participant] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class _Slot:
    index: int
    track: Track
    episodes: list[Episode] = field(default_factory=list)  # oldest first; the last is active


def _bulk(model: type[M], rows: Sequence[M]) -> list[M]:
    return model._default_manager.bulk_create(rows, batch_size=BATCH)


def _local(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=zoneinfo.ZoneInfo(TIME_ZONE))


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@transaction.atomic
def seed_census(
    *,
    active: int,
    now: datetime = BENCH_NOW,
    seed: int = 17,
    writers: int = WRITERS,
    progress: Progress | None = None,
) -> Census:
    """Build the census in an empty database (migrated). Returns what the benchmark needs."""
    if active < 1:
        raise ValueError("A census needs at least one active participant.")
    builder = _Builder(active=active, now=now, rng=random.Random(seed), progress=progress)
    builder.writer_count = writers
    return builder.build()


class _Builder:
    writer_count = WRITERS

    def __init__(
        self, *, active: int, now: datetime, rng: random.Random, progress: Progress | None
    ) -> None:
        self.active = active
        self.now = now
        self.today = now.astimezone(zoneinfo.ZoneInfo(TIME_ZONE)).date()
        self.rng = rng
        self.say: Progress = progress or (lambda message: None)
        self.counts: dict[str, int] = defaultdict(int)
        self.password = make_password(PASSWORD)
        self.window_start = _monday(self.today) - timedelta(weeks=WEEKS)
        self.window_end = _monday(self.today) + timedelta(weeks=SCHEDULE_WEEKS_AHEAD + 1, days=-1)
        self.consents: list[AlumniConsent] = []
        self.followups: list[FollowUp] = []

    def build(self) -> Census:
        self._clinic()
        self._staff()
        self._people()
        self._schedule()
        self._diary()
        self._measures()
        self._discharges()
        self._inquiries()
        self._follow_up_items()
        self._documents()
        self._alerts()
        self._access_history()
        self.say("census built: " + ", ".join(f"{k} {v}" for k, v in sorted(self.counts.items())))
        return Census(
            program=self.program,
            active=self.active,
            discharged=self.counts["discharged episodes"],
            clinician=self.clinician,
            director=self.director,
            administrator=self.administrator,
            billing=self.billing,
            reader=self.reader,
            writers=self.writers,
            counts=dict(self.counts),
        )

    # -- clinic and staff ----------------------------------------------------------------------

    def _clinic(self) -> None:
        self.org = Organization.objects.create(name="Bench Behavioral Health", phone="555-0100")
        self.site = Site.objects.create(organization=self.org, name="Bench Clinic")
        self.program = Program.objects.create(
            organization=self.org,
            site=self.site,
            name="Bench IOP",
            time_zone=TIME_ZONE,
            weekly_hours_min=Decimal("9.0"),
            weekly_hours_max=Decimal("19.0"),
            planned_weeks=WEEKS,
            phone="555-0101",
        )
        rooms = [
            Room(name=f"Group room {n}", capacity=GROUP_SIZE, wheelchair_accessible=True)
            for n in range(1, 5)
        ]
        rooms.append(Room(name="Virtual room", capacity=GROUP_SIZE, telehealth=True))
        for room in rooms:
            room.organization = self.org
            room.site = self.site
        self.rooms = _bulk(Room, rooms)
        self.types = {
            t.category: t
            for t in _bulk(
                SessionType,
                [
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
                ],
            )
        }
        tracks = math.ceil(self.active / GROUP_SIZE)
        self.tracks = _bulk(
            Track,
            [
                Track(
                    organization=self.org,
                    program=self.program,
                    name=f"{'Morning' if n % 2 == 0 else 'Evening'} {n // 2 + 1}",
                    days="0,2,4" if n % 2 == 0 else "0,1,3",
                    start_time=time(9, 0) if n % 2 == 0 else time(17, 30),
                    end_time=time(12, 0) if n % 2 == 0 else time(20, 30),
                )
                for n in range(tracks)
            ],
        )
        self.counts["tracks"] = tracks

    def _user(self, email: str, name: str, role: str, credentials: str = "") -> User:
        return User(
            organization=self.org,
            email=email,
            full_name=name,
            role=role,
            credentials=credentials,
            password=self.password,
        )

    def _staff(self) -> None:
        pool = max(3, math.ceil(self.active / INDIVIDUAL_CASELOAD))
        staff = [
            self._user(ADMIN_EMAIL, "Hollis Admin", Role.ADMINISTRATOR),
            self._user(DIRECTOR_EMAIL, "Imogen Director", Role.DIRECTOR, "PhD, LP"),
            self._user(CLINICIAN_EMAIL, "Teodoro Vance", Role.CLINICIAN, "LCSW"),
        ]
        staff += [
            self._user(
                f"therapist{n}@bench.example.org",
                f"Therapist {n}",
                Role.CLINICIAN,
                "LMFT" if n == 1 else "LPC",
            )
            for n in range(1, pool)
        ]
        staff += [
            self._user("prescriber@bench.example.org", "Aurelio Prescriber", Role.CLINICIAN),
            self._user(INTAKE_EMAIL, "Priya Intake", Role.INTAKE, "LMHC"),
            self._user(BILLING_EMAIL, "Corwin Billing", Role.BILLING),
        ]
        staff = _bulk(User, staff)
        self.administrator, self.director, self.clinician = staff[:3]
        self.pool = [self.clinician, *staff[3 : 3 + pool - 1]]
        self.prescriber = staff[-3]
        self.intake = staff[-2]
        self.billing = staff[-1]
        for therapist in self.pool:
            therapist.supervisor = self.director
        User.objects.bulk_update(self.pool, ["supervisor"])
        _bulk(
            TOTPDevice,
            [TOTPDevice(user=u, name="Bench authenticator", confirmed=True) for u in staff],
        )
        _bulk(
            StaffAssignment,
            [
                StaffAssignment(user=u, program=self.program, organization=self.org)
                for u in staff
                if u.role != Role.ADMINISTRATOR
            ],
        )
        self.counts["therapists"] = len(self.pool)

    def lead_of(self, track_index: int) -> User:
        return self.pool[track_index % len(self.pool)]

    def therapist_of(self, slot_index: int) -> User:
        return self.pool[(slot_index // INDIVIDUAL_CASELOAD) % len(self.pool)]

    # -- participants and episodes -------------------------------------------------------------

    def _people(self) -> None:
        rng, today = self.rng, self.today
        self.slots = [
            _Slot(index=i, track=self.tracks[i // GROUP_SIZE]) for i in range(self.active)
        ]
        plan: list[tuple[_Slot | None, str, date, date | None, tuple[Any, ...] | None]] = []
        for slot in self.slots:
            position = slot.index % GROUP_SIZE
            started = today - timedelta(days=(position % WEEKS) * 7 + rng.randint(0, 6))
            history: list[tuple[_Slot | None, str, date, date | None, tuple[Any, ...] | None]] = []
            cursor = started
            for _ in range(DISCHARGED_PER_ACTIVE):
                ended = cursor - timedelta(days=rng.randint(3, 60))
                kind = rng.choices(DISCHARGE_KINDS, weights=[k[3] for k in DISCHARGE_KINDS])[0]
                length = (
                    rng.randint(14, 41)
                    if kind[0] == DischargeKind.AGAINST_ADVICE
                    else rng.randint(42, WEEKS * 7)
                )
                began = ended - timedelta(days=length)
                history.append((slot, EpisodeStatus.DISCHARGED, began, ended, kind))
                cursor = began
            plan += reversed(history)
            plan.append((slot, EpisodeStatus.ACTIVE, started, None, None))
        # The intake pipeline: people referred and admitted, not yet in a group.
        for _ in range(max(2, self.active // 20)):
            day = today - timedelta(days=rng.randint(0, 10))
            plan.append((None, EpisodeStatus.REFERRED, day, None, None))
        for _ in range(max(1, self.active // 50)):
            day = today - timedelta(days=rng.randint(0, 4))
            plan.append((None, EpisodeStatus.ADMITTED, day, None, None))

        participants = []
        for number, _ in enumerate(plan, start=1):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            participants.append(
                Participant(
                    organization=self.org,
                    record_number=f"P-{number:06d}",
                    legal_first_name=first,
                    legal_last_name=last,
                    preferred_name=rng.choice(FIRST_NAMES) if rng.random() < 0.15 else "",
                    pronouns=rng.choice(("she/her", "he/him", "they/them", "")),
                    date_of_birth=today - timedelta(days=rng.randint(19 * 365, 64 * 365)),
                    phone=f"555-01{number % 100:02d}",
                    email=f"bench.p{number}@example.org",
                    address=f"{rng.randint(10, 999)} Alder Lane\nRiverbend, ST 00000",
                )
            )
        # Portal accounts: the reader (eight weeks in, track 0) and the writers.
        self.reader_slot = self.slots[min(7, self.active - 1)]
        # Writers need eight days without a card since they started: weeks three and later.
        writer_slots = [
            s
            for s in reversed(self.slots)
            if s is not self.reader_slot and s.index % GROUP_SIZE >= 2
        ][: self.writer_count]
        portal_of = {self.reader_slot.index: 0}
        portal_of.update({s.index: n for n, s in enumerate(writer_slots, start=1)})
        users = []
        active_at: dict[int, int] = {}
        for position, (at, status, *_rest) in enumerate(plan):
            if at is not None and status == EpisodeStatus.ACTIVE and at.index in portal_of:
                n = portal_of[at.index]
                person = participants[position]
                users.append(
                    (
                        position,
                        self._user(
                            f"portal{n}@bench.example.org",
                            f"{person.legal_first_name} {person.legal_last_name}",
                            Role.PARTICIPANT,
                        ),
                    )
                )
                active_at[at.index] = position
        made = _bulk(User, [u for _, u in users])
        for (position, _), user in zip(users, made, strict=True):
            participants[position].user = user
        participants = _bulk(Participant, participants)

        episodes = []
        for person, (home, status, began, finished, why) in zip(participants, plan, strict=True):
            if status == EpisodeStatus.REFERRED:
                referred = began
                episodes.append(
                    Episode(
                        organization=self.org,
                        participant=person,
                        program=self.program,
                        status=status,
                        inquiry_on=referred - timedelta(days=rng.randint(0, 5)),
                        referred_on=referred,
                        referral_source="Outpatient therapist",
                    )
                )
                continue
            admitted = began
            if status != EpisodeStatus.ADMITTED:
                admitted = began - timedelta(days=rng.randint(1, 5))
            assessed = admitted - timedelta(days=rng.randint(0, 3))
            referred = assessed - timedelta(days=rng.randint(2, 7))
            track = home.track if home is not None else self.tracks[0]
            episode = Episode(
                organization=self.org,
                participant=person,
                program=self.program,
                track=track,
                primary_clinician=self.clinician,
                status=status,
                inquiry_on=referred - timedelta(days=rng.randint(0, 5)),
                referred_on=referred,
                assessed_on=assessed,
                admitted_on=admitted,
                started_on=began if status != EpisodeStatus.ADMITTED else None,
                discharged_on=finished,
                discharge_kind=why[0] if why else "",
                discharge_reason=why[2] if why else "",
                planned_weeks=WEEKS,
                planned_end_on=began + timedelta(weeks=WEEKS),
                referral_source="Outpatient therapist",
            )
            episodes.append(episode)
            if home is not None:
                home.episodes.append(episode)
        episodes = _bulk(Episode, episodes)
        self.episodes = episodes
        self.discharge_kind_of = {
            e.pk: k for e, (_, _, _, _, k) in zip(episodes, plan, strict=True) if k is not None
        }
        self.reader = participants[active_at[self.reader_slot.index]]
        self.writers = [participants[active_at[s.index]] for s in writer_slots]
        self.writer_ids = {p.pk for p in self.writers}
        self.counts["participants"] = len(participants)
        self.counts["active episodes"] = self.active
        self.counts["discharged episodes"] = sum(
            1 for e in episodes if e.status == EpisodeStatus.DISCHARGED
        )

        members: list[CareTeamMember] = []
        events: list[Event] = []
        contacts: list[FamilyContact] = []
        for slot in self.slots:
            lead = self.lead_of(self.tracks.index(slot.track))
            for episode in slot.episodes:
                since = episode.admitted_on or episode.inquiry_on
                for user, role in (
                    (self.clinician, CareTeamRole.PRIMARY),
                    (lead, CareTeamRole.GROUP),
                    (self.prescriber, CareTeamRole.PRESCRIBER),
                ):
                    if user == self.clinician and role == CareTeamRole.GROUP:
                        continue
                    members.append(
                        CareTeamMember(
                            organization=self.org,
                            episode=episode,
                            user=user,
                            role=role,
                            since=since,
                            until=episode.discharged_on,
                        )
                    )
        for episode in episodes:
            events += self._episode_events(episode)
            if rng.random() < 0.6:
                contacts.append(
                    FamilyContact(
                        organization=self.org,
                        participant_id=episode.participant_id,
                        program_id=episode.program_id,
                        name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                        relationship=rng.choice(("Parent", "Partner", "Sibling", "Friend")),
                        phone="555-0199",
                        is_emergency_contact=True,
                    )
                )
        _bulk(CareTeamMember, members)
        _bulk(Event, events)
        _bulk(FamilyContact, contacts)
        self.counts["care team rows"] = len(members)
        self.counts["timeline events"] = len(events)
        self.say(f"people: {len(participants)} participants, {len(episodes)} episodes")

    def _episode_events(self, episode: Episode) -> list[Event]:
        def event(kind: str, day: date | None, summary: str, actor: User) -> Event | None:
            if day is None or day > self.today:
                return None
            return Event(
                organization=self.org,
                participant_id=episode.participant_id,
                program=self.program if kind != EventKind.PARTICIPANT_CREATED else None,
                kind=kind,
                at=_local(day, time(10, 0)),
                actor=actor,
                summary=summary,
            )

        rows = [
            event(EventKind.PARTICIPANT_CREATED, episode.inquiry_on, "Record created", self.intake),
            event(EventKind.EPISODE_OPENED, episode.inquiry_on, "Inquiry", self.intake),
            event(EventKind.EPISODE_STATUS, episode.referred_on, "Referred", self.intake),
            event(EventKind.EPISODE_STATUS, episode.assessed_on, "Assessed", self.intake),
            event(EventKind.EPISODE_STATUS, episode.admitted_on, "Admitted", self.intake),
            event(EventKind.CARE_TEAM, episode.admitted_on, "Care team set", self.director),
            event(EventKind.EPISODE_STATUS, episode.started_on, "First day", self.clinician),
            event(
                EventKind.EPISODE_STATUS,
                episode.discharged_on,
                f"Discharged: {episode.discharge_reason}",
                self.clinician,
            ),
        ]
        return [r for r in rows if r is not None]

    def _episodes_on(self, slot: _Slot, day: date) -> Episode | None:
        for episode in slot.episodes:
            started = episode.started_on
            if started is None or day < started:
                continue
            if episode.discharged_on is None or day <= episode.discharged_on:
                return episode
        return None

    # -- schedule, rosters, attendance ---------------------------------------------------------

    def _schedule(self) -> None:
        from openiop.programs.curriculum import (
            curriculum_anchor_set,
            curriculum_default,
            lesson_for,
        )

        rng, program = self.rng, self.program
        curriculum_default(program)
        curriculum_anchor_set(program=program, starts_on=_monday(self.today) - timedelta(weeks=11))
        lessons: dict[date, Lesson | None] = {}
        by_track: dict[int, list[_Slot]] = defaultdict(list)
        for slot in self.slots:
            by_track[slot.track.pk].append(slot)
        third = (
            SessionCategory.PROCESS_GROUP,
            SessionCategory.PSYCHOEDUCATION,
            SessionCategory.EXPRESSIVE,
        )
        series: list[tuple[SessionSeries, User]] = []
        sessions: list[tuple[Session, User, list[tuple[_Slot, Episode]]]] = []
        for index, track in enumerate(self.tracks):
            lead = self.lead_of(index)
            room = self.rooms[index % 4]
            days = track.weekdays
            plan = [
                (SessionCategory.SKILLS_GROUP, tuple(days), 0, 90),
                (SessionCategory.MINDFULNESS, tuple(days), 90, 30),
            ]
            plan += [(third[n], (day,), 120, 60) for n, day in enumerate(days)]
            for category, weekdays, offset, minutes in plan:
                first = datetime.combine(self.today, track.start_time)
                start = (first + timedelta(minutes=offset)).time()
                end = (datetime.combine(self.today, start) + timedelta(minutes=minutes)).time()
                one = SessionSeries(
                    organization=self.org,
                    program=program,
                    track=track,
                    session_type=self.types[category],
                    weekdays=",".join(str(d) for d in weekdays),
                    start_time=start,
                    end_time=end,
                    starts_on=self.window_start,
                    ends_on=self.window_end,
                    room=room,
                    capacity=GROUP_SIZE,
                    follows_curriculum=category == SessionCategory.SKILLS_GROUP,
                    created_by=self.director,
                )
                series.append((one, lead))
                day = self.window_start
                while day <= self.window_end:
                    if day.weekday() in weekdays:
                        lesson = None
                        if category == SessionCategory.SKILLS_GROUP:
                            if day not in lessons:
                                lessons[day] = lesson_for(program, day)
                            lesson = lessons[day]
                        roster = [
                            (slot, episode)
                            for slot in by_track[track.pk]
                            if (episode := self._episodes_on(slot, day)) is not None
                        ]
                        sessions.append(
                            (
                                Session(
                                    organization=self.org,
                                    program=program,
                                    track=track,
                                    series=one,
                                    session_type=self.types[category],
                                    starts_at=_local(day, start),
                                    ends_at=_local(day, end),
                                    room=room,
                                    capacity=GROUP_SIZE,
                                    lesson=lesson,
                                    created_by=self.director,
                                ),
                                lead,
                                roster,
                            )
                        )
                    day += timedelta(days=1)
        made_series = _bulk(SessionSeries, [s for s, _ in series])
        through = SessionSeries.facilitators.through
        _bulk(
            through,
            [
                through(sessionseries_id=s.pk, user_id=lead.pk)
                for s, (_, lead) in zip(made_series, series, strict=True)
            ],
        )
        # Weekly individual therapy with the slot's therapist, Tuesday to Friday afternoons.
        individual = self.types[SessionCategory.INDIVIDUAL]
        virtual = self.rooms[-1]
        for slot in self.slots:
            therapist = self.therapist_of(slot.index)
            weekday, hour = 1 + slot.index % 4, 13 + (slot.index // 4) % 4
            day = self.window_start + timedelta(days=weekday)
            while day <= self.window_end:
                episode = self._episodes_on(slot, day)
                if episode is not None:
                    begins = _local(day, time(hour, 0))
                    sessions.append(
                        (
                            Session(
                                organization=self.org,
                                program=program,
                                session_type=individual,
                                starts_at=begins,
                                ends_at=begins + timedelta(minutes=50),
                                room=virtual,
                                telehealth_url=f"https://video.example.org/b/{slot.index}",
                                capacity=1,
                                created_by=therapist,
                            ),
                            therapist,
                            [(slot, episode)],
                        )
                    )
                day += timedelta(weeks=1)
        made = _bulk(Session, [s for s, _, _ in sessions])
        led = Session.facilitators.through
        _bulk(
            led,
            [
                led(session_id=s.pk, user_id=lead.pk)
                for s, (_, lead, _) in zip(made, sessions, strict=True)
            ],
        )
        roster_rows: list[RosterEntry] = []
        attendance: list[Attendance] = []
        self.attended: dict[int, list[tuple[Session, str]]] = defaultdict(list)
        for session, lead, members in sessions:
            done = session.ends_at <= self.now
            for _, episode in members:
                roster_rows.append(
                    RosterEntry(
                        organization=self.org,
                        session=session,
                        participant_id=episode.participant_id,
                        episode=episode,
                        source=RosterSource.TRACK if session.track_id else RosterSource.BOOKED,
                        added_by=self.director,
                    )
                )
                if not done:
                    continue
                roll = rng.random()
                status, arrived, departed, minutes = AttendanceStatus.PRESENT, None, None, 0
                if roll < 0.07:
                    status = AttendanceStatus.LATE
                    arrived = session.starts_at + timedelta(minutes=rng.choice((10, 15, 20)))
                    minutes = int((session.ends_at - arrived).total_seconds() // 60)
                elif roll < 0.10:
                    status = AttendanceStatus.LEFT_EARLY
                    departed = session.ends_at - timedelta(minutes=15)
                    minutes = int((departed - session.starts_at).total_seconds() // 60)
                elif roll < 0.14:
                    status = AttendanceStatus.ABSENT_EXCUSED
                elif roll < 0.16:
                    status = AttendanceStatus.ABSENT_UNEXCUSED
                else:
                    minutes = session.minutes
                attendance.append(
                    Attendance(
                        organization=self.org,
                        session=session,
                        participant_id=episode.participant_id,
                        episode=episode,
                        status=status,
                        arrived_at=arrived,
                        departed_at=departed,
                        minutes=minutes,
                        recorded_by=lead,
                        recorded_at=session.ends_at + timedelta(minutes=5),
                    )
                )
        _bulk(RosterEntry, roster_rows)
        _bulk(Attendance, attendance)
        self.counts["sessions"] = len(sessions)
        self.counts["roster rows"] = len(roster_rows)
        self.counts["attendance rows"] = len(attendance)
        self.say(f"schedule: {len(sessions)} sessions, {len(attendance)} attendance rows")

    # -- diary cards ---------------------------------------------------------------------------

    def _diary(self) -> None:
        rng, today = self.rng, self.today
        emotions = list(DEFAULT_EMOTIONS)
        modules = [m.value for m in SkillsModule]
        writer_since = today - timedelta(days=8)
        # The participants whose high-urge card raises an alert (see _alerts) skip that day here.
        actives = [s.episodes[-1] for s in self.slots]
        candidates = [
            e
            for e in actives
            if e.participant_id not in self.writer_ids
            and e.participant_id != self.reader.pk
            and e.started_on is not None
            and e.started_on <= today - timedelta(days=3)
        ]
        self.alerted = candidates[:: max(1, len(candidates) // max(2, self.active // 50))]
        skip = {(e.participant_id, today - timedelta(days=2)) for e in self.alerted}
        submitter = {p.pk: p.user_id for p in [self.reader, *self.writers]}
        rows: list[DiaryCard] = []
        for episode in self.episodes:
            if episode.started_on is None or episode.started_on > today:
                continue
            last = episode.discharged_on or today - timedelta(days=1)
            if episode.participant_id in self.writer_ids:
                last = min(last, writer_since - timedelta(days=1))
            who = submitter.get(episode.participant_id) or self.clinician.pk
            day = episode.started_on
            while day <= last:
                if rng.random() > 0.12 and (episode.participant_id, day) not in skip:
                    late = rng.random() < 0.08
                    rows.append(
                        DiaryCard(
                            organization=self.org,
                            participant_id=episode.participant_id,
                            episode=episode,
                            day=day,
                            urge_suicide=rng.choices((0, 1, 2), weights=(8, 3, 1))[0],
                            urge_self_harm=rng.choices((0, 1, 2, 3), weights=(6, 3, 2, 1))[0],
                            urge_substance=rng.choices((0, 1, 2, 3), weights=(5, 3, 2, 1))[0],
                            action_self_harm=False,
                            action_substance=False,
                            medication=rng.choices(
                                (Medication.TAKEN, Medication.PARTLY, Medication.NOT_TAKEN),
                                weights=(10, 2, 1),
                            )[0],
                            emotions={e: rng.randint(0, 4) for e in emotions},
                            skills={m: rng.randint(2, 7) for m in modules if rng.random() < 0.6},
                            submitted_at=_local(day + timedelta(days=int(late)), time(20, 15)),
                            submitted_by_id=who,
                            filled_late=late,
                        )
                    )
                day += timedelta(days=1)
        _bulk(DiaryCard, rows)
        self.counts["diary cards"] = len(rows)
        self.say(f"diary: {len(rows)} cards")

    # -- measures ------------------------------------------------------------------------------

    def _measures(self) -> None:
        rng, today = self.rng, self.today
        instruments = {code: get_instrument(code) for code in INTAKE_BATTERY}
        scored: dict[tuple[str, tuple[int, ...]], dict[str, Any]] = {}
        portal_user = {p.pk: p.user_id for p in [self.reader, *self.writers]}
        administrations: list[Administration] = []
        responses: list[tuple[Response, Administration]] = []

        def add(
            episode: Episode,
            code: str,
            phase: str,
            period: date,
            total: int | None,
            status: str = AdministrationStatus.COMPLETED,
        ) -> None:
            due_at = _local(period, time(0, 0))
            row = Administration(
                organization=self.org,
                participant_id=episode.participant_id,
                episode=episode,
                instrument_code=code,
                phase=phase,
                period_start=period,
                due_at=due_at,
                status=status if total is None else AdministrationStatus.COMPLETED,
            )
            administrations.append(row)
            if total is None:
                if status == AdministrationStatus.MISSED:
                    row.closed_at = due_at + timedelta(days=7)
                return
            instrument = instruments[code]
            answers = tuple(_answers(instrument, total, rng.randint(0, 2)))
            key = (code, answers)
            if key not in scored:
                scored[key] = score(instrument, list(answers)).as_dict()
            result = scored[key]
            completed = min(
                _local(period + timedelta(days=rng.randint(0, 2)), time(rng.randint(9, 19), 0)),
                self.now - timedelta(minutes=30),
            )
            row.closed_at = completed
            user_id = portal_user.get(episode.participant_id)
            portal = user_id is not None and instrument.text_shipped
            entered_by = user_id if portal and user_id is not None else self.clinician.pk
            responses.append(
                (
                    Response(
                        organization=self.org,
                        participant_id=episode.participant_id,
                        episode=episode,
                        instrument_code=code,
                        instrument_version=instrument.version,
                        answers=list(answers),
                        result=result,
                        total=result["total"],
                        severity=result["severity"] or "",
                        flags=result["flags"],
                        critical=False,
                        critical_items=[],
                        risk_tier=result["flags"].get("risk_tier") or "",
                        entered_by_id=entered_by,
                        mode=ResponseMode.PORTAL if portal else ResponseMode.IN_SESSION,
                        completed_at=completed,
                    ),
                    row,
                )
            )

        for episode in self.episodes:
            started = episode.started_on
            if started is None or started > today:
                continue
            end = episode.discharged_on or today
            weeks = (end - started).days // 7 + 1
            kind = self.discharge_kind_of.get(episode.pk)
            improving = kind is None or kind[0] != DischargeKind.AGAINST_ADVICE
            phq = _trajectory(rng.randint(11, 19), weeks, 24, improving, rng)
            gad = _trajectory(rng.randint(9, 16), weeks, 21, improving, rng)
            for code in INTAKE_BATTERY:
                total = {"PHQ-9": phq[0], "GAD-7": gad[0]}.get(code)
                if total is None:
                    total = _screen_total(instruments[code], code, rng)
                add(episode, code, Phase.INTAKE, started, total)
            for week in range(2, weeks + 1):
                period = started + timedelta(weeks=week - 1)
                current = episode.discharged_on is None and week == weeks
                for code, series in (("PHQ-9", phq), ("GAD-7", gad)):
                    if current and (episode.participant_id in portal_user or rng.random() < 0.4):
                        add(episode, code, Phase.WEEKLY, period, None, AdministrationStatus.DUE)
                    elif not current and rng.random() < 0.06:
                        add(episode, code, Phase.WEEKLY, period, None, AdministrationStatus.MISSED)
                    else:
                        add(episode, code, Phase.WEEKLY, period, series[week - 1])
            if episode.discharged_on is not None and improving:
                for code in INTAKE_BATTERY:
                    total = {"PHQ-9": phq[-1], "GAD-7": gad[-1]}.get(code)
                    if total is None:
                        total = _screen_total(instruments[code], code, rng)
                    add(episode, code, Phase.DISCHARGE, episode.discharged_on, total)
            if episode.discharged_on is not None:
                self._followups(episode, improving, phq[-1], gad[-1], add)
        # A writer may have been admitted this week: give every writer a weekly check-in due.
        due = {
            (a.episode.participant_id, a.instrument_code)
            for a in administrations
            if a.status == AdministrationStatus.DUE
        }
        for participant in [self.reader, *self.writers]:
            episode = next(
                e
                for e in self.episodes
                if e.participant_id == participant.pk and e.status == EpisodeStatus.ACTIVE
            )
            for code in WEEKLY_CODES:
                if (participant.pk, code) not in due:
                    add(episode, code, Phase.WEEKLY, today, None, AdministrationStatus.DUE)
        _bulk(Administration, administrations)
        for response, row in responses:
            response.administration_id = row.pk
        _bulk(Response, [r for r, _ in responses])
        self.counts["administrations"] = len(administrations)
        self.counts["responses"] = len(responses)
        self.say(f"measures: {len(responses)} responses, {len(administrations)} check-ins")

    def _followups(
        self,
        episode: Episode,
        improving: bool,
        phq: int,
        gad: int,
        add: Callable[..., None],
    ) -> None:
        rng, today = self.rng, self.today
        assert episode.discharged_on is not None
        agreed = improving and rng.random() < 0.75
        self.consents.append(
            AlumniConsent(
                organization=self.org,
                participant_id=episode.participant_id,
                episode=episode,
                agreed=agreed,
                how=ConsentHow.IN_PERSON,
                recorded_on=episode.discharged_on,
                recorded_by=self.clinician,
            )
        )
        if not agreed:
            return
        for offset in FOLLOWUP_DAYS:
            due_on = episode.discharged_on + timedelta(days=offset)
            followup = FollowUp(
                organization=self.org,
                participant_id=episode.participant_id,
                episode=episode,
                day_offset=offset,
                due_on=due_on,
            )
            self.followups.append(followup)
            if due_on > today:
                continue
            followup.made_due_at = _local(due_on, time(6, 0))
            if today < due_on + FOLLOWUP_WINDOW:
                followup.status = FollowUpStatus.DUE
                for code in WEEKLY_CODES:
                    add(episode, code, Phase.FOLLOWUP, due_on, None, AdministrationStatus.DUE)
                continue
            answered = rng.random() < 0.7
            followup.status = FollowUpStatus.COMPLETED if answered else FollowUpStatus.MISSED
            followup.closed_at = _local(due_on + timedelta(days=3), time(12, 0))
            for code, end in (("PHQ-9", phq), ("GAD-7", gad)):
                total = max(0, end + rng.randint(-2, 3)) if answered else None
                add(episode, code, Phase.FOLLOWUP, due_on, total, AdministrationStatus.MISSED)

    # -- discharges ----------------------------------------------------------------------------

    def _discharges(self) -> None:
        changes = []
        for episode in self.episodes:
            kind = self.discharge_kind_of.get(episode.pk)
            if kind is None or episode.discharged_on is None:
                continue
            change_kind = {
                DischargeKind.STEPPED_UP: ChangeKind.STEP_UP,
                DischargeKind.STEPPED_DOWN: ChangeKind.STEP_DOWN,
            }.get(kind[0], ChangeKind.DISCHARGE)
            changes.append(
                EpisodeChange(
                    organization=self.org,
                    participant_id=episode.participant_id,
                    episode=episode,
                    kind=change_kind,
                    on=episode.discharged_on,
                    reason=kind[2],
                    destination=kind[1],
                    actor=self.clinician,
                    created_at=_local(episode.discharged_on, time(15, 0)),
                )
            )
        _bulk(EpisodeChange, changes)
        _bulk(AlumniConsent, self.consents)
        _bulk(FollowUp, self.followups)
        self.counts["alumni follow-ups"] = len(self.followups)

    # -- intake, follow-up items, documents, alerts, audit history -----------------------------

    def _inquiries(self) -> None:
        rng = self.rng
        rows = []
        open_stages = (
            InquiryStatus.NEW,
            InquiryStatus.CONTACTED,
            InquiryStatus.SCREENING,
            InquiryStatus.ASSESSED,
        )
        closed = (InquiryStatus.ADMITTED, InquiryStatus.REFERRED_OUT, InquiryStatus.CLOSED)
        for n in range(max(5, self.active // 10) + 2 * self.active):
            is_open = n < max(5, self.active // 10)
            days_ago = rng.randint(0, 14) if is_open else rng.randint(15, 730)
            rows.append(
                Inquiry(
                    organization=self.org,
                    program=self.program,
                    status=rng.choice(open_stages if is_open else closed),
                    source=rng.choice([s.value for s in InquirySource]),
                    name=f"{rng.choice(FIRST_NAMES)[0]}.{rng.choice(LAST_NAMES)[0]}.",
                    phone="555-0150",
                    consent_to_contact=True,
                    assigned_to=self.intake,
                    received_at=self.now - timedelta(days=days_ago, hours=rng.randint(1, 8)),
                    created_by=self.intake,
                )
            )
        _bulk(Inquiry, rows)
        self.counts["inquiries"] = len(rows)

    def _follow_up_items(self) -> None:
        week = _monday(self.today) - timedelta(weeks=1)
        rows = [
            FollowUpItem(
                organization=self.org,
                participant_id=slot.episodes[-1].participant_id,
                episode=slot.episodes[-1],
                assigned_to=self.clinician,
                kind=FollowUpKind.HOURS_BELOW,
                week_start=week,
                detail="Weekly hours below the program minimum",
            )
            for slot in self.slots[::50]
        ]
        _bulk(FollowUpItem, rows)

    def _documents(self) -> None:
        """Plans, notes, safety plans and coaching through the demo's builders: they write in
        bulk for every active episode, and their rows obey the rooms' own rules."""
        from openiop.demo import care as care_demo
        from openiop.demo import notes as notes_demo
        from openiop.demo.coaching import build_coaching
        from openiop.demo.safety import build_safety_plans

        self.counts["plan versions"] = care_demo.build(
            program=self.program, today=self.today, rng=self.rng
        )
        self.say("documents: treatment plans")
        self.counts["notes"] = notes_demo.build(
            program=self.program, today=self.today, rng=self.rng
        )
        self.say("documents: notes")
        build_safety_plans(program=self.program, today=self.today, rng=self.rng)
        build_coaching(program=self.program, today=self.today, rng=self.rng)

    def _alerts(self) -> None:
        """The default risk rules, an on-call rota and, for one active participant in fifty, a
        high-urge card filed through the real write function so the engine raises the alert;
        four in five have been handled."""
        from openiop.diary.services import CardAnswers, diary_card_submit
        from openiop.safety.models import OnCallShift, Resolution
        from openiop.safety.services import alert_acknowledge, alert_resolve, rules_for

        rules_for(self.program)
        monday = _monday(self.today)
        OnCallShift.objects.bulk_create(
            OnCallShift(
                organization=self.org,
                program=self.program,
                user=self.pool[week % len(self.pool)],
                backup=self.pool[(week + 1) % len(self.pool)],
                starts_on=monday + timedelta(weeks=week - 1),
                ends_on=monday + timedelta(weeks=week - 1, days=6),
                start_hour=0,
                end_hour=24,
                created_by=self.director,
            )
            for week in range(6)
        )
        day = self.today - timedelta(days=2)
        alerts = 0
        for n, episode in enumerate(self.alerted):
            participant = Participant.objects.get(pk=episode.participant_id)
            filed = diary_card_submit(
                participant=participant,
                day=day,
                answers=CardAnswers(
                    urge_suicide=2,
                    urge_self_harm=5,
                    urge_substance=1,
                    action_self_harm=False,
                    action_substance=False,
                    medication=Medication.TAKEN,
                    note="Hard evening.",
                ),
                actor=self.clinician,
                now=_local(day, time(20, 15)),
            )
            for alert in filed.alerts:
                alerts += 1
                if n % 5 == 4:
                    continue
                alert_acknowledge(alert=alert, actor=self.clinician, now=_local(day, time(21, 0)))
                alert_resolve(
                    alert=alert,
                    actor=self.clinician,
                    resolution=Resolution.CONTACTED,
                    note="Called; coping plan reviewed, no immediate risk.",
                    now=_local(day, time(22, 0)),
                )
        self.counts["alerts"] = alerts

    def _access_history(self) -> None:
        rng = self.rng
        rows = []
        for episode in self.episodes:
            count = ACCESS_ROWS_ACTIVE if episode.discharged_on is None else ACCESS_ROWS_DISCHARGED
            last = episode.discharged_on or self.today
            first = episode.admitted_on or episode.inquiry_on
            span = max(1, (last - first).days)
            for _ in range(count):
                at = _local(
                    first + timedelta(days=rng.randint(0, span)),
                    time(rng.randint(8, 18), rng.randint(0, 59)),
                )
                rows.append(
                    AccessLog(
                        organization=self.org,
                        at=min(at, self.now - timedelta(hours=1)),
                        actor=self.clinician,
                        actor_role=Role.CLINICIAN,
                        action=AccessAction.VIEW,
                        participant_id=episode.participant_id,
                        object_type="participant.chart",
                        path="/participants/",
                        address="127.0.0.1",
                    )
                )
        _bulk(AccessLog, rows)
        self.counts["access log rows"] = len(rows)


def _answers(instrument: Instrument, total: int, variant: int) -> list[int]:
    """Answers adding up to `total` (as far as the items allow), critical items at zero; one of
    three fixed spreads, so identical totals share a scored result."""
    answers = [0] * len(instrument.items)
    open_items = [i for i, item in enumerate(instrument.items) if item.critical is None]
    if not open_items:
        return answers
    left, step = total, 0
    while left > 0:
        room = [i for i in open_items if answers[i] < instrument.items[i].max_value]
        if not room:
            break
        answers[room[(step * (variant + 1) + variant) % len(room)]] += 1
        left -= 1
        step += 1
    return answers


def _screen_total(instrument: Instrument, code: str, rng: random.Random) -> int:
    if code == "C-SSRS":
        return 0
    if code == "PCL-5":
        return rng.randint(12, 40)
    top = sum(item.max_value for item in instrument.items if item.critical is None)
    return min(top, rng.randint(0, 4))


def _trajectory(start: int, weeks: int, top: int, improving: bool, rng: random.Random) -> list[int]:
    step = -1.2 if improving else 0.2
    return [
        max(0, min(top, round(start + step * week + rng.uniform(-1.5, 1.5))))
        for week in range(max(1, weeks))
    ]


def ensure_floor_table() -> None:
    """The bare one-row POST of benchmarks/views.py writes here; no model, no migration."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_floor_row ("
            " id bigserial PRIMARY KEY, user_id bigint NOT NULL,"
            " at timestamptz NOT NULL, note varchar(100) NOT NULL)"
        )
