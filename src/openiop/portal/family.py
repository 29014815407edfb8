"""What the family page shows: exactly what each active consent to the family member names,
program by program, and nothing else (issue 13 point 4, issue 14).

A consent is given in one program (the discloser); what it shares is that program's:
- "Program and care-team contact": the program's name, phone and the primary clinician;
- "Family-session schedule": the family sessions of that program this family member is
  invited to, from today on;
- "Attendance and hours": the participant's attendance in that program, this week session by
  session and the last four weeks in hours.
The program is named on every section whatever the consent covers: the consent itself names
who discloses. Each view is a disclosure and goes into the participant's accounting (once a
day per consent; participants.disclosures).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Prefetch
from django.utils import timezone

from openiop.accounts.models import User
from openiop.lib.timezones import today_in
from openiop.participants.consents import FamilyGrant
from openiop.participants.disclosures import disclosure_record
from openiop.participants.models import (
    Consent,
    ConsentInfo,
    DisclosureChannel,
    Episode,
    FamilyContact,
    Participant,
)
from openiop.programs.models import Program
from openiop.scheduling.hours import WeekHours, participants_weeks, recent_week_starts, week_bounds
from openiop.scheduling.models import Attendance, RosterEntry, Session, SessionStatus

SCHEDULE_WEEKS_AHEAD = 8


@dataclass
class SessionRow:
    session: Session
    status: str  # attended, missed, excused, upcoming, not recorded, cancelled

    @property
    def label(self) -> str:
        return {
            "attended": "Attended",
            "missed": "Missed",
            "excused": "Excused",
            "upcoming": "Coming up",
            "unrecorded": "Not recorded yet",
            "cancelled": "Cancelled by the program",
        }[self.status]


@dataclass
class Section:
    """One participant's information from one program."""

    participant: Participant
    program: Program
    contact: FamilyContact
    scopes: set[str]
    grants: list[FamilyGrant]
    episode: Episode | None = None
    family_sessions: list[Session] = field(default_factory=list)
    this_week: list[SessionRow] = field(default_factory=list)
    weeks: list[WeekHours] = field(default_factory=list)

    @property
    def shows_contact(self) -> bool:
        return ConsentInfo.PROGRAM_CONTACT in self.scopes

    @property
    def shows_schedule(self) -> bool:
        return ConsentInfo.FAMILY_SCHEDULE in self.scopes

    @property
    def shows_attendance(self) -> bool:
        return ConsentInfo.ATTENDANCE in self.scopes

    @property
    def tz(self) -> str:
        return self.program.time_zone


def _episode(participant: Participant, program: Program) -> Episode | None:
    """The participant's episode in the program: the open one, else the latest."""
    episodes = list(
        participant.episodes.filter(program=program)
        .select_related("primary_clinician")
        .order_by("-inquiry_on", "-id")
    )
    return next((e for e in episodes if e.is_open), episodes[0] if episodes else None)


def _family_sessions(contact: FamilyContact, program: Program, now: datetime) -> list[Session]:
    """From the start of today (program time) to eight weeks ahead."""
    today = today_in(program.time_zone)
    start, _ = week_bounds(today, program.time_zone)  # [midnight today, +7 days)
    end = start + timedelta(weeks=SCHEDULE_WEEKS_AHEAD)
    return list(
        Session.objects.filter(
            program=program,
            family__contact=contact,
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .exclude(status=SessionStatus.CANCELLED)
        .select_related("session_type", "room")
        .order_by("starts_at")
    )


def _this_week(participant: Participant, program: Program, now: datetime) -> list[SessionRow]:
    this_monday = recent_week_starts(today_in(program.time_zone), 1)[0]
    start, end = week_bounds(this_monday, program.time_zone)
    entries = (
        RosterEntry.objects.filter(
            participant=participant,
            session__program=program,
            session__starts_at__gte=start,
            session__starts_at__lt=end,
        )
        .select_related("session__session_type")
        .prefetch_related(
            Prefetch(
                "session__attendance",
                queryset=Attendance.objects.filter(participant=participant),
                to_attr="theirs",
            )
        )
        .order_by("session__starts_at")
    )
    rows = []
    for entry in entries:
        session = entry.session
        # `theirs` is the Prefetch(to_attr=...) list above, which mypy cannot see.
        record = session.theirs[0] if session.theirs else None  # type: ignore[attr-defined]
        if session.status == SessionStatus.CANCELLED:
            status = "cancelled"
        elif record is not None:
            status = (
                "attended"
                if record.attended
                else ("excused" if record.status == "absent_excused" else "missed")
            )
        elif session.starts_at > now:
            status = "upcoming"
        else:
            status = "unrecorded"
        rows.append(SessionRow(session=session, status=status))
    return rows


def family_sections(grants: list[FamilyGrant], *, now: datetime | None = None) -> list[Section]:
    """The family page, one section per (participant, program), from the active grants."""
    now = now or timezone.now()
    sections: dict[tuple[int, int], Section] = {}
    for grant in grants:
        key = (grant.participant.pk, grant.program.pk)
        section = sections.setdefault(
            key,
            Section(
                participant=grant.participant,
                program=grant.program,
                contact=grant.contact,
                scopes=set(),
                grants=[],
            ),
        )
        section.scopes.add(grant.scope)
        section.grants.append(grant)
    for section in sections.values():
        program, participant = section.program, section.participant
        section.episode = _episode(participant, program)
        if section.shows_schedule:
            section.family_sessions = _family_sessions(section.contact, program, now)
        if section.shows_attendance:
            section.this_week = _this_week(participant, program, now)
            starts = recent_week_starts(today_in(program.time_zone))
            weeks = participants_weeks(
                program=program, participant_ids=[participant.pk], week_starts=starts
            )
            section.weeks = [weeks[(participant.pk, ws)] for ws in starts]
    return sorted(sections.values(), key=lambda s: (s.participant.display_name, s.program.name))


def family_disclosures_record(sections: list[Section], *, viewer: User) -> None:
    """Each consent whose information the page showed is a disclosure to this family member:
    recorded once a day per consent, into the participant's accounting."""
    for section in sections:
        by_consent: dict[Consent, list[str]] = {}
        for grant in section.grants:
            by_consent.setdefault(grant.consent, []).append(grant.scope)
        for consent, scopes in by_consent.items():
            disclosure_record(
                participant=section.participant,
                program=section.program,
                consent=consent,
                information=scopes,
                description="Family portal page",
                channel=DisclosureChannel.FAMILY_PORTAL,
                actor=viewer,
            )
