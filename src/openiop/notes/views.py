"""Note pages: opened from the session page, written and signed by their author, read by the
program's clinicians, and copied into each attendee's chart with only that person's section.

Who may do what:
- note bodies are clinical content (Perm.PARTICIPANT_CLINICAL; Part 2 access in a
  substance-use program): billing gets 403 and sees metadata on the chart instead;
- notes of programs the user is not assigned to are 404s;
- the author writes and signs; clinicians of the program add addenda; the author's
  supervisor co-signs; directors see the program's overdue unsigned notes.
Every page records the access: the whole group note names several participants, so it writes
one row for each (access_record_many).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from openiop.accounts.policy import staff
from openiop.accounts.roles import Perm
from openiop.audit.models import AccessAction
from openiop.audit.services import access_record, access_record_many
from openiop.lib.forms import form_errors, message_errors
from openiop.lib.http import AuthedRequest
from openiop.lib.timezones import today_in
from openiop.notes import forms as nf
from openiop.notes import services
from openiop.notes.models import (
    CHAIN_KINDS,
    ClinicalNote,
    NoteEntry,
    NoteKind,
    NoteLink,
    NoteObjective,
)
from openiop.participants.access import (
    Access,
    participant_for,
    program_ids_for,
    treatment_episode_for,
)
from openiop.safety.selectors import visible_alerts
from openiop.scheduling.models import Session

OBJECT_TYPE = "notes.note"


def _notes_for(request: AuthedRequest) -> QuerySet[ClinicalNote]:
    user = request.user
    return ClinicalNote.objects.filter(
        organization_id=user.organization_id or 0, program_id__in=program_ids_for(user)
    )


def _note_for(request: AuthedRequest, note_id: UUID) -> ClinicalNote:
    """A note of the user's programs (404 otherwise) that the user may read (403 otherwise)."""
    note = get_object_or_404(
        _notes_for(request).select_related(
            "program", "session__session_type", "session__program", "author", "signed_by"
        ),
        public_id=note_id,
    )
    if not services.may_read_notes(request.user, note.program):
        access_record(
            request=request,
            action=AccessAction.DENIED,
            object_type=OBJECT_TYPE,
            object_id=str(note.public_id),
        )
        raise PermissionDenied("Your role does not allow reading this note.")
    return note


def _session_for(request: AuthedRequest, session_id: UUID) -> Session:
    user = request.user
    return get_object_or_404(
        Session.objects.filter(
            organization_id=user.organization_id or 0, program_id__in=program_ids_for(user)
        ).select_related("program", "session_type"),
        public_id=session_id,
    )


@staff(Perm.PARTICIPANT_WRITE)
@require_POST
def note_open(request: AuthedRequest, session_id: UUID) -> HttpResponse:
    """Start (or reopen) the session's note from the session page."""
    session = _session_for(request, session_id)
    with message_errors(request):
        note = services.note_open_for_session(
            session=session, actor=request.user, format=request.POST.get("format", "dap")
        )
        return redirect("notes:note", note_id=note.public_id)
    return redirect("scheduling:session_detail", public_id=session.public_id)


