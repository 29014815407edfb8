"""The portal in Spanish (issue 20): the participant chooses it on their account; the skills
pages, homework and progress read in Spanish; staff pages stay English and records stay the
same whatever the language."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from openiop.homework.models import Outcome, PortalLanguage, Practice
from openiop.homework.services import homework_assign
from openiop.lib.timezones import today_in

pytestmark = pytest.mark.django_db


def test_a_participant_chooses_spanish_on_their_account(world, login) -> None:
    client = login(world.participant_user)
    assert client.get(reverse("portal:language")).status_code == 200
    response = client.post(reverse("portal:language"), {"language": "es"})
    assert response.status_code == 302
    assert PortalLanguage.objects.get(user=world.participant_user).language == "es"
    home = client.get("/me/").content.decode()
    assert '<html lang="es">' in home
    assert "Biblioteca de habilidades" in home
    assert "Mi progreso" in home


def test_skill_pages_and_practice_in_spanish_store_the_same_record(world, login) -> None:
    PortalLanguage.objects.create(user=world.participant_user, language="es")
    given = homework_assign(
        episode=world.episode,
        skill_id="tipp",
        due_on=today_in(world.program.time_zone) + timedelta(days=2),
        actor=world.clinician,
    )
    client = login(world.participant_user)
    page = client.get(reverse("portal:skill", args=["tipp"])).content.decode()
    for heading in ("Para qué sirve", "Pasos", "Para practicar", "Su tarea", "Anotar práctica"):
        assert heading in page
    url = reverse("portal:practice", args=["tipp"])
    form = client.get(url, {"homework": str(given.public_id)}).content.decode()
    assert "¿Practicó?" in form
    assert "Lo intenté" in form
    client.post(url, {"homework": str(given.public_id), "outcome": "tried", "helpful": "3"})
    assert Practice.objects.get().outcome == Outcome.TRIED
    # Staff read the same record, in English.
    chart = login(world.clinician).get(
        reverse("participants:chart", args=[world.participant.public_id]) + "?panel=diary"
    )
    text = chart.content.decode()
    assert "Tried, helped 3/5" in text
    assert '<html lang="en">' in text


def test_untranslated_crisis_wording_is_marked_as_english(world, login) -> None:
    PortalLanguage.objects.create(user=world.participant_user, language="es")
    home = login(world.participant_user).get("/me/").content.decode()
    assert 'lang="en" hidden>You are offline.' in home
