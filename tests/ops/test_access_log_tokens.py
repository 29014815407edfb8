"""`openiop serve` logs requests without calendar-feed tokens: whoever reads the log must not
be able to read someone's calendar (issue 14)."""

from __future__ import annotations

import io
import logging
from datetime import timedelta
from types import SimpleNamespace

from gunicorn.config import Config

from openiop.ops.gunicorn_logging import RedactingLogger, redact
from openiop.ops.management.commands import serve

SECRET = "k3Yq-9_vX2mZ8wT0pL5nR7sA1bC4dE6fG8hJ0kL2mN4"


def _logged(path: str, *, referer: str = "-") -> str:
    cfg = Config()
    cfg.set("accesslog", "-")
    cfg.set("access_log_format", serve.ACCESS_LOG_FORMAT)
    logger = RedactingLogger(cfg)
    out = io.StringIO()
    logger.access_log = logging.getLogger("test.openiop.access")
    logger.access_log.handlers = [logging.StreamHandler(out)]
    logger.access_log.setLevel(logging.INFO)
    logger.access_log.propagate = False
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "REMOTE_ADDR": "203.0.113.9",
        "HTTP_REFERER": referer,
    }
    resp = SimpleNamespace(status="200 OK", sent=512, headers=[])
    logger.access(resp, [], environ, timedelta(milliseconds=12))
    return out.getvalue()


def test_the_feed_token_never_reaches_the_access_log() -> None:
    line = _logged(f"/schedule/feed/{SECRET}.ics", referer=f"https://x/schedule/feed/{SECRET}.ics")
    assert SECRET not in line
    assert "/schedule/feed/[token].ics" in line
    assert "203.0.113.9" in line
    assert " 200 " in line


def test_other_paths_are_logged_as_they_are() -> None:
    path = "/participants/4f1c0d1e-9e0b-4a77-9b8e-3c3b0c8f2a11/"
    assert path in _logged(path)


def test_serve_runs_gunicorn_with_the_redacting_logger() -> None:
    argv = serve.gunicorn_argv(bind="127.0.0.1:8000", workers=2)
    assert argv[argv.index("--logger-class") + 1] == "openiop.ops.gunicorn_logging.RedactingLogger"
    assert argv[argv.index("--access-logformat") + 1] == serve.ACCESS_LOG_FORMAT


def test_redaction_keeps_the_rest_of_a_request_line() -> None:
    assert redact(f"GET /schedule/feed/{SECRET}.ics HTTP/1.1") == (
        "GET /schedule/feed/[token].ics HTTP/1.1"
    )
