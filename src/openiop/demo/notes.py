"""Demo notes: a note for each session of the last two weeks that someone attended, written by
its first clinical facilitator. Most are signed (the content hash computed exactly as
note_sign would); the notes of the last day, two older ones (overdue on the homes) and any
whose attendee has no current plan to link stay drafts. Supervisees' notes are co-signed
after a day, except the latest few (waiting on the supervisor's home); one note has an
addendum. Rows are written in bulk so the demo builds quickly; sign checks are not run row by
row, the texts are generated so that each attendee's section is their own and names nobody.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta

from openiop.accounts.models import User
from openiop.accounts.roles import Role
from openiop.care.models import PlanStatus, TreatmentPlan
from openiop.notes.models import (
    ClinicalNote,
    NoteAddendum,
    NoteEntry,
    NoteFormat,
    NoteKind,
    NoteObjective,
    NoteStatus,
    Participation,
    Response,
    note_content,
)
from openiop.notes.services import (
    _name_in,
    _names_of,
    addendum_hash,
    digest,
    linkable_objectives,
    note_kind_for,
    session_local_date,
)
from openiop.programs.models import Program
from openiop.scheduling.hours import local_midnight
from openiop.scheduling.models import (
    ATTENDED_STATUSES,
    Attendance,
    FamilyAttendee,
    RosterEntry,
    Session,
)

WINDOW_DAYS = 14
OVERDUE_DRAFTS = 2
PENDING_COSIGN = 3

OPENINGS = [
    "Arrived settled and",
    "Started quietly, then",
    "Came in tired after work but",
    "Was talkative today and",
    "Looked tense at check-in, then",
    "Was early and",
    "Said the week had been hard but",
    "Reported a better week and",
    "Checked in with low mood, yet",
    "Had homework ready and",
]
MIDDLES = [
    "practised paced breathing twice",
    "described a trigger at home and a calmer reply",
    "named the emotion under an argument",
    "used pros and cons on a decision about drinking",
    "role-played asking a manager for time off",
    "compared urges before and after the exercise",
    "shared a mindful walk from the weekend",
    "worked through checking the facts on a worry",
    "tried a half smile and willing hands",
    "described using cold water during a surge of panic",
    "linked poor sleep to irritability",
    "planned an opposite-action step for the week",
]
CLOSINGS = [
    "and set a small goal for Thursday.",
    "and asked for a copy of the handout.",
    "and will log the skill on the diary card.",
    "and said the skill felt awkward but useful.",
    "and agreed to try it with family.",
    "and rated distress lower at the end.",
    "and wants more practice next session.",
    "and offered support to the group.",
]
NARRATIVES = [
    "Reviewed homework, taught the session's skill with a short demonstration, practised in "
    "pairs and set practice for the week.",
    "Opened with a mindfulness exercise, discussed the week's diary cards in general terms, "
    "taught and rehearsed the skill, closed with a check-out.",
    "Psychoeducation on the topic followed by guided practice and a group discussion of where "
    "members could use it this week.",
]
INTERVENTIONS = [
    "Skills teaching, modelling, behavioural rehearsal, homework review",
    "Mindfulness practice, psychoeducation, group discussion",
    "Validation, skills coaching, role-play",
]
DAP = {
    "data": [
        "Reported two difficult evenings; diary card shows urges at 2-3, no actions.",
        "Described conflict at home; slept about five hours a night; attended all groups.",
        "Came in calm; reported using skills at work twice this week.",
    ],
    "assessment": [
        "Making steady progress; skills use is rising and urges are lower than at admission.",
        "Mood lower this week, linked to sleep; no new risk; engaged in the session.",
        "Engaged and motivated; understanding of the skills is growing.",
    ],
    "plan": [
        "Continue the plan; practise opposite action daily; review sleep next session.",
        "Chain analysis of one evening next week; keep the diary card daily.",
        "Practise the skill at work; next individual session in one week.",
    ],
}
ADDENDUM_TEXT = (
    "Phoned the next day to follow up on the homework; practising the skill daily and "
    "feeling more confident."
)


def _facilitator(session: Session, director: User | None) -> User | None:
    clinical = [u for u in session.facilitators.all() if u.role in (Role.CLINICIAN, Role.DIRECTOR)]
    return clinical[0] if clinical else director


def _write_up(rng: random.Random, used: set[str], names: set[str]) -> str:
    for _ in range(50):
        text = f"{rng.choice(OPENINGS)} {rng.choice(MIDDLES)} {rng.choice(CLOSINGS)}"
        if text not in used and _name_in(text, names) is None:
            used.add(text)
            return text
    return f"{rng.choice(OPENINGS)} took part in the exercise ({len(used) + 1})."


def build(*, program: Program, today: date, rng: random.Random) -> int:
    """Synthetic records for the demo clinic; returns how many notes were made."""
    midnight = local_midnight(today, program.time_zone)
    sessions = list(
        Session.objects.filter(
            program=program,
            status="scheduled",
            starts_at__gte=midnight - timedelta(days=WINDOW_DAYS),
            ends_at__lt=midnight,
        )
        .select_related("session_type", "lesson__block", "program")
        .prefetch_related("facilitators")
        .order_by("starts_at", "id")
    )
    if not sessions:
        return 0
    director = User.objects.filter(role=Role.DIRECTOR, assignments__program=program).first()
    roster: dict[int, list[RosterEntry]] = defaultdict(list)
    for row in RosterEntry.objects.filter(session__in=sessions).select_related("participant"):
        roster[row.session_id].append(row)
    attendance = {
        (a.session_id, a.participant_id): a for a in Attendance.objects.filter(session__in=sessions)
    }
    episode_ids = {r.episode_id for rows in roster.values() for r in rows}
    objectives = linkable_objectives(episode_ids)
    # A note cannot be signed against a plan that had expired by the session (the care demo
    # leaves one plan past its expiry, waiting for review).
    plans = {
        plan.episode_id: plan
        for plan in TreatmentPlan.objects.filter(
            episode_id__in=episode_ids, status=PlanStatus.CURRENT
        ).only("episode_id", "expires_on")
    }
    relationships: dict[int, list[str]] = defaultdict(list)
    family_sessions = [s for s in sessions if note_kind_for(s) == NoteKind.FAMILY]
    if family_sessions:
        for session_id, relationship in (
            FamilyAttendee.objects.filter(session__in=family_sessions)
            .order_by("id")
            .values_list("session_id", "contact__relationship")
        ):
            relationships[session_id].append(relationship)

    notes: list[ClinicalNote] = []
    attended_at: dict[int, list[tuple[RosterEntry, Attendance]]] = {}
    for session in sessions:
        author = _facilitator(session, director)
        kind = note_kind_for(session)
        rows = roster.get(session.pk, [])
        records = [(r, attendance.get((session.pk, r.participant_id))) for r in rows]
        attended: list[tuple[RosterEntry, Attendance]] = []
        for r, a in records:
            if a is not None and a.status in ATTENDED_STATUSES:
                attended.append((r, a))
        if author is None or not attended:
            continue
        if kind != NoteKind.GROUP and len(attended) != len(records):
            continue
        lesson = ""
        if session.lesson is not None:
            lesson = f"{session.lesson.block.get_module_display()}: {session.lesson.title}"
        note = ClinicalNote(
            organization_id=program.organization_id,
            program=program,
            session=session,
            kind=kind,
            format=NoteFormat.GROUP if kind == NoteKind.GROUP else NoteFormat.DAP,
            author=author,
            topic=session.topic,
            lesson=lesson[:300],
            facilitators=", ".join(
                u.display_name for u in sorted(session.facilitators.all(), key=lambda u: u.pk)
            )[:500],
            minutes=session.minutes,
            occurred_at=session.starts_at,
            absent_count=len(records) - len(attended) if kind == NoteKind.GROUP else 0,
            family_attending=", ".join(relationships.get(session.pk, []))[:300],
            narrative=rng.choice(NARRATIVES) if kind == NoteKind.GROUP else "",
            interventions=rng.choice(INTERVENTIONS) if kind == NoteKind.GROUP else "",
            sections={k: rng.choice(v) for k, v in DAP.items()} if kind != NoteKind.GROUP else {},
        )
        notes.append(note)
        attended_at[id(note)] = attended
    ClinicalNote.objects.bulk_create(notes, batch_size=500)

    entries: list[NoteEntry] = []
    entries_of: dict[int, list[NoteEntry]] = defaultdict(list)
    names_everyone = {
        s.pk: set().union(*(_names_of(r.participant) for r in roster[s.pk]))
        for s in sessions
        if roster.get(s.pk)
    }
    for note in notes:
        used: set[str] = set()
        names = names_everyone.get(note.session_id or 0, set())
        for row, record in attended_at[id(note)]:
            entry = NoteEntry(
                organization_id=program.organization_id,
                note=note,
                participant_id=row.participant_id,
                episode_id=row.episode_id,
                attendance_status=record.status,
                attended_minutes=record.minutes,
                participation=rng.choices(
                    [p.value for p in Participation], weights=[5, 4, 2, 1, 0.3]
                )[0],
                response=rng.choices([r.value for r in Response], weights=[4, 4, 2, 1])[0],
                text=_write_up(rng, used, names),
                si_asked=True,
                si_present=False,
                hi_asked=True,
                hi_present=False,
                diary_reviewed=note.kind == NoteKind.INDIVIDUAL,
            )
            entries.append(entry)
            entries_of[id(note)].append(entry)
    NoteEntry.objects.bulk_create(entries, batch_size=500)

    links: list[NoteObjective] = []
    linked: dict[int, list[str]] = defaultdict(list)
    for entry in entries:
        choices = objectives.get(entry.episode_id, [])
        if choices:
            objective = rng.choice(choices)
            links.append(
                NoteObjective(
                    organization_id=program.organization_id, entry=entry, objective=objective
                )
            )
            linked[entry.pk].append(str(objective.public_id))
    NoteObjective.objects.bulk_create(links, batch_size=500)

    # Which drafts stay drafts: the last day's, two older ones, and any that cannot pass.
    recent = midnight - timedelta(days=1)
    older = [n for n in notes if n.ends_at < recent - timedelta(days=1)]
    overdue = {id(n) for n in rng.sample(older, min(OVERDUE_DRAFTS, len(older)))}
    participant_ids = {
        r.participant_id: str(r.participant.public_id) for rows in roster.values() for r in rows
    }
    supervisees = dict(
        User.objects.filter(pk__in={n.author_id for n in notes}).values_list("pk", "supervisor_id")
    )
    signed: list[ClinicalNote] = []
    for note in notes:
        mine = entries_of[id(note)]
        note_session = note.session
        assert note_session is not None  # the demo writes session notes only
        day = session_local_date(note_session)
        complete = all(
            linked.get(e.pk)
            and 0 < e.attended_minutes <= note.minutes
            and not (e.episode_id in plans and plans[e.episode_id].is_expired_on(day))
            for e in mine
        )
        if note_session.ends_at >= recent or id(note) in overdue or not complete:
            continue
        note.status = NoteStatus.SIGNED
        note.signed_at = note_session.ends_at + timedelta(hours=rng.randint(1, 6))
        note.signed_by_id = note.author_id
        note.cosign_required = supervisees.get(note.author_id) is not None
        note.content_hash = digest(
            note_content(note, mine, linked, participant_ids, str(note_session.public_id))
        )
        signed.append(note)
    waiting = [n for n in signed if n.cosign_required][-PENDING_COSIGN:]
    for note in signed:
        if note.cosign_required and note not in waiting:
            assert note.signed_at is not None
            note.cosigned_at = note.signed_at + timedelta(days=1)
            note.cosigned_by_id = supervisees[note.author_id]
    ClinicalNote.objects.bulk_update(
        signed,
        [
            "status",
            "signed_at",
            "signed_by",
            "cosign_required",
            "content_hash",
            "cosigned_at",
            "cosigned_by",
        ],
        batch_size=200,
    )
    groups = [n for n in signed if n.kind == NoteKind.GROUP]
    if groups:
        note = groups[len(groups) // 2]
        entry = entries_of[id(note)][0]
        assert note.signed_at is not None
        addendum = NoteAddendum(
            organization_id=program.organization_id,
            note=note,
            entry=entry,
            author_id=note.author_id,
            text=ADDENDUM_TEXT,
            signed_at=note.signed_at + timedelta(hours=20),
        )
        addendum.content_hash = addendum_hash(addendum, note.content_hash)
        addendum.save()
    return len(notes)
