"""The chart links a not-yet-admitted episode to its intake assessment."""

from __future__ import annotations

from typing import Any

from tests.intake.helpers import referred_episode


def test_the_chart_links_a_referred_episode_to_its_assessment(world: Any, login: Any) -> None:
    episode = referred_episode(world)
    text = login(world.intake).get(f"/participants/{episode.participant.public_id}/").content
    assert f"/episodes/{episode.public_id}/assessment/" in text.decode()


def test_billing_sees_no_assessment_link(world: Any, login: Any) -> None:
    episode = referred_episode(world)
    text = login(world.billing).get(f"/participants/{episode.participant.public_id}/").content
    assert "/assessment/" not in text.decode()
