"""Clinical notes: one note per session and kind, with one section (entry) per attendee.

A group note has a shared part (topic, lesson, facilitators, what was taught and how) and one
entry per person who attended: their participation, their response, a few lines of their own,
the objectives of their own plan the session worked on, and a risk screen. An individual or
family note has one entry for the participant plus the sections of its format (DAP, BIRP or
SOAP).

A draft can change; signing runs the checks in `services.note_sign_checks`, stores a hash over
the whole content (shared part and every entry) and locks the note. After that only addenda
(each signed and hashed on creation) and the supervisor's co-signature are added. The model
refuses changes to signed rows in application code; on PostgreSQL triggers refuse them too
(SIGNED_NOTE_LOCKED and the guards in each Meta), and the stored hash detects a change made
around both.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

import pgtrigger
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from openiop.lib import triggers as guards
from openiop.lib.models import (
    OrganizationRecord,
    OrganizationScoped,
    SignatureStatus,
    SignedDocument,
)
from openiop.participants.models import Participant
from openiop.scheduling.models import Session

if TYPE_CHECKING:
    from openiop.care.models import PlanObjective


class NoteKind(models.TextChoices):
    GROUP = "group", "Group"
    INDIVIDUAL = "individual", "Individual"
    FAMILY = "family", "Family"
    # A contact between sessions (a call back after an alert, a coaching call): no session.
    CONTACT = "contact", "Between-session contact"


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Phone call"
    VIDEO = "video", "Video call"
    IN_PERSON = "in_person", "In person"
    MESSAGE = "message", "Message"


class NoteFormat(models.TextChoices):
    GROUP = "group", "Group note"
    DAP = "dap", "DAP (data, assessment, plan)"
    BIRP = "birp", "BIRP (behavior, intervention, response, plan)"
    SOAP = "soap", "SOAP (subjective, objective, assessment, plan)"


# The sections of each format, with a prompt in our own words.
FORMAT_SECTIONS: dict[str, tuple[tuple[str, str, str], ...]] = {
    NoteFormat.DAP: (
        ("data", "Data", "What was said, seen and done in the session."),
        ("assessment", "Assessment", "What it means: progress, risk, clinical impression."),
        ("plan", "Plan", "Next steps, homework, next session."),
    ),
    NoteFormat.BIRP: (
        ("behavior", "Behavior", "How the participant presented and what they reported."),
        ("intervention", "Intervention", "What the clinician did: skills, techniques."),
        ("response", "Response", "How the participant responded to the intervention."),
        ("plan", "Plan", "Next steps, homework, next session."),
    ),
    NoteFormat.SOAP: (
        ("subjective", "Subjective", "The participant's own report, in brief."),
        ("objective", "Objective", "What the clinician observed; scores and attendance."),
        ("assessment", "Assessment", "Clinical impression and progress toward goals."),
        ("plan", "Plan", "Next steps, homework, next session."),
    ),
}


# A DBT chain analysis of a problem behaviour, in our own words (clinical.md section 2): the
# links from what made the person vulnerable to what followed, and what to do next time.
CHAIN_SECTIONS: tuple[tuple[str, str, str], ...] = (
    (
        "vulnerabilities",
        "Vulnerabilities",
        "What made the person more open to the problem behaviour that day: sleep, illness, "
        "substances, stress, strong emotions beforehand.",
    ),
    (
        "prompting_event",
        "Prompting event",
        "What happened just before, outside or inside the person, that started the chain.",
    ),
    (
        "links",
        "Links in the chain",
        "Thoughts, feelings, body sensations, actions and events, one after another, from the "
        "prompting event to the behaviour.",
    ),
    ("behaviour", "Problem behaviour", "What exactly the person did or urged to do, in detail."),
    (
        "consequences",
        "Consequences",
        "What followed, right away and later, for the person and for others.",
    ),
    ("repair", "Repair", "What the person did or will do to repair harm done."),
    (
        "skills_next_time",
        "Skills to use next time",
        "Where in the chain a skill could have changed the outcome, and which skill.",
    ),
)
CHAIN_KEYS: tuple[str, ...] = tuple(key for key, _, _ in CHAIN_SECTIONS)
# Without these, a chain analysis is not one; vulnerabilities and repair may be "none".
CHAIN_REQUIRED: tuple[str, ...] = (
    "prompting_event",
    "links",
    "behaviour",
    "consequences",
    "skills_next_time",
)
# Notes that may carry a chain analysis: one participant, one clinician.
CHAIN_KINDS = frozenset({NoteKind.INDIVIDUAL, NoteKind.CONTACT})


NoteStatus = SignatureStatus


class NoteLockedError(ValidationError):
    pass


LOCKED_MESSAGE = "This note is signed and cannot change; add an addendum instead."


# On PostgreSQL the database keeps signed notes locked as well: a signed note accepts only
# its co-signature and is never deleted; the sections and objective links of a signed note
# are never added, changed or removed; an addendum never changes (guards.append_only).
SIGNED_NOTE_LOCKED = guards.Guard(
    name="signed_note_locked",
    operation=pgtrigger.Update | pgtrigger.Delete,
    condition=pgtrigger.Q(old__status="signed"),
    func="""
    IF TG_OP = 'UPDATE'
       AND (to_jsonb(NEW) - ARRAY['cosigned_at', 'cosigned_by_id', 'updated_at'])
         = (to_jsonb(OLD) - ARRAY['cosigned_at', 'cosigned_by_id', 'updated_at']) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'notes_clinicalnote: a signed note cannot change (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
    """,
)

# How a section (note_id) or an objective link (entry_id, through its section) finds its note.
_NOTE_OF = {
    "note_id": "SELECT 1 FROM notes_clinicalnote n WHERE n.id = {row}.note_id "
    "AND n.status = 'signed'",
    "entry_id": "SELECT 1 FROM notes_noteentry e JOIN notes_clinicalnote n ON n.id = e.note_id "
    "WHERE e.id = {row}.entry_id AND n.status = 'signed'",
}


def _signed_note_part_locked(what: str, key: str) -> guards.Guard:
    """Refuses adding, changing or removing a part of a signed note (before or after the
    change: moving a row into or out of a signed note is refused too)."""
    old, new = _NOTE_OF[key].format(row="OLD"), _NOTE_OF[key].format(row="NEW")
    return guards.Guard(
        name="signed_note_part_locked",
        operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
        func=f"""
        IF (TG_OP <> 'INSERT' AND EXISTS ({old}))
           OR (TG_OP <> 'DELETE' AND EXISTS ({new})) THEN
            RAISE EXCEPTION 'notes: the {what} of a signed note cannot change (% refused)',
                TG_OP USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
        """,
    )


class ClinicalNote(OrganizationRecord, SignedDocument):
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="+")
    # Every note but a between-session contact note documents one session.
    session = models.ForeignKey(
        "scheduling.Session",
        on_delete=models.PROTECT,
        related_name="notes",
        null=True,
        blank=True,
    )
    kind = models.CharField(max_length=12, choices=NoteKind.choices)
    # When the session started or the contact happened: the note's place in every list.
    occurred_at = models.DateTimeField()
    contact_method = models.CharField(max_length=12, choices=ContactMethod.choices, blank=True)
    format = models.CharField(max_length=8, choices=NoteFormat.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="authored_notes"
    )
    # Shared part, filled from the session when the note is opened (snapshots: the session
    # can change later; the note keeps what it said when it was signed).
    topic = models.CharField(max_length=200, blank=True)
    lesson = models.CharField(max_length=300, blank=True)
    facilitators = models.CharField(max_length=500, blank=True)
    minutes = models.PositiveSmallIntegerField(help_text="The session's length.")
    absent_count = models.PositiveSmallIntegerField(default=0)
    # Family sessions: who came, by relationship only (never names or contact details).
    family_attending = models.CharField(max_length=300, blank=True)
    narrative = models.TextField(blank=True, max_length=4000)
    interventions = models.TextField(blank=True, max_length=2000)
    # Individual and family notes: {"data": "...", ...} keyed by FORMAT_SECTIONS.
    sections = models.JSONField(default=dict, blank=True)
    # A DBT chain analysis ({key: text} by CHAIN_SECTIONS); empty when the note has none.
    chain = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=8, choices=NoteStatus.choices, default=NoteStatus.DRAFT)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cosign_required = models.BooleanField(default=False)
    cosigned_at = models.DateTimeField(null=True, blank=True)
    cosigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # What may still change on a signed note.
    AFTER_SIGNING: ClassVar[frozenset[str]] = frozenset({"cosigned_at", "cosigned_by"})

    class Meta:
        triggers = [SIGNED_NOTE_LOCKED]
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "kind"], name="note_one_per_session_kind"),
            models.CheckConstraint(
                condition=Q(kind__in=["group", "individual", "family", "contact"]),
                name="note_kind_valid",
            ),
            models.CheckConstraint(
                condition=(Q(kind="contact") & Q(session__isnull=True))
                | (~Q(kind="contact") & Q(session__isnull=False)),
                name="note_session_unless_contact",
            ),
            models.CheckConstraint(
                condition=(Q(kind="group") & Q(format="group"))
                | (~Q(kind="group") & Q(format__in=["dap", "birp", "soap"])),
                name="note_format_fits_kind",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "signed"]), name="note_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="draft")
                | (~Q(content_hash="") & Q(signed_at__isnull=False) & Q(signed_by__isnull=False)),
                name="note_signed_has_hash",
            ),
            models.CheckConstraint(
                condition=Q(cosigned_at__isnull=True) | Q(status="signed"),
                name="note_cosigned_only_when_signed",
            ),
        ]
        indexes = [
            models.Index(fields=["author", "status"]),
            models.Index(fields=["program", "status", "created_at"]),
            models.Index(fields=["program", "status", "occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} note"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            fields = kwargs.get("update_fields")
            only_allowed = fields is not None and set(fields) <= self.AFTER_SIGNING
            stored = ClinicalNote.objects.filter(pk=self.pk).values_list("status", flat=True)
            if not only_allowed and stored.first() == NoteStatus.SIGNED:
                raise NoteLockedError(LOCKED_MESSAGE)
        super().save(*args, **kwargs)

    def signed_content(self) -> dict[str, Any]:
        # It spans the note's entries, objective links and linked items: built below
        # (note_signed_content), from note_content, which the demo also calls in bulk.
        return note_signed_content(self)

    @property
    def is_signed(self) -> bool:
        return self.status == NoteStatus.SIGNED

    @property
    def cosign_pending(self) -> bool:
        return self.is_signed and self.cosign_required and self.cosigned_at is None

    @property
    def has_chain(self) -> bool:
        return bool(self.chain)

    @property
    def ends_at(self) -> datetime:
        """When the session or contact ended: the signing window counts from here."""
        if self.session is not None:
            return self.session.ends_at
        return self.occurred_at + timedelta(minutes=self.minutes)

    def chain_rows(self) -> list[tuple[str, str, str, str]]:
        """(key, heading, prompt, text) for each section of the chain analysis."""
        return [
            (key, heading, prompt, str(self.chain.get(key, "")))
            for key, heading, prompt in CHAIN_SECTIONS
        ]

    def section_rows(self) -> list[tuple[str, str, str, str]]:
        """(key, heading, prompt, text) for each section of the format."""
        return [
            (key, heading, prompt, str(self.sections.get(key, "")))
            for key, heading, prompt in FORMAT_SECTIONS.get(self.format, ())
        ]


class Participation(models.TextChoices):
    ACTIVE = "active", "Active: offered examples and practised"
    PROMPTED = "prompted", "Took part when invited"
    MINIMAL = "minimal", "Minimal: mostly listened"
    WITHDRAWN = "withdrawn", "Withdrawn or disengaged"
    DISRUPTIVE = "disruptive", "Disruptive; redirected"


class Response(models.TextChoices):
    PRACTISED = "practised", "Practised the skill and described using it"
    UNDERSTOOD = "understood", "Showed understanding of the material"
    PARTIAL = "partial", "Partial understanding; needs review"
    AMBIVALENT = "ambivalent", "Ambivalent or resistant"


class NoteEntry(OrganizationScoped):
    """One attendee's section of a note. Attendance is a snapshot taken when the note was last
    saved; the checks before signing compare it with the attendance record."""

    note = models.ForeignKey(ClinicalNote, on_delete=models.PROTECT, related_name="entries")
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="note_entries"
    )
    episode = models.ForeignKey("participants.Episode", on_delete=models.PROTECT, related_name="+")
    attendance_status = models.CharField(max_length=20, blank=True)
    attended_minutes = models.PositiveSmallIntegerField(default=0)
    participation = models.CharField(max_length=12, choices=Participation.choices, blank=True)
    response = models.CharField(max_length=12, choices=Response.choices, blank=True)
    text = models.TextField(blank=True, max_length=2000)
    objectives: models.ManyToManyField[PlanObjective, NoteObjective] = models.ManyToManyField(
        "care.PlanObjective", through="NoteObjective", related_name="+", blank=True
    )
    # Risk screen: was suicidal / homicidal ideation asked about, and was it present?
    si_asked = models.BooleanField(null=True, blank=True)
    si_present = models.BooleanField(null=True, blank=True)
    hi_asked = models.BooleanField(null=True, blank=True)
    hi_present = models.BooleanField(null=True, blank=True)
    risk_follow_up = models.TextField(blank=True, max_length=2000)
    # DBT individual sessions: the week's diary cards were reviewed in session.
    diary_reviewed = models.BooleanField(default=False)

    class Meta:
        triggers = [_signed_note_part_locked("sections", "note_id")]
        ordering = ["participant__legal_last_name", "participant__legal_first_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["note", "participant"], name="note_entry_once"),
            models.CheckConstraint(
                condition=Q(si_asked=True) | Q(si_present__isnull=True),
                name="note_entry_si_present_only_if_asked",
            ),
            models.CheckConstraint(
                condition=Q(hi_asked=True) | Q(hi_present__isnull=True),
                name="note_entry_hi_present_only_if_asked",
            ),
        ]

    def __str__(self) -> str:
        return f"Note section {self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        status = ClinicalNote.objects.filter(pk=self.note_id).values_list("status", flat=True)
        if status.first() == NoteStatus.SIGNED:
            raise NoteLockedError(LOCKED_MESSAGE)
        super().save(*args, **kwargs)

    @property
    def attendance_label(self) -> str:
        from openiop.scheduling.models import AttendanceStatus

        if self.attendance_status in AttendanceStatus.values:
            return str(AttendanceStatus(self.attendance_status).label)
        return "Attendance not recorded"

    @property
    def risk_present(self) -> bool:
        return bool(self.si_present or self.hi_present)


class NoteObjective(OrganizationScoped):
    """A plan objective the session worked on, linked to one attendee's section."""

    entry = models.ForeignKey(NoteEntry, on_delete=models.CASCADE, related_name="links")
    objective = models.ForeignKey("care.PlanObjective", on_delete=models.PROTECT, related_name="+")

    class Meta:
        triggers = [_signed_note_part_locked("objective links", "entry_id")]
        constraints = [
            models.UniqueConstraint(fields=["entry", "objective"], name="note_objective_once")
        ]

    def __str__(self) -> str:
        return f"Objective {self.objective_id} in section {self.entry_id}"


