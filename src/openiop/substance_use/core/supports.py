"""Recovery supports: mutual-help meetings, the recovery start date, recovery contacts.

**Meetings** are logged by the participant from the portal (the kind of meeting, online or in
person, the date); clinicians see a count per week, not a diary of where the person went.

**The recovery start date** is the participant's own: optional, set and changed only by them,
and changing it is simply a new start date. Nothing here calls a new start anything else, and
the earlier dates are kept only for the participant (their own history, which they may want to
see); the care team sees the current date alone, if there is one. Whether and how to talk
about a change is for the participant and their clinician, in session.

**Recovery contacts** are the people in the participant's recovery network, a sponsor or a peer
recovery coach, whom the relapse prevention plan and the safety plan can name.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from openiop.substance_use.core.wording import format_day, plural


class SupportsError(ValueError):
    """An entry that cannot be recorded; the message says why."""


class MeetingKind(StrEnum):
    AA = "aa"
    NA = "na"
    SMART = "smart"
    REFUGE = "refuge"
    CELEBRATE = "celebrate"
    OTHER = "other"


MEETING_LABELS: dict[MeetingKind, str] = {
    MeetingKind.AA: "Alcoholics Anonymous (AA)",
    MeetingKind.NA: "Narcotics Anonymous (NA)",
    MeetingKind.SMART: "SMART Recovery",
    MeetingKind.REFUGE: "Refuge Recovery",
    MeetingKind.CELEBRATE: "Celebrate Recovery",
    MeetingKind.OTHER: "Other recovery meeting",
}


class Attendance(StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"


# How far back a participant may log a meeting they forgot to log.
LOG_BACK_DAYS = 31


@dataclass(frozen=True)
class MeetingLog:
    key: str
    kind: MeetingKind
    attendance: Attendance
    on: date
    other_name: str = ""  # for OTHER: the meeting's kind in the participant's words

    def __post_init__(self) -> None:
        object.__setattr__(self, "other_name", " ".join(self.other_name.split()))
        if self.kind == MeetingKind.OTHER and not self.other_name:
            raise SupportsError("Say what kind of meeting it was.")
        if self.kind != MeetingKind.OTHER and self.other_name:
            raise SupportsError("A name is only given for another kind of meeting.")
        if len(self.other_name) > 80:
            raise SupportsError("Keep the meeting's name under 80 characters.")

    @property
    def label(self) -> str:
        return self.other_name if self.kind == MeetingKind.OTHER else MEETING_LABELS[self.kind]


def check_meeting_date(on: date, *, today: date) -> None:
    """A participant logs a meeting on or before today, within the last month."""
    if on > today:
        raise SupportsError("A meeting is logged once it has happened.")
    if on < today - timedelta(days=LOG_BACK_DAYS):
        raise SupportsError(f"Meetings can be logged up to {LOG_BACK_DAYS} days back.")


@dataclass(frozen=True)
class WeekCount:
    week_start: date
    total: int
    in_person: int
    online: int
    by_kind: tuple[tuple[str, int], ...]  # (label, count), most first

    @property
    def words(self) -> str:
        if not self.total:
            return f"Week of {format_day(self.week_start)}: no meetings logged"
        kinds = ", ".join(f"{label} {count}" for label, count in self.by_kind)
        return (
            f"Week of {format_day(self.week_start)}: {plural(self.total, 'meeting')} "
            f"({self.in_person} in person, {self.online} online; {kinds})"
        )


def weekly_counts(
    logs: Iterable[MeetingLog], *, first_week: date, last_week: date
) -> list[WeekCount]:
    """One count per week from `first_week` to `last_week` (both week starts), weeks without
    meetings included, so a gap shows as a zero and not as a missing row."""
    if (last_week - first_week).days % 7:
        raise SupportsError("Both weeks must start on the same weekday.")
    if last_week < first_week:
        raise SupportsError("The last week is before the first.")
    by_week: dict[date, list[MeetingLog]] = {}
    for log in logs:
        offset = (log.on - first_week).days
        if offset < 0 or log.on >= last_week + timedelta(days=7):
            continue
        by_week.setdefault(first_week + timedelta(days=offset - offset % 7), []).append(log)
    counts = []
    week = first_week
    while week <= last_week:
        found = by_week.get(week, [])
        kinds = Counter(log.label for log in found)
        counts.append(
            WeekCount(
                week_start=week,
                total=len(found),
                in_person=sum(1 for log in found if log.attendance == Attendance.IN_PERSON),
                online=sum(1 for log in found if log.attendance == Attendance.ONLINE),
                by_kind=tuple(sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))),
            )
        )
        week += timedelta(days=7)
    return counts


# --- recovery start date -------------------------------------------------------------------


@dataclass(frozen=True)
class RecoveryDate:
    start: date | None  # None: the participant chose to show no date from `set_on`
    set_on: date  # when the participant entered it


@dataclass(frozen=True)
class RecoveryDates:
    """The participant's recovery start dates, oldest first; the last is in force. Empty, or
    ending in an entry without a date: no date is shown (which is fine)."""

    entries: tuple[RecoveryDate, ...] = ()

    @property
    def current(self) -> RecoveryDate | None:
        last = self.entries[-1] if self.entries else None
        return last if last is not None and last.start is not None else None

    def set(self, start: date, *, today: date) -> RecoveryDates:
        """A new start date (the first, or a new one). Earlier dates stay in the participant's
        own history."""
        if start > today:
            raise SupportsError("The start date is today or a day before.")
        if start < date(1900, 1, 1):
            raise SupportsError("Check the year of the start date.")
        current = self.current
        if current is not None and current.start == start:
            return self
        return RecoveryDates((*self.entries, RecoveryDate(start=start, set_on=today)))

    def clear(self, *, today: date) -> RecoveryDates:
        """The participant prefers not to show a date from now on."""
        if self.current is None:
            return self
        return RecoveryDates((*self.entries, RecoveryDate(start=None, set_on=today)))

    def days(self, today: date) -> int | None:
        """Days since the current start date (0 on the day itself), or None without one."""
        current = self.current
        if current is None or current.start is None:
            return None
        return max(0, (today - current.start).days)

    def words(self, today: date) -> str:
        """For the participant: `Recovery start date 5 Jan 2026: 42 days`."""
        current = self.current
        if current is None or current.start is None:
            return "No recovery start date set. You can add one whenever you like."
        days = self.days(today) or 0
        return f"Recovery start date {format_day(current.start)}: {plural(days, 'day')}"

    def care_team_view(self) -> date | None:
        """What the care team sees: the current start date, never the earlier ones."""
        current = self.current
        return current.start if current is not None else None

    def participant_history(self) -> Sequence[str]:
        """The participant's own history, newest first, in plain words."""
        lines = []
        for entry in reversed(self.entries):
            if entry.start is None:
                lines.append(f"{format_day(entry.set_on)}: chose not to show a date")
            else:
                lines.append(f"{format_day(entry.set_on)}: start date {format_day(entry.start)}")
        return tuple(lines)


