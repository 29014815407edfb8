"""Writes never half-succeed on a bad redirect, and NUL bytes are refused with a clear error
that changes nothing (issue 14 point 4). Runs on SQLite and PostgreSQL: PostgreSQL is where a
NUL in text used to fail after the form had said yes."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from django import forms as django_forms
from django.test import RequestFactory
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

import openiop
from openiop.lib.forms import NUL_ERROR, NulSafeMixin
from openiop.lib.http import safe_return_to
from openiop.participants.models import Consent, Participant
from openiop.scheduling.models import Attendance, AttendanceStatus, FollowUpItem, FollowUpKind
from tests.scheduling.attendance_support import ongoing_session

FALLBACK = "/fallback/"
BAD_NEXT = [
    "-1",
    "NaN",
    "9999-12-31",
    "home",
    "participants:list",
    "//evil.example/steal",
    "https://evil.example/",
    "http://elsewhere.example/participants/",
    "/\\evil.example",
    "javascript:alert(1)",
    " /participants/",
    "/participants/\x00",
    "/participants/\n",
    "/no/such/page/",
    "/" + "a" * 3000,
]


def _request(next_value: str, method: str = "post") -> Any:
    factory = RequestFactory()
    if method == "post":
        return factory.post("/x/", {"next": next_value})
    return factory.get("/x/", {"next": next_value})


@pytest.mark.parametrize("value", BAD_NEXT)
def test_anything_but_a_page_of_this_site_falls_back(value: str) -> None:
    assert safe_return_to(_request(value), FALLBACK) == FALLBACK
    assert safe_return_to(_request(value, "get"), FALLBACK) == FALLBACK


def test_a_page_of_this_site_with_its_query_is_kept() -> None:
    value = "/participants/?q=ex&status=active"
    assert safe_return_to(_request(value), FALLBACK) == value


def test_a_full_url_of_this_host_is_reduced_to_its_path() -> None:
    value = "http://testserver/participants/?q=ex"
    assert safe_return_to(_request(value), FALLBACK) == "/participants/?q=ex"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_whatever_is_sent_the_answer_is_the_fallback_or_a_local_path(value: str) -> None:
    answer = safe_return_to(_request(value, "get"), FALLBACK)
    assert answer == FALLBACK or answer.startswith("/")
    assert not answer.startswith(("//", "/\\"))


# --- attendance: the write and the redirect --------------------------------------------------


@pytest.mark.parametrize("value", ["-1", "NaN", "9999-12-31", "//evil.example/", "\x00"])
def test_marking_attendance_with_a_bad_next_saves_once_and_returns_to_the_session(
    world: SimpleNamespace, login: Any, value: str
) -> None:
    session = ongoing_session(world)
    url = reverse(
        "scheduling:attendance_mark", args=[session.public_id, world.participant.public_id]
    )
    response = login(world.clinician).post(url, {"status": AttendanceStatus.PRESENT, "next": value})
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "scheduling:session_attendance", args=[session.public_id]
    )
    assert Attendance.objects.get().status == AttendanceStatus.PRESENT


@pytest.mark.parametrize("value", ["-1", "NaN", "9999-12-31"])
def test_all_present_with_a_bad_next_saves_and_returns_to_the_session(
    world: SimpleNamespace, login: Any, value: str
) -> None:
    session = ongoing_session(world)
    url = reverse("scheduling:attendance_all_present", args=[session.public_id])
    response = login(world.clinician).post(url, {"next": value})
    assert response.status_code == 302
    assert response["Location"].endswith(f"/schedule/sessions/{session.public_id}/attendance/")
    assert Attendance.objects.count() == 1


def test_a_good_next_is_followed(world: SimpleNamespace, login: Any) -> None:
    session = ongoing_session(world)
    url = reverse("scheduling:attendance_all_present", args=[session.public_id])
    back = reverse("scheduling:session_detail", args=[session.public_id])
    assert login(world.clinician).post(url, {"next": back})["Location"] == back


def test_signing_in_with_a_bad_next_lands_on_the_home_page(world: SimpleNamespace, client) -> None:
    response = client.post(
        reverse("accounts:login") + "?next=-1",
        {"username": world.participant_user.email, "password": "correct horse battery staple"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


# --- NUL bytes ----------------------------------------------------------------------------------


def _follow_up(world: SimpleNamespace) -> FollowUpItem:
    return FollowUpItem.objects.create(
        organization=world.org,
        participant=world.participant,
        episode=world.episode,
        assigned_to=world.clinician,
        kind=FollowUpKind.HOURS_BELOW,
        week_start=date(2026, 1, 5),
        detail="Attended 3.0 h of 9.0 h scheduled.",
    )


def test_a_nul_in_a_follow_up_note_is_refused_and_nothing_changes(
    world: SimpleNamespace, login: Any
) -> None:
    item = _follow_up(world)
    url = reverse("scheduling:follow_up_resolve", args=[item.public_id])
    response = login(world.clinician).post(url, {"note": "Called\x00 them", "next": "-1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    page = login(world.clinician).get(reverse("home"))
    item.refresh_from_db()
    assert item.resolved_at is None
    assert item.resolution == ""
    assert page.status_code == 200


def test_the_follow_up_error_says_what_is_wrong(world: SimpleNamespace, login: Any) -> None:
    item = _follow_up(world)
    client = login(world.clinician)
    url = reverse("scheduling:follow_up_resolve", args=[item.public_id])
    page = client.post(url, {"note": "Called\x00 them"}, follow=True).content.decode()
    assert "NUL character" in page


def test_a_nul_in_a_text_field_is_shown_on_the_field_and_saves_nothing(
    world: SimpleNamespace, login: Any
) -> None:
    url = reverse("participants:edit", args=[world.participant.public_id])
    client = login(world.clinician)
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data["date_of_birth"] = world.participant.date_of_birth.isoformat()
    data["legal_last_name"] = "Exam\x00ple"
    page = client.post(url, data)
    assert page.status_code == 200
    assert NUL_ERROR in page.content.decode()
    assert page.context["form"].errors["legal_last_name"] == [NUL_ERROR]
    assert Participant.objects.get(pk=world.participant.pk).legal_last_name == "Example"


def test_a_nul_in_a_choice_field_gets_the_same_clear_error(
    world: SimpleNamespace, login: Any
) -> None:
    url = reverse("participants:consent_new", args=[world.participant.public_id])
    page = login(world.clinician).post(
        url + "?kind=treatment",
        {
            "kind": "treatment",
            "episode": str(world.episode.public_id),
            "expiry": "none\x00",
            "typed_name": "Patricia\x00 Example",
            "witnessed": "on",
        },
    )
    assert page.status_code == 200
    errors = page.context["form"].errors
    assert errors["expiry"] == [NUL_ERROR]
    assert errors["typed_name"] == [NUL_ERROR]
    assert not Consent.objects.exclude(pk=world.consent.pk).exists()


def test_a_nul_in_a_search_gets_a_clear_400_not_a_500(world: SimpleNamespace, login: Any) -> None:
    response = login(world.clinician).get(reverse("participants:list") + "?q=Ex%00ample")
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


def _project_forms() -> list[type]:
    for module in pkgutil.walk_packages(openiop.__path__, "openiop."):
        if ".migrations" in module.name or module.name.endswith(("__main__", "wsgi")):
            continue
        importlib.import_module(module.name)
    found: list[type] = []
    pending: list[type] = [django_forms.BaseForm]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("openiop.") and not cls.__module__.startswith(
            "openiop.lib.forms"
        ):
            found.append(cls)
    return found


def test_every_form_of_the_project_refuses_nul_bytes() -> None:
    found = _project_forms()
    assert len(found) > 50
    unsafe = sorted(
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in found
        if inspect.isclass(cls) and not issubclass(cls, NulSafeMixin)
    )
    assert unsafe == [], "derive these from openiop.lib.forms.Form or ModelForm"
