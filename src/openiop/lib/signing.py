"""The one fingerprint of what a signature covers.

A signed document (lib.models.SignedDocument: treatment, relapse prevention and safety plans,
notes and their addenda, discharge summaries, consents) stores the SHA-256 of its content
when it is signed; `digest_matches` later tells whether the stored content is still exactly
what was signed. The content is a JSON-ready mapping the document builds; it is serialized
one way: keys sorted, no spaces, non-ASCII escaped.

Before this module each document serialized its own way. Rows signed then keep verifying:
`digest_matches` also accepts those older encodings (`_EARLIER`); new signatures use only
the one above. Accepting them loosens nothing: each is a fixed encoding of the same content,
so a changed content still fails every one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any


def _encode(content: Mapping[str, Any], **options: Any) -> bytes:
    return json.dumps(content, sort_keys=True, default=str, **options).encode()


def digest(content: Mapping[str, Any]) -> str:
    """The SHA-256 (hex) of `content` in the canonical encoding."""
    return hashlib.sha256(_encode(content, separators=(",", ":"))).hexdigest()


# The encodings used before `digest` was the only one: relapse prevention plans (spaced,
# ASCII), safety plans, discharge summaries and consents (spaced, UTF-8).
_EARLIER: tuple[dict[str, Any], ...] = ({}, {"ensure_ascii": False})


def digest_matches(content: Mapping[str, Any], stored: str) -> bool:
    """Whether `stored` is the digest of `content` (or, for a row signed before the one
    encoding, its digest in the encoding of the time)."""
    if not stored:
        return False
    if hmac.compare_digest(digest(content), stored):
        return True
    return any(
        hmac.compare_digest(hashlib.sha256(_encode(content, **options)).hexdigest(), stored)
        for options in _EARLIER
    )
