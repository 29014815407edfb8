"""Billable program days: a payer's day rule applied to one participant's facts.

Every threshold is the payer's configuration (`DayRule`), never a constant: payers disagree on
the minimum hours a day, the days a week, which sessions count, whether a day needs a signed
note, and the codes on the claim (clinical.md §3 and §3a). The engine is pure: the caller loads
the facts (attendance, notes, holds, authorizations, Medicare certifications) for the window
that `facts_window` names and gets one `DayDecision` per day on which the participant attended
anything, billable or not, with every reason in plain words.

Days are local dates in the program's time zone; minutes are what the participant attended.
Time totals exclude breaks and sessions that do not count toward hours (recreation, passive
video): clinical.md §3a.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import IntEnum, StrEnum

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_day(day: date) -> str:
    """`5 Jan 2026`, the same whatever the server's locale."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def format_span(start: date, end: date | None) -> str:
    if end is None:
        return f"from {format_day(start)}"
    if start == end:
        return format_day(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day} to {format_day(end)}"
    if start.year == end.year:
        return f"{start.day} {_MONTHS[start.month - 1]} to {format_day(end)}"
    return f"{format_day(start)} to {format_day(end)}"


def format_hours(minutes: int) -> str:
    """`3 h`, `2.5 h`, `45 min`, or `2 h 50 min` when tenths of an hour would round."""
    if minutes % 60 == 0:
        return f"{minutes // 60} h"
    if minutes < 60:
        return f"{minutes} min"
    if minutes % 6 == 0:
        return f"{minutes // 60}.{minutes % 60 // 6} h"
    return f"{minutes // 60} h {minutes % 60} min"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


# --- configuration -------------------------------------------------------------------------


class Weekday(IntEnum):
    MONDAY = 0
    TUESDAY = 1
    WEDNESDAY = 2
    THURSDAY = 3
    FRIDAY = 4
    SATURDAY = 5
    SUNDAY = 6


class NoteRequirement(StrEnum):
    """What documentation a day needs before it can be billed."""

    NONE = "none"
    # At least one note for a counted session that day (or a note for the day), signed by, or
    # co-signed by, a clinician credentialed to bill.
    DAY = "day"
    # Every counted session needs such a note; an undocumented session's time and service do
    # not count toward the day.
    EACH_SESSION = "each_session"


class PartialWeeks(StrEnum):
    """Whether a week cut short by admission, discharge or a hold is held to the weekly
    minimum of billable days."""

    EXEMPT = "exempt"
    APPLY = "apply"


class MedicareTier(StrEnum):
    """Medicare IOP per-diem payment tiers (clinical.md §3, §3a)."""

    THREE = "3 services"
    FOUR_PLUS = "4 or more services"


_REVENUE_CODE = re.compile(r"^\d{4}$")
# HCPCS level II (a letter and four digits) or CPT (five digits, category II/III end in F/T).
_HCPCS = re.compile(r"^(?:[A-Z]\d{4}|\d{4}[0-9FT])$")
_MODIFIER = re.compile(r"^[A-Z0-9]{2}$")


@dataclass(frozen=True)
class BillingCode:
    """The revenue code and HCPCS pair on each claim line, e.g. 0905/S9480 or 0906/H0015."""

    revenue_code: str
    hcpcs: str
    modifiers: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not _REVENUE_CODE.match(self.revenue_code):
            raise ValueError(f"Revenue code {self.revenue_code!r} is not four digits.")
        if not _HCPCS.match(self.hcpcs):
            raise ValueError(f"{self.hcpcs!r} is not a HCPCS or CPT code.")
        if len(self.modifiers) > 4 or not all(_MODIFIER.match(m) for m in self.modifiers):
            raise ValueError("Up to four two-character procedure modifiers are allowed.")

    def __str__(self) -> str:
        return f"{self.revenue_code}/{self.hcpcs}"


