"""The places on safety's pages where the rooms above add what they hold (see lib/hooks.py)."""

from __future__ import annotations

from openiop.lib.hooks import Panels
from openiop.lib.http import AuthedRequest
from openiop.safety.models import Alert

# An alert's page: notes adds the notes linked to the alert and the way to start one.
alert_page: Panels[[AuthedRequest, Alert]] = Panels("safety.alert_page")
