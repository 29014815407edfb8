"""Writes of the homework room: one function per write, keyword-only, atomic."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from openiop.accounts.models import User
from openiop.homework.library import program_library
from openiop.homework.models import HELPFUL_MAX, NOTE_MAX, Assignment, Outcome, Practice
from openiop.participants.models import Episode
from openiop.scheduling.models import Session
from openiop.skills.library import UnknownItem


@transaction.atomic
def homework_assign(
    *,
    episode: Episode,
    skill_id: str,
    due_on: date,
    instructions: str = "",
    session: Session | None = None,
    actor: User,
) -> Assignment:
    """Ask the participant to practise a skill their program's library shows, by a due date,
    in the episode it belongs to; from a session of that program when one is named."""
    if not episode.is_open:
        raise ValidationError("Homework is given only in an open episode.")
    try:
        item = program_library(episode.program).get(skill_id)
    except UnknownItem:
        raise ValidationError("That skill is not in this program's library.") from None
    if session is not None and session.program_id != episode.program_id:
        raise ValidationError("The session belongs to another program.")
    instructions = instructions.strip()
    if len(instructions) > NOTE_MAX:
        raise ValidationError(f"Keep the instructions under {NOTE_MAX} characters.")
    return Assignment.objects.create(
        organization_id=episode.organization_id,
        participant_id=episode.participant_id,
        episode=episode,
        skill_id=item.id,
        skill_version=item.version,
        instructions=instructions,
        due_on=due_on,
        session=session,
        assigned_by=actor,
    )


@transaction.atomic
def practice_log(
    *,
    episode: Episode,
    skill_id: str,
    outcome: str,
    practised_on: date,
    helpful: int | None = None,
    note: str = "",
    assignment: Assignment | None = None,
) -> Practice:
    """The participant's own record of practising a skill (of an assignment, or on their
    own). Written only by the participant; a logged practice is not edited."""
    if outcome not in Outcome.values:
        raise ValidationError("Choose done, tried or not yet.")
    if helpful is not None and not 0 <= helpful <= HELPFUL_MAX:
        raise ValidationError(f"How much it helped is from 0 to {HELPFUL_MAX}.")
    if assignment is not None:
        if assignment.episode_id != episode.pk:
            raise ValidationError("That homework belongs to another program.")
        skill_id = assignment.skill_id
    else:
        try:
            skill_id = program_library(episode.program).get(skill_id).id
        except UnknownItem:
            raise ValidationError("That skill is not in your program's library.") from None
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise ValidationError(f"Keep the note under {NOTE_MAX} characters.")
    return Practice.objects.create(
        organization_id=episode.organization_id,
        participant_id=episode.participant_id,
        episode=episode,
        assignment=assignment,
        skill_id=skill_id,
        outcome=outcome,
        helpful=helpful,
        note=note,
        practised_on=practised_on,
    )