@staff(Perm.PARTICIPANT_WRITE)
@require_POST
def note_start(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    """One click from an alert or a diary-card agenda item: the right note for it (today's
    individual session note, or a between-session contact note) with the item linked."""
    participant = participant_for(
        request, public_id, access=Access.CLINICAL, write=True, object_type="notes.start"
    )
    user = request.user
    alert = None
    agenda = None
    if request.POST.get("alert"):
        alert = (
            visible_alerts(user)
            .filter(participant=participant, public_id=_uuid_or_404(request.POST["alert"]))
            .select_related("rule", "episode__program")
            .first()
        )
        if alert is None:
            raise Http404("No such alert.")
        episode = alert.episode
    else:
        episode = _episode_for_notes(request, participant)
        try:
            week = date.fromisoformat(request.POST.get("week", ""))
        except ValueError:
            raise Http404("No such agenda item.") from None
        agenda = services.agenda_item_for(
            viewer=user,
            participant=participant,
            week=week,
            key=request.POST.get("agenda", "")[:80],
            today=today_in(episode.program.time_zone),
        )
        if agenda is None:
            messages.error(request, "That agenda item is no longer on the week's agenda.")
            return redirect("diary:review", public_id=participant.public_id)
    with message_errors(request):
        note = services.note_start_from(actor=user, episode=episode, alert=alert, agenda=agenda)
        messages.success(request, f"{note.get_kind_display()} note opened with the item linked.")
        return redirect("notes:note", note_id=note.public_id)
    return redirect("participants:chart", public_id=participant.public_id)


def _uuid_or_404(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise Http404("No such item.") from None


def _episode_for_notes(request: AuthedRequest, participant: Any) -> Any:
    episode = treatment_episode_for(request.user, participant)
    if episode is None:
        raise Http404("This participant is not in treatment in your programs.")
    return episode


# --- the note page ---------------------------------------------------------------------------


def editing_of(request: AuthedRequest, note: ClinicalNote) -> bool:
    return note.status == "draft" and note.author_id == request.user.pk


def _page_context(
    request: AuthedRequest,
    note: ClinicalNote,
    *,
    note_form: nf.NoteForm | None = None,
    entry_forms: dict[int, nf.EntryForm] | None = None,
    addendum_form: nf.AddendumForm | None = None,
    refused: list[str] | None = None,
) -> dict[str, Any]:
    """Everything the note page shows, in a fixed number of queries whatever the group size."""
    ctx = services.check_context(note)
    review = services.note_sign_review(note, ctx) if editing_of(request, note) else None
    entries = ctx.entries
    editing = editing_of(request, note)
    linked: dict[int, list[NoteObjective]] = {}
    for link in NoteObjective.objects.filter(entry__note=note).select_related("objective"):
        linked.setdefault(link.entry_id, []).append(link)
    rows = []
    objectives = services.linkable_objectives(e.episode_id for e in entries) if editing else {}
    for entry in entries:
        form = None
        if editing:
            form = (entry_forms or {}).get(entry.pk) or nf.EntryForm(
                entry=entry,
                objectives=objectives.get(entry.episode_id, []),
                linked=[str(link.objective.public_id) for link in linked.get(entry.pk, [])],
                with_diary=note.kind == NoteKind.INDIVIDUAL,
            )
        rows.append(
            {
                "entry": entry,
                "form": form,
                "links": [link.objective for link in linked.get(entry.pk, [])],
                "plan": ctx.plans.get(entry.episode_id),
                "diary_cards": ctx.diary_cards.get(entry.participant_id, 0),
            }
        )
    addenda = list(note.addenda.select_related("author", "entry__participant"))
    is_supervisor = note.author.supervisor_id == request.user.pk
    links = list(note.linked_items.select_related("alert"))
    if editing and note_form is None:
        note_form = _note_form(request, note, links=links)
    return {
        "note": note,
        "session": note.session,
        "note_links": links,
        "editing": editing,
        "note_form": note_form,
        "rows": rows,
        "problems": refused if refused is not None else (review.problems if review else []),
        "warnings": review.warnings if review else [],
        "refused": refused is not None,
        "addenda": addenda,
        "addendum_form": addendum_form or nf.AddendumForm(entries=entries),
        "can_add": note.is_signed and services.may_add_to(request.user, note.program),
        "can_cosign": note.cosign_pending and is_supervisor,
        "overdue": services.is_overdue(note, timezone.now()),
        "intact": services.note_hash_intact(note) if note.is_signed else None,
    }


def _record_page(request: AuthedRequest, note: ClinicalNote, action: AccessAction) -> None:
    participants = [e.participant for e in note.entries.select_related("participant")]
    access_record_many(
        request=request,
        action=action,
        object_type=OBJECT_TYPE,
        participants=participants,
        object_ids=[str(note.public_id)] * len(participants),
    )


def _note_form(
    request: AuthedRequest,
    note: ClinicalNote,
    data: Any = None,
    *,
    links: list[NoteLink] | None = None,
) -> nf.NoteForm:
    """The note's own part; for one person's notes with the items it can mark as addressed."""
    addressable: list[tuple[str, str]] = []
    addressed: list[str] = []
    if note.kind in CHAIN_KINDS:
        if links is None:
            links = list(note.linked_items.select_related("alert"))
        agenda = services.agenda_choices(note, request.user)
        addressable, addressed = nf.addressable_choices(links, agenda)
    return nf.NoteForm(data, note=note, addressable=addressable, addressed=addressed)


@staff(Perm.PARTICIPANT_CLINICAL)
@require_http_methods(["GET", "POST"])
def note_detail(request: AuthedRequest, note_id: UUID) -> HttpResponse:
    """The whole note: the editor for its author while it is a draft, read-only otherwise.
    POST saves the draft; with action=sign it saves and then signs."""
    note = _note_for(request, note_id)
    if request.method == "GET":
        _record_page(request, note, AccessAction.VIEW)
        return render(request, "notes/note.html", _page_context(request, note))
    if note.author_id != request.user.pk or not request.user.can(Perm.PARTICIPANT_WRITE):
        raise PermissionDenied("Only the note's author changes it.")
    if note.is_signed:
        messages.error(request, "This note is signed and cannot change; add an addendum instead.")
        return redirect("notes:note", note_id=note.public_id)
    _record_page(request, note, AccessAction.UPDATE)
    note_form = _note_form(request, note, request.POST)
    entries = list(note.entries.select_related("participant"))
    objectives = services.linkable_objectives(e.episode_id for e in entries)
    entry_forms = {
        e.pk: nf.EntryForm(
            request.POST,
            entry=e,
            objectives=objectives.get(e.episode_id, []),
            linked=[],
            with_diary=note.kind == NoteKind.INDIVIDUAL,
        )
        for e in entries
    }
    # Validate every form (no short-circuit) so all errors show at once.
    results = [note_form.is_valid()] + [f.is_valid() for f in entry_forms.values()]
    valid = all(results)
    if valid:
        try:
            note = services.note_save(
                note=note,
                actor=request.user,
                entries={pk: f.entry_input() for pk, f in entry_forms.items()},
                **note_form.service_kwargs(),
            )
        except ValidationError as error:
            _spread_errors(error, note_form, entry_forms)
            valid = False
    if not valid:
        context = _page_context(request, note, note_form=note_form, entry_forms=entry_forms)
        return render(request, "notes/note.html", context, status=400)
    if request.POST.get("action") != "sign":
        messages.success(request, "Draft saved.")
        return redirect("notes:note", note_id=note.public_id)
    warnings = services.note_sign_review(note).warnings
    try:
        services.note_sign(note=note, actor=request.user)
    except ValidationError as error:
        note = _note_for(request, note_id)
        context = _page_context(request, note, refused=error.messages)
        return render(request, "notes/note.html", context, status=400)
    messages.success(request, "Note signed. It is locked; add an addendum for anything later.")
    for warning in warnings:
        messages.warning(request, warning)
    return redirect("notes:note", note_id=note.public_id)


def _spread_errors(
    error: ValidationError, note_form: nf.NoteForm, entry_forms: dict[int, nf.EntryForm]
) -> None:
    if not hasattr(error, "error_dict"):
        note_form.add_error(None, error.messages)
        return
    for key, found in error.message_dict.items():
        if key.startswith("e") and "-" in key:
            pk_text, field = key[1:].split("-", 1)
            form = entry_forms.get(int(pk_text)) if pk_text.isdigit() else None
            if form is not None:
                form.add_error(field if field in form.fields else None, found)
                continue
        name = key if key in note_form.fields else f"section_{key}"
        note_form.add_error(name if name in note_form.fields else None, found)


@staff(Perm.PARTICIPANT_WRITE)
@require_POST
def addendum_new(request: AuthedRequest, note_id: UUID) -> HttpResponse:
    note = _note_for(request, note_id)
    entries = list(note.entries.select_related("participant"))
    form = nf.AddendumForm(request.POST, entries=entries)
    if form.is_valid():
        with form_errors(form):
            services.addendum_add(
                note=note,
                actor=request.user,
                text=form.cleaned_data["text"],
                entry=form.chosen_entry(),
            )
            _record_page(request, note, AccessAction.UPDATE)
            messages.success(request, "Addendum added and signed.")
            return redirect("notes:note", note_id=note.public_id)
    _record_page(request, note, AccessAction.VIEW)
    context = _page_context(request, note, addendum_form=form)
    return render(request, "notes/note.html", context, status=400)


@staff(Perm.PARTICIPANT_WRITE)
@require_POST
def note_cosign(request: AuthedRequest, note_id: UUID) -> HttpResponse:
    note = _note_for(request, note_id)
    with message_errors(request):
        services.note_cosign(note=note, actor=request.user)
        _record_page(request, note, AccessAction.UPDATE)
        messages.success(request, "Note co-signed.")
    return redirect("notes:note", note_id=note.public_id)


# --- the attendee's chart copy ---------------------------------------------------------------


@staff(Perm.PARTICIPANT_CLINICAL)
def chart_copy(request: AuthedRequest, public_id: UUID, note_id: UUID) -> HttpResponse:
    """The note as it stands in one attendee's chart: the shared part and that person's own
    section and addenda, never anyone else's."""
    entry = (
        NoteEntry.objects.filter(
            participant__public_id=public_id,
            note__public_id=note_id,
            note__organization_id=request.user.organization_id or 0,
            note__program_id__in=program_ids_for(request.user),
        )
        .select_related("note__program", "note__session__session_type", "note__author")
        .first()
    )
    if entry is None:
        raise Http404("No such note in this chart.")
    level = Access.SUD if entry.note.program.treats_sud else Access.CLINICAL
    participant = participant_for(
        request,
        public_id,
        access=level,
        object_type="notes.chart_copy",
        object_id=str(entry.note.public_id),
    )
    note = entry.note
    context: dict[str, Any] = {
        "participant": participant,
        "note": note,
        "session": note.session,
        "entry": entry,
        "note_links": list(note.linked_items.select_related("alert")),
        "links": [
            link.objective
            for link in NoteObjective.objects.filter(entry=entry).select_related("objective")
        ],
        "addenda": list(
            note.addenda.filter(Q(entry__isnull=True) | Q(entry=entry)).select_related("author")
        ),
    }
    return render(request, "notes/chart_copy.html", context)


# --- director's list -------------------------------------------------------------------------


@staff(Perm.PROGRAM_CONFIGURE)
def overdue_list(request: AuthedRequest) -> HttpResponse:
    notes = services.overdue_for_programs(request.user, timezone.now(), limit=100)
    pairs = [(e.participant, n) for n in notes if n.kind != NoteKind.GROUP for e in n.entries.all()]
    access_record_many(
        request=request,
        action=AccessAction.LIST,
        object_type="notes.overdue",
        participants=[participant for participant, _ in pairs],
        object_ids=[str(note.public_id) for _, note in pairs],
    )
    return render(request, "notes/overdue.html", {"notes": notes})
