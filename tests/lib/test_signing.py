"""One fingerprint for every signed document (lib.signing)."""

from __future__ import annotations

import hashlib
import json

from openiop.lib.signing import digest, digest_matches

CONTENT = {"b": ["Ünïcode", 2], "a": {"z": None, "y": "2026-01-02"}}


def test_the_digest_is_the_sha256_of_compact_sorted_json() -> None:
    raw = json.dumps(CONTENT, sort_keys=True, separators=(",", ":"))
    assert digest(CONTENT) == hashlib.sha256(raw.encode()).hexdigest()
    assert digest(dict(reversed(list(CONTENT.items())))) == digest(CONTENT)


def test_it_matches_its_own_content_and_nothing_else() -> None:
    assert digest_matches(CONTENT, digest(CONTENT))
    assert not digest_matches({**CONTENT, "b": ["Unicode", 2]}, digest(CONTENT))
    assert not digest_matches(CONTENT, "")


def test_documents_signed_in_the_earlier_encodings_still_verify() -> None:
    """Relapse plans were hashed spaced and ASCII-escaped; safety plans, discharge summaries
    and consents spaced and in UTF-8. Their stored hashes keep verifying, and a change to
    their content still fails."""
    for options in ({}, {"ensure_ascii": False}):
        stored = hashlib.sha256(json.dumps(CONTENT, sort_keys=True, **options).encode())
        assert digest_matches(CONTENT, stored.hexdigest())
        assert not digest_matches({**CONTENT, "c": 1}, stored.hexdigest())
