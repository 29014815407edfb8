"""No PHI in application logs: searches travel in query strings, and query strings never
reach a log line."""

from __future__ import annotations

import io
import logging
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.servers.basehttp import WSGIRequestHandler
from django.db import connections
from django.test.testcases import LiveServerThread

from openiop.lib.logging import NoPHIFilter
from tests.conftest import verified_client

NAME = "Patricia"


def _record(name: str, msg: str, *args: object, level: int = logging.INFO) -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, msg, args, None)


def _filtered(record: logging.LogRecord) -> str:
    assert NoPHIFilter().filter(record) is True
    return record.getMessage()


def test_it_strips_the_query_string_from_a_runserver_line():
    record = _record(
        "django.server", '"%s" %s %s', f"GET /participants/?q={NAME}+Example HTTP/1.1", "200", "91"
    )
    line = _filtered(record)
    assert NAME not in line
    assert line == '"GET /participants/?[query removed] HTTP/1.1" 200 91'


def test_it_strips_the_query_string_from_a_full_url():
    line = _filtered(_record("django.request", "Bad link https://clinic.test/x/?who=%s", NAME))
    assert NAME not in line
    assert "https://clinic.test/x/?[query removed]" in line


def test_it_leaves_ordinary_prose_alone():
    assert (
        _filtered(_record("openiop", "Retry the job? attempt %s", 2)) == "Retry the job? attempt 2"
    )


def test_it_scrubs_tracebacks_that_quote_a_url():
    try:
        raise ValueError(f"bad page /participants/?q={NAME}")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "django.request", logging.ERROR, __file__, 1, "Internal error", (), sys.exc_info()
        )
    NoPHIFilter().filter(record)
    assert record.exc_text is not None
    assert NAME not in record.exc_text
    assert NAME not in logging.Formatter().format(record)


def test_it_withholds_debug_sql_statements():
    record = _record(
        "django.db.backends",
        "(%.3f) %s; args=%s; alias=%s",
        0.002,
        "SELECT * FROM participants WHERE name LIKE '%" + NAME + "%'",  # noqa: S608
        (f"%{NAME}%",),
        "default",
        level=logging.DEBUG,
    )
    # Django passes these as `extra` too; formatters may print them.
    record.sql = f"... '{NAME}' ..."
    record.params = (NAME,)
    record.duration = 0.002
    record.alias = "default"
    line = _filtered(record)
    assert NAME not in line
    assert NAME not in record.sql
    assert line == "(0.002) SQL statement withheld; alias=default"


def _console_handlers(logger_name: str) -> list[logging.Handler]:
    # pytest adds its own capture handlers (StreamHandler subclasses) to the root logger.
    return [h for h in logging.getLogger(logger_name).handlers if type(h) is logging.StreamHandler]


def test_the_configured_console_handler_carries_the_filter():
    for logger_name in ("", "django.server", "django.request"):
        handlers = _console_handlers(logger_name)
        assert handlers, logger_name
        for handler in handlers:
            assert any(isinstance(f, NoPHIFilter) for f in handler.filters), logger_name


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    """What the configured console handler prints, captured."""
    buffer = io.StringIO()
    (handler,) = {h for name in ("", "django.server") for h in _console_handlers(name)}
    assert isinstance(handler, logging.StreamHandler)
    previous = handler.setStream(buffer)
    try:
        yield buffer
    finally:
        handler.setStream(previous)


class _RunserverThread(LiveServerThread):
    """The live-server thread with runserver's own request handler, which logs every request
    line to django.server (the test server's default handler is silent)."""

    def _create_server(self, connections_override=None):
        return self.server_class(
            (self.host, self.port),
            WSGIRequestHandler,
            allow_reuse_address=False,
            connections_override=connections_override,
        )


@pytest.fixture
def runserver(transactional_db) -> Iterator[_RunserverThread]:
    shared = {}
    for conn in connections.all():
        if conn.vendor == "sqlite" and conn.is_in_memory_db():
            shared[conn.alias] = conn
            conn.inc_thread_sharing()
    thread = _RunserverThread("127.0.0.1", StaticFilesHandler, connections_override=shared)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    try:
        yield thread
    finally:
        if thread.is_alive():
            thread.terminate()
        for conn in shared.values():
            conn.dec_thread_sharing()


def _get(url: str, session: str) -> tuple[int, str]:
    request = urllib.request.Request(  # noqa: S310 (our own test server)
        url, headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


@pytest.mark.django_db(transaction=True)
def test_a_name_search_over_http_leaves_no_name_in_the_logs(world, runserver, console, caplog):
    session = verified_client(world.clinician).cookies[settings.SESSION_COOKIE_NAME].value
    caplog.set_level(logging.DEBUG)

    base = f"http://127.0.0.1:{runserver.port}"
    status, body = _get(f"{base}/participants/?q={NAME}", session)
    missing, _ = _get(f"{base}/participants/{uuid.uuid4()}/?q={NAME}", session)
    # runserver logs the request line after sending the response; stopping the server
    # waits for its request threads, so every line is written before we read.
    runserver.terminate()

    assert status == 200
    assert "Pat Example" in body  # the search really ran and found her
    assert missing == 404
    output = console.getvalue()
    assert '"GET /participants/?[query removed] HTTP/1.1" 200' in output
    assert '?[query removed] HTTP/1.1" 404' in output
    assert NAME not in output
    assert NAME not in caplog.text
