"""Reads of the homework room: the participant's own homework, and what staff see of it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from openiop.homework.models import Assignment, Outcome, Practice
from openiop.participants.models import OPEN_STATUSES, Participant
from openiop.skills.library import Library, UnknownItem


@dataclass
class HomeworkRow:
    assignment: Assignment
    name: str
    practices: list[Practice] = field(default_factory=list)

    @property
    def latest(self) -> Practice | None:
        return self.practices[0] if self.practices else None

    @property
    def done(self) -> bool:
        return any(p.outcome == Outcome.DONE for p in self.practices)

    @property
    def tried(self) -> bool:
        return any(p.outcome in (Outcome.DONE, Outcome.TRIED) for p in self.practices)


def skill_name(library: Library, skill_id: str, language: str = "en") -> str:
    """The item's name in the reader's language; a hidden item still has its name (homework
    given before it was hidden), and a removed one shows its id."""
    try:
        return library.get(skill_id, include_hidden=True).page(language).name
    except UnknownItem:
        return skill_id


def _rows(assignments: Iterable[Assignment], library: Library, language: str) -> list[HomeworkRow]:
    rows = []
    for assignment in assignments:
        practices = sorted(
            assignment.practices.all(), key=lambda p: (p.practised_on, p.pk), reverse=True
        )
        rows.append(
            HomeworkRow(assignment, skill_name(library, assignment.skill_id, language), practices)
        )
    return rows


def _with_practices(qs: QuerySet[Assignment]) -> QuerySet[Assignment]:
    return qs.select_related("episode__program", "assigned_by", "session").prefetch_related(
        "practices"
    )


def portal_homework(
    participant: Participant, library: Library, language: str, *, today: date
) -> list[HomeworkRow]:
    """The participant's own homework in their open episodes: what is not done yet, and what
    was due in the last two weeks."""
    qs = Assignment.objects.filter(
        participant=participant,
        episode__status__in=OPEN_STATUSES,
        due_on__gte=today - timedelta(days=14),
    )
    return _rows(_with_practices(qs), library, language)


def portal_assignment(participant: Participant, public_id: UUID | str) -> Assignment:
    """One of the participant's own assignments in an open episode; anyone else's is a 404."""
    try:
        return Assignment.objects.select_related("episode__program").get(
            participant=participant, episode__status__in=OPEN_STATUSES, public_id=public_id
        )
    except (Assignment.DoesNotExist, ValidationError, ValueError):
        raise Http404("No such homework.") from None


def staff_homework(
    participant: Participant,
    episode_ids: Iterable[int],
    library: Library,
    *,
    since: date | None = None,
    until: date | None = None,
) -> list[HomeworkRow]:
    """Homework of the episodes the viewer may read (the caller decides which), due in a
    window when one is given."""
    qs = Assignment.objects.filter(participant=participant, episode_id__in=list(episode_ids))
    if since is not None:
        qs = qs.filter(due_on__gte=since)
    if until is not None:
        qs = qs.filter(due_on__lte=until)
    return _rows(_with_practices(qs.order_by("-due_on", "-id")), library, "en")


def practices_between(
    participant: Participant, episode_ids: Iterable[int], first: date, last: date
) -> list[Practice]:
    return list(
        Practice.objects.filter(
            participant=participant,
            episode_id__in=list(episode_ids),
            practised_on__gte=first,
            practised_on__lte=last,
        ).order_by("practised_on", "id")
    )
