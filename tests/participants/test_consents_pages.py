"""Consent pages: choose a kind, sign with the participant present, view and print (audited),
revoke; the chart lists them. Deny paths for every page."""

from __future__ import annotations

from typing import Any

from openiop.audit.models import AccessAction, AccessLog
from openiop.participants.models import Consent, ConsentKind
from tests.participants.consent_support import sign, sud_world


def _base(world: Any) -> str:
    return f"/participants/{world.participant.public_id}"


def test_the_kind_chooser_offers_part2_only_with_a_sud_program(world, login) -> None:
    client = login(world.clinician)
    text = client.get(f"{_base(world)}/consents/new/").content.decode()
    assert "?kind=treatment" in text
    assert "?kind=release" in text
    assert "?kind=part2" not in text
    sud_world(world)
    text = client.get(f"{_base(world)}/consents/new/").content.decode()
    assert "?kind=part2" in text


def test_a_treatment_consent_is_signed_on_the_page(world, login) -> None:
    client = login(world.intake)
    url = f"{_base(world)}/consents/new/?kind=treatment"
    page = client.get(url).content.decode()
    assert "Right to revoke" in page
    assert 'name="typed_name"' in page
    assert 'name="recipient_name"' not in page  # treatment names no recipient
    response = client.post(
        url,
        {
            "kind": "treatment",
            "episode": str(world.episode.public_id),
            "expiry": "none",
            "typed_name": "Patricia Example",
            "witnessed": "on",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{_base(world)}/"
    consent = Consent.objects.get(kind=ConsentKind.TREATMENT)
    assert consent.kind == ConsentKind.TREATMENT
    assert consent.recorded_by == world.intake


def test_the_page_returns_to_a_safe_next_address_only(world, login) -> None:
    client = login(world.intake)
    data = {
        "kind": "treatment",
        "episode": str(world.episode.public_id),
        "expiry": "none",
        "typed_name": "Patricia Example",
        "witnessed": "on",
    }
    response = client.post(f"{_base(world)}/consents/new/?next=https://evil.example/", data)
    assert response["Location"] == f"{_base(world)}/"


def test_a_part2_consent_form_shows_the_redisclosure_notice(world, login) -> None:
    _, episode = sud_world(world)
    text = (
        login(world.clinician)
        .get(f"{_base(world)}/consents/new/?kind=part2&episode={episode.public_id}")
        .content.decode()
    )
    assert "42 CFR part 2" in text
    assert "Substance-use counseling notes" in text


def test_a_release_offers_no_substance_use_records(world, login) -> None:
    text = login(world.clinician).get(f"{_base(world)}/consents/new/?kind=release").content
    assert b"Substance-use treatment records" not in text


def test_the_chart_lists_consents_with_their_status(world, login) -> None:
    sign(world.episode, world.clinician, ConsentKind.TREATMENT)
    revoked = sign(world.episode, world.clinician)
    from openiop.participants.consents import consent_revoke

    consent_revoke(actor=world.clinician, consent=revoked, how="writing")
    text = login(world.billing).get(f"{_base(world)}/?panel=consents").content.decode()
    assert 'id="consents-h"' in text
    assert "Consent to treatment" in text
    assert "Release of information" in text
    assert "Revoked" in text


def test_a_part2_consent_is_hidden_from_staff_of_other_programs(world, login) -> None:
    _, episode = sud_world(world)
    sign(episode, world.clinician, ConsentKind.PART2)
    text = login(world.intake).get(f"{_base(world)}/").content.decode()
    assert "42 CFR Part 2 consent" not in text
    assert "Recovery IOP" not in text


def test_viewing_and_printing_are_audited(world, login) -> None:
    consent = sign(world.episode, world.clinician)
    client = login(world.billing)
    url = f"{_base(world)}/consents/{consent.public_id}/"
    text = client.get(url).content.decode()
    assert consent.content_hash in text
    assert "matches the signed content" in text
    assert "Revoke" not in text  # billing cannot write
    assert client.get(url + "print/").status_code == 200
    actions = set(
        AccessLog.objects.filter(
            object_type="consent", object_id=str(consent.public_id)
        ).values_list("action", flat=True)
    )
    assert {AccessAction.VIEW, AccessAction.PRINT} <= actions


def test_revoking_asks_how_and_then_revokes(world, login) -> None:
    consent = sign(world.episode, world.clinician)
    client = login(world.clinician)
    url = f"{_base(world)}/consents/{consent.public_id}/revoke/"
    assert "How the participant revoked it" in client.get(url).content.decode()
    bad = client.post(url, {})
    assert bad.status_code == 200
    consent.refresh_from_db()
    assert consent.revoked_at is None
    assert client.post(url, {"how": "writing"}).status_code == 302
    consent.refresh_from_db()
    assert consent.revoked_how == "writing"


def test_consent_pages_deny_outsiders_and_read_only_roles(world, login) -> None:
    consent = sign(world.episode, world.clinician)
    view = f"{_base(world)}/consents/{consent.public_id}/"
    new = f"{_base(world)}/consents/new/?kind=release"
    revoke = view + "revoke/"
    for persona in ("outsider_clinician", "other_org_clinician"):
        client = login(getattr(world, persona))
        for url in (view, view + "print/", new, revoke):
            assert client.get(url).status_code == 404
        assert client.post(revoke, {"how": "writing"}).status_code == 404
    billing = login(world.billing)
    assert billing.get(new).status_code == 403
    assert billing.post(revoke, {"how": "writing"}).status_code == 403
    for persona in ("participant_user", "family_user"):
        assert login(getattr(world, persona)).get(view).status_code == 403
    consent.refresh_from_db()
    assert consent.revoked_at is None


def test_a_consent_of_another_participant_is_404_here(world, login) -> None:
    consent = sign(world.episode, world.clinician)
    other = world.other_participant
    url = f"/participants/{other.public_id}/consents/{consent.public_id}/"
    assert login(world.director).get(url).status_code == 404


def test_the_chart_stays_bounded_with_many_consents(
    world, login, django_assert_max_num_queries
) -> None:
    client = login(world.clinician)
    client.get(f"{_base(world)}/")
    # The absolute figure leaves room for the other panels; the point is that it does not grow.
    with django_assert_max_num_queries(45) as small:
        client.get(f"{_base(world)}/")
    for _ in range(6):
        sign(world.episode, world.clinician)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(f"{_base(world)}/")
