"""The access matrix (issue 14): every URL of the project, as every persona, for their own and
for other people's objects, with GET and with a POST that carries a valid CSRF token.

The world (tests/matrix/world.py) is built once for this module: two organizations, a DBT
program and a substance-use program, a person enrolled in both, a second participant, family
members holding releases from one program only, billing and intake. The table
(tests/matrix/routes.py) says who may be served each URL; a URL without an entry fails.

Each request runs in a savepoint that is rolled back, so a POST that changes something (or a
sign-out) never changes the world the next request sees. Two checks per response:

1. the status: a persona the rule refuses must get 403 or 404 (or, signed out, the sign-in
   page); a persona it allows must not be refused; nothing may answer 500;
2. the body: no marker of a record the persona may not see (see world.py) may appear in it,
   whatever the status.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any

import pytest
from django.core.signals import got_request_exception
from django.db import transaction
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from openiop.accounts.roles import Perm, Role
from tests.matrix.routes import CLINICAL, IDENTITY, ROUTES, Entry, allowed
from tests.matrix.world import Slot, World, build_world

PERSONAS = (
    "anonymous",
    "admin",
    "director_dbt",
    "director_sud",
    "clinician_dbt",
    "clinician_sud",
    "clinician_both",
    "intake_dbt",
    "intake_both",
    "billing_dbt",
    "clinician_far",
    "x_user",
    "y_user",
    "f1",
    "f2",
)
pytestmark = pytest.mark.django_db

DENIED = {403, 404}
NEUTRAL = {405}


def _walk(patterns: list[Any], namespace: str = "") -> Iterator[str]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            inner = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            assert entry.name, f"URL pattern {entry.pattern} has no name"
            yield f"{namespace}:{entry.name}" if namespace else entry.name


def url_names() -> list[str]:
    return list(_walk(get_resolver().url_patterns))


# --- markers ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Marker:
    text: str
    slots: tuple[str, ...]
    level: str  # person, identity, clinical
    non_staff_only: bool = False

    def found_in(self, body: str) -> bool:
        """The marker as a word of its own: a short marker ("Ykin") also turns up by chance
        inside a random CSRF token on one page in some hundred thousand, which is no leak."""
        if self.text not in body:
            return False
        return (
            re.search(rf"(?<![A-Za-z0-9]){re.escape(self.text)}(?![A-Za-z0-9])", body) is not None
        )


def markers(w: World) -> list[Marker]:
    found: list[Marker] = []
    for key, slot in w.slots.items():
        found.append(Marker(slot.clinical, (key,), CLINICAL))
        found.append(Marker(slot.identity, (key,), IDENTITY))
        found.append(Marker(slot.contact.name.split()[-1], (key,), IDENTITY))
    for person in w.people.values():
        keys = tuple(k for k, s in w.slots.items() if s.person.pk == person.pk)
        found.append(Marker(person.legal_last_name, keys, "person"))
    for prog in (w.dbt, w.sud, w.far):
        keys = tuple(k for k, s in w.slots.items() if s.program.pk == prog.pk)
        found.append(Marker(prog.name, keys, IDENTITY, non_staff_only=True))
    return found


def may_see(w: World, persona: str, slot: Slot, level: str) -> bool:
    user = w.users.get(persona)
    if user is None:
        return False
    if user.role == Role.PARTICIPANT:
        return slot.person.user_id == user.pk
    if user.role == Role.FAMILY:
        if level == CLINICAL:
            return False
        if level == "person":
            return slot.person.family_contacts.filter(user=user).exists()
        return slot.contact.user_id == user.pk
    if not (user.is_staff_member and user.can(Perm.PARTICIPANT_EXISTS)):
        return False
    if user.organization_id != slot.person.organization_id:
        return False
    mine = w.persona_programs(persona)
    if level == "person":
        return slot.person.episodes.filter(program_id__in=mine).exists()
    if slot.program.pk not in mine:
        return False
    if level == CLINICAL:
        return user.can(Perm.PARTICIPANT_CLINICAL) and (
            not slot.sud or user.can(Perm.PARTICIPANT_SUD)
        )
    return True


# --- the walk -----------------------------------------------------------------------------------


@dataclass
class Matrix:
    world: World
    clients: dict[str, Client]
    csrf: str
    markers: list[Marker]
    visible: dict[tuple[str, str, str], bool] = field(default_factory=dict)

    def variants(self, entry: Entry) -> list[tuple[str, Any]]:
        w = self.world
        if entry.variant == "none":
            return [("-", None)]
        if entry.variant == "slot":
            return list(w.slots.items())
        if entry.variant == "person":
            return [(k, w.slots[k]) for k in ("xdbt", "ydbt", "zfar")]
        if entry.variant == "program":
            return list(w.programs.items())
        if entry.variant == "user":
            return [("own-org", w.users["clinician_dbt"]), ("other-org", w.users["clinician_far"])]
        raise AssertionError(entry.variant)

    def sees(self, persona: str, marker: Marker) -> bool:
        user = self.world.users.get(persona)
        if marker.non_staff_only and user is not None and user.is_staff_member:
            return True
        return any(self._sees(persona, key, marker.level) for key in marker.slots)

    def _sees(self, persona: str, key: str, level: str) -> bool:
        cache_key = (persona, key, level)
        if cache_key not in self.visible:
            self.visible[cache_key] = may_see(self.world, persona, self.world.slots[key], level)
        return self.visible[cache_key]

    def request(self, persona: str, method: str, url: str) -> tuple[int, str, str, str]:
        client = self.clients[persona]
        saved = SimpleCookie()
        saved.load(client.cookies.output(header="", sep=";"))
        errors: list[str] = []

        def caught(sender: Any, request: Any = None, **kw: Any) -> None:
            import sys

            errors.append(repr(sys.exc_info()[1]))

        got_request_exception.connect(caught)
        try:
            with transaction.atomic():
                if method == "GET":
                    response = client.get(url)
                else:
                    response = client.post(url, {"csrfmiddlewaretoken": self.csrf})
                transaction.set_rollback(True)
        finally:
            got_request_exception.disconnect(caught)
            client.cookies = saved
        body = (
            b"".join(response).decode("utf-8", "replace")
            if response.streaming
            else (response.content.decode("utf-8", "replace"))
        )
        return response.status_code, response.get("Location", ""), body, "; ".join(errors)

    def walk(self, name: str, entry: Entry) -> list[str]:
        w = self.world
        problems: list[str] = []
        variants = self.variants(entry)
        refused_methods: set[str] = set()
        for persona in PERSONAS:
            permitted = {
                (key, method): allowed(entry, persona, v, w, method)
                for key, v in variants
                for method in ("GET", "POST")
            }
            # Someone the rule refuses everything is tried once: the refusal does not depend
            # on whose object it is.
            tried = variants if any(permitted.values()) else variants[:1]
            for key, variant in tried:
                kwargs = entry.args(variant, w) if entry.args else {}
                url = reverse(name, kwargs=kwargs)
                for method in ("GET", "POST"):
                    if method in refused_methods:
                        continue
                    status, location, body, error = self.request(persona, method, url)
                    if status == 405:
                        # The view refuses the method before it looks anything up, for everyone:
                        # asking again as someone else can show nothing new.
                        refused_methods.add(method)
                    where = f"{name} [{key}] {method} as {persona}"
                    may = permitted[(key, method)]
                    verdict = self.judge(where, persona, may, status, location, error)
                    if status in entry.answers:
                        verdict = []
                    if entry.state and may:
                        verdict = [v for v in verdict if "the rule allows it" not in v]
                    problems += verdict
                    if entry.scan:
                        problems += self.scan(where, persona, body)
        return problems

    def judge(
        self, where: str, persona: str, permitted: bool, status: int, location: str, error: str
    ) -> list[str]:
        if status >= 500:
            return [f"{where}: {status} {error}"]
        to_sign_in = status == 302 and location.startswith(reverse("accounts:login"))
        refused = status in DENIED or (to_sign_in and persona == "anonymous")
        if status in NEUTRAL:
            return []
        if permitted and refused:
            return [f"{where}: refused ({status}) but the rule allows it"]
        if not permitted and not refused:
            return [f"LEAK {where}: served ({status} {location}) but the rule refuses it"]
        return []

    def scan(self, where: str, persona: str, body: str) -> list[str]:
        return [
            f"LEAK {where}: shows {m.text!r} ({m.level} of {', '.join(m.slots)})"
            for m in self.markers
            if m.found_in(body) and not self.sees(persona, m)
        ]


def _client(user: Any, csrf: str) -> Client:
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    if user is not None:
        client.force_login(user)
        if user.is_staff_member:
            device = TOTPDevice.objects.create(user=user, name="matrix", confirmed=True)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
    client.cookies["csrftoken"] = csrf
    return client


@pytest.fixture(scope="module")
def matrix(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Matrix]:
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_world()
        csrf = _get_new_csrf_string()
        clients = {p: _client(world.users.get(p), csrf) for p in PERSONAS}
        yield Matrix(world=world, clients=clients, csrf=csrf, markers=markers(world))
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _long_sessions(settings: Any) -> None:
    # The walk takes longer than the staff idle limit; sessions must outlive it.
    settings.OPENIOP_STAFF_IDLE_MINUTES = 24 * 60
    settings.OPENIOP_PORTAL_IDLE_MINUTES = 24 * 60


def test_every_url_has_an_entry_in_the_matrix() -> None:
    names = set(url_names())
    assert sorted(names - set(ROUTES)) == [], "add these URLs to tests/matrix/routes.py"
    assert sorted(set(ROUTES) - names) == [], "these entries name URLs that no longer exist"


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_access_matrix(matrix: Matrix, name: str) -> None:
    problems = matrix.walk(name, ROUTES[name])
    report = os.environ.get("OPENIOP_MATRIX_REPORT")
    if report and problems:
        with open(report, "a", encoding="utf-8") as out:
            out.write("\n".join(problems) + "\n")
    assert not problems, "\n".join(problems)
