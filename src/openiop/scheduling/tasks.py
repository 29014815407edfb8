"""Scheduling's background work: weekly compliance follow-ups.

Runs hourly so that each program's week is judged soon after it ends at its own local midnight,
whatever the time zone. Re-running is harmless: a follow-up exists at most once per episode,
kind and week (a unique constraint).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from openiop.lib.timezones import local_date
from openiop.ops.periodic import periodic
from openiop.participants.models import Episode, EpisodeStatus
from openiop.programs.models import Program
from openiop.scheduling.attendance import follow_up_raise
from openiop.scheduling.hours import participants_weeks, week_start_of
from openiop.scheduling.models import FollowUpKind
from openiop.scheduling.reminders import reminders_send


def compliance_check(*, program: Program, week_start: date) -> int:
    """Raise follow-ups for one ended program week: attended hours below the program's minimum,
    and no individual session where the program requires one. Only episodes in treatment for
    the whole week are judged; a participant who started mid-week could not have met it.
    Returns how many follow-ups were created."""
    episodes = list(
        Episode.objects.filter(
            program=program,
            status=EpisodeStatus.ACTIVE,
            started_on__lte=week_start,
        )
    )
    if not episodes:
        return 0
    # The query already leaves out anyone who started after the week's Monday; the first days
    # make WeekHours itself refuse to judge such a week, whoever calls it.
    weeks = participants_weeks(
        program=program,
        participant_ids=[e.participant_id for e in episodes],
        week_starts=[week_start],
        first_days={e.participant_id: e.started_on for e in episodes if e.started_on},
    )
    created = 0
    for episode in episodes:
        week = weeks[(episode.participant_id, week_start)]
        if week.below_minimum:
            created += follow_up_raise(
                episode=episode,
                kind=FollowUpKind.HOURS_BELOW,
                week_start=week_start,
                detail=f"Attended {week.attended_hours} h of {week.scheduled_hours} h scheduled;"
                f" the program minimum is {week.minimum} h.",
            )
        if week.individual_missing:
            created += follow_up_raise(
                episode=episode,
                kind=FollowUpKind.NO_INDIVIDUAL,
                week_start=week_start,
                detail="No individual session was attended this week.",
            )
    return created


@periodic("scheduling.compliance", every=timedelta(hours=1))
def compliance_follow_ups(now: datetime) -> str:
    """Judge each active program's most recently ended week (in its own time zone)."""
    created = 0
    programs = Program.objects.filter(is_active=True)
    for program in programs:
        last_week = week_start_of(local_date(now, program.time_zone)) - timedelta(days=7)
        created += compliance_check(program=program, week_start=last_week)
    return f"{created} follow-ups raised"


@periodic("scheduling.reminders", every=timedelta(minutes=5))
def session_reminders(now: datetime) -> str:
    return reminders_send(now)
