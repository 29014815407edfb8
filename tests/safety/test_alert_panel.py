"""Alerts nobody can miss: the open-alerts panel on every clinician's and director's home, the
header's live indicator, alerts staying with whoever took them, and the escalation settings and
chain."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from openiop.accounts.middleware import LAST_SEEN_SESSION_KEY
from openiop.accounts.roles import Role
from openiop.audit.models import AccessLog
from openiop.participants.models import EpisodeStatus
from openiop.safety.models import (
    AlertStatus,
    AlertStep,
    AlertStepKind,
    OnCallShift,
    SafetySettings,
)
from openiop.safety.selectors import escalation_chain, visible_alerts
from openiop.safety.services import alert_acknowledge, alerts_escalate, safety_settings_update
from tests import factories as f
from tests.diary.helpers import file_card

INDICATOR = "/safety/alerts/indicator/"
PANEL = "/safety/alerts/panel/"


def _second_clinician(world):
    return f.UserFactory(
        organization=world.org,
        role=Role.CLINICIAN,
        programs=[world.program],
        full_name="Sol Second",
    )


def _alert(world, **answers):
    return file_card(world, **(answers or {"urge_self_harm": 5})).alerts[0]


def _participant_in_program(world, name: str):
    participant = f.ParticipantFactory(
        organization=world.org, legal_first_name=name, legal_last_name="Person"
    )
    episode = f.EpisodeFactory(
        participant=participant,
        program=world.program,
        track=world.morning,
        primary_clinician=world.clinician,
        status=EpisodeStatus.ACTIVE,
    )
    return participant, episode


def _card_for(world, participant, **answers):
    from openiop.diary.services import diary_card_submit
    from openiop.lib.timezones import today_in
    from tests.diary.helpers import answers as build

    return diary_card_submit(
        participant=participant,
        day=today_in(world.program.time_zone),
        answers=build(**answers),
        actor=world.clinician,
    ).alerts


# --- the home panel ---------------------------------------------------------------------------


def test_a_clinician_who_is_not_a_recipient_sees_the_alert_on_their_home(world, login) -> None:
    alert = _alert(world)
    second = _second_clinician(world)
    assert not alert.recipients.filter(user=second).exists()
    body = login(second).get("/").content.decode()
    assert 'id="alerts-panel"' in body
    assert "Pat Example" in body
    assert str(alert.public_id) in body
    assert "Waiting" in body
    assert AccessLog.objects.filter(
        actor=second, object_type="safety.home_alerts", participant=world.participant
    ).exists()


def test_the_director_sees_every_open_alert_on_their_home(world, login) -> None:
    alert = _alert(world)
    body = login(world.director).get("/").content.decode()
    assert str(alert.public_id) in body


def test_the_panel_orders_by_severity_then_age(world, login) -> None:
    now = timezone.now()
    older_high = file_card(world, urge_self_harm=5, now=now - timedelta(minutes=40)).alerts[0]
    other, _ = _participant_in_program(world, "Quinn")
    from openiop.safety.models import RiskRule, RuleKind, Severity
    from openiop.safety.services import alert_raise, rules_for

    rules_for(world.program)
    urgent_rule = RiskRule.objects.get(program=world.program, kind=RuleKind.CSSRS_HIGH)
    assert urgent_rule.severity == Severity.URGENT
    from django.db import transaction

    with transaction.atomic():
        urgent = alert_raise(
            rule=urgent_rule,
            participant=other,
            episode=other.episodes.get(),
            day=timezone.localdate(),
            evidence="C-SSRS: high risk",
            now=now,
        )
    newer_high = _card_for(world, other, urge_self_harm=5)[0]
    body = login(_second_clinician(world)).get("/").content.decode()
    positions = [body.index(str(a.public_id)) for a in (urgent, older_high, newer_high)]
    assert positions == sorted(positions)


def test_an_acknowledged_alert_stays_with_its_holder_until_resolved(world, login) -> None:
    alert = _alert(world)
    second = _second_clinician(world)
    alert_acknowledge(alert=alert, actor=second)
    client = login(second)
    home = client.get("/").content.decode()
    assert str(alert.public_id) in home
    assert "Held by you" in home
    mine = client.get("/safety/alerts/").content.decode()
    assert str(alert.public_id) in mine
    assert "Held by you" in mine
    other_view = login(world.director).get("/").content.decode()
    assert "Held by Sol Second" in other_view


def test_outsiders_and_non_clinical_roles_get_no_panel(world, login) -> None:
    _alert(world)
    assert 'id="alerts-panel"' not in login(world.billing).get("/").content.decode()
    outsider = login(world.outsider_clinician).get("/").content.decode()
    assert "No open alerts in your programs." in outsider
    assert "Pat Example" not in outsider


def test_alerts_of_a_substance_use_program_need_sud_access(world) -> None:
    world.program.treats_sud = True
    world.program.save(update_fields=["treats_sud"])
    alert = _alert(world)
    assert alert in visible_alerts(world.clinician)
    assert alert not in visible_alerts(world.intake)


@pytest.mark.parametrize("who", ["second clinician", "director"])
def test_the_home_panel_keeps_a_fixed_query_count(
    world, login, django_assert_max_num_queries, who
) -> None:
    viewer = _second_clinician(world) if who == "second clinician" else world.director
    client = login(viewer)
    _alert(world)
    client.get("/")
    with django_assert_max_num_queries(60) as few:
        client.get("/")
    for n in range(12):
        participant, _ = _participant_in_program(world, f"Many{n}")
        _card_for(world, participant, urge_self_harm=5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/")
    assert response.content.decode().count("alert-waiting") == 13


def test_the_panel_fragment_reloads_and_is_logged(world, login) -> None:
    _alert(world)
    second = _second_clinician(world)
    response = login(second).get(PANEL, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Pat Example" in response.content.decode()
    assert AccessLog.objects.filter(actor=second, object_type="safety.home_alerts").count() == 1


def test_the_panel_fragment_refuses_other_roles(world, login, client) -> None:
    assert login(world.billing).get(PANEL).status_code == 403
    assert login(world.intake).get(PANEL).status_code == 403
    assert login(world.participant_user).get(PANEL).status_code == 403
    assert client.get(PANEL).status_code == 302


# --- the live indicator -----------------------------------------------------------------------


def test_the_indicator_counts_without_naming_anyone_and_without_logging(world, login) -> None:
    _alert(world)
    second = _second_clinician(world)
    client = login(second)
    before = AccessLog.objects.count()
    response = client.get(INDICATOR, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "1 alert waiting (1 high)" in body
    assert "Pat" not in body
    assert "Example" not in body
    assert "self-harm" not in body
    assert AccessLog.objects.count() == before


def test_the_indicator_tells_the_page_when_the_alerts_changed(world, login) -> None:
    second = _second_clinician(world)
    client = login(second)
    first = client.get(INDICATOR, HTTP_HX_REQUEST="true")
    assert "No open alerts" in first.content.decode()
    assert "HX-Trigger" not in first
    poll = first.content.decode().split('hx-get="')[1].split('"')[0].replace("&amp;", "&")
    same = client.get(poll, HTTP_HX_REQUEST="true")
    assert "HX-Trigger" not in same
    _alert(world)
    changed = client.get(poll, HTTP_HX_REQUEST="true")
    assert changed["HX-Trigger"] == "openiop:alerts-changed"
    body = changed.content.decode()
    assert "New alert" in body
    assert 'id="alert-announcer"' in body
    assert "hx-swap-oob" in body


def test_polling_the_indicator_does_not_keep_an_idle_session_alive(world, login) -> None:
    client = login(_second_clinician(world))
    client.get("/")
    seen = client.session[LAST_SEEN_SESSION_KEY]
    time.sleep(0.01)
    client.get(INDICATOR, HTTP_HX_REQUEST="true")
    assert client.session[LAST_SEEN_SESSION_KEY] == seen


def test_an_idle_session_polling_is_sent_to_sign_in(world, login) -> None:
    client = login(_second_clinician(world))
    client.get("/")
    session = client.session
    session[LAST_SEEN_SESSION_KEY] = time.time() - 16 * 60
    session.save()
    response = client.get(INDICATOR, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/login/"
    assert client.get("/").status_code == 302


def test_a_signed_out_poll_navigates_to_sign_in(client, world) -> None:
    response = client.get(INDICATOR, HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"].startswith("/accounts/login/")
    assert client.get(INDICATOR).status_code == 302


def test_the_indicator_is_for_clinicians_and_directors(world, login) -> None:
    assert login(world.billing).get(INDICATOR).status_code == 403
    assert login(world.intake).get(INDICATOR).status_code == 403
    assert login(world.participant_user).get(INDICATOR).status_code == 403
    assert login(world.director).get(INDICATOR).status_code == 200


def test_an_outsider_indicator_counts_nothing_of_this_program(world, login) -> None:
    _alert(world)
    body = login(world.outsider_clinician).get(INDICATOR).content.decode()
    assert "No open alerts" in body


def test_every_staff_page_carries_the_indicator_for_clinicians_only(world, login) -> None:
    page = login(world.clinician).get("/participants/").content.decode()
    assert 'id="alert-indicator"' in page
    assert 'hx-trigger="load"' in page
    assert 'id="alert-indicator"' not in login(world.billing).get("/participants/").content.decode()


def test_the_indicator_runs_in_few_queries(world, login, django_assert_max_num_queries) -> None:
    _alert(world)
    for n in range(5):
        participant, _ = _participant_in_program(world, f"Poll{n}")
        _card_for(world, participant, urge_self_harm=5)
    client = login(_second_clinician(world))
    client.get(INDICATOR)
    # Session, user, two-step device, programs of the user, and the one query on alerts.
    with django_assert_max_num_queries(6):
        body = client.get(INDICATOR, HTTP_HX_REQUEST="true").content.decode()
    assert "6 alerts waiting" in body


# --- escalation settings and chain ------------------------------------------------------------


def test_the_defaults_escalate_high_alerts_within_half_an_hour(world) -> None:
    from openiop.safety.services import safety_settings_for

    found = safety_settings_for(world.program)
    assert (found.urgent_escalate_minutes, found.high_escalate_minutes) == (10, 30)
    assert found.low_escalate_minutes is None


@pytest.mark.parametrize(
    ("urgent", "high", "field", "message"),
    [
        (10, 120, "high_escalate_minutes", "A high alert escalates after 1 to 60 minutes."),
        (45, 60, "urgent_escalate_minutes", "An urgent alert escalates after 1 to 30 minutes."),
        (20, 15, "urgent_escalate_minutes", "must not wait longer than a high one"),
    ],
)
def test_unsafe_escalation_times_are_refused(world, urgent, high, field, message) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        safety_settings_update(
            program=world.program,
            actor=world.director,
            urgent_escalate_minutes=urgent,
            high_escalate_minutes=high,
            low_escalate_minutes=None,
        )
    assert message in " ".join(caught.value.message_dict[field])
    assert not SafetySettings.objects.filter(program=world.program).exists()


def test_the_rules_page_shows_why_an_escalation_time_is_refused(world, login) -> None:
    response = login(world.director).post(
        f"/safety/programs/{world.program.public_id}/rules/",
        {
            "escalation": "1",
            "urgent_escalate_minutes": "",
            "high_escalate_minutes": "30",
            "low_escalate_minutes": "",
        },
    )
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not SafetySettings.objects.filter(program=world.program).exists()


def test_a_program_setting_sets_the_minute_an_alert_escalates(world) -> None:
    safety_settings_update(
        program=world.program,
        actor=world.director,
        urgent_escalate_minutes=5,
        high_escalate_minutes=12,
        low_escalate_minutes=None,
    )
    now = timezone.now()
    alert = file_card(world, urge_self_harm=5, now=now).alerts[0]
    assert alert.escalate_at == now + timedelta(minutes=12)
    assert alerts_escalate(now=now + timedelta(minutes=11, seconds=59)) == 0
    assert alerts_escalate(now=now + timedelta(minutes=12)) == 1
    alert.refresh_from_db()
    assert alert.escalation_level == 2  # no backup on the rota: straight to the director


def test_the_alert_page_shows_the_escalation_chain(world, login) -> None:
    backup = f.UserFactory(
        organization=world.org,
        role=Role.CLINICIAN,
        programs=[world.program],
        full_name="Bea Backup",
    )
    on_call = _second_clinician(world)
    today = timezone.localdate()
    OnCallShift.objects.create(
        organization=world.org,
        program=world.program,
        user=on_call,
        backup=backup,
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=1),
        created_by=world.director,
    )
    now = timezone.now()
    alert = file_card(world, urge_self_harm=5, now=now).alerts[0]
    chain = escalation_chain(alert)
    assert [(c.label, c.state) for c in chain] == [
        ("When raised", "done"),
        ("On-call backup", "due"),
        ("Program director", "later"),
    ]
    assert chain[1].people == "Bea Backup"
    assert chain[1].at == now + timedelta(minutes=30)
    assert chain[2].people == "Dana Director"
    assert chain[2].at == now + timedelta(minutes=60)
    assert "Sol Second (On call)" in chain[0].people
    body = login(world.clinician).get(f"/safety/alerts/{alert.public_id}/").content.decode()
    assert "Escalation chain" in body
    assert "Bea Backup" in body
    assert "Dana Director" in body

    alerts_escalate(now=now + timedelta(minutes=30))
    alert.refresh_from_db()
    chain = escalation_chain(alert)
    assert [c.state for c in chain] == ["done", "done", "due"]
    alert_acknowledge(alert=alert, actor=backup)
    alert.refresh_from_db()
    assert [c.state for c in escalation_chain(alert)] == ["done", "done", "not_needed"]


def test_the_trail_names_reasons_in_words(world, login) -> None:
    _second = _second_clinician(world)
    OnCallShift.objects.create(
        organization=world.org,
        program=world.program,
        user=_second,
        starts_on=timezone.localdate() - timedelta(days=1),
        ends_on=timezone.localdate() + timedelta(days=1),
        created_by=world.director,
    )
    alert = _alert(world)
    sent = AlertStep.objects.get(alert=alert, kind=AlertStepKind.SENT)
    assert "(On call)" in sent.detail
    assert "on_call" not in sent.detail
    body = login(world.clinician).get(f"/safety/alerts/{alert.public_id}/").content.decode()
    assert "on_call" not in body
    assert "(Primary clinician)" in body


def test_old_trail_entries_are_shown_in_words_too() -> None:
    from openiop.safety.templatetags.safety_tags import trail_detail

    assert trail_detail("Sent to Oona (on_call), Casey (primary)") == (
        "Sent to Oona (On call), Casey (Primary clinician)"
    )


def test_an_alert_sent_to_nobody_in_particular_still_reaches_the_panel(world, login) -> None:
    world.episode.primary_clinician = None
    world.episode.save(update_fields=["primary_clinician"])
    alert = _alert(world)
    assert alert.status == AlertStatus.OPEN
    body = login(_second_clinician(world)).get("/").content.decode()
    assert str(alert.public_id) in body


def test_the_charts_alert_panel_puts_urgent_before_high_and_low(world) -> None:
    from django.db import transaction

    from openiop.safety.models import RuleKind
    from openiop.safety.selectors import chart_open_alerts
    from openiop.safety.services import alert_raise, rules_for

    high = _alert(world)
    rules = rules_for(world.program)
    with transaction.atomic():
        low = alert_raise(
            rule=rules[RuleKind.DIARY_MISSING],
            participant=world.participant,
            episode=world.episode,
            day=timezone.localdate(),
            evidence="No diary card for 3 days",
        )
        urgent = alert_raise(
            rule=rules[RuleKind.CSSRS_HIGH],
            participant=world.participant,
            episode=world.episode,
            day=timezone.localdate(),
            evidence="C-SSRS: high risk",
        )
    assert chart_open_alerts(world.clinician, world.participant) == [urgent, high, low]
