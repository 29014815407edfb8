"""Clinical notes: one write function per action, the checks before signing, and the selectors
the pages use.

A note starts from its session: `note_open_for_session` fills the shared part (topic, lesson,
facilitators, length) and one section per person who attended, with their attendance. The
author fills it in (`note_save`), sees what is still missing (`note_sign_checks`) and signs
(`note_sign`), which refuses with the named reasons while anything is missing and otherwise
locks the note under a content hash. A few findings are warnings, named but not blocking
(`note_sign_review`): an attendee admitted so recently that their first treatment plan is not
due yet has no objectives to link, and that must not hold up everyone else's group note.
After signing: addenda (`addendum_add`) and, when the author has a supervisor, the
supervisor's co-signature (`note_cosign`).
"""

from __future__ import annotations

import re
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeGuard

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from openiop.accounts.models import User
from openiop.accounts.roles import Perm, Role
from openiop.audit.services import event_record
from openiop.care.models import GoalStatus, PlanObjective, PlanStatus, TreatmentPlan
from openiop.care.services import first_plan_due_on
from openiop.diary.models import DiaryCard
from openiop.lib.signing import digest
from openiop.lib.timezones import local_date, today_in
from openiop.notes.models import (
    CHAIN_KEYS,
    CHAIN_KINDS,
    CHAIN_REQUIRED,
    CHAIN_SECTIONS,
    FORMAT_SECTIONS,
    LOCKED_MESSAGE,
    ClinicalNote,
    ContactMethod,
    LinkKind,
    NoteAddendum,
    NoteEntry,
    NoteFormat,
    NoteKind,
    NoteLink,
    NoteLockedError,
    NoteObjective,
    NoteStatus,
    Participation,
    Response,
)
from openiop.participants.access import program_ids_for
from openiop.participants.models import Episode, Participant
from openiop.programs.models import Program, SessionCategory
from openiop.scheduling.models import (
    ATTENDED_STATUSES,
    Attendance,
    RosterEntry,
    Session,
    SessionStatus,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

EVENT_NOTE = "note"
TEXT_MAX = 2000
NARRATIVE_MAX = 4000
SECTION_MAX = 4000
DIARY_WEEK_DAYS = 7
LINKABLE_OBJECTIVE_STATUSES = (GoalStatus.ACTIVE, GoalStatus.PARTLY_MET, GoalStatus.NOT_MET)
WRITER_ROLES = frozenset({Role.DIRECTOR, Role.CLINICIAN})


# --- who may do what ---------------------------------------------------------------------------


def may_read_notes(user: User | AnonymousUser, program: Program) -> TypeGuard[User]:
    """Note bodies are clinical content; in a substance-use program they are Part 2 records.
    Yes only for a signed-in staff member (so the caller may use `user` as a User)."""
    if not (user.is_authenticated and user.is_staff_member):
        return False
    if program.pk not in program_ids_for(user) or program.organization_id != user.organization_id:
        return False
    if not user.can(Perm.PARTICIPANT_CLINICAL):
        return False
    return not program.treats_sud or bool(user.can(Perm.PARTICIPANT_SUD))


def may_write_note(user: User | AnonymousUser, session: Session) -> bool:
    """Clinicians and directors of the session's program (facilitators are among them)."""
    return (
        may_read_notes(user, session.program)
        and user.can(Perm.PARTICIPANT_WRITE)
        and user.role in WRITER_ROLES
    )


def may_add_to(user: User | AnonymousUser, program: Program) -> bool:
    """Addenda: the program's clinicians and directors."""
    return (
        may_read_notes(user, program)
        and user.can(Perm.PARTICIPANT_WRITE)
        and user.role in WRITER_ROLES
    )


def note_kind_for(session: Session) -> str:
    if session.session_type.is_group:
        return NoteKind.GROUP
    if session.session_type.category == SessionCategory.FAMILY:
        return NoteKind.FAMILY
    return NoteKind.INDIVIDUAL


def session_local_date(session: Session) -> date:
    return local_date(session.starts_at, session.program.time_zone)


# --- opening a note from its session ---------------------------------------------------------


@transaction.atomic
def note_open_for_session(
    *, session: Session, actor: User, format: str = NoteFormat.DAP
) -> ClinicalNote:
    """The session's note, started from the session when there is none yet. A draft's
    attendance is brought up to date each time it is opened."""
    if not may_write_note(actor, session):
        raise PermissionDenied("Only the program's clinicians write session notes.")
    # Lock the session so two facilitators opening the note at once make one note.
    session = (
        Session.objects.select_for_update(of=("self",))
        .select_related("program", "session_type", "lesson__block")
        .get(pk=session.pk)
    )
    kind = note_kind_for(session)
    note = ClinicalNote.objects.filter(session=session, kind=kind).first()
    if note is not None:
        if note.status == NoteStatus.DRAFT:
            _sync_attendance(note, session)
        return note
    if session.status == SessionStatus.CANCELLED:
        raise ValidationError("This session was cancelled; there is nothing to document.")
    if timezone.now() < session.starts_at:
        raise ValidationError("This session has not started yet.")
    if kind == NoteKind.GROUP:
        format = NoteFormat.GROUP
    elif format not in (NoteFormat.DAP, NoteFormat.BIRP, NoteFormat.SOAP):
        raise ValidationError({"format": ["Choose DAP, BIRP or SOAP."]})
    lesson = ""
    if session.lesson is not None:
        lesson = f"{session.lesson.block.get_module_display()}: {session.lesson.title}"
        if session.lesson.skills:
            lesson += f" ({session.lesson.skills})"
    family = ""
    if kind == NoteKind.FAMILY:
        # Relationships only: a family member's name and details stay out of the chart.
        family = ", ".join(
            session.family.order_by("id").values_list("contact__relationship", flat=True)
        )[:300]
    note = ClinicalNote(
        organization_id=session.organization_id,
        program=session.program,
        session=session,
        kind=kind,
        format=format,
        author=actor,
        topic=session.topic[:200],
        lesson=lesson[:300],
        facilitators=", ".join(u.display_name for u in session.facilitators.order_by("id"))[:500],
        minutes=session.minutes,
        occurred_at=session.starts_at,
        family_attending=family,
    )
    note.full_clean()
    note.save()
    _sync_attendance(note, session)
    return note


def _sync_attendance(note: ClinicalNote, session: Session) -> None:
    """Bring a draft's sections in line with the attendance record: a section for each person
    who attended (a group) or for the booked participant (individual, family), with their
    status and minutes; the absent are counted, not named."""
    roster = list(RosterEntry.objects.filter(session=session).select_related("participant"))
    attendance = {a.participant_id: a for a in Attendance.objects.filter(session=session)}
    entries = {e.participant_id: e for e in note.entries.all()}
    group = note.kind == NoteKind.GROUP
    wanted = []
    for row in roster:
        record = attendance.get(row.participant_id)
        if group and (record is None or record.status not in ATTENDED_STATUSES):
            continue
        wanted.append((row, record))
    keep = {row.participant_id for row, _ in wanted}
    stale = [e.pk for pid, e in entries.items() if pid not in keep]
    if stale:
        NoteObjective.objects.filter(entry_id__in=stale).delete()
        NoteEntry.objects.filter(pk__in=stale).delete()
    new, changed = [], []
    for row, record in wanted:
        status = record.status if record else ""
        minutes = record.minutes if record else 0
        entry = entries.get(row.participant_id)
        if entry is None:
            new.append(
                NoteEntry(
                    organization_id=note.organization_id,
                    note=note,
                    participant_id=row.participant_id,
                    episode_id=row.episode_id,
                    attendance_status=status,
                    attended_minutes=minutes,
                )
            )
        elif (entry.attendance_status, entry.attended_minutes) != (status, minutes):
            entry.attendance_status, entry.attended_minutes = status, minutes
            changed.append(entry)
    NoteEntry.objects.bulk_create(new)
    if changed:
        NoteEntry.objects.bulk_update(changed, ["attendance_status", "attended_minutes"])
    recorded_absent = sum(
        1
        for row in roster
        if (r := attendance.get(row.participant_id)) is not None
        and r.status not in ATTENDED_STATUSES
    )
    ClinicalNote.objects.filter(pk=note.pk, status=NoteStatus.DRAFT).update(
        absent_count=recorded_absent if group else 0,
        occurred_at=session.starts_at,
        updated_at=timezone.now(),
    )
    note.absent_count = recorded_absent if group else 0
    note.occurred_at = session.starts_at


# --- saving a draft --------------------------------------------------------------------------


@dataclass
class EntryInput:
    """What the author writes in one attendee's section."""

    participation: str = ""
    response: str = ""
    text: str = ""
    objective_ids: list[str] = field(default_factory=list)
    si_asked: bool | None = None
    si_present: bool | None = None
    hi_asked: bool | None = None
    hi_present: bool | None = None
    risk_follow_up: str = ""
    diary_reviewed: bool = False


def _locked_draft(note: ClinicalNote, actor: User) -> ClinicalNote:
    row = ClinicalNote.objects.select_for_update().select_related("program").get(pk=note.pk)
    if row.status != NoteStatus.DRAFT:
        raise NoteLockedError(LOCKED_MESSAGE)
    if row.author_id != actor.pk:
        raise PermissionDenied("Only the note's author changes or signs it.")
    return row


def linkable_objectives(episode_ids: Iterable[int]) -> dict[int, list[PlanObjective]]:
    """The objectives each episode's current plan is working on (two queries in all)."""
    plan_of = dict(
        TreatmentPlan.objects.filter(
            episode_id__in=list(episode_ids), status=PlanStatus.CURRENT
        ).values_list("pk", "episode_id")
    )
    result: dict[int, list[PlanObjective]] = defaultdict(list)
    objectives = (
        PlanObjective.objects.filter(
            goal__problem__plan_id__in=list(plan_of), status__in=LINKABLE_OBJECTIVE_STATUSES
        )
        .annotate(plan_pk=F("goal__problem__plan_id"))
        .order_by("goal__problem__position", "goal__position", "position", "id")
    )
    for objective in objectives:
        result[plan_of[objective.plan_pk]].append(objective)
    return result


def _clean_entry(data: EntryInput, linkable: list[PlanObjective], prefix: str) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    if data.participation and data.participation not in Participation.values:
        errors[f"{prefix}participation"] = ["Choose one of the listed options."]
    if data.response and data.response not in Response.values:
        errors[f"{prefix}response"] = ["Choose one of the listed options."]
    text = data.text.strip()
    if len(text) > TEXT_MAX:
        errors[f"{prefix}text"] = [f"Keep this to {TEXT_MAX} characters."]
    follow_up = data.risk_follow_up.strip()
    if len(follow_up) > TEXT_MAX:
        errors[f"{prefix}risk_follow_up"] = [f"Keep this to {TEXT_MAX} characters."]
    by_id = {str(o.public_id): o for o in linkable}
    chosen = []
    for wanted in data.objective_ids:
        objective = by_id.get(str(wanted))
        if objective is None:
            errors[f"{prefix}objectives"] = [
                "Link only objectives from this person's current treatment plan."
            ]
            break
        chosen.append(objective)
    if errors:
        raise ValidationError(errors)
    return {
        "participation": data.participation,
        "response": data.response,
        "text": text,
        "si_asked": data.si_asked,
        "si_present": data.si_present if data.si_asked else None,
        "hi_asked": data.hi_asked,
        "hi_present": data.hi_present if data.hi_asked else None,
        "risk_follow_up": follow_up,
        "diary_reviewed": bool(data.diary_reviewed),
        "objectives": chosen,
    }


def _apply_entry(entry: NoteEntry, values: dict[str, Any]) -> None:
    objectives = values.pop("objectives")
    for name, value in values.items():
        setattr(entry, name, value)
    entry.save(update_fields=list(values))
    wanted = {o.pk for o in objectives}
    have = set(entry.links.values_list("objective_id", flat=True))
    if have - wanted:
        entry.links.filter(objective_id__in=have - wanted).delete()
    NoteObjective.objects.bulk_create(
        [
            NoteObjective(organization_id=entry.organization_id, entry=entry, objective_id=pk)
            for pk in sorted(wanted - have)
        ]
    )


@transaction.atomic
def entry_save(*, entry: NoteEntry, actor: User, data: EntryInput) -> NoteEntry:
    """Save one attendee's section of a draft."""
    _locked_draft(entry.note, actor)
    linkable = linkable_objectives([entry.episode_id]).get(entry.episode_id, [])
    _apply_entry(entry, _clean_entry(data, linkable, ""))
    return entry


@transaction.atomic
def note_save(
    *,
    note: ClinicalNote,
    actor: User,
    narrative: str = "",
    interventions: str = "",
    topic: str | None = None,
    format: str | None = None,
    sections: Mapping[str, str] | None = None,
    entries: Mapping[int, EntryInput] | None = None,
    chain: Mapping[str, str] | None = None,
    contact: ContactInput | None = None,
    addressed: Iterable[str] | None = None,
) -> ClinicalNote:
    """Save a draft: the shared part and any attendee sections given (keyed by entry id); for
    individual and contact notes also the chain analysis (None leaves it as it is, an empty
    mapping removes it) and which linked alerts and agenda items the note addressed; for a
    contact note when, how and how long. Everything is validated before anything is written."""
    row = _locked_draft(note, actor)
    errors: dict[str, list[str]] = {}
    clean_chain = _clean_chain(row, chain, errors) if chain is not None else None
    if contact is not None:
        _clean_contact(row, contact, errors)
    narrative, interventions = narrative.strip(), interventions.strip()
    if len(narrative) > NARRATIVE_MAX:
        errors["narrative"] = [f"Keep this to {NARRATIVE_MAX} characters."]
    if len(interventions) > TEXT_MAX:
        errors["interventions"] = [f"Keep this to {TEXT_MAX} characters."]
    if topic is not None:
        topic = topic.strip()
        if len(topic) > 200:
            errors["topic"] = ["Keep the topic to 200 characters."]
    if (
        format is not None
        and format != row.format
        and (row.kind == NoteKind.GROUP or format not in FORMAT_SECTIONS)
    ):
        errors["format"] = ["Choose DAP, BIRP or SOAP."]
    clean_sections: dict[str, str] = {}
    if sections is not None:
        keys = [key for key, _, _ in FORMAT_SECTIONS.get(format or row.format, ())]
        for key in keys:
            value = (sections.get(key) or "").strip()
            if len(value) > SECTION_MAX:
                errors[key] = [f"Keep this section to {SECTION_MAX} characters."]
            clean_sections[key] = value
    by_pk = {e.pk: e for e in row.entries.all()}
    cleaned: list[tuple[NoteEntry, dict[str, Any]]] = []
    if entries:
        linkable = linkable_objectives(e.episode_id for e in by_pk.values())
        for pk, data in entries.items():
            entry = by_pk.get(pk)
            if entry is None:
                raise ValidationError("A section of this note was removed; reload the page.")
            try:
                cleaned.append(
                    (entry, _clean_entry(data, linkable.get(entry.episode_id, []), f"e{pk}-"))
                )
            except ValidationError as error:
                errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    row.narrative, row.interventions = narrative, interventions
    if topic is not None:
        row.topic = topic
    if format is not None:
        row.format = format
    if sections is not None:
        row.sections = clean_sections
    if clean_chain is not None:
        row.chain = clean_chain
    if contact is not None:
        row.occurred_at = contact.occurred_at
        row.contact_method = contact.method
        row.minutes = contact.minutes
    wanted = _addressed_links(row, actor, addressed) if addressed is not None else None
    row.save()
    for entry, values in cleaned:
        _apply_entry(entry, values)
    if wanted is not None:
        _apply_addressed(row, wanted)
    if row.session is not None:
        _sync_attendance(row, row.session)
    else:
        row.entries.update(attended_minutes=row.minutes)
    return row


# --- between-session contacts, chain analyses and what a note answers -------------------------

CONTACT_MINUTES_MAX = 240


@dataclass
class ContactInput:
    """When a between-session contact happened, how, and for how long."""

    occurred_at: datetime
    method: str
    minutes: int


def _clean_contact(row: ClinicalNote, contact: ContactInput, errors: dict[str, list[str]]) -> None:
    if row.kind != NoteKind.CONTACT:
        errors["occurred_at"] = ["Only a between-session contact note has its own time."]
        return
    if contact.method not in ContactMethod.values:
        errors["contact_method"] = ["Choose how the contact happened."]
    if not 1 <= contact.minutes <= CONTACT_MINUTES_MAX:
        errors["minutes"] = [f"A contact lasts 1 to {CONTACT_MINUTES_MAX} minutes."]
    if contact.occurred_at > timezone.now() + timedelta(minutes=5):
        errors["occurred_at"] = ["The contact cannot be in the future."]


def _clean_chain(
    row: ClinicalNote, chain: Mapping[str, str], errors: dict[str, list[str]]
) -> dict[str, str]:
    if not chain:
        return {}
    if row.kind not in CHAIN_KINDS:
        errors["chain"] = ["A chain analysis belongs in an individual or contact note."]
        return {}
    cleaned: dict[str, str] = {}
    for key in CHAIN_KEYS:
        value = (chain.get(key) or "").strip()
        if len(value) > TEXT_MAX:
            errors[f"chain_{key}"] = [f"Keep this to {TEXT_MAX} characters."]
        cleaned[key] = value
    return cleaned


def note_start_chain(note: ClinicalNote) -> None:
    """Open an empty chain analysis on a draft (when started from a self-harm alert or item)."""
    if note.kind in CHAIN_KINDS and not note.chain and note.status == NoteStatus.DRAFT:
        note.chain = dict.fromkeys(CHAIN_KEYS, "")
        note.save(update_fields=["chain", "updated_at"])


def chain_problems(note: ClinicalNote) -> list[str]:
    if not note.chain:
        return []
    missing = [
        heading
        for key, heading, _ in CHAIN_SECTIONS
        if key in CHAIN_REQUIRED and not (note.chain.get(key) or "").strip()
    ]
    if not missing:
        return []
    return [f"Complete the chain analysis ({', '.join(missing)}), or take it out of the note."]


@dataclass(frozen=True)
class AgendaChoice:
    ref: str
    text: str
    week: date
    key: str


def _note_day(note: ClinicalNote) -> date:
    return local_date(note.occurred_at, note.program.time_zone)


def agenda_choices(note: ClinicalNote, viewer: User) -> list[AgendaChoice]:
    """The diary-card agenda of the note's week for its participant (one person's notes only):
    what the author can mark as addressed in this note."""
    from openiop.diary.selectors import diary_review, week_start_of

    if note.kind not in CHAIN_KINDS:
        return []
    entry = note.entries.select_related("participant").first()
    if entry is None:
        return []
    day = _note_day(note)
    week = week_start_of(day)
    review = diary_review(user=viewer, participant=entry.participant, week_start=week, today=day)
    return [
        AgendaChoice(ref=f"agenda:{item.key}", text=item.text, week=week, key=item.key)
        for item in review.agenda
    ]


def _addressed_links(
    row: ClinicalNote, actor: User, addressed: Iterable[str]
) -> dict[str, AgendaChoice | None]:
    """The refs the author marked, each checked against the note's links and the week's
    agenda: an item that is neither is refused."""
    wanted = set(addressed)
    linked = {link.ref for link in row.linked_items.select_related("alert")}
    choices = {c.ref: c for c in agenda_choices(row, actor)} if wanted - linked else {}
    result: dict[str, AgendaChoice | None] = {}
    for ref in wanted:
        if ref in linked:
            result[ref] = None
        elif ref in choices:
            result[ref] = choices[ref]
        else:
            raise ValidationError(
                {"addressed": ["Mark only items of this participant's agenda or this note."]}
            )
    return result


def _apply_addressed(row: ClinicalNote, wanted: Mapping[str, AgendaChoice | None]) -> None:
    links = list(row.linked_items.select_related("alert"))
    for link in links:
        should = link.ref in wanted
        if not should and not link.started_from:
            link.delete()
        elif link.addressed != should:
            link.addressed = should
            link.save(update_fields=["addressed"])
    entry = row.entries.first()
    for choice in wanted.values():
        if choice is None or entry is None:
            continue
        NoteLink.objects.create(
            organization_id=row.organization_id,
            note=row,
            participant_id=entry.participant_id,
            kind=LinkKind.AGENDA,
            agenda_week=choice.week,
            agenda_key=choice.key,
            text=choice.text[:300],
            addressed=True,
        )


# --- checks before signing -------------------------------------------------------------------


def _normalized(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def _names_of(participant: Participant) -> set[str]:
    names = {participant.legal_first_name, participant.legal_last_name, participant.preferred_name}
    return {n.strip() for n in names if n and len(n.strip()) >= 2}


def _name_in(text: str, names: Iterable[str]) -> str | None:
    for name in sorted(names):
        if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, flags=re.IGNORECASE):
            return name
    return None


def _risk_answered(entry: NoteEntry) -> str | None:
    """What is missing from the risk screen, or None when it is complete."""
    if entry.si_asked is None or entry.hi_asked is None:
        return "answer the risk screen (suicidal and homicidal ideation asked: yes or no)"
    if (entry.si_asked and entry.si_present is None) or (
        entry.hi_asked and entry.hi_present is None
    ):
        return "say whether the ideation asked about was present"
    if entry.risk_present and not entry.risk_follow_up.strip():
        return "describe the follow-up for the ideation reported"
    return None


@dataclass
class CheckContext:
    """Everything the checks read, loaded in a fixed number of queries."""

    note: ClinicalNote
    session: Session | None
    entries: list[NoteEntry]
    roster: list[RosterEntry]
    attendance: dict[int, Attendance]
    plans: dict[int, TreatmentPlan]
    linked: dict[int, int]
    diary_cards: dict[int, int]
    # Episodes that never had a signed plan, with the day their first plan falls due.
    first_plan_due: dict[int, date | None] = field(default_factory=dict)


def _first_plans_due(
    entries: list[NoteEntry], plans: Mapping[int, TreatmentPlan]
) -> dict[int, date | None]:
    """For attendees without a current plan: when the first plan is due, if they never had
    one (two queries, and none when everyone has a plan)."""
    missing = {e.episode_id for e in entries} - set(plans)
    if not missing:
        return {}
    had_one = set(
        TreatmentPlan.objects.filter(
            episode_id__in=missing, status__in=[PlanStatus.CURRENT, PlanStatus.SUPERSEDED]
        ).values_list("episode_id", flat=True)
    )
    return {
        episode.pk: first_plan_due_on(episode)
        for episode in Episode.objects.filter(pk__in=missing - had_one).only(
            "admitted_on", "started_on"
        )
    }


def check_context(note: ClinicalNote) -> CheckContext:
    session = note.session
    entries = list(note.entries.select_related("participant"))
    roster: list[RosterEntry] = []
    attendance: dict[int, Attendance] = {}
    if session is not None:
        roster = list(RosterEntry.objects.filter(session=session).select_related("participant"))
        attendance = {a.participant_id: a for a in Attendance.objects.filter(session=session)}
    plans = {
        p.episode_id: p
        for p in TreatmentPlan.objects.filter(
            episode_id__in=[e.episode_id for e in entries], status=PlanStatus.CURRENT
        )
    }
    linked = Counter(
        NoteObjective.objects.filter(entry__note=note).values_list("entry_id", flat=True)
    )
    diary_cards: dict[int, int] = {}
    if note.kind == NoteKind.INDIVIDUAL and session is not None:
        day = session_local_date(session)
        diary_cards = Counter(
            DiaryCard.objects.filter(
                participant_id__in=[e.participant_id for e in entries],
                day__gte=day - timedelta(days=DIARY_WEEK_DAYS),
                day__lte=day,
            ).values_list("participant_id", flat=True)
        )
    return CheckContext(
        note,
        session,
        entries,
        roster,
        attendance,
        plans,
        linked,
        diary_cards,
        _first_plans_due(entries, plans),
    )


@dataclass(frozen=True)
class SignReview:
    """What stops the note from being signed (`problems`), and what the author should know
    but may sign with (`warnings`), each named."""

    problems: list[str]
    warnings: list[str]


def note_sign_checks(note: ClinicalNote, context: CheckContext | None = None) -> list[str]:
    """What stops this note from being signed, each problem named; empty when it may be."""
    return note_sign_review(note, context).problems


def _first_plan_not_due(ctx: CheckContext, entry: NoteEntry, day: date) -> date | None:
    """The first plan's due day when this attendee has never had a plan and it is not overdue
    on the session's day; None otherwise (an overdue first plan or an expired plan still
    stops the note)."""
    if entry.episode_id in ctx.plans:
        return None
    due = ctx.first_plan_due.get(entry.episode_id)
    return due if due is not None and day <= due else None


def note_sign_review(note: ClinicalNote, context: CheckContext | None = None) -> SignReview:
    ctx = context or check_context(note)
    problems: list[str] = []
    warnings: list[str] = []
    if note.status != NoteStatus.DRAFT:
        return SignReview(["This note is already signed."], [])
    session, entries = ctx.session, ctx.entries
    if session is None:
        return SignReview(contact_sign_checks(note, ctx), [])
    day = session_local_date(session)
    group = note.kind == NoteKind.GROUP

    # Attendance recorded for everyone on the roster.
    unrecorded = [r.participant for r in ctx.roster if r.participant_id not in ctx.attendance]
    if unrecorded:
        names = ", ".join(p.display_name for p in unrecorded)
        problems.append(f"Attendance is not recorded for: {names}.")
    if not entries:
        problems.append("Nobody attended this session, so there is nobody to document.")

    # Time in session consistent with attendance.
    if note.minutes != session.minutes:
        problems.append(
            f"The session now lasts {session.minutes} minutes but the note says "
            f"{note.minutes}; reopen the note from the session to take the new length."
        )
    for entry in entries:
        name = entry.participant.display_name
        record = ctx.attendance.get(entry.participant_id)
        if record is None:
            continue  # named above
        if (record.status, record.minutes) != (entry.attendance_status, entry.attended_minutes):
            problems.append(
                f"{name}: attendance changed after the note was saved "
                f"({record.get_status_display().lower()}, {record.minutes} min); save the note "
                "again to take it."
            )
        elif record.status not in ATTENDED_STATUSES:
            problems.append(
                f"{name}: recorded as {record.get_status_display().lower()}; a session note "
                "needs the participant to have attended."
            )
        elif not 0 < entry.attended_minutes <= note.minutes:
            problems.append(
                f"{name}: {entry.attended_minutes} minutes attended does not fit a "
                f"{note.minutes}-minute session; correct the attendance times."
            )

    # The shared part.
    if group and not note.narrative.strip():
        problems.append("Write the shared part: what the group covered and how.")
    if not group:
        empty = [heading for _, heading, _, text in note.section_rows() if not text.strip()]
        if empty:
            problems.append(f"Fill in every section of the note: {', '.join(empty)}.")
    everyone = [r.participant for r in ctx.roster]
    shared = " ".join([note.topic, note.narrative, note.interventions])
    if group:
        for person in everyone:
            found = _name_in(shared, _names_of(person))
            if found:
                problems.append(
                    f"The shared part names a participant (“{found}”); it is copied into every "
                    "attendee's chart, so leave names out of it."
                )
                break

    # Each attendee's section.
    texts: dict[str, list[NoteEntry]] = defaultdict(list)
    for entry in entries:
        name = entry.participant.display_name
        if group:
            if not entry.participation or not entry.response:
                problems.append(f"{name}: choose participation and response to the intervention.")
            if not entry.text.strip():
                problems.append(f"{name}: write a few lines about this person in this session.")
            else:
                texts[_normalized(entry.text)].append(entry)
        not_due = _first_plan_not_due(ctx, entry, day)
        if ctx.linked.get(entry.pk, 0) < 1 and not_due is None:
            problems.append(f"{name}: link at least one objective from their treatment plan.")
        missing = _risk_answered(entry)
        if missing:
            problems.append(f"{name}: {missing}.")
        plan = ctx.plans.get(entry.episode_id)
        first_due = ctx.first_plan_due.get(entry.episode_id)
        if not_due is not None:
            warnings.append(
                f"{name}: no treatment plan yet (newly admitted; the first plan is due by "
                f"{not_due:%b %-d, %Y}), so no objective is linked. The note can be signed."
            )
        elif plan is None and first_due is not None:
            problems.append(
                f"{name}: has no current treatment plan; the first plan was due by "
                f"{first_due:%b %-d, %Y}."
            )
        elif plan is None:
            problems.append(f"{name}: has no current treatment plan.")
        elif plan.is_expired_on(day):
            problems.append(
                f"{name}: the treatment plan expired on {plan.expires_on:%b %-d, %Y}, "
                "before this session; it needs a review."
            )
        others = [p for p in everyone if p.pk != entry.participant_id]
        own = " ".join([entry.text, entry.risk_follow_up])
        if not group:
            own = " ".join([own, *note.sections.values()])
        for other in others:
            found = _name_in(own, _names_of(other) - _names_of(entry.participant))
            if found:
                problems.append(
                    f"{name}: the section names another participant (“{found}”); each section "
                    "goes into that person's own chart."
                )
                break
        cards = ctx.diary_cards.get(entry.participant_id, 0)
        if cards and not entry.diary_reviewed:
            problems.append(
                f"{name}: {cards} diary card{'s' if cards != 1 else ''} from this week "
                "not marked as reviewed."
            )
    for same in texts.values():
        if len(same) > 1:
            names = " and ".join(e.participant.display_name for e in same)
            problems.append(
                f"{names} have identical text in their sections; write each person's own."
            )
    return SignReview(problems + chain_problems(note), warnings)


def contact_sign_checks(note: ClinicalNote, ctx: CheckContext) -> list[str]:
    """A between-session contact: the sections of its format, the risk screen, a time that has
    passed, and a complete chain analysis when it has one. It documents no session, so there is
    no attendance, and it needs no plan objective: a call after an alert is not plan work."""
    problems: list[str] = []
    empty = [heading for _, heading, _, text in note.section_rows() if not text.strip()]
    if empty:
        problems.append(f"Fill in every section of the note: {', '.join(empty)}.")
    if not note.contact_method:
        problems.append("Say how the contact happened (phone, video, in person, message).")
    if note.occurred_at > timezone.now() + timedelta(minutes=5):
        problems.append("The contact's time is in the future.")
    for entry in ctx.entries:
        missing = _risk_answered(entry)
        if missing:
            problems.append(f"{entry.participant.display_name}: {missing}.")
    if not ctx.entries:
        problems.append("This note has no participant section; start it again from the chart.")
    return problems + chain_problems(note)


# --- signing, hashing, addenda, co-signature -------------------------------------------------


def note_compute_hash(note: ClinicalNote) -> str:
    """The hash of the note's content as stored now (five queries)."""
    return note.compute_hash()


def addendum_hash(addendum: NoteAddendum, note_hash: str) -> str:
    """The hash of an addendum to the note whose hash is `note_hash` (the note may not be
    saved with it yet)."""
    return digest(addendum.signed_content(note_hash=note_hash))


def note_hash_intact(note: ClinicalNote) -> bool:
    """Whether the signed note and its addenda are exactly what was signed."""
    stored = ClinicalNote.objects.get(pk=note.pk)
    if stored.status != NoteStatus.SIGNED:
        return False
    if not stored.hash_matches():
        return False
    return all(a.hash_matches() for a in stored.addenda.all())


_KIND_SUMMARY = {
    NoteKind.GROUP: "Group note",
    NoteKind.INDIVIDUAL: "Individual session note",
    NoteKind.FAMILY: "Family session note",
    NoteKind.CONTACT: "Between-session contact note",
}


def _events(
    note: ClinicalNote, participants: Iterable[Participant], what: str, actor: User
) -> None:
    summary = f"{_KIND_SUMMARY[NoteKind(note.kind)]} {what}"
    for participant in participants:
        event_record(
            participant=participant,
            kind=EVENT_NOTE,
            summary=summary,
            actor=actor,
            program=note.program,
        )


@transaction.atomic
def note_sign(*, note: ClinicalNote, actor: User) -> ClinicalNote:
    """Sign and lock the note, or refuse with every reason it may not be signed yet."""
    row = _locked_draft(note, actor)
    problems = note_sign_checks(row)
    if problems:
        raise ValidationError(problems)
    # Warnings (an attendee whose first plan is not due yet) are shown, never blocking.
    row.status = NoteStatus.SIGNED
    row.signed_at = timezone.now()
    row.signed_by = actor
    row.cosign_required = actor.supervisor_id is not None
    row.content_hash = note_compute_hash(row)
    row.save()
    participants = [e.participant for e in row.entries.select_related("participant")]
    _events(row, participants, "signed", actor)
    return row


@transaction.atomic
def addendum_add(
    *, note: ClinicalNote, actor: User, text: str, entry: NoteEntry | None = None
) -> NoteAddendum:
    """Add to a signed note, about the whole note or about one attendee; the addendum is
    signed by its author as it is written. Like the sections, it must not name a participant
    whose chart it does not go into."""
    row = ClinicalNote.objects.select_for_update().select_related("program").get(pk=note.pk)
    if row.status != NoteStatus.SIGNED:
        raise ValidationError("Sign the note first; until then, change the note itself.")
    if not may_add_to(actor, row.program):
        raise PermissionDenied("Only the program's clinicians add to notes.")
    if entry is not None and entry.note_id != row.pk:
        raise ValidationError({"entry": ["Choose one of this note's attendees."]})
    text = text.strip()
    if not text:
        raise ValidationError({"text": ["Write the addendum."]})
    if len(text) > NARRATIVE_MAX:
        raise ValidationError({"text": [f"Keep an addendum to {NARRATIVE_MAX} characters."]})
    entries = list(row.entries.select_related("participant"))
    if entry is not None:
        readers = [e.participant for e in entries if e.pk == entry.pk]
    else:
        readers = [e.participant for e in entries]
    allowed = {entry.participant_id} if entry is not None else set()
    if row.kind != NoteKind.GROUP:
        allowed |= {p.pk for p in readers}
    allowed_names = set().union(*(_names_of(p) for p in readers if p.pk in allowed))
    roster = RosterEntry.objects.filter(session_id=row.session_id or 0).select_related(
        "participant"
    )
    for other in (r.participant for r in roster if r.participant_id not in allowed):
        found = _name_in(text, _names_of(other) - allowed_names)
        if found:
            raise ValidationError(
                {
                    "text": [
                        f"The addendum names a participant (“{found}”) whose chart it does not "
                        "go into; leave the name out or write it about that person."
                    ]
                }
            )
    addendum = NoteAddendum(
        organization_id=row.organization_id,
        note=row,
        entry=entry,
        author=actor,
        text=text,
        signed_at=timezone.now(),
    )
    addendum.content_hash = addendum_hash(addendum, row.content_hash)
    addendum.save()
    _events(row, readers, "addendum added", actor)
    return addendum


@transaction.atomic
def note_cosign(*, note: ClinicalNote, actor: User) -> ClinicalNote:
    """The author's clinical supervisor co-signs a signed note."""
    row = (
        ClinicalNote.objects.select_for_update().select_related("author", "program").get(pk=note.pk)
    )
    if row.status != NoteStatus.SIGNED:
        raise ValidationError("A note is co-signed after its author signs it.")
    if not row.cosign_required:
        raise ValidationError("This note does not need a co-signature.")
    if row.cosigned_at is not None:
        raise ValidationError("This note is already co-signed.")
    if row.author.supervisor_id != actor.pk or not may_read_notes(actor, row.program):
        raise PermissionDenied("Only the author's supervisor co-signs this note.")
    row.cosigned_at = timezone.now()
    row.cosigned_by = actor
    row.save(update_fields=["cosigned_at", "cosigned_by"])
    participants = [e.participant for e in row.entries.select_related("participant")]
    _events(row, participants, "co-signed", actor)
    return row


# --- starting a note from an alert or an agenda item -----------------------------------------

# What a chain analysis is for: a behaviour or an urge the participant reported.
CHAIN_ALERT_RULES = frozenset(
    {"urge_risk", "action_self_harm", "coaching_urge", "urge_substance", "action_substance"}
)
CHAIN_AGENDA_KEYS = frozenset({"self_harm", "risk_urges", "substance_use"})
CONTACT_DEFAULT_MINUTES = 15


@dataclass(frozen=True)
class NoteTarget:
    """Which note a click from an alert or agenda item starts or continues."""

    kind: str  # "session" or "contact"
    session: Session | None = None
    note: ClinicalNote | None = None

    @property
    def label(self) -> str:
        if self.kind == "session":
            return "today's individual session note"
        if self.note is not None:
            return "your between-session contact note of today"
        return "a between-session contact note"


def _local_midnight_utc(day: date, program: Program) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=zoneinfo.ZoneInfo(program.time_zone))


