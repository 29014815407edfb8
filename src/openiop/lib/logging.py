"""Keep protected health information out of application logs."""

from __future__ import annotations

import logging
import re

# Query strings carry searches (names) and form posts; ids in paths are UUIDs.
_QUERY = re.compile(r"\?[^\s\"]*")


class NoPHIFilter(logging.Filter):
    """Strips query strings from log records, the one place user-typed text reaches a log line
    in this project (runserver and request-error lines)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = _QUERY.sub("?…", message)
        if cleaned != message:
            record.msg = cleaned
            record.args = ()
        return True
