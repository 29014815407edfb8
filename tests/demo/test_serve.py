from __future__ import annotations

import os
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from openiop.ops.management.commands import serve


@pytest.fixture
def exec_calls(monkeypatch):
    # Replacing the test process with gunicorn is the one thing a test cannot let happen.
    calls: list[list[str]] = []
    monkeypatch.setattr(os, "execv", lambda path, argv: calls.append(list(argv)))
    return calls


@pytest.fixture
def static_root(db, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.OPENIOP_STATE_DIR = tmp_path / "state"
    return settings.STATIC_ROOT


def test_it_collects_static_files_and_starts_gunicorn(exec_calls, static_root):
    call_command("serve", "--bind", "127.0.0.1:9000", "--workers", "2", stdout=StringIO())
    assert (static_root / "openiop" / "css" / "app.css").exists()
    # The error page's phone list is current as of this start (ops/helpline.py).
    assert (static_root.parent / "state" / "help-phones.json").exists()
    argv = exec_calls[0]
    assert argv[1:4] == ["-m", "gunicorn", "openiop.wsgi:application"]
    assert argv[argv.index("--bind") + 1] == "127.0.0.1:9000"
    assert argv[argv.index("--workers") + 1] == "2"


def test_its_access_log_leaves_out_query_strings(exec_calls, static_root):
    call_command("serve", stdout=StringIO())
    argv = exec_calls[0]
    log_format = argv[argv.index("--access-logformat") + 1]
    assert "%(U)s" in log_format
    assert "%(r)s" not in log_format
    assert "%(q)s" not in log_format


@pytest.mark.parametrize("bind", ["8000", "localhost", "127.0.0.1:80; rm -rf /", ""])
def test_it_refuses_a_malformed_bind(exec_calls, static_root, bind):
    with pytest.raises(CommandError, match="--bind"):
        call_command("serve", "--bind", bind)
    assert exec_calls == []


def test_it_refuses_zero_workers(exec_calls, static_root):
    with pytest.raises(CommandError, match="--workers"):
        call_command("serve", "--workers", "0")
    assert exec_calls == []


def test_check_refuses_to_start_when_deployment_checks_fail(exec_calls, static_root, settings):
    # An invalid value is one of the few deployment problems Django reports as an error.
    settings.SECURE_REFERRER_POLICY = "tell-everyone"
    with pytest.raises(CommandError, match="not starting"):
        call_command("serve", "--check", stdout=StringIO(), stderr=StringIO())
    assert exec_calls == []
    assert not static_root.exists()


def test_check_passes_a_sound_configuration(exec_calls, static_root, monkeypatch):
    # The browser tests set this for the whole test process (Playwright's sync API); a real
    # deployment never has it, and the deploy check rightly refuses it.
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)
    call_command("serve", "--check", stdout=StringIO(), stderr=StringIO())
    assert len(exec_calls) == 1


def test_the_gunicorn_command_uses_this_python():
    argv = serve.gunicorn_argv(bind="unix:/run/openiop.sock", workers=4)
    assert argv[0] == os.sys.executable
    assert "unix:/run/openiop.sock" in argv
