"""The access log `openiop serve` writes: gunicorn's, with calendar-feed tokens taken out.

A calendar feed's address carries its secret (/schedule/feed/<token>.ics): whoever reads the
token from a log can read the feed. The format already leaves out query strings (searches hold
names); this logger also replaces the token in every value a format could print (the path, the
request line, the referrer, headers) with a fixed placeholder.
"""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

FEED_TOKEN = re.compile(r"(/schedule/feed/)[^/?#\s\"]+?(\.ics)")
PLACEHOLDER = "[token]"


def redact(text: str) -> str:
    return FEED_TOKEN.sub(rf"\g<1>{PLACEHOLDER}\g<2>", text)


class RedactingLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        return {k: redact(v) if isinstance(v, str) else v for k, v in atoms.items()}
