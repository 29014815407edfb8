"""The places on scheduling's pages where the rooms above add what they hold (see
lib/hooks.py)."""

from __future__ import annotations

from openiop.lib.hooks import Panels
from openiop.lib.http import AuthedRequest
from openiop.scheduling.models import Session

# A session's page: notes adds the session's group note (or the way to start it).
session_page: Panels[[AuthedRequest, Session]] = Panels("scheduling.session_page")
