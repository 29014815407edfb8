"""Passwords are hashed with Argon2 outside the test run (tests use MD5 only for speed)."""

from __future__ import annotations

import os
import subprocess
import sys

from django.contrib.auth.hashers import check_password, identify_hasher, make_password


def _production_hashers() -> list[str]:
    # Import the real settings module in a fresh interpreter without the pytest marker, so
    # the test reads what a production process would compute, not a copy of the list.
    env = {k: v for k, v in os.environ.items() if k not in {"PYTEST_VERSION", "OPENIOP_TESTING"}}
    env["OPENIOP_SECRET_KEY"] = "x" * 60
    code = "import openiop.settings as s; print('\\n'.join(s.PASSWORD_HASHERS))"
    out = subprocess.run(  # noqa: S603 - our own interpreter and a fixed snippet
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return out.stdout.split()


def test_production_settings_put_argon2_first():
    hashers = _production_hashers()
    assert hashers[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert not any("MD5" in h for h in hashers)


def test_the_test_run_uses_md5_only_for_speed(settings):
    assert settings.TESTING
    assert settings.PASSWORD_HASHERS[0].endswith("MD5PasswordHasher")
    assert "django.contrib.auth.hashers.Argon2PasswordHasher" in settings.PASSWORD_HASHERS


def test_passwords_hash_with_argon2_under_production_hashers(settings):
    settings.PASSWORD_HASHERS = _production_hashers()
    encoded = make_password("correct horse battery staple")
    assert encoded.startswith("argon2$argon2id$")
    assert identify_hasher(encoded).algorithm == "argon2"
    assert check_password("correct horse battery staple", encoded)
    assert not check_password("wrong", encoded)
