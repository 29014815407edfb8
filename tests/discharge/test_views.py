"""The discharge pages over HTTP: transitions, the summary editor, sign, print and PDF, the
chart panel and staff home, and who may reach them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openiop.audit.models import AccessAction, AccessLog
from openiop.discharge.models import DischargeSummary, EpisodeChange, FollowUp, SummaryStatus
from openiop.discharge.services import episode_hold, episode_resume, summary_save
from openiop.lib.timezones import today_in
from openiop.participants.models import DischargeKind, EpisodeStatus
from openiop.participants.part2 import REDISCLOSURE_NOTICE
from tests.discharge.conftest import rostered


def _url(name, world, *extra):
    return reverse(f"discharge:{name}", args=[world.participant.public_id, *extra])


def _today(world):
    return today_in(world.program.time_zone).isoformat()


def test_the_chart_links_to_transitions(world, login):
    response = login(world.clinician).get(
        reverse("participants:chart", args=[world.participant.public_id]) + "?panel=plans"
    )
    assert response.status_code == 200
    assert _url("transitions", world, world.episode.public_id) in response.content.decode()


def test_billing_sees_no_discharge_panel_on_the_chart(world, login):
    response = login(world.billing).get(
        reverse("participants:chart", args=[world.participant.public_id])
    )
    assert response.status_code == 200
    assert "Transitions and discharge" not in response.content.decode()


def test_transitions_page_lists_actions_and_changes(world, login):
    client = login(world.clinician)
    response = client.post(
        _url("hold", world, world.episode.public_id),
        {"on": _today(world), "reason": "Inpatient stay for a week"},
    )
    assert response.status_code == 302
    page = client.get(_url("transitions", world, world.episode.public_id)).content.decode()
    assert "Inpatient stay for a week" in page
    assert "Resume" in page


def test_a_hold_without_reason_rerenders_and_saves_nothing(world, login):
    response = login(world.clinician).post(
        _url("hold", world, world.episode.public_id), {"on": _today(world), "reason": ""}
    )
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    world.episode.refresh_from_db()
    assert world.episode.status == EpisodeStatus.ACTIVE


def test_extend_page_shows_a_clear_error(world, login):
    world.episode.planned_end_on = today_in(world.program.time_zone) + timedelta(days=10)
    world.episode.save()
    response = login(world.clinician).post(
        _url("extend", world, world.episode.public_id),
        {"new_end": _today(world), "reason": "More time"},
    )
    assert response.status_code == 400
    assert "after the current planned end" in response.content.decode()
    assert not EpisodeChange.objects.exists()


def test_discharge_form_discharges_and_opens_the_draft(world, login, sessions):
    response = login(world.clinician).post(
        _url("discharge", world, world.episode.public_id),
        {
            "on": _today(world),
            "kind": DischargeKind.COMPLETED,
            "reason": "Completed the program",
            "destination": "outpatient",
            "provider": "Riverside Counseling",
            "appointments": "",
            "medication_followup": "",
            "followup_consent": "yes",
            "consent_how": "in_person",
        },
    )
    summary = DischargeSummary.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url("summary", world, summary.public_id)
    assert not rostered(sessions.future, world)
    assert FollowUp.objects.filter(episode=world.episode).count() == 3


def test_step_down_form_needs_a_provider(world, login):
    response = login(world.clinician).post(
        _url("step_down", world, world.episode.public_id),
        {"on": _today(world), "destination": "outpatient", "provider": "", "reason": "Ready"},
    )
    assert response.status_code == 400
    world.episode.refresh_from_db()
    assert world.episode.status == EpisodeStatus.ACTIVE


def test_edit_sign_refused_then_signed(world, login, summary):
    client = login(world.clinician)
    response = client.post(_url("summary_sign", world, summary.public_id), follow=True)
    assert "Before signing, fill in: Course of treatment" in response.content.decode()
    summary.refresh_from_db()
    assert summary.status == SummaryStatus.DRAFT
    sections = {s["name"]: s["text"] for s in summary.sections()}
    sections["course_of_treatment"] = "Attended steadily and leaves with a plan."
    response = client.post(_url("summary_edit", world, summary.public_id), sections)
    assert response.status_code == 302
    client.post(_url("summary_sign", world, summary.public_id))
    summary.refresh_from_db()
    assert summary.status == SummaryStatus.SIGNED
    page = client.get(_url("summary", world, summary.public_id)).content.decode()
    assert "Signed by Casey Clinician" in page
    # Signed: the editor sends you back to the summary.
    response = client.get(_url("summary_edit", world, summary.public_id))
    assert response.status_code == 302


def test_print_page_is_audited(world, login, summary):
    response = login(world.clinician).get(_url("summary_print", world, summary.public_id))
    assert response.status_code == 200
    assert "Discharge summary" in response.content.decode()
    assert AccessLog.objects.filter(
        action=AccessAction.PRINT, object_id=str(summary.public_id)
    ).exists()
    assert 'style="' not in response.content.decode()


def test_pdf_is_a_pdf_with_a_nameless_filename_and_audited(world, login, summary):
    response = login(world.clinician).get(_url("summary_pdf", world, summary.public_id))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    disposition = response["Content-Disposition"]
    assert disposition == f'attachment; filename="discharge-summary-{summary.public_id}.pdf"'
    for name in ("Patricia", "Pat", "Example"):
        assert name not in disposition
    assert AccessLog.objects.filter(
        action=AccessAction.EXPORT, object_id=str(summary.public_id)
    ).exists()


def test_pdf_survives_text_outside_latin1(world, login, summary):
    summary_save(
        actor=world.clinician,
        summary=summary,
        sections={
            "course_of_treatment": "\u201cQuoted\u201d \u2013 dashes \u2192 arrows "
            "\U0001f60a and \u00fc"
        },
    )
    response = login(world.clinician).get(_url("summary_pdf", world, summary.public_id))
    assert response.content.startswith(b"%PDF")


def test_sud_summaries_carry_the_part2_notice(world, login, summary):
    world.program.treats_sud = True
    world.program.save()
    client = login(world.clinician)
    page = client.get(_url("summary", world, summary.public_id)).content.decode()
    assert REDISCLOSURE_NOTICE in page
    printed = client.get(_url("summary_print", world, summary.public_id)).content.decode()
    assert REDISCLOSURE_NOTICE in printed


def test_non_sud_summaries_have_no_part2_notice(world, login, summary):
    page = login(world.clinician).get(_url("summary", world, summary.public_id)).content.decode()
    assert REDISCLOSURE_NOTICE not in page


def test_sud_summary_needs_sud_access(world, login, summary):
    world.program.treats_sud = True
    world.program.save()
    response = login(world.intake).get(_url("summary", world, summary.public_id))
    assert response.status_code == 403


@pytest.mark.parametrize("name", ["summary", "summary_print", "summary_pdf", "summary_edit"])
def test_outsiders_get_404_on_summary_pages(world, login, summary, name):
    for user in (world.outsider_clinician, world.other_org_clinician):
        assert login(user).get(_url(name, world, summary.public_id)).status_code == 404


@pytest.mark.parametrize("name", ["summary", "summary_print", "summary_pdf"])
def test_billing_gets_403_on_summary_pages(world, login, summary, name):
    assert login(world.billing).get(_url(name, world, summary.public_id)).status_code == 403


def test_participant_cannot_reach_staff_pages(world, login, summary):
    client = login(world.participant_user)
    assert client.get(_url("summary", world, summary.public_id)).status_code == 403
    assert client.get(_url("transitions", world, world.episode.public_id)).status_code == 403
    assert client.get(reverse("discharge:outcomes")).status_code == 403


def test_outsider_cannot_discharge(world, login):
    response = login(world.outsider_clinician).post(
        _url("discharge", world, world.episode.public_id),
        {"on": _today(world), "kind": "completed", "reason": "x"},
    )
    assert response.status_code == 404
    world.episode.refresh_from_db()
    assert world.episode.status == EpisodeStatus.ACTIVE


def test_billing_cannot_open_transitions(world, login):
    response = login(world.billing).get(_url("transitions", world, world.episode.public_id))
    assert response.status_code == 403


def test_a_summary_of_another_participant_is_404(world, login, summary):
    url = reverse("discharge:summary", args=[world.other_participant.public_id, summary.public_id])
    assert login(world.director).get(url).status_code == 404


def test_staff_home_lists_summaries_to_sign_and_endings(
    world, login, summary, django_assert_max_num_queries
):
    client = login(world.clinician)
    with django_assert_max_num_queries(60):
        page = client.get(reverse("home")).content.decode()
    assert "Summaries waiting for your signature" in page
    assert _url("summary", world, summary.public_id) in page


def test_staff_home_lists_episodes_reaching_their_planned_end(world, login):
    world.episode.planned_end_on = today_in(world.program.time_zone) + timedelta(days=3)
    world.episode.save()
    page = login(world.clinician).get(reverse("home")).content.decode()
    assert "Planned end within a week" in page
    assert _url("transitions", world, world.episode.public_id) in page


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_chart_panel_does_not_grow_with_history(world, login):
    client = login(world.clinician)
    url = reverse("participants:chart", args=[world.participant.public_id])
    client.get(url)
    before = _queries(client, url)
    on = today_in(world.program.time_zone)
    for _ in range(4):
        episode_hold(actor=world.clinician, episode=world.episode, on=on, reason="Away")
        episode_resume(actor=world.clinician, episode=world.episode, on=on, reason="Back")
    assert _queries(client, url) == before


def test_episodes_without_an_agreed_end_are_listed_from_the_programs_weeks(world):
    from openiop.discharge.selectors import episodes_ending

    today = today_in(world.program.time_zone)
    world.episode.planned_end_on = None
    weeks = world.program.planned_weeks
    # Started long enough ago that the program's planned weeks end in three days.
    world.episode.started_on = today - timedelta(weeks=weeks) + timedelta(days=4)
    world.episode.save()
    assert [e for e, _ in episodes_ending(world.clinician, today)] == [world.episode]
    # Started a week later: its end is beyond the week ahead, so it is not listed.
    world.episode.started_on += timedelta(days=7)
    world.episode.save()
    assert episodes_ending(world.clinician, today) == []


def test_episodes_far_from_their_agreed_end_are_not_listed(world):
    from openiop.discharge.selectors import episodes_ending

    today = today_in(world.program.time_zone)
    world.episode.planned_end_on = today + timedelta(days=60)
    world.episode.save()
    assert episodes_ending(world.clinician, today) == []
