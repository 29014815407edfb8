"""Alert pages: the list, the detail, acknowledging and resolving over HTTP."""

from __future__ import annotations

from openiop.audit.models import AccessLog
from openiop.safety.models import Alert, AlertStatus
from tests.diary.helpers import file_card


def _alert(world) -> Alert:
    return file_card(world, urge_self_harm=5).alerts[0]


def test_the_primary_clinician_sees_the_alert_on_their_home_page(world, login) -> None:
    _alert(world)
    body = login(world.clinician).get("/").content.decode()
    assert "Open alerts" in body
    assert "Pat Example" in body
    assert AccessLog.objects.filter(object_type="safety.home_alerts").exists()


def test_the_alert_list_shows_open_alerts(world, login) -> None:
    alert = _alert(world)
    body = login(world.clinician).get("/safety/alerts/").content.decode()
    assert str(alert.public_id) in body


def test_the_detail_links_to_the_source_card(world, login) -> None:
    alert = _alert(world)
    body = login(world.clinician).get(f"/safety/alerts/{alert.public_id}/").content.decode()
    assert f"/diary/participants/{world.participant.public_id}/?week=" in body
    assert "Acknowledge" in body


def test_acknowledge_then_resolve_over_http(world, login) -> None:
    alert = _alert(world)
    client = login(world.clinician)
    client.post(f"/safety/alerts/{alert.public_id}/acknowledge/")
    response = client.post(
        f"/safety/alerts/{alert.public_id}/resolve/",
        {"resolution": "contacted", "note": "Spoke by phone; safe tonight."},
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED


def test_resolving_without_a_reason_for_no_action_shows_the_error(world, login) -> None:
    alert = _alert(world)
    client = login(world.clinician)
    client.post(f"/safety/alerts/{alert.public_id}/acknowledge/")
    response = client.post(
        f"/safety/alerts/{alert.public_id}/resolve/", {"resolution": "no_action", "note": ""}
    )
    assert response.status_code == 200
    assert "Say why no action was needed." in response.content.decode()
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.ACKNOWLEDGED


def test_billing_cannot_see_alerts(world, login) -> None:
    alert = _alert(world)
    client = login(world.billing)
    assert client.get("/safety/alerts/").status_code == 403
    assert client.get(f"/safety/alerts/{alert.public_id}/").status_code == 403


def test_an_outsider_gets_404_and_cannot_acknowledge(world, login) -> None:
    alert = _alert(world)
    client = login(world.outsider_clinician)
    assert client.get(f"/safety/alerts/{alert.public_id}/").status_code == 404
    assert client.post(f"/safety/alerts/{alert.public_id}/acknowledge/").status_code == 404
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.OPEN
    assert str(alert.public_id) not in client.get("/safety/alerts/?show=all").content.decode()


def test_a_participant_cannot_reach_staff_alert_pages(world, login) -> None:
    alert = _alert(world)
    assert (
        login(world.participant_user).get(f"/safety/alerts/{alert.public_id}/").status_code == 403
    )


def test_anonymous_users_are_sent_to_sign_in(client, world) -> None:
    assert client.get("/safety/alerts/").status_code == 302