def note_target_for(*, actor: User, episode: Episode, now: datetime | None = None) -> NoteTarget:
    """Today's individual session with the participant, when it has started, the actor runs
    it, and its note is not signed or someone else's: its note. Otherwise a between-session
    contact note: the actor's own draft of today's for this participant, or a new one."""
    now = now or timezone.now()
    program = episode.program
    today = today_in(program.time_zone, now=now)
    midnight = _local_midnight_utc(today, program)
    sessions = (
        Session.objects.filter(
            program=program,
            status=SessionStatus.SCHEDULED,
            session_type__is_group=False,
            session_type__category=SessionCategory.INDIVIDUAL,
            roster__participant_id=episode.participant_id,
            facilitators=actor,
            starts_at__gte=midnight,
            starts_at__lte=now,
        )
        .select_related("program", "session_type")
        .order_by("-starts_at")[:3]
    )
    for session in sessions:
        note = ClinicalNote.objects.filter(session=session, kind=NoteKind.INDIVIDUAL).first()
        if note is None or (note.status == NoteStatus.DRAFT and note.author_id == actor.pk):
            return NoteTarget("session", session, note)
    draft = (
        ClinicalNote.objects.filter(
            kind=NoteKind.CONTACT,
            author=actor,
            status=NoteStatus.DRAFT,
            program=program,
            entries__participant_id=episode.participant_id,
            occurred_at__gte=midnight,
        )
        .order_by("-occurred_at", "-id")
        .first()
    )
    return NoteTarget("contact", None, draft)