@dataclass(frozen=True)
class MedicareRule:
    """Medicare IOP: a physician certifies the need for at least `min_certified_weekly_hours`
    of services a week and recertifies within `recertify_within_days`; each day is paid in a
    tier by its count of qualifying services (clinical.md §3, §3a)."""

    qualifying_categories: frozenset[str]
    min_services_per_day: int
    high_tier_min_services: int
    min_certified_weekly_hours: Decimal
    recertify_within_days: int
    # An initial certification signed within this many days after admission also covers the
    # days since admission ("as soon as practicable"); 0 = only days on or after signing.
    initial_certification_grace_days: int = 0

    def __post_init__(self) -> None:
        if not self.qualifying_categories:
            raise ValueError("Name at least one session category that is a qualifying service.")
        if self.min_services_per_day < 1:
            raise ValueError("A Medicare day needs at least one qualifying service.")
        if self.high_tier_min_services <= self.min_services_per_day:
            raise ValueError("The higher tier must need more services than the lower one.")
        if self.recertify_within_days < 1 or self.initial_certification_grace_days < 0:
            raise ValueError("Certification intervals must be positive.")
        if self.min_certified_weekly_hours < 0:
            raise ValueError("Certified weekly hours cannot be negative.")


@dataclass(frozen=True)
class DayRule:
    """One payer's billable-day rule for one kind of program.

    `counted_categories` are session categories (the values of the program's session
    categories, e.g. "process_group") whose attended time counts toward the day.
    `min_hours_per_day` None = no daily minimum; `min_days_per_week` None = no weekly minimum.
    """

    code: BillingCode
    counted_categories: frozenset[str]
    min_hours_per_day: Decimal | None
    min_days_per_week: int | None
    note_requirement: NoteRequirement
    units_per_day: int
    requires_authorization: bool
    week_starts_on: Weekday = Weekday.MONDAY
    partial_weeks: PartialWeeks = PartialWeeks.EXEMPT
    medicare: MedicareRule | None = None

    def __post_init__(self) -> None:
        if not self.counted_categories:
            raise ValueError("Name at least one session category that counts toward the day.")
        if self.min_hours_per_day is not None and not 0 < self.min_hours_per_day <= 24:
            raise ValueError("The daily minimum must be more than 0 and at most 24 hours.")
        if self.min_days_per_week is not None and not 1 <= self.min_days_per_week <= 7:
            raise ValueError("The weekly minimum must be between 1 and 7 days.")
        if self.units_per_day < 1:
            raise ValueError("A billable day carries at least one unit.")

    @property
    def min_minutes_per_day(self) -> int | None:
        if self.min_hours_per_day is None:
            return None
        return int((self.min_hours_per_day * 60).to_integral_value())

    def week_start(self, day: date) -> date:
        return day - timedelta(days=(day.weekday() - self.week_starts_on) % 7)


# --- facts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionAttended:
    """One session the participant attended (any attended status), on its local date.

    `label` names the session for the reasons ("Process group, 10:00"): a session title, never
    clinical content. `counts_toward_hours` is the program's own flag for the session type
    (breaks, recreation and passive video do not count).
    """

    session_id: str
    day: date
    category: str
    label: str
    minutes: int
    break_minutes: int = 0
    counts_toward_hours: bool = True

    def __post_init__(self) -> None:
        if self.minutes < 0 or self.break_minutes < 0:
            raise ValueError("Attended minutes cannot be negative.")

    @property
    def net_minutes(self) -> int:
        return max(self.minutes - self.break_minutes, 0)


@dataclass(frozen=True)
class NoteFact:
    """A clinical note's billing-relevant facts, never its text. `session_id` None is a note
    for the day. `credentialed` is true when the signer, or a co-signer, may bill."""

    day: date
    session_id: str | None
    signed: bool
    credentialed: bool


@dataclass(frozen=True)
class Hold:
    start: date
    end: date | None = None  # None: still on hold

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def overlaps(self, start: date, end: date) -> bool:
        return self.start <= end and (self.end is None or self.end >= start)


@dataclass(frozen=True)
class Certification:
    """A physician's Medicare IOP certification (`initial`) or recertification."""

    signed_on: date
    signer: str
    certified_weekly_hours: Decimal
    initial: bool


@dataclass(frozen=True)
class AuthorizationExtension:
    """More units and/or a later end approved on review."""

    approved_on: date
    additional_units: int
    new_end: date | None = None

    def __post_init__(self) -> None:
        if self.additional_units < 0:
            raise ValueError("An extension cannot take units away.")