class NoteAddendum(OrganizationRecord, SignedDocument):
    """Added to a signed note; signed and hashed when written, never changed."""

    note = models.ForeignKey(ClinicalNote, on_delete=models.PROTECT, related_name="addenda")
    # About one attendee (shown only in that person's chart copy), or the whole note.
    entry = models.ForeignKey(
        NoteEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="addenda"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=4000)
    signed_at = models.DateTimeField()

    class Meta:
        triggers = [guards.append_only()]
        ordering = ["signed_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(content_hash=""), name="addendum_has_hash"),
            models.CheckConstraint(condition=~Q(text=""), name="addendum_has_text"),
        ]

    def __str__(self) -> str:
        return f"Addendum {self.signed_at:%Y-%m-%d}"

    def signed_content(self, note_hash: str | None = None) -> dict[str, Any]:
        """Chained to the note's own hash, so a changed note fails its addenda too."""
        return {
            "note": self.note.content_hash if note_hash is None else note_hash,
            "entry": self.entry_id,
            "author": self.author_id,
            "text": self.text,
            "signed_at": self.signed_at.isoformat(),
        }

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise NoteLockedError("An addendum is signed when written and cannot change.")
        super().save(*args, **kwargs)


class LinkKind(models.TextChoices):
    ALERT = "alert", "Risk alert"
    AGENDA = "agenda", "Diary-card agenda item"