@transaction.atomic
def note_contact_start(
    *, actor: User, episode: Episode, now: datetime | None = None, format: str = NoteFormat.DAP
) -> ClinicalNote:
    """A between-session contact note for one participant (a call after an alert, a coaching
    call): a draft by the actor, dated now, which the author corrects to when it happened."""
    program = episode.program
    if not may_add_to(actor, program):
        raise PermissionDenied("Only the program's clinicians write contact notes.")
    if format not in (NoteFormat.DAP, NoteFormat.BIRP, NoteFormat.SOAP):
        raise ValidationError({"format": ["Choose DAP, BIRP or SOAP."]})
    note = ClinicalNote(
        organization_id=episode.organization_id,
        program=program,
        session=None,
        kind=NoteKind.CONTACT,
        format=format,
        author=actor,
        minutes=CONTACT_DEFAULT_MINUTES,
        occurred_at=now or timezone.now(),
        contact_method=ContactMethod.PHONE,
    )
    note.full_clean(exclude=["session"])
    note.save()
    NoteEntry.objects.create(
        organization_id=note.organization_id,
        note=note,
        participant_id=episode.participant_id,
        episode=episode,
        attended_minutes=note.minutes,
    )
    return note


def agenda_item_for(
    *, viewer: User, participant: Participant, week: date, key: str, today: date
) -> AgendaChoice | None:
    """One item of a participant's diary-card agenda for a week, as the viewer's review shows
    it (None when the week's agenda has no such item)."""
    from openiop.diary.selectors import diary_review, week_start_of

    week = week_start_of(week)
    if week > today:
        return None
    review = diary_review(user=viewer, participant=participant, week_start=week, today=today)
    for item in review.agenda:
        if item.key == key:
            return AgendaChoice(ref=f"agenda:{item.key}", text=item.text, week=week, key=key)
    return None