@dataclass(frozen=True)
class Authorization:
    number: str
    start: date
    end: date
    approved_units: int
    extensions: tuple[AuthorizationExtension, ...] = ()
    next_review_on: date | None = None
    level_of_care: str = ""

    def __post_init__(self) -> None:
        if not self.number.strip():
            raise ValueError("An authorization needs its number.")
        if self.end < self.start:
            raise ValueError(f"Authorization {self.number} ends before it starts.")
        if self.approved_units < 0:
            raise ValueError(f"Authorization {self.number} cannot approve negative units.")

    @property
    def effective_end(self) -> date:
        ends = [e.new_end for e in self.extensions if e.new_end is not None]
        return max([self.end, *ends])

    @property
    def total_units(self) -> int:
        return self.approved_units + sum(e.additional_units for e in self.extensions)

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.effective_end

    def describe(self) -> str:
        return f"authorization {self.number} ({format_span(self.start, self.effective_end)})"


@dataclass(frozen=True)
class ParticipantFacts:
    """Everything the engine reads about one participant under one payer."""

    enrolled_from: date
    enrolled_until: date | None
    sessions: tuple[SessionAttended, ...]
    notes: tuple[NoteFact, ...] = ()
    holds: tuple[Hold, ...] = ()
    authorizations: tuple[Authorization, ...] = ()
    certifications: tuple[Certification, ...] = ()

    def enrolled_on(self, day: date) -> bool:
        return self.enrolled_from <= day and (
            self.enrolled_until is None or day <= self.enrolled_until
        )


# --- decisions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DayDecision:
    """One participant-day. `reasons` says every reason it is not billable (empty when it
    is); `summary` says what was found either way. `authorization` is the number billed
    against, or, on a day that is not billable, the one whose dates cover it (None: none)."""

    day: date
    billable: bool
    units: int
    counted_minutes: int
    reasons: tuple[str, ...]
    summary: str
    code: BillingCode
    authorization: str | None = None
    qualifying_services: int | None = None
    medicare_tier: MedicareTier | None = None


def facts_window(
    rule: DayRule, *, start: date, end: date, authorizations: Iterable[Authorization] = ()
) -> tuple[date, date]:
    """The dates whose facts the caller must load to decide [start, end] correctly: whole
    weeks (for the weekly minimum) and, for authorizations that reach into the period, every
    day since they started (their units are consumed in date order)."""
    first = start
    for auth in authorizations:
        if auth.start <= end and auth.effective_end >= start:
            first = min(first, auth.start)
    return rule.week_start(first), rule.week_start(end) + timedelta(days=6)


@dataclass
class _Day:
    """Working state of one day while it is judged."""

    day: date
    sessions: list[SessionAttended]
    counted: list[SessionAttended] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    # Counted sessions left out for want of a note (NoteRequirement.EACH_SESSION): a reason
    # when the day fails, a detail when it is billable anyway.
    undocumented: list[str] = field(default_factory=list)
    counted_minutes: int = 0
    services: int | None = None
    qualifies: bool = True  # passes every check made so far

    def fail(self, reason: str) -> None:
        self.reasons.append(reason)
        self.qualifies = False


def decide_days(
    rule: DayRule, facts: ParticipantFacts, *, start: date, end: date
) -> list[DayDecision]:
    """Decide every day in [start, end] on which the participant attended a session.

    All the facts given are judged (load them for `facts_window`), in date order, so that
    weekly minimums see whole weeks and authorizations are consumed from their first day; only
    the days in [start, end] are returned."""
    by_day: dict[date, list[SessionAttended]] = defaultdict(list)
    for session in facts.sessions:
        by_day[session.day].append(session)
    notes_by_day: dict[date, list[NoteFact]] = defaultdict(list)
    for note in facts.notes:
        notes_by_day[note.day].append(note)

    days = [_Day(day=d, sessions=by_day[d]) for d in sorted(by_day)]
    for d in days:
        _judge_enrollment(d, facts)
        _judge_time_and_notes(d, rule, notes_by_day[d.day])
        if rule.medicare is not None:
            _judge_medicare(d, rule.medicare, facts)
    _judge_weeks(days, rule, facts)

    decisions = _judge_authorizations(days, rule, facts)
    return [d for d in decisions if start <= d.day <= end]


