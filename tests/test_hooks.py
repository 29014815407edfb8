"""The one mechanism by which a lower room lets a higher one react (lib/hooks.py): receivers
run in order, once each, in the caller's flow, and the rooms' hooks are connected at start-up."""

from __future__ import annotations

import pytest

from openiop.lib.hooks import Hook, Panels


def test_receivers_run_in_connection_order_and_return_their_results() -> None:
    hook: Hook[[int], int] = Hook("test.double")
    hook.connect(lambda n: n * 2)
    hook.connect(lambda n: n + 1)
    assert hook.fire(5) == [10, 6]


def test_connecting_a_receiver_twice_runs_it_once() -> None:
    calls: list[int] = []

    def receiver(n: int) -> None:
        calls.append(n)

    hook: Hook[[int], None] = Hook("test.once")
    hook.connect(receiver)
    hook.connect(receiver)
    hook.fire(1)
    assert calls == [1]
    hook.disconnect(receiver)
    hook.fire(2)
    assert calls == [1]


def test_a_receivers_exception_reaches_the_caller_and_stops_the_rest() -> None:
    ran: list[str] = []

    def fails() -> None:
        raise ValueError("refused")

    hook: Hook[[], None] = Hook("test.fails")
    hook.connect(fails)
    hook.connect(lambda: ran.append("after"))
    with pytest.raises(ValueError, match="refused"):
        hook.fire()
    assert ran == []


def test_panels_merge_their_receivers_context_later_ones_winning() -> None:
    page: Panels[[str]] = Panels("test.page")
    page.connect(lambda name: {"a": name, "b": 1})
    page.connect(lambda name: {"b": 2})
    assert page.context("x") == {"a": "x", "b": 2}
    assert Panels("test.empty").context() == {}


def test_the_rooms_hooks_are_connected_at_start_up() -> None:
    from openiop.diary import hooks as diary
    from openiop.measures.hooks import response_recorded
    from openiop.participants.hooks import episode_changed
    from openiop.programs.hooks import open_episodes_count
    from openiop.safety.hooks import alert_page
    from openiop.scheduling.hooks import session_page

    for hook in (
        episode_changed,
        open_episodes_count,
        response_recorded,
        diary.card_filed,
        diary.week_agenda,
        diary.review_page,
        diary.support_page,
        alert_page,
        session_page,
    ):
        assert hook._receivers, f"{hook.name} has no receiver"