@transaction.atomic
def note_start_from(
    *,
    actor: User,
    episode: Episode,
    alert: Any = None,
    agenda: AgendaChoice | None = None,
    now: datetime | None = None,
) -> ClinicalNote:
    """One click from an alert or a diary-card agenda item: the right note (note_target_for)
    with the alert or item linked to it, and a chain analysis opened when it is about a
    behaviour or an urge. Clicking again adds to the same draft."""
    if (alert is None) == (agenda is None):
        raise ValidationError("Start a note from one alert or one agenda item.")
    program = episode.program
    if not may_add_to(actor, program):
        raise PermissionDenied("Only the program's clinicians write notes.")
    if alert is not None and (
        alert.participant_id != episode.participant_id or alert.program_id != program.pk
    ):
        raise ValidationError("This alert is about someone else.")
    target = note_target_for(actor=actor, episode=episode, now=now)
    if target.session is not None:
        note = note_open_for_session(session=target.session, actor=actor)
    else:
        note = target.note or note_contact_start(actor=actor, episode=episode, now=now)
    if alert is not None:
        NoteLink.objects.get_or_create(
            note=note,
            alert=alert,
            defaults={
                "organization_id": note.organization_id,
                "participant_id": episode.participant_id,
                "kind": LinkKind.ALERT,
                "text": f"{alert.get_severity_display()} alert: {alert.evidence}"[:300],
                "started_from": True,
            },
        )
        chain = alert.rule.kind in CHAIN_ALERT_RULES
    else:
        assert agenda is not None
        NoteLink.objects.get_or_create(
            note=note,
            kind=LinkKind.AGENDA,
            agenda_week=agenda.week,
            agenda_key=agenda.key,
            defaults={
                "organization_id": note.organization_id,
                "participant_id": episode.participant_id,
                "text": agenda.text[:300],
                "started_from": True,
            },
        )
        chain = agenda.key in CHAIN_AGENDA_KEYS
    if chain:
        note_start_chain(note)
    return note


