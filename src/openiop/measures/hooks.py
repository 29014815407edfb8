"""What the measures room announces to the rooms above it (see lib/hooks.py)."""

from __future__ import annotations

from datetime import datetime

from openiop.lib.hooks import Hook
from openiop.measures.models import Response

# A response and its critical findings were written, inside their transaction, at `now`.
# Safety turns the findings into alerts: a critical answer is never saved without its alert.
response_recorded: Hook[[Response, datetime], object] = Hook("measures.response_recorded")