# --- recovery contacts ---------------------------------------------------------------------


class ContactRole(StrEnum):
    SPONSOR = "sponsor"
    PEER_RECOVERY_COACH = "peer_recovery_coach"
    RECOVERY_MENTOR = "recovery_mentor"
    OTHER = "other"


CONTACT_LABELS: dict[ContactRole, str] = {
    ContactRole.SPONSOR: "sponsor",
    ContactRole.PEER_RECOVERY_COACH: "peer recovery coach",
    ContactRole.RECOVERY_MENTOR: "recovery mentor",
    ContactRole.OTHER: "recovery support",
}


@dataclass(frozen=True)
class RecoveryContact:
    key: str
    name: str  # as the participant wants it shown ("Sam", "Sam R.")
    role: ContactRole
    phone: str = ""
    organization: str = ""  # e.g. the recovery community organization of a peer coach
    since: date | None = None
    active: bool = True

    def __post_init__(self) -> None:
        for attr in ("name", "phone", "organization"):
            object.__setattr__(self, attr, " ".join(getattr(self, attr).split()))
        if not self.name:
            raise SupportsError("A recovery contact needs a name.")
        if len(self.name) > 80 or len(self.organization) > 120:
            raise SupportsError("Keep the name under 80 and the organization under 120 characters.")
        digits = [c for c in self.phone if c.isdigit()]
        if self.phone and not 3 <= len(digits) <= 15:
            raise SupportsError("The phone number should have 3 to 15 digits.")
        if self.phone and any(not (c.isdigit() or c in " +-().x") for c in self.phone):
            raise SupportsError("Use only digits, spaces and + - ( ) in the phone number.")

    @property
    def line(self) -> str:
        """`Sam R. (sponsor), 555-0100` for a plan's list of people to call."""
        who = f"{self.name} ({CONTACT_LABELS[self.role]}"
        who += f", {self.organization})" if self.organization else ")"
        return f"{who}, {self.phone}" if self.phone else who


def plan_contacts(contacts: Iterable[RecoveryContact]) -> list[str]:
    """The active contacts as the relapse prevention and safety plans list them: sponsors
    first, then peer recovery coaches, mentors and others, each by name."""
    order = list(ContactRole)
    active = [c for c in contacts if c.active]
    return [c.line for c in sorted(active, key=lambda c: (order.index(c.role), c.name.lower()))]