def addressed_on_agenda(participant: Participant, week: date) -> dict[str, ClinicalNote]:
    """The week's agenda items a note marked as addressed, by item key: the note that did."""
    found: dict[str, ClinicalNote] = {}
    for link in (
        NoteLink.objects.filter(
            participant=participant, kind=LinkKind.AGENDA, agenda_week=week, addressed=True
        )
        .select_related("note")
        .order_by("note__occurred_at", "id")
    ):
        found.setdefault(link.agenda_key, link.note)
    return found


def notes_for_alert(alert: Any) -> list[NoteLink]:
    return list(
        NoteLink.objects.filter(alert=alert)
        .select_related("note__author", "note__session__session_type")
        .order_by("created_at", "id")
    )


# --- selectors ---------------------------------------------------------------------------------


def is_overdue(note: ClinicalNote, now: datetime) -> bool:
    return note.status == NoteStatus.DRAFT and note.ends_at < now - timedelta(
        hours=note.program.note_sign_hours
    )


def _list_queryset() -> Any:
    return ClinicalNote.objects.select_related(
        "program", "session__session_type", "author"
    ).prefetch_related("entries__participant")


def unsigned_for_author(user: User, now: datetime, *, limit: int = 20) -> list[ClinicalNote]:
    """The user's own drafts, oldest session first, each marked overdue or not."""
    notes = list(
        _list_queryset()
        .filter(author=user, status=NoteStatus.DRAFT, program_id__in=program_ids_for(user))
        .order_by("occurred_at", "id")[:limit]
    )
    for note in notes:
        note.overdue = is_overdue(note, now)
    return notes


