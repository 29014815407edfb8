"""Template helpers of the notes room."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Mapping[str, Any] | None, key: str) -> Any:
    """mapping[key], or None: the note that addressed an agenda item, by the item's key."""
    if not mapping:
        return None
    return mapping.get(key)
