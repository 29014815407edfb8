from __future__ import annotations

import datetime as dt

from openiop.audit.models import Event, EventKind
from openiop.lib.timezones import today_in
from openiop.participants.models import Episode, EpisodeStatus
from tests import factories as f


def _status_url(world, episode=None):
    episode = episode or world.episode
    return f"/participants/{world.participant.public_id}/episodes/{episode.public_id}/status/"


def _today(world):
    return today_in(world.program.time_zone)


def test_the_status_form_offers_only_allowed_moves(world, login):
    response = login(world.clinician).get(_status_url(world))
    assert response.status_code == 200
    assert b'value="on_hold"' in response.content
    assert b'value="discharged"' in response.content
    assert b'value="referred"' not in response.content


def test_putting_on_hold_sets_the_date(world, login):
    response = login(world.clinician).post(
        _status_url(world), {"to_status": "on_hold", "on": _today(world).isoformat()}
    )
    assert response.status_code == 302
    world.episode.refresh_from_db()
    assert world.episode.status == EpisodeStatus.ON_HOLD
    assert world.episode.hold_since == _today(world)
    assert Event.objects.filter(kind=EventKind.EPISODE_STATUS).count() == 1


def test_discharge_without_a_reason_is_refused(world, login):
    response = login(world.intake).post(
        _status_url(world), {"to_status": "discharged", "on": _today(world).isoformat()}
    )
    assert response.status_code == 200
    assert b"Give the reason for discharge." in response.content
    world.episode.refresh_from_db()
    assert world.episode.status == EpisodeStatus.ACTIVE
    assert not Event.objects.filter(kind=EventKind.EPISODE_STATUS).exists()


def test_a_move_not_in_the_table_is_refused(world, login):
    response = login(world.director).post(
        _status_url(world), {"to_status": "referred", "on": _today(world).isoformat()}
    )
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content
    world.episode.refresh_from_db()
    assert world.episode.status == EpisodeStatus.ACTIVE


def test_a_date_before_the_inquiry_is_shown(world, login):
    early = world.episode.inquiry_on - dt.timedelta(days=1)
    response = login(world.clinician).post(
        _status_url(world), {"to_status": "on_hold", "on": early.isoformat()}
    )
    assert b"cannot be before the inquiry date" in response.content
    world.episode.refresh_from_db()
    assert world.episode.hold_since is None


def test_admitting_from_the_form_sets_track_and_clinician(world, login):
    # The unique open-episode rule allows a second episode only after the discharge.
    Episode.objects.filter(pk=world.episode.pk).update(
        status=EpisodeStatus.DISCHARGED, discharged_on=_today(world), discharge_reason="x"
    )
    episode = f.EpisodeFactory(
        participant=world.participant,
        program=world.program,
        status=EpisodeStatus.ASSESSED,
        inquiry_on=_today(world) - dt.timedelta(days=3),
        admitted_on=None,
        started_on=None,
    )
    response = login(world.intake).post(
        _status_url(world, episode),
        {
            "to_status": "admitted",
            "on": _today(world).isoformat(),
            "track": str(world.evening.public_id),
            "primary_clinician": str(world.clinician.public_id),
        },
    )
    assert response.status_code == 302
    episode.refresh_from_db()
    assert (episode.status, episode.track, episode.primary_clinician) == (
        EpisodeStatus.ADMITTED,
        world.evening,
        world.clinician,
    )


def test_billing_gets_403_on_status_pages(world, login):
    client = login(world.billing)
    assert client.get(_status_url(world)).status_code == 403
    assert client.post(_status_url(world), {"to_status": "on_hold"}).status_code == 403


def test_outsiders_get_404_on_status_pages(world, login):
    assert login(world.outsider_clinician).get(_status_url(world)).status_code == 404
    assert login(world.other_org_clinician).get(_status_url(world)).status_code == 404


def test_an_episode_of_another_participant_is_404(world, login):
    url = (
        f"/participants/{world.participant.public_id}/episodes/"
        f"{world.other_episode.public_id}/status/"
    )
    assert login(world.director).get(url).status_code == 404


def test_opening_a_second_episode_in_the_same_program_is_refused(world, login):
    before = Episode.objects.count()
    response = login(world.intake).post(
        f"/participants/{world.participant.public_id}/episodes/new/",
        {"program": str(world.program.public_id), "inquiry_on": _today(world).isoformat()},
    )
    assert response.status_code == 200
    assert b"already has an open episode in Adult DBT IOP" in response.content
    assert Episode.objects.count() == before


def test_opening_an_episode_needs_write_access(world, login):
    url = f"/participants/{world.participant.public_id}/episodes/new/"
    assert login(world.billing).get(url).status_code == 403
    assert login(world.outsider_clinician).get(url).status_code == 404
    assert login(world.clinician).get(url).status_code == 200


def test_changing_the_track_from_the_edit_page(world, login):
    url = f"/participants/{world.participant.public_id}/episodes/{world.episode.public_id}/edit/"
    response = login(world.clinician).post(
        url,
        {
            "track": str(world.evening.public_id),
            "primary_clinician": str(world.clinician.public_id),
        },
    )
    assert response.status_code == 302
    world.episode.refresh_from_db()
    assert world.episode.track == world.evening


def test_clearing_the_track_in_treatment_is_refused(world, login):
    url = f"/participants/{world.participant.public_id}/episodes/{world.episode.public_id}/edit/"
    response = login(world.clinician).post(
        url, {"track": "", "primary_clinician": str(world.clinician.public_id)}
    )
    assert response.status_code == 200
    assert b"A participant in treatment needs a track." in response.content
    world.episode.refresh_from_db()
    assert world.episode.track == world.morning