# How far back the facilitator's home looks for sessions nobody has documented.
UNDOCUMENTED_DAYS = 14


def sessions_without_note(user: User, now: datetime, *, limit: int = 10) -> list[Session]:
    """Sessions the user facilitated in the last two weeks that someone attended and that have
    no note at all: payers see an undocumented session as one that did not happen. Listed by
    session only (type and time), so the list names no participant."""
    attended = Attendance.objects.filter(session=OuterRef("pk"), status__in=ATTENDED_STATUSES)
    return list(
        Session.objects.filter(
            facilitators=user,
            program_id__in=program_ids_for(user),
            ends_at__lte=now,
            ends_at__gte=now - timedelta(days=UNDOCUMENTED_DAYS),
        )
        .exclude(status=SessionStatus.CANCELLED)
        .filter(Exists(attended))
        .exclude(Exists(ClinicalNote.objects.filter(session=OuterRef("pk"))))
        .select_related("session_type", "program")
        .order_by("starts_at", "id")[:limit]
    )


def cosign_queue(user: User, *, limit: int = 20) -> list[ClinicalNote]:
    """Signed notes of the user's supervisees waiting for the user's co-signature."""
    return list(
        _list_queryset()
        .filter(
            status=NoteStatus.SIGNED,
            cosign_required=True,
            cosigned_at__isnull=True,
            author__supervisor=user,
            program_id__in=program_ids_for(user),
        )
        .order_by("signed_at", "id")[:limit]
    )


