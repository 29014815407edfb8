"""Hooks: how a lower room lets a higher one react, without importing it.

The rooms stack in layers (docs/architecture.md): a room never imports a higher one. When
something in a lower room must set off work in a higher one (an episode's change re-places the
participant on rosters; a diary card or a score raises a risk alert), the lower room declares a
`Hook` in its `hooks.py` and fires it; the higher room connects a receiver in its
`AppConfig.ready()`.

    # participants/hooks.py (the lower room declares what it announces)
    episode_changed: Hook[[Episode, User | None], object] = Hook("participants.episode_changed")

    # participants/services.py (fires it, inside its own transaction)
    hooks.episode_changed.fire(locked, actor)

    # scheduling/apps.py (the higher room listens)
    def ready(self) -> None:
        episode_changed.connect(rosters.episode_rosters_resync)

A page of a lower room that shows what a higher room holds (the notes of a session, of an
alert) declares a `Panels` hook: each receiver returns template context and the page merges it.

Receivers run at once, in the caller's transaction and in the order they connected, and an
exception propagates to the caller: firing a hook behaves like the direct call it replaces.
Unlike Django signals, a hook is typed (mypy checks receivers against it) and returns what its
receivers return.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class Hook(Generic[P, R]):
    def __init__(self, name: str) -> None:
        self.name = name
        self._receivers: list[Callable[P, R]] = []

    def connect(self, receiver: Callable[P, R]) -> Callable[P, R]:
        """Add a receiver (once: connecting it again changes nothing). Usable as a decorator."""
        if receiver not in self._receivers:
            self._receivers.append(receiver)
        return receiver

    def disconnect(self, receiver: Callable[P, R]) -> None:
        if receiver in self._receivers:
            self._receivers.remove(receiver)

    def fire(self, *args: P.args, **kwargs: P.kwargs) -> list[R]:
        """Call every receiver with these arguments; their results, in order."""
        return [receiver(*args, **kwargs) for receiver in self._receivers]

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self._receivers)} receiver(s)>"


class Panels(Hook[P, dict[str, Any]]):
    """A hook through which higher rooms add to a lower room's page: each receiver returns
    template context (empty when it has nothing to show), merged in connection order."""

    def context(self, *args: P.args, **kwargs: P.kwargs) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for part in self.fire(*args, **kwargs):
            merged.update(part)
        return merged
