"""What this app adds to shared pages: the participant chart, the staff home, the session page
and the portal home. Each function returns a template context (empty when there is nothing to
show)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from openiop.accounts.roles import Perm
from openiop.audit.models import AccessAction
from openiop.audit.services import access_record_many
from openiop.lib.http import AuthedRequest
from openiop.notes import services
from openiop.notes.models import FORMAT_SECTIONS, NoteFormat, NoteKind, NoteStatus
from openiop.participants.models import Episode, Participant
from openiop.participants.panels import Chart, SummaryItem, SummaryLine
from openiop.scheduling.models import Session


def chart_context(request: AuthedRequest, chart: Chart) -> dict[str, Any]:
    """The participant's notes. Every role with participant access sees the metadata (date,
    kind, minutes, signed, author: what claims need); only readers of note bodies get a link to
    the participant's copy of each note."""
    participant = chart.participant
    user = request.user
    if not user.can(Perm.PARTICIPANT_EXISTS):
        return {}
    entries = services.notes_for_participant(user, participant)
    readable = {}
    for entry in entries:
        program = entry.note.program
        if program.pk not in readable:
            readable[program.pk] = services.may_read_notes(user, program)
        entry.readable = readable[program.pk]
    # The chart's own "participant.chart" view row covers everything shown on the page.
    return {"notes_panel": {"entries": entries}}


def chart_summary(request: AuthedRequest, chart: Chart) -> list[SummaryItem]:
    """Unsigned notes about this person in the viewer's programs, the overdue ones counted:
    metadata (as on the notes panel), which billing sees too: an unsigned note holds a claim."""
    user = request.user
    now = timezone.now()
    drafts = [
        entry.note
        for entry in services.notes_for_participant(user, chart.participant, limit=50)
        if entry.note.status == NoteStatus.DRAFT
    ]
    if not drafts:
        return []
    overdue = sum(1 for note in drafts if services.is_overdue(note, now))
    count = len(drafts)
    return [
        SummaryItem(
            key="unsigned-notes",
            label="Unsigned notes",
            panel="plans",
            tone="warn" if overdue else "",
            lines=(
                SummaryLine(
                    text=f"{count} unsigned",
                    detail=f"{overdue} past the signing deadline" if overdue else "",
                    tone="warn" if overdue else "",
                ),
            ),
        )
    ]


def home_context(request: AuthedRequest) -> dict[str, Any]:
    """My unsigned notes (overdue ones marked), notes waiting for my co-signature, and for a
    director the program's overdue unsigned notes. Bounded lists; group notes are shown by
    session only, individual and family notes name their participant (and are audited)."""
    user = request.user
    if not user.can(Perm.PARTICIPANT_CLINICAL):
        return {}
    now = timezone.now()
    mine = services.unsigned_for_author(user, now)
    cosign = services.cosign_queue(user)
    undocumented = services.sessions_without_note(user, now)
    overdue = (
        services.overdue_for_programs(user, now, limit=10)
        if user.can(Perm.PROGRAM_CONFIGURE)
        else []
    )
    named = {
        e.participant.pk: e.participant
        for n in [*mine, *cosign, *overdue]
        if n.kind != NoteKind.GROUP
        for e in n.entries.all()
    }
    if named:
        access_record_many(
            request=request,
            action=AccessAction.LIST,
            object_type="notes.home",
            participants=named.values(),
        )
    return {
        "notes_home": {
            "mine": mine,
            "cosign": cosign,
            "undocumented": undocumented,
            "overdue": overdue,
            "is_director": user.can(Perm.PROGRAM_CONFIGURE),
        }
    }


def portal_context(request: AuthedRequest, participant: Participant) -> dict[str, Any]:
    return {}


def session_note_context(request: AuthedRequest, session: Session) -> dict[str, Any]:
    """For the session page: the session's note (if any) and whether this user may open one.
    Billing sees only whether a note is signed."""
    user = request.user
    note = services.session_note(session)
    return {
        "session_note": {
            "note": note,
            "can_read": services.may_read_notes(user, session.program),
            "can_open": note is None
            and services.may_write_note(user, session)
            and session.status == "scheduled"
            and session.starts_at <= timezone.now(),
            "kind": services.note_kind_for(session),
            "formats": [(f, NoteFormat(f).label) for f in FORMAT_SECTIONS],
        }
    }


def start_note_context(request: AuthedRequest, episode: Episode | None) -> dict[str, Any]:
    """For the alert page and the diary review: whether this user can start a note for the
    participant in one click, and which note the click will start."""
    user = request.user
    if episode is None or not services.may_add_to(user, episode.program):
        return {"note_start": None}
    target = services.note_target_for(actor=user, episode=episode)
    return {"note_start": {"label": target.label, "target": target}}


def alert_notes_context(alert: Any) -> dict[str, Any]:
    """The notes linked to an alert (metadata: the alert page already records the access)."""
    return {"alert_notes": services.notes_for_alert(alert)}


def agenda_addressed_context(participant: Participant, week: date) -> dict[str, Any]:
    """The week's agenda items a note marked as addressed: key -> the note."""
    return {"agenda_addressed": services.addressed_on_agenda(participant, week)}


# --- what notes adds to the pages of the rooms below (their hooks.py; notes/apps.py) -------


def alert_page_context(request: AuthedRequest, alert: Any) -> dict[str, Any]:
    """An alert's page: its notes, the way to start one, and whether its rule opens a chain
    analysis."""
    return {
        "opens_chain": alert.rule.kind in services.CHAIN_ALERT_RULES,
        **alert_notes_context(alert),
        **start_note_context(request, alert.episode),
    }


def diary_review_context(
    request: AuthedRequest, participant: Participant, episode: Episode | None, week: date
) -> dict[str, Any]:
    """The weekly diary review: the way to start a note, and the agenda items notes addressed."""
    return {
        **start_note_context(request, episode),
        **agenda_addressed_context(participant, week),
    }