def overdue_for_programs(user: User, now: datetime, *, limit: int = 50) -> list[ClinicalNote]:
    """Drafts in the director's programs whose session ended longer ago than the program
    allows (one query per program the director works in)."""
    programs = Program.objects.filter(
        pk__in=program_ids_for(user), organization_id=user.organization_id or 0
    )
    notes: list[ClinicalNote] = []
    for program in programs:
        cutoff = now - timedelta(hours=program.note_sign_hours)
        ended = Q(session__ends_at__lt=cutoff) | Q(session__isnull=True, occurred_at__lt=cutoff)
        notes += [
            n
            for n in _list_queryset()
            .filter(ended, program=program, status=NoteStatus.DRAFT)
            .order_by("occurred_at", "id")[:limit]
            if n.ends_at < cutoff
        ]
    notes.sort(key=lambda n: (n.occurred_at, n.pk))
    for note in notes:
        # A template-only attribute on the model instance (mypy knows only its fields).
        note.overdue = True  # type: ignore[attr-defined]
    return notes[:limit]


def notes_for_participant(user: User, participant: Participant, *, limit: int = 30) -> list[Any]:
    """The participant's notes in the viewer's programs, newest session first: metadata only
    (date, kind, minutes, signed, author), which every role with participant access may see."""
    return list(
        NoteEntry.objects.filter(
            participant=participant,
            note__program_id__in=program_ids_for(user),
            note__organization_id=user.organization_id or 0,
        )
        .select_related("note__session__session_type", "note__author", "note__program")
        .order_by("-note__occurred_at", "-id")[:limit]
    )


def session_note(session: Session) -> ClinicalNote | None:
    return ClinicalNote.objects.filter(session=session).first()
