"""Help text and errors are announced: every aria-describedby names ids that exist on the page
(Django points inputs at id_X_helptext and id_X_error), on the forms staff and participants use,
before and after an invalid submission. A template check keeps new templates in line."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client

from openiop.participants.models import ConsentKind

TEMPLATES = Path(__file__).resolve().parents[1] / "src" / "openiop" / "templates"


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.refs: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        for ref in (found.get("aria-describedby") or "").split():
            self.refs.append((f"<{tag} name={found.get('name')}>", ref))


def broken_references(html: str) -> list[str]:
    parser = _Refs()
    parser.feed(html)
    return [f"{where} -> #{ref}" for where, ref in parser.refs if ref not in parser.ids]


def described(client: Client, url: str, data: dict[str, str] | None = None) -> str:
    response = client.post(url, data or {}) if data is not None else client.get(url)
    assert response.status_code in (200, 400), (url, response.status_code)
    html = response.content.decode()
    assert broken_references(html) == [], url
    return html


def test_the_checker_catches_a_dangling_reference() -> None:
    assert broken_references('<input aria-describedby="id_x_helptext"><p id="id_x_help">') == [
        "<input name=None> -> #id_x_helptext"
    ]
    assert broken_references('<input aria-describedby="a b"><p id="a"></p><p id="b"></p>') == []


def test_staff_forms_point_at_real_ids(world, login) -> None:
    p = world.participant.public_id
    clinician = login(world.clinician)
    pages = [
        f"/participants/{p}/edit/",
        f"/participants/{p}/family/new/",
        f"/participants/{p}/consents/new/?kind={ConsentKind.RELEASE}",
        f"/schedule/participants/{p}/book/individual/",
    ]
    for url in pages:
        described(clinician, url)
    # After an invalid submission the errors are announced too.
    html = described(clinician, f"/participants/{p}/edit/", {"legal_first_name": ""})
    assert 'aria-describedby="id_legal_first_name_error"' in html
    described(clinician, f"/participants/{p}/family/new/", {"name": ""})
    described(clinician, f"/participants/{p}/consents/new/?kind=release", {"kind": "release"})

    intake = login(world.intake)
    described(intake, "/participants/new/")
    described(intake, "/participants/new/", {"legal_first_name": ""})

    admin = login(world.admin)
    html = described(admin, "/accounts/users/new/")
    assert 'id="id_credentials_helptext"' in html
    assert 'aria-describedby="id_credentials_helptext"' in html
    described(admin, "/accounts/users/new/", {"email": "not-an-address"})

    director = login(world.director)
    described(director, f"/programs/{world.program.public_id}/edit/")
    described(director, "/schedule/series/new/")


def test_portal_forms_point_at_real_ids(world, login) -> None:
    participant = login(world.participant_user)
    for url in ("/me/coaching/", "/me/diary/", "/me/diary/reminder/"):
        described(participant, url)
    html = described(participant, "/me/coaching/", {"situation": ""})
    assert 'id="id_situation_error"' in html
    described(participant, "/me/diary/", {})


def test_sign_in_and_password_pages_point_at_real_ids(world) -> None:
    client = Client()
    described(client, "/accounts/login/")
    described(client, "/accounts/login/", {"username": "nobody@example.test", "password": "x"})
    described(client, "/accounts/password-reset/")


ERROR_LOOP = re.compile(r"\{% for \w+ in [\w.]+\.errors %\}")
OLD_HELP_ID = re.compile(r'id="\{\{ [\w.]+\.auto_id \}\}_help"')


@pytest.mark.parametrize("path", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: p.name)
def test_templates_render_help_and_errors_with_djangos_ids(path: Path) -> None:
    text = path.read_text()
    assert not OLD_HELP_ID.search(text), "help text id must be <auto_id>_helptext"
    if path.name != "_field_errors.html":
        assert not ERROR_LOOP.search(text), 'render field errors with "_field_errors.html"'
