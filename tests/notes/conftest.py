"""Builders for the notes tests: a group session that has happened, with attendance recorded
and a current treatment plan (with objectives) for every attendee, and a note that passes
every check before signing, so that each test can break exactly one thing."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from openiop.accounts.models import User
from openiop.care.models import PlanGoal, PlanObjective, PlanProblem, TreatmentPlan
from openiop.notes import services
from openiop.notes.models import ClinicalNote, NoteFormat
from openiop.notes.services import EntryInput
from openiop.participants.models import Episode, EpisodeStatus
from openiop.programs.models import Program, SessionCategory
from openiop.scheduling.models import (
    Attendance,
    AttendanceStatus,
    RosterEntry,
    RosterSource,
    Session,
)
from tests import factories as f

# Words that never collide with the factory names (Alex<n> Testperson<n>).
WRITE_UPS = [
    "Described using paced breathing before a hard phone call; practised it twice in group.",
    "Named a trigger at work and role-played a calm reply; wants to try it this week.",
    "Quiet at first, then shared one instance of checking the facts about a worry.",
    "Rated distress 7 then 4 after the exercise; linked it to sleep getting better.",
    "Practised a half smile and willing hands; said the body posture helped a little.",
    "Brought a diary card showing an urge that passed without acting on it.",
    "Asked how to use the skill with family; agreed to try it at dinner on Sunday.",
    "Struggled to stay present; used grounding with five senses and returned to the task.",
    "Compared two coping choices with pros and cons and picked a walk over isolating.",
    "Reported fewer arguments; used a DEAR MAN script with a landlord this week.",
    "Shared that mornings are hardest; planned an opposite-action routine for Tuesday.",
    "Tried the ice-water step of TIPP in a demonstration and noticed the heart slow.",
    "Described a lapse honestly; made a repair plan with the group's support.",
    "Listened, then described a wise-mind decision about a text message.",
    "Identified shame as the main emotion of the week and practised self-validation.",
    "Used radical acceptance language about a court date; wants more practice.",
]


def objectives_for(
    episode: Episode, author: User, *, expires_on: date | None = None
) -> list[PlanObjective]:
    today = timezone.localdate()
    plan = TreatmentPlan.objects.create(
        organization_id=episode.organization_id,
        participant_id=episode.participant_id,
        episode=episode,
        version=1,
        status="current",
        content_hash="x" * 64,
        created_by=author,
        effective_on=today - timedelta(days=20),
        expires_on=expires_on or today + timedelta(days=40),
    )
    problem = PlanProblem.objects.create(
        organization_id=episode.organization_id, plan=plan, description="Intense emotions"
    )
    goal = PlanGoal.objects.create(
        organization_id=episode.organization_id,
        problem=problem,
        description="Get through crises without making them worse",
    )
    return [
        PlanObjective.objects.create(
            organization_id=episode.organization_id,
            goal=goal,
            position=i,
            description=text,
            measure_kind="behaviour",
            target_text=text,
        )
        for i, text in enumerate(["Use a skill when distress rises", "Attend every group"])
    ]


def group_session(
    program: Program,
    *,
    facilitator: User,
    director: User,
    attendees: int,
    absent: int = 0,
    category: str = SessionCategory.SKILLS_GROUP,
    is_group: bool = True,
    topic: str = "Distress tolerance: TIPP",
    episodes: list[Episode] | None = None,
) -> SimpleNamespace:
    """A 90-minute session that ended two hours ago; everyone present except `absent` people
    recorded absent (excused). Each episode has a current plan with two objectives."""
    kind = f.SessionTypeFactory(program=program, category=category, is_group=is_group)
    starts = timezone.now() - timedelta(hours=3, minutes=30)
    session = Session.objects.create(
        organization=program.organization,
        program=program,
        session_type=kind,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=90),
        topic=topic,
        created_by=director,
    )
    session.facilitators.set([facilitator])
    people = list(episodes or [])
    for _ in range(attendees + absent - len(people)):
        participant = f.ParticipantFactory(organization=program.organization)
        people.append(
            f.EpisodeFactory(participant=participant, program=program, status=EpisodeStatus.ACTIVE)
        )
    objectives = {}
    for i, episode in enumerate(people):
        RosterEntry.objects.create(
            organization=program.organization,
            session=session,
            participant_id=episode.participant_id,
            episode=episode,
            source=RosterSource.TRACK,
        )
        present = i < attendees
        Attendance.objects.create(
            organization=program.organization,
            session=session,
            participant_id=episode.participant_id,
            episode=episode,
            status=AttendanceStatus.PRESENT if present else AttendanceStatus.ABSENT_EXCUSED,
            minutes=90 if present else 0,
            recorded_by=facilitator,
            recorded_at=starts + timedelta(minutes=5),
        )
        objectives[episode.participant_id] = objectives_for(episode, director)
    return SimpleNamespace(session=session, episodes=people, objectives=objectives)


def complete_input(objectives: list[PlanObjective], i: int) -> EntryInput:
    return EntryInput(
        participation="active",
        response="practised",
        text=WRITE_UPS[i % len(WRITE_UPS)] + ("" if i < len(WRITE_UPS) else f" ({i})"),
        objective_ids=[str(objectives[0].public_id)],
        si_asked=True,
        si_present=False,
        hi_asked=True,
        hi_present=False,
    )


def fill_group_note(note: ClinicalNote, author: User, objectives: dict) -> ClinicalNote:
    entries = {
        e.pk: complete_input(objectives[e.participant_id], i)
        for i, e in enumerate(note.entries.order_by("id"))
    }
    return services.note_save(
        note=note,
        actor=author,
        narrative="Taught the four TIPP steps; each member practised paced breathing.",
        interventions="Skills teaching, rehearsal, homework review",
        entries=entries,
    )


@pytest.fixture
def group(world: SimpleNamespace) -> SimpleNamespace:
    """Three attendees (one of them the world's participant) and one absent; the note is
    filled in completely by the world's clinician and passes every check."""
    built = group_session(
        world.program,
        facilitator=world.clinician,
        director=world.director,
        attendees=3,
        absent=1,
        episodes=[world.episode],
    )
    note = services.note_open_for_session(session=built.session, actor=world.clinician)
    built.note = fill_group_note(note, world.clinician, built.objectives)
    return built


@pytest.fixture
def individual(world: SimpleNamespace) -> SimpleNamespace:
    built = group_session(
        world.program,
        facilitator=world.clinician,
        director=world.director,
        attendees=1,
        category=SessionCategory.INDIVIDUAL,
        is_group=False,
        topic="",
        episodes=[world.episode],
    )
    note = services.note_open_for_session(
        session=built.session, actor=world.clinician, format=NoteFormat.BIRP
    )
    entry = note.entries.get()
    built.note = services.note_save(
        note=note,
        actor=world.clinician,
        sections={
            "behavior": "Arrived on time, tired; reported two hard evenings.",
            "intervention": "Chain analysis of Tuesday's urge; rehearsed opposite action.",
            "response": "Identified the link where a skill would have helped.",
            "plan": "Practise opposite action daily; review the diary card next week.",
        },
        entries={entry.pk: complete_input(built.objectives[world.participant.pk], 0)},
    )
    return built


def note_post_data(note: ClinicalNote, objectives: dict, *, action: str = "save") -> dict[str, Any]:
    """The note form as the browser posts it, every section complete (no objective for an
    attendee who has none)."""
    data: dict[str, Any] = {
        "action": action,
        "topic": note.topic,
        "narrative": "Taught the four TIPP steps; everyone practised paced breathing.",
        "interventions": "Skills teaching and rehearsal",
    }
    for i, entry in enumerate(note.entries.order_by("id")):
        p = f"e{entry.pk}-"
        data.update(
            {
                p + "participation": "active",
                p + "response": "practised",
                p + "text": WRITE_UPS[i],
                p + "objectives": [str(o.public_id) for o in objectives[entry.participant_id][:1]],
                p + "si_asked": "yes",
                p + "si_present": "no",
                p + "hi_asked": "yes",
                p + "hi_present": "no",
                p + "risk_follow_up": "",
            }
        )
    return data
