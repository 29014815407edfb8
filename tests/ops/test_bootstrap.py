from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from openiop.accounts.models import User
from openiop.accounts.roles import Role
from openiop.programs.models import Organization

ARGS = {
    "organization": "Harbor Light Health",
    "email": "Admin@Harbor.example",
    "name": "Robin Admin",
    "site_url": "https://iop.harbor.example",
}


def _bootstrap(**overrides: str) -> str:
    out = StringIO()
    call_command("bootstrap", **{**ARGS, **overrides}, stdout=out)
    return out.getvalue()


def test_it_creates_the_organization_and_an_administrator(db) -> None:
    output = _bootstrap()
    admin = User.objects.get(email="admin@harbor.example")
    assert admin.role == Role.ADMINISTRATOR
    assert admin.organization == Organization.objects.get(name="Harbor Light Health")
    assert not admin.has_usable_password()
    assert "https://iop.harbor.example/accounts/password-reset/" in output


def test_the_printed_link_lets_the_administrator_choose_a_password(db, client) -> None:
    link = re.search(r"https://iop\.harbor\.example(\S+)", _bootstrap())
    assert link
    form = client.get(link.group(1), follow=True)
    assert form.status_code == 200
    response = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a long harbor passphrase", "new_password2": "a long harbor passphrase"},
    )
    assert response.status_code == 302
    assert User.objects.get(email="admin@harbor.example").check_password("a long harbor passphrase")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": "not-an-address"}, "not an e-mail address"),
        ({"site_url": "iop.harbor.example"}, "must start with https://"),
        ({"name": "  "}, "Both names are needed"),
    ],
)
def test_bad_input_is_refused_and_creates_nothing(db, overrides, message) -> None:
    with pytest.raises(CommandError, match=message):
        _bootstrap(**overrides)
    assert not Organization.objects.exists()
    assert not User.objects.exists()


def test_it_refuses_an_existing_organization_or_address(db) -> None:
    _bootstrap()
    with pytest.raises(CommandError, match="exists already"):
        _bootstrap(email="other@harbor.example")
    with pytest.raises(CommandError, match="exists already"):
        _bootstrap(organization="Another Org")
    assert Organization.objects.count() == 1
