"""Which track suits a participant being admitted (or waiting): the program's active tracks,
ranked by the pure core's `rank_tracks` (solver/placement.py) from the database: seats (the
smallest capacity of the track's active group series against the open episodes on it), the
participant's declared unavailable times, where the start falls in the skills rotation, and the
weekly hours they would reach."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Min

from openiop.participants.models import IN_TREATMENT_STATUSES, Episode, Participant
from openiop.programs.models import CurriculumBlock, Program, SessionCategory, SessionType, Track
from openiop.scheduling.models import SessionSeries, Unavailability
from openiop.scheduling.solver import Candidate, Curriculum, TrackFit, TrackOption, rank_tracks
from openiop.scheduling.solver.problem import Unavailable

# Seats of a track with no group series yet (nothing bounds it).
DEFAULT_SEATS = 12


def _minutes(hours: object) -> int:
    return int(float(str(hours)) * 60)


def curriculum_of(program: Program) -> Curriculum | None:
    blocks = list(CurriculumBlock.objects.filter(program=program).order_by("position", "pk"))
    if not blocks or program.curriculum_starts_on is None:
        return None
    start = program.curriculum_starts_on
    return Curriculum(
        blocks=tuple((b.module, b.weeks) for b in blocks),
        starts_on=start - timedelta(days=start.weekday()),
    )


def track_fits(*, participant: Participant, program: Program, starts_on: date) -> list[TrackFit]:
    """Every active track of the program, best first, with each rule's finding in words."""
    tracks = list(Track.objects.filter(program=program, is_active=True).order_by("name", "pk"))
    seats = dict(
        SessionSeries.objects.filter(track__in=tracks, is_active=True)
        .values_list("track_id")
        .annotate(Min("capacity"))
    )
    on_track: dict[int, int] = {}
    for track_id in (
        Episode.objects.filter(program=program, track__in=tracks, status__in=IN_TREATMENT_STATUSES)
        .exclude(participant=participant)
        .values_list("track_id", flat=True)
    ):
        on_track[track_id] = on_track.get(track_id, 0) + 1
    individual = (
        SessionType.objects.filter(
            program=program, category=SessionCategory.INDIVIDUAL, is_active=True
        )
        .order_by("pk")
        .first()
    )
    person = Candidate(
        key=f"p{participant.pk}",
        name=participant.display_name,
        starts_on=starts_on,
        unavailable=tuple(
            Unavailable(weekday=u.weekday, start=u.start_time, end=u.end_time, reason=u.reason)
            for u in Unavailability.objects.filter(participant=participant)
        ),
    )
    options = [
        TrackOption(
            key=f"t{t.pk}",
            name=t.name,
            weekdays=tuple(t.weekdays),
            start=t.start_time,
            end=t.end_time,
            seats=seats.get(t.pk, DEFAULT_SEATS),
            enrolled=on_track.get(t.pk, 0),
        )
        for t in tracks
    ]
    return rank_tracks(
        person,
        options,
        curriculum_of(program),
        individual_minutes=individual.default_minutes if individual else 60,
        weekly_minutes_min=_minutes(program.weekly_hours_min),
        weekly_minutes_max=_minutes(program.weekly_hours_max),
    )