class NoteLink(OrganizationScoped):
    """What a note answers: a risk alert or an item of the week's diary-card agenda, linked
    when the note was started from it or chosen in the editor. `addressed` says the note
    addressed it; the diary review shows it as done in this note. Locked with the note."""

    note = models.ForeignKey(ClinicalNote, on_delete=models.PROTECT, related_name="linked_items")
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=8, choices=LinkKind.choices)
    alert = models.ForeignKey(
        "safety.Alert",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="note_links",
    )
    # Agenda items are computed from the week's cards: the program week and a stable key
    # (diary.selectors.AgendaItem.key) name one; the text is what it said when linked.
    agenda_week = models.DateField(null=True, blank=True)
    agenda_key = models.CharField(max_length=80, blank=True)
    text = models.CharField(max_length=300)
    started_from = models.BooleanField(default=False)
    addressed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="alert") & Q(alert__isnull=False))
                | (Q(kind="agenda") & Q(agenda_week__isnull=False) & ~Q(agenda_key="")),
                name="note_link_names_its_item",
            ),
            models.UniqueConstraint(
                fields=["note", "alert"],
                condition=Q(alert__isnull=False),
                name="note_link_alert_once",
            ),
            models.UniqueConstraint(
                fields=["note", "agenda_week", "agenda_key"],
                condition=Q(kind="agenda"),
                name="note_link_agenda_once",
            ),
        ]
        indexes = [models.Index(fields=["participant", "agenda_week"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} in note {self.note_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self._refuse_if_signed()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        self._refuse_if_signed()
        return super().delete(*args, **kwargs)

    def _refuse_if_signed(self) -> None:
        status = ClinicalNote.objects.filter(pk=self.note_id).values_list("status", flat=True)
        if status.first() == NoteStatus.SIGNED:
            raise NoteLockedError(LOCKED_MESSAGE)

    @property
    def ref(self) -> str:
        """The item's name in forms: alert:<uuid> or agenda:<key>."""
        if self.kind == LinkKind.ALERT and self.alert is not None:
            return f"alert:{self.alert.public_id}"
        return f"agenda:{self.agenda_key}"


# --- what a signature covers ----------------------------------------------------------------


def note_content(
    note: ClinicalNote,
    entries: Iterable[NoteEntry],
    objectives: Mapping[int, Iterable[str]],
    participant_ids: Mapping[int, str],
    session_id: str,
    links: Iterable[tuple[str, str, bool]] = (),
) -> dict[str, Any]:
    """Everything a signature covers, in a stable order. What later versions added (contact
    details, a chain analysis, linked items) is covered only where a note has it, so the
    content, and the hash, of notes signed before stays exactly what it was."""
    content = _session_note_content(note, entries, objectives, participant_ids, session_id)
    if note.kind == NoteKind.CONTACT:
        content["occurred_at"] = note.occurred_at.isoformat()
        content["contact_method"] = note.contact_method
    if note.chain:
        content["chain"] = {k: note.chain[k] for k in sorted(note.chain)}
    found = sorted(links)
    if found:
        content["links"] = [list(link) for link in found]
    return content


def _session_note_content(
    note: ClinicalNote,
    entries: Iterable[NoteEntry],
    objectives: Mapping[int, Iterable[str]],
    participant_ids: Mapping[int, str],
    session_id: str,
) -> dict[str, Any]:
    return {
        "session": session_id,
        "kind": note.kind,
        "format": note.format,
        "author": note.author_id,
        "signed_by": note.signed_by_id,
        "signed_at": note.signed_at.isoformat() if note.signed_at else None,
        "topic": note.topic,
        "lesson": note.lesson,
        "facilitators": note.facilitators,
        "minutes": note.minutes,
        "absent_count": note.absent_count,
        "family_attending": note.family_attending,
        "narrative": note.narrative,
        "interventions": note.interventions,
        "sections": {k: note.sections[k] for k in sorted(note.sections)},
        "entries": [
            {
                "participant": participant_ids[e.participant_id],
                "episode": e.episode_id,
                "attendance_status": e.attendance_status,
                "attended_minutes": e.attended_minutes,
                "participation": e.participation,
                "response": e.response,
                "text": e.text,
                "objectives": sorted(objectives.get(e.pk, [])),
                "si_asked": e.si_asked,
                "si_present": e.si_present,
                "hi_asked": e.hi_asked,
                "hi_present": e.hi_present,
                "risk_follow_up": e.risk_follow_up,
                "diary_reviewed": e.diary_reviewed,
            }
            for e in sorted(entries, key=lambda e: participant_ids[e.participant_id])
        ],
    }


def note_signed_content(note: ClinicalNote) -> dict[str, Any]:
    """What the note's signature covers, as stored now (five queries). Here, beside the
    models, so that ClinicalNote.signed_content (the SignedDocument hook) needs no import of
    services."""
    entries = list(note.entries.all())
    objectives: dict[int, list[str]] = defaultdict(list)
    for entry_id, public_id in NoteObjective.objects.filter(entry__note=note).values_list(
        "entry_id", "objective__public_id"
    ):
        objectives[entry_id].append(str(public_id))
    participant_ids = {
        pk: str(public_id)
        for pk, public_id in Participant.objects.filter(
            pk__in=[e.participant_id for e in entries]
        ).values_list("pk", "public_id")
    }
    session_id = ""
    if note.session_id is not None:
        session_id = str(
            Session.objects.filter(pk=note.session_id).values_list("public_id", flat=True)[0]
        )
    links = [
        (link.ref, link.text, link.addressed)
        for link in NoteLink.objects.filter(note=note).select_related("alert")
    ]
    return note_content(note, entries, objectives, participant_ids, session_id, links)
