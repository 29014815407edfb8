"""What the homework room adds to shared pages (the signatures: participants/panels.py), and
to the pages of the rooms below through their hooks (apps.py)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from openiop.accounts.roles import Perm
from openiop.audit.models import AccessAction
from openiop.audit.services import access_record
from openiop.diary.selectors import visible_episode_ids
from openiop.homework.library import program_library, week_in_group
from openiop.homework.models import Assignment, Outcome
from openiop.homework.selectors import (
    portal_homework,
    practices_between,
    skill_name,
    staff_homework,
)
from openiop.lib.http import AuthedRequest
from openiop.lib.timezones import today_in
from openiop.participants.models import OPEN_STATUSES, Episode, Participant
from openiop.participants.panels import Chart
from openiop.programs.models import SessionCategory
from openiop.scheduling.models import Session
from openiop.skills.library import shipped_library

CHART_WEEKS = 6
ASSIGNING_SESSIONS = (
    SessionCategory.SKILLS_GROUP,
    SessionCategory.INDIVIDUAL,
    SessionCategory.PSYCHOEDUCATION,
    SessionCategory.MINDFULNESS,
)


def chart_context(request: AuthedRequest, chart: Chart) -> dict[str, Any]:
    """Homework of the last weeks and whether it was practised (clinical content: a
    substance-use program's homework only for users with Part 2 access)."""
    if not chart.sees_clinical:
        return {}
    # The chart's episodes are those of the viewer's programs; a substance-use program's only
    # with Part 2 access (as diary.selectors.visible_episode_ids, without its query).
    sud = request.user.can(Perm.PARTICIPANT_SUD)
    episode_ids = [e.pk for e in chart.episodes if sud or not e.program.treats_sud]
    if not episode_ids:
        return {}
    # Names only: a hidden item keeps its name on homework given before it was hidden.
    rows = staff_homework(
        chart.participant,
        episode_ids,
        shipped_library(),
        since=chart.today - timedelta(weeks=CHART_WEEKS),
    )
    may_assign = (
        request.user.can(Perm.PARTICIPANT_WRITE)
        and chart.current is not None
        and chart.current.pk in episode_ids
        and chart.current.status in OPEN_STATUSES
    )
    return {
        "homework_panel": {
            "rows": rows,
            "done": sum(1 for row in rows if row.done),
            "may_assign": may_assign,
        }
    }


def diary_review_context(
    request: AuthedRequest, participant: Participant, episode: Episode | None, week: date
) -> dict[str, Any]:
    """The weekly diary review: the week's homework and every practice logged in the week."""
    episode_ids = visible_episode_ids(request.user, participant)
    if not episode_ids:
        return {}
    last = week + timedelta(days=6)
    library = program_library(episode.program if episode else None)
    rows = staff_homework(participant, episode_ids, library, since=week, until=last)
    practices = practices_between(participant, episode_ids, week, last)
    return {
        "homework_week": {
            "rows": rows,
            "done": sum(1 for row in rows if row.done),
            "practices": [(p, skill_name(library, p.skill_id)) for p in practices],
            "practised": sum(1 for p in practices if p.outcome != Outcome.NOT_YET),
        }
    }


def session_context(request: AuthedRequest, session: Session) -> dict[str, Any]:
    """A session's page: the way to give the group homework, and what was given in it."""
    if not request.user.can(Perm.PARTICIPANT_CLINICAL):
        return {}
    library = program_library(session.program)
    given = list(Assignment.objects.filter(session=session).select_related("participant"))
    visible = [a for a in given if a.episode_id in _readable_episodes(request, given)]
    return {
        "homework_session": {
            "may_assign": request.user.can(Perm.PARTICIPANT_WRITE)
            and session.session_type.category in ASSIGNING_SESSIONS,
            "given": [(a, skill_name(library, a.skill_id)) for a in visible],
        }
    }


def _readable_episodes(request: AuthedRequest, given: list[Any]) -> set[int]:
    ids: set[int] = set()
    for participant in {a.participant for a in given}:
        ids.update(visible_episode_ids(request.user, participant))
    return ids


def portal_context(request: AuthedRequest, participant: Participant) -> dict[str, Any]:
    """The portal home: this week in the skills group and the homework not yet done."""
    episode = (
        participant.episodes.filter(status__in=OPEN_STATUSES)
        .select_related("program")
        .order_by("-inquiry_on")
        .first()
    )
    if episode is None:
        return {}
    today = today_in(episode.program.time_zone)
    library = program_library(episode.program)
    language = getattr(request, "LANGUAGE_CODE", "en")
    rows = portal_homework(participant, library, language, today=today)
    access_record(
        request=request,
        action=AccessAction.LIST,
        object_type="homework",
        participant=participant,
    )
    week = week_in_group(episode.program, library, today)
    return {
        "group_week": week,
        "group_week_items": [
            (item.id, item.page(language).name, item.page(language).summary)
            for item in (week.items if week else [])
        ],
        "homework_open": [row for row in rows if not row.done],
    }
