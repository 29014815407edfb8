"""The note pages over HTTP: opening from the session page, saving and signing, refusals with
named reasons, addenda, co-signature, each attendee's chart copy, billing's metadata-only view,
deny paths and query budgets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from openiop.audit.models import AccessLog
from openiop.notes import services
from openiop.notes.models import ClinicalNote, NoteAddendum, NoteStatus
from tests.notes.conftest import complete_input, group_session, note_post_data

_post_data = note_post_data


def _url(note: ClinicalNote) -> str:
    return reverse("notes:note", args=[note.public_id])


def test_the_session_page_offers_the_note_to_clinicians_only(world, login):
    built = group_session(
        world.program, facilitator=world.clinician, director=world.director, attendees=2
    )
    url = reverse("scheduling:session_detail", args=[built.session.public_id])
    assert "Write group note" in login(world.clinician).get(url).content.decode()
    assert "Write group note" not in login(world.billing).get(url).content.decode()


def test_a_facilitator_opens_fills_and_signs_a_group_note(world, login):
    built = group_session(
        world.program,
        facilitator=world.clinician,
        director=world.director,
        attendees=3,
        episodes=[world.episode],
    )
    client = login(world.clinician)
    response = client.post(reverse("notes:open", args=[built.session.public_id]))
    note = ClinicalNote.objects.get(session=built.session)
    assert response.url == _url(note)
    page = client.get(_url(note)).content.decode()
    assert "Before signing" in page
    assert page.count('class="card note-entry"') == 3
    viewed = AccessLog.objects.filter(object_type="notes.note", action="view")
    assert viewed.count() == 3

    # Sign with two sections identical and one risk screen unanswered: refused, named.
    data = _post_data(note, built.objectives, action="sign")
    first, second = list(note.entries.order_by("id"))[:2]
    data[f"e{second.pk}-text"] = data[f"e{first.pk}-text"]
    data[f"e{first.pk}-hi_asked"] = ""
    response = client.post(_url(note), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Not signed yet" in body
    assert "identical text" in body
    assert "answer the risk screen" in body
    assert ClinicalNote.objects.get(pk=note.pk).status == NoteStatus.DRAFT

    response = client.post(_url(note), _post_data(note, built.objectives, action="sign"))
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.status == NoteStatus.SIGNED
    assert services.note_hash_intact(note)

    signed_page = client.get(_url(note)).content.decode()
    assert "Save draft" not in signed_page
    assert "exactly as signed" in signed_page

    # Edits after signing are refused and change nothing.
    changed = _post_data(note, built.objectives)
    changed["narrative"] = "Rewritten afterwards."
    response = client.post(_url(note), changed, follow=True)
    assert "cannot change" in response.content.decode()
    note.refresh_from_db()
    assert note.narrative.startswith("Taught the four TIPP steps")

    response = client.post(
        reverse("notes:addendum_new", args=[note.public_id]),
        {"about": "", "text": "Room changed at the last minute; the session ran as planned."},
    )
    assert response.status_code == 302
    assert NoteAddendum.objects.filter(note=note).count() == 1
    assert services.note_hash_intact(note)


def test_bad_input_rerenders_and_saves_nothing(group, world, login):
    client = login(world.clinician)
    data = _post_data(group.note, group.objectives)
    entry = group.note.entries.order_by("id").first()
    data[f"e{entry.pk}-participation"] = "sleeping"
    data["narrative"] = "Something new"
    response = client.post(_url(group.note), data)
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert ClinicalNote.objects.get(pk=group.note.pk).narrative != "Something new"


def test_only_the_author_may_save(group, world, login):
    response = login(world.director).post(
        _url(group.note), _post_data(group.note, group.objectives)
    )
    assert response.status_code == 403


def test_the_attendee_chart_copy_shows_only_their_own_section(group, world, login):
    note = services.note_sign(note=group.note, actor=world.clinician)
    entry = note.entries.get(participant=world.participant)
    others = list(note.entries.exclude(pk=entry.pk).select_related("participant"))
    services.addendum_add(note=note, actor=world.clinician, text="Phoned; fine.", entry=entry)
    services.addendum_add(
        note=note, actor=world.clinician, text="About someone else only.", entry=others[0]
    )
    client = login(world.clinician)
    chart = client.get(
        reverse("participants:chart", args=[world.participant.public_id]) + "?panel=plans"
    )
    copy_url = reverse("notes:chart_copy", args=[world.participant.public_id, note.public_id])
    assert copy_url in chart.content.decode()
    body = client.get(copy_url).content.decode()
    assert entry.text in body
    assert "Phoned; fine." in body
    assert "About someone else only." not in body
    assert world.clinician.display_name in body  # facilitators are fine
    for other in others:
        assert other.text not in body
        p = other.participant
        for name in (p.legal_first_name, p.legal_last_name, p.display_name):
            assert name not in body
    assert AccessLog.objects.filter(
        object_type="notes.chart_copy", participant=world.participant
    ).exists()


def test_billing_sees_metadata_but_never_a_note_body(group, world, login):
    note = services.note_sign(note=group.note, actor=world.clinician)
    entry = note.entries.get(participant=world.participant)
    client = login(world.billing)
    chart = client.get(
        reverse("participants:chart", args=[world.participant.public_id]) + "?panel=plans"
    )
    body = chart.content.decode()
    assert "Session notes" in body
    assert "Group" in body
    assert "Yes," in body
    assert world.clinician.display_name in body
    assert entry.text not in body
    assert (
        reverse("notes:chart_copy", args=[world.participant.public_id, note.public_id]) not in body
    )
    assert client.get(_url(note)).status_code == 403
    copy_url = reverse("notes:chart_copy", args=[world.participant.public_id, note.public_id])
    assert client.get(copy_url).status_code == 403
    session_page = client.get(reverse("scheduling:session_detail", args=[group.session.public_id]))
    assert "Note signed" in session_page.content.decode()


def test_outsiders_get_404(group, world, login):
    for user in (world.outsider_clinician, world.other_org_clinician):
        client = login(user)
        assert client.get(_url(group.note)).status_code == 404
        copy_url = reverse(
            "notes:chart_copy", args=[world.participant.public_id, group.note.public_id]
        )
        assert client.get(copy_url).status_code == 404
        assert client.post(reverse("notes:open", args=[group.session.public_id])).status_code == 404


def test_a_substance_use_program_needs_part_2_access(group, world, login):
    world.program.treats_sud = True
    world.program.save()
    assert login(world.intake).get(_url(group.note)).status_code == 403
    assert login(world.clinician).get(_url(group.note)).status_code == 200


def test_the_supervisor_co_signs_from_the_note_page(group, world, login):
    world.clinician.supervisor = world.director
    world.clinician.save()
    note = services.note_sign(note=group.note, actor=world.clinician)
    home = login(world.director).get(reverse("home")).content.decode()
    assert "Waiting for my co-signature" in home
    assert "Co-sign the note" in login(world.director).get(_url(note)).content.decode()
    assert "Co-sign the note" not in login(world.clinician).get(_url(note)).content.decode()
    response = login(world.director).post(reverse("notes:cosign", args=[note.public_id]))
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.cosigned_by == world.director
    assert (
        login(world.clinician).post(reverse("notes:cosign", args=[note.public_id])).status_code
        == 302
    )


def test_overdue_drafts_show_for_the_author_and_the_director(group, world, login):
    home = login(world.clinician).get(reverse("home")).content.decode()
    assert "My unsigned notes" in home
    assert "Overdue" not in home
    later = group.session.ends_at - timedelta(hours=world.program.note_sign_hours + 1)
    type(group.session).objects.filter(pk=group.session.pk).update(
        starts_at=later - timedelta(minutes=90), ends_at=later
    )
    home = login(world.clinician).get(reverse("home")).content.decode()
    assert "Overdue" in home
    director_home = login(world.director).get(reverse("home")).content.decode()
    assert "Overdue unsigned notes" in director_home
    listing = login(world.director).get(reverse("notes:overdue"))
    assert group.session.session_type.name in listing.content.decode()
    assert login(world.clinician).get(reverse("notes:overdue")).status_code == 403


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("signed", [False, True])
def test_the_group_note_page_costs_the_same_for_8_and_16_attendees(world, login, signed):
    counts = []
    for size in (8, 16):
        built = group_session(
            world.program, facilitator=world.clinician, director=world.director, attendees=size
        )
        note = services.note_open_for_session(session=built.session, actor=world.clinician)
        entries = {
            e.pk: complete_input(built.objectives[e.participant_id], i)
            for i, e in enumerate(note.entries.order_by("id"))
        }
        note = services.note_save(
            note=note, actor=world.clinician, narrative="Taught TIPP.", entries=entries
        )
        if signed:
            note = services.note_sign(note=note, actor=world.clinician)
        counts.append(_queries(login(world.clinician), _url(note)))
    assert counts[0] == counts[1]
    assert counts[1] <= 40


def test_the_chart_panel_and_home_stay_bounded(group, world, login, django_assert_max_num_queries):
    services.note_sign(note=group.note, actor=world.clinician)
    client = login(world.clinician)
    with django_assert_max_num_queries(60):
        client.get(reverse("participants:chart", args=[world.participant.public_id]))
    with django_assert_max_num_queries(60):
        client.get(reverse("home"))
    assert timezone.now()
