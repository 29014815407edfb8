"""One click from an alert or a diary-card agenda item starts the right note with the item
linked; a DBT chain analysis section in individual and contact notes; agenda items marked as
addressed in the note that addressed them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from openiop.accounts.roles import Role
from openiop.audit.models import AccessLog
from openiop.diary.selectors import week_start_of
from openiop.notes import services
from openiop.notes.models import (
    CHAIN_KEYS,
    ClinicalNote,
    LinkKind,
    NoteKind,
    NoteLink,
    NoteLockedError,
    NoteStatus,
    note_content,
)
from openiop.notes.services import ContactInput, EntryInput
from openiop.programs.models import SessionCategory
from tests import factories as f
from tests.diary.helpers import file_card, today
from tests.notes.conftest import group_session

CHAIN = {
    "vulnerabilities": "Slept four hours; skipped lunch.",
    "prompting_event": "A text from an ex late in the evening.",
    "links": "Shame, then the thought 'I ruin everything', chest tight, went to the bathroom.",
    "behaviour": "Strong urge to cut (5/5); did not act.",
    "consequences": "Urge fell after an hour; felt drained the next morning.",
    "repair": "",
    "skills_next_time": "TIPP (cold water) at the first tight chest; call a friend.",
}
DAP = {
    "data": "Called back within ten minutes of the alert; talked for fifteen minutes.",
    "assessment": "Urge high but passing; no plan or intent; safety plan in reach.",
    "plan": "Check in tomorrow morning; bring the card to group.",
}
RISK_SCREEN = EntryInput(si_asked=True, si_present=False, hi_asked=True, hi_present=False)


def _alert(world):
    return file_card(world, urge_self_harm=5).alerts[0]


def _start_url(world) -> str:
    return f"/notes/participants/{world.participant.public_id}/start/"


def _fill(note: ClinicalNote, actor, *, chain=None, addressed=None) -> ClinicalNote:
    entry = note.entries.get()
    return services.note_save(
        note=note,
        actor=actor,
        format=note.format,
        sections=DAP,
        entries={entry.pk: RISK_SCREEN},
        chain=CHAIN if chain is None else chain,
        addressed=addressed,
    )


# --- the right note ---------------------------------------------------------------------------


def test_an_alert_starts_a_contact_note_with_the_alert_and_a_chain_analysis(world) -> None:
    alert = _alert(world)
    note = services.note_start_from(actor=world.clinician, episode=world.episode, alert=alert)
    assert note.kind == NoteKind.CONTACT
    assert note.session is None
    assert note.entries.get().participant == world.participant
    link = NoteLink.objects.get(note=note)
    assert (link.kind, link.alert, link.started_from) == (LinkKind.ALERT, alert, True)
    assert "self-harm urge 5/5" in link.text
    assert set(note.chain) == set(CHAIN_KEYS)


def test_a_second_click_adds_to_the_same_draft(world) -> None:
    alert = _alert(world)
    first = services.note_start_from(actor=world.clinician, episode=world.episode, alert=alert)
    again = services.note_start_from(actor=world.clinician, episode=world.episode, alert=alert)
    assert first.pk == again.pk
    assert NoteLink.objects.filter(note=first).count() == 1
    assert ClinicalNote.objects.count() == 1


def test_todays_individual_session_gets_the_note_when_it_has_started(world) -> None:
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
    # group_session's session started 3.5 h ago: make it today's for any time zone.
    session = built.session
    session.starts_at = timezone.now() - timedelta(minutes=20)
    session.ends_at = timezone.now() + timedelta(minutes=30)
    session.save()
    alert = _alert(world)
    target = services.note_target_for(actor=world.clinician, episode=world.episode)
    assert target.kind == "session"
    assert target.label == "today's individual session note"
    note = services.note_start_from(actor=world.clinician, episode=world.episode, alert=alert)
    assert note.kind == NoteKind.INDIVIDUAL
    assert note.session == session
    assert NoteLink.objects.get(note=note).alert == alert
    # Someone who does not run that session writes a contact note instead.
    other = f.UserFactory(organization=world.org, role=Role.CLINICIAN, programs=[world.program])
    assert services.note_target_for(actor=other, episode=world.episode).kind == "contact"


def test_a_questionnaire_alert_opens_no_chain_analysis(world) -> None:
    from django.db import transaction

    from openiop.safety.models import RuleKind
    from openiop.safety.services import alert_raise, rules_for

    rule = rules_for(world.program)[RuleKind.PHQ9_ITEM9]
    with transaction.atomic():
        alert = alert_raise(
            rule=rule,
            participant=world.participant,
            episode=world.episode,
            day=today(world),
            evidence="PHQ-9: item 9 at 1 or more",
        )
    note = services.note_start_from(actor=world.clinician, episode=world.episode, alert=alert)
    assert note.chain == {}


def test_an_alert_about_someone_else_is_refused(world) -> None:
    alert = _alert(world)
    other = f.EpisodeFactory(
        participant=f.ParticipantFactory(organization=world.org), program=world.program
    )
    with pytest.raises(ValidationError):
        services.note_start_from(actor=world.clinician, episode=other, alert=alert)
    assert not ClinicalNote.objects.exists()


def test_billing_and_intake_cannot_start_notes(world) -> None:
    alert = _alert(world)
    for user in (world.billing, world.intake):
        with pytest.raises(PermissionDenied):
            services.note_start_from(actor=user, episode=world.episode, alert=alert)


# --- contact notes and the chain analysis ------------------------------------------------------


def test_a_contact_note_with_a_chain_analysis_signs_and_its_hash_covers_both(world) -> None:
    alert = _alert(world)
    note = services.note_start_from(actor=world.clinician, episode=world.episode, alert=alert)
    when = timezone.now() - timedelta(minutes=30)
    services.note_save(
        note=note,
        actor=world.clinician,
        format=note.format,
        sections=DAP,
        entries={note.entries.get().pk: RISK_SCREEN},
        chain=CHAIN,
        contact=ContactInput(occurred_at=when, method="phone", minutes=20),
        addressed=[f"alert:{alert.public_id}"],
    )
    note.refresh_from_db()
    assert services.note_sign_checks(note) == []
    signed = services.note_sign(note=note, actor=world.clinician)
    assert signed.status == NoteStatus.SIGNED
    assert services.note_hash_intact(signed)
    assert signed.minutes == 20
    assert signed.occurred_at == when
    assert NoteLink.objects.get(note=signed).addressed
    # The chain is covered by the signature: other words would not match what was signed.
    signed.chain = {**CHAIN, "behaviour": "changed"}
    assert services.note_compute_hash(signed) != signed.content_hash


def test_an_incomplete_chain_analysis_blocks_signing_by_name(world) -> None:
    note = services.note_start_from(
        actor=world.clinician, episode=world.episode, alert=_alert(world)
    )
    _fill(note, world.clinician, chain={**CHAIN, "links": "", "behaviour": " "})
    note.refresh_from_db()
    problems = services.note_sign_checks(note)
    assert problems == [
        "Complete the chain analysis (Links in the chain, Problem behaviour), or take it out "
        "of the note."
    ]
    with pytest.raises(ValidationError):
        services.note_sign(note=note, actor=world.clinician)


def test_taking_the_chain_analysis_out_lets_the_note_sign(world) -> None:
    note = services.note_start_from(
        actor=world.clinician, episode=world.episode, alert=_alert(world)
    )
    _fill(note, world.clinician, chain={})
    note.refresh_from_db()
    assert note.chain == {}
    assert services.note_sign_checks(note) == []


def test_a_contact_in_the_future_is_refused(world) -> None:
    note = services.note_start_from(
        actor=world.clinician, episode=world.episode, alert=_alert(world)
    )
    with pytest.raises(ValidationError) as caught:
        services.note_save(
            note=note,
            actor=world.clinician,
            contact=ContactInput(
                occurred_at=timezone.now() + timedelta(hours=2), method="phone", minutes=10
            ),
        )
    assert "The contact cannot be in the future." in caught.value.message_dict["occurred_at"]
    note.refresh_from_db()
    assert note.occurred_at <= timezone.now()


def test_a_group_note_cannot_carry_a_chain_analysis(world, group) -> None:
    with pytest.raises(ValidationError) as caught:
        services.note_save(note=group.note, actor=world.clinician, chain=CHAIN)
    assert "chain" in caught.value.message_dict


def test_links_of_a_signed_note_cannot_change(world) -> None:
    note = services.note_start_from(
        actor=world.clinician, episode=world.episode, alert=_alert(world)
    )
    _fill(note, world.clinician)
    signed = services.note_sign(note=note, actor=world.clinician)
    link = NoteLink.objects.get(note=signed)
    link.addressed = True
    with pytest.raises(NoteLockedError):
        link.save()
    with pytest.raises(NoteLockedError):
        link.delete()


def test_notes_signed_before_keep_their_hash(world, individual) -> None:
    """Adding contact notes, chains and links must not change what older signatures cover."""
    from tests.notes.conftest import complete_input

    note = individual.note
    entry = note.entries.get()
    services.note_save(
        note=note,
        actor=world.clinician,
        format=note.format,
        sections={"behavior": "b", "intervention": "i", "response": "r", "plan": "p"},
        entries={entry.pk: complete_input(individual.objectives[entry.participant_id], 0)},
    )
    content = note_content(
        ClinicalNote.objects.get(pk=note.pk), [entry], {}, {entry.participant_id: "x"}, "s"
    )
    assert not {"chain", "links", "occurred_at", "contact_method"} & set(content)


# --- agenda items ------------------------------------------------------------------------------


def test_an_agenda_item_starts_a_note_and_is_shown_addressed_once_marked(world, login) -> None:
    file_card(world, urge_self_harm=5)
    client = login(world.clinician)
    week = week_start_of(today(world))
    review = client.get(f"/diary/participants/{world.participant.public_id}/")
    assert 'name="agenda" value="risk_urges"' in review.content.decode()
    response = client.post(_start_url(world), {"agenda": "risk_urges", "week": week.isoformat()})
    note = ClinicalNote.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/notes/{note.public_id}/"
    link = NoteLink.objects.get(note=note)
    assert (link.kind, link.agenda_key, link.agenda_week) == (LinkKind.AGENDA, "risk_urges", week)
    assert set(note.chain) == set(CHAIN_KEYS)
    page = client.get(f"/notes/{note.public_id}/").content.decode()
    assert "DBT chain analysis" in page
    assert "Suicide or self-harm urges at 3 or more" in page
    _fill(note, world.clinician, addressed=["agenda:risk_urges"])
    review = client.get(f"/diary/participants/{world.participant.public_id}/").content.decode()
    assert "Addressed" in review
    assert f"/notes/{note.public_id}/" in review


def test_other_agenda_items_of_the_week_can_be_marked_addressed(world) -> None:
    file_card(world, urge_self_harm=5, medication="not_taken")
    note = services.note_start_from(
        actor=world.clinician, episode=world.episode, alert=_alert_or_first(world)
    )
    choices = {c.ref for c in services.agenda_choices(note, world.clinician)}
    assert "agenda:medication" in choices
    _fill(note, world.clinician, addressed=["agenda:medication"])
    made = NoteLink.objects.get(note=note, kind=LinkKind.AGENDA)
    assert (made.agenda_key, made.addressed, made.started_from) == ("medication", True, False)
    # Unticked again: a link the note was not started from goes away.
    _fill(note, world.clinician, addressed=[])
    assert not NoteLink.objects.filter(note=note, kind=LinkKind.AGENDA).exists()
    assert NoteLink.objects.filter(note=note, kind=LinkKind.ALERT).exists()


def _alert_or_first(world):
    from openiop.safety.models import Alert

    return Alert.objects.filter(participant=world.participant).first()


def test_an_item_not_on_the_agenda_cannot_be_marked(world) -> None:
    note = services.note_start_from(
        actor=world.clinician, episode=world.episode, alert=_alert(world)
    )
    with pytest.raises(ValidationError) as caught:
        _fill(note, world.clinician, addressed=["agenda:invented"])
    assert "addressed" in caught.value.message_dict
    assert NoteLink.objects.filter(note=note).count() == 1


def test_a_stale_agenda_item_is_reported_and_starts_nothing(world, login) -> None:
    week = week_start_of(today(world))
    response = login(world.clinician).post(
        _start_url(world), {"agenda": "self_harm", "week": week.isoformat()}
    )
    assert response.status_code == 302
    assert not ClinicalNote.objects.exists()


# --- over HTTP: the alert page, deny paths ---------------------------------------------------


def test_the_alert_page_starts_a_note_in_one_click(world, login) -> None:
    alert = _alert(world)
    client = login(world.clinician)
    page = client.get(f"/safety/alerts/{alert.public_id}/").content.decode()
    assert "Start a note from this alert" in page
    assert "a between-session contact note" in page
    response = client.post(_start_url(world), {"alert": str(alert.public_id)})
    note = ClinicalNote.objects.get()
    assert response["Location"] == f"/notes/{note.public_id}/"
    assert AccessLog.objects.filter(object_type="notes.start", action="update").exists()
    page = client.get(f"/safety/alerts/{alert.public_id}/").content.decode()
    assert f"/notes/{note.public_id}/" in page


def test_start_deny_paths(world, login, client) -> None:
    alert = _alert(world)
    data = {"alert": str(alert.public_id)}
    assert client.post(_start_url(world), data).status_code == 302  # anonymous: sign in
    assert login(world.billing).post(_start_url(world), data).status_code == 403
    assert login(world.outsider_clinician).post(_start_url(world), data).status_code == 404
    assert login(world.other_org_clinician).post(_start_url(world), data).status_code == 404
    assert login(world.participant_user).post(_start_url(world), data).status_code == 403
    assert login(world.clinician).get(_start_url(world)).status_code == 405
    assert not ClinicalNote.objects.exists()


def test_an_alert_of_another_participant_is_404_through_this_chart(world, login) -> None:
    other, episode = (
        f.ParticipantFactory(organization=world.org),
        None,
    )
    episode = f.EpisodeFactory(participant=other, program=world.program, status="active")
    alert = _alert(world)
    url = f"/notes/participants/{other.public_id}/start/"
    assert episode.pk
    response = login(world.clinician).post(url, {"alert": str(alert.public_id)})
    assert response.status_code == 404
    assert not ClinicalNote.objects.exists()


def test_the_contact_note_page_edits_and_signs_over_http(world, login) -> None:
    alert = _alert(world)
    client = login(world.clinician)
    client.post(_start_url(world), {"alert": str(alert.public_id)})
    note = ClinicalNote.objects.get()
    entry = note.entries.get()
    local = timezone.localtime(timezone.now() - timedelta(minutes=10))
    data = {
        "contact_date": local.date().isoformat(),
        "contact_time": local.strftime("%H:%M"),
        "contact_method": "phone",
        "minutes": "15",
        "format": "dap",
        **{f"section_{k}": v for k, v in DAP.items()},
        "include_chain": "on",
        **{f"chain_{k}": v for k, v in CHAIN.items()},
        "addressed": [f"alert:{alert.public_id}"],
        f"e{entry.pk}-si_asked": "yes",
        f"e{entry.pk}-si_present": "no",
        f"e{entry.pk}-hi_asked": "yes",
        f"e{entry.pk}-hi_present": "no",
        "action": "sign",
    }
    response = client.post(f"/notes/{note.public_id}/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    note.refresh_from_db()
    assert note.is_signed
    assert note.chain["behaviour"] == CHAIN["behaviour"]
    page = client.get(f"/notes/{note.public_id}/").content.decode()
    assert "Between-session contact note" in page
    assert "Addressed in this note" in page
    chart = client.get(f"/participants/{world.participant.public_id}/?panel=plans").content.decode()
    assert "Between-session contact" in chart