def _judge_enrollment(d: _Day, facts: ParticipantFacts) -> None:
    if d.day < facts.enrolled_from:
        d.fail(f"before admission on {format_day(facts.enrolled_from)}")
    elif facts.enrolled_until is not None and d.day > facts.enrolled_until:
        d.fail(f"after discharge on {format_day(facts.enrolled_until)}")
    for hold in facts.holds:
        if hold.covers(d.day):
            d.fail(f"on hold {format_span(hold.start, hold.end)}")


def _documented(session: SessionAttended, notes: Sequence[NoteFact]) -> bool:
    return any(
        n.signed and n.credentialed and n.session_id in (session.session_id, None) for n in notes
    )


def _note_gap(counted: Sequence[SessionAttended], notes: Sequence[NoteFact]) -> str:
    """Why the counted sessions lack a billing note, said as precisely as the facts allow."""
    ids = {s.session_id for s in counted}
    relevant = [n for n in notes if n.session_id is None or n.session_id in ids]
    if any(not n.signed for n in relevant):
        return "no signed note by a credentialed clinician (a note is awaiting signature)"
    if any(n.signed and not n.credentialed for n in relevant):
        return (
            "no signed note by a credentialed clinician (signed without billing credentials;"
            " a co-signature is needed)"
        )
    return "no signed note by a credentialed clinician"


def _judge_time_and_notes(d: _Day, rule: DayRule, notes: Sequence[NoteFact]) -> None:
    counted: list[SessionAttended] = []
    excluded_minutes = 0
    for s in d.sessions:
        excluded_minutes += min(s.break_minutes, s.minutes)
        if s.counts_toward_hours and s.category in rule.counted_categories and s.net_minutes:
            counted.append(s)
        else:
            excluded_minutes += s.net_minutes

    if not counted:
        labels = ", ".join(sorted({s.label for s in d.sessions}))
        d.fail(f"no attended session counts toward billable time ({labels})")
    elif rule.note_requirement is NoteRequirement.EACH_SESSION:
        documented = [s for s in counted if _documented(s, notes)]
        if not documented:
            d.fail(_note_gap(counted, notes))
        for s in counted:
            if documented and s not in documented:
                excluded_minutes += s.net_minutes
                d.undocumented.append(
                    f"{s.label}: {_note_gap([s], notes)}; its {format_hours(s.net_minutes)}"
                    " not counted"
                )
        counted = documented
    elif rule.note_requirement is NoteRequirement.DAY and not any(
        _documented(s, notes) for s in counted
    ):
        d.fail(_note_gap(counted, notes))

    d.counted = counted
    d.counted_minutes = sum(s.net_minutes for s in counted)
    minimum = rule.min_minutes_per_day
    if minimum is not None and counted and d.counted_minutes < minimum:
        d.fail(f"{format_hours(d.counted_minutes)} attended, below {format_hours(minimum)}")

    summary = f"{format_hours(d.counted_minutes)} counted from {_plural(len(counted), 'session')}"
    if excluded_minutes:
        summary += f"; {format_hours(excluded_minutes)} not counted (breaks, other sessions)"
    d.details.append(summary)


def _current_certification(
    day: date, medicare: MedicareRule, facts: ParticipantFacts
) -> tuple[Certification | None, str | None]:
    """The certification that covers `day`, or the reason none does."""
    signed = sorted(
        (c for c in facts.certifications if c.signed_on <= day), key=lambda c: c.signed_on
    )
    if signed:
        latest = signed[-1]
        due = latest.signed_on + timedelta(days=medicare.recertify_within_days)
        if day <= due:
            return latest, None
        return None, (
            f"no current physician certification: the last, signed "
            f"{format_day(latest.signed_on)}, lapsed; recertification was due {format_day(due)}"
        )
    grace = medicare.initial_certification_grace_days
    for cert in facts.certifications:
        if (
            cert.initial
            and facts.enrolled_from <= day < cert.signed_on
            and (cert.signed_on - facts.enrolled_from).days <= grace
        ):
            return cert, None
    return None, "no current physician certification"


