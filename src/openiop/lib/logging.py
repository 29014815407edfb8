"""Keep protected health information out of application logs."""

from __future__ import annotations

import logging
import re

# A query string after a URL path: searches carry names, and a GET form can carry anything a
# user typed. Paths themselves hold only UUIDs. Requiring a path before the "?" leaves
# ordinary prose ("Continue?") alone.
_QUERY = re.compile(r"(/[^\s?\"'<>]*)\?[^\s\"'<>]+")
_REDACTED = r"\1?[query removed]"


def strip_query_strings(text: str) -> str:
    return _QUERY.sub(_REDACTED, text)


class NoPHIFilter(logging.Filter):
    """Strips query strings from log records, where user-typed text reaches a log line
    (runserver access lines, request warnings and errors, tracebacks that quote a URL), and
    withholds SQL statements from debug query logging.

    The record is rewritten in place rather than dropped: the line still says which page was
    asked for and with what status, which operators need, without the searched-for words.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "django.db.backends" and hasattr(record, "sql"):
            # Debug SQL logging prints statements with their values filled in (names typed
            # into a search, dates of birth). Keep the timing, never the statement.
            record.msg = "(%.3f) SQL statement withheld; alias=%s"
            record.args = (getattr(record, "duration", 0.0), getattr(record, "alias", "?"))
            record.sql = "[withheld]"
            record.params = ()
            return True
        message = record.getMessage()
        cleaned = strip_query_strings(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = ()
        if record.exc_info and not record.exc_text:
            # Format the traceback now so that the text we scrub is the text handlers print.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = strip_query_strings(record.exc_text)
        return True