def _judge_medicare(d: _Day, medicare: MedicareRule, facts: ParticipantFacts) -> None:
    cert, problem = _current_certification(d.day, medicare, facts)
    if problem is not None:
        d.fail(problem)
    elif cert is not None and cert.certified_weekly_hours < medicare.min_certified_weekly_hours:
        d.fail(
            f"the physician certification of {cert.certified_weekly_hours} h/week is below the "
            f"{medicare.min_certified_weekly_hours} h/week Medicare IOP needs"
        )
    services = len(
        {s.session_id for s in d.counted if s.category in medicare.qualifying_categories}
    )
    d.services = services
    if services < medicare.min_services_per_day:
        d.fail(
            f"{_plural(services, 'qualifying service')}, Medicare IOP needs at least "
            f"{medicare.min_services_per_day}"
        )


def _partial_week(week_start: date, facts: ParticipantFacts) -> str | None:
    week_end = week_start + timedelta(days=6)
    if facts.enrolled_from > week_start:
        return f"admitted {format_day(facts.enrolled_from)}"
    if facts.enrolled_until is not None and facts.enrolled_until < week_end:
        return f"discharged {format_day(facts.enrolled_until)}"
    for hold in facts.holds:
        if hold.overlaps(week_start, week_end):
            return f"on hold {format_span(hold.start, hold.end)}"
    return None


def _judge_weeks(days: Sequence[_Day], rule: DayRule, facts: ParticipantFacts) -> None:
    minimum = rule.min_days_per_week
    if minimum is None:
        return
    weeks: dict[date, list[_Day]] = defaultdict(list)
    for d in days:
        weeks[rule.week_start(d.day)].append(d)
    for week_start, members in weeks.items():
        qualifying = sum(1 for d in members if d.qualifies)
        if qualifying >= minimum:
            continue
        partial = _partial_week(week_start, facts)
        for d in members:
            if partial is not None and rule.partial_weeks is PartialWeeks.EXEMPT:
                d.details.append(f"weekly minimum not applied: partial week ({partial})")
                continue
            d.fail(
                f"only {_plural(qualifying, 'qualifying day')} in the week of "
                f"{format_day(week_start)}; the payer needs {minimum}"
            )


def _judge_authorizations(
    days: Sequence[_Day], rule: DayRule, facts: ParticipantFacts
) -> list[DayDecision]:
    auths = sorted(facts.authorizations, key=lambda a: (a.start, a.number))
    left = {a.number: a.total_units for a in auths}
    decisions = []
    for d in days:
        covering = [a for a in auths if a.covers(d.day)]
        billed_against: str | None = None
        if rule.requires_authorization:
            if not covering:
                d.fail(_outside(d.day, auths))
            elif d.qualifies:
                usable = [a for a in covering if left[a.number] >= rule.units_per_day]
                if usable:
                    billed_against = usable[0].number
                    left[billed_against] -= rule.units_per_day
                else:
                    numbers = ", ".join(a.number for a in covering)
                    d.fail(f"all approved units used on authorization {numbers}")
        billable = d.qualifies
        if billable:
            d.details.extend(d.undocumented)
        else:
            d.reasons.extend(d.undocumented)
        tier = None
        medicare = rule.medicare
        if medicare is not None and d.services is not None and billable:
            tier = (
                MedicareTier.FOUR_PLUS
                if d.services >= medicare.high_tier_min_services
                else MedicareTier.THREE
            )
        summary = "; ".join(d.details)
        if d.services is not None:
            summary += f"; {_plural(d.services, 'qualifying service')}"
        decisions.append(
            DayDecision(
                day=d.day,
                billable=billable,
                units=rule.units_per_day if billable else 0,
                counted_minutes=d.counted_minutes,
                reasons=tuple(d.reasons),
                summary=summary,
                code=rule.code,
                authorization=billed_against or (covering[0].number if covering else None),
                qualifying_services=d.services,
                medicare_tier=tier,
            )
        )
    return decisions


def _outside(day: date, auths: Sequence[Authorization]) -> str:
    if not auths:
        return "no authorization on file"

    def distance(a: Authorization) -> int:
        return (a.start - day).days if day < a.start else (day - a.effective_end).days

    nearest = min(auths, key=distance)
    return f"outside {nearest.describe()}"
