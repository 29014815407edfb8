"""Recovery supports: meeting logs and weekly counts, the recovery start date, contacts."""

from __future__ import annotations

import inspect
from datetime import date, timedelta

import pytest

from openiop.substance_use.core import supports
from openiop.substance_use.core.supports import (
    Attendance,
    ContactRole,
    MeetingKind,
    MeetingLog,
    RecoveryContact,
    RecoveryDates,
    SupportsError,
    check_meeting_date,
    plan_contacts,
    weekly_counts,
)
from tests.substance_use.builders import MONDAY


def log(
    day: date, kind: MeetingKind = MeetingKind.AA, online: bool = False, name: str = ""
) -> MeetingLog:
    return MeetingLog(
        key=f"{kind}-{day}-{online}",
        kind=kind,
        attendance=Attendance.ONLINE if online else Attendance.IN_PERSON,
        on=day,
        other_name=name,
    )


# --- meetings ------------------------------------------------------------------------------


def test_weekly_counts_show_every_week_with_its_kinds_and_how_attended() -> None:
    logs = [
        log(MONDAY),
        log(MONDAY + timedelta(days=2), MeetingKind.SMART, online=True),
        log(MONDAY + timedelta(days=6), MeetingKind.AA, online=True),
        log(MONDAY + timedelta(days=15), MeetingKind.OTHER, name="Recovery Dharma"),
        log(MONDAY - timedelta(days=1)),  # before the range
        log(MONDAY + timedelta(days=21)),  # after it
    ]
    weeks = weekly_counts(logs, first_week=MONDAY, last_week=MONDAY + timedelta(days=14))
    assert [(w.week_start, w.total, w.in_person, w.online) for w in weeks] == [
        (MONDAY, 3, 1, 2),
        (MONDAY + timedelta(days=7), 0, 0, 0),
        (MONDAY + timedelta(days=14), 1, 1, 0),
    ]
    assert weeks[0].words == (
        "Week of 5 Jan 2026: 3 meetings (1 in person, 2 online; Alcoholics Anonymous (AA) 2, "
        "SMART Recovery 1)"
    )
    assert weeks[1].words == "Week of 12 Jan 2026: no meetings logged"
    assert weeks[2].by_kind == (("Recovery Dharma", 1),)


def test_weekly_counts_need_weeks_that_start_on_the_same_day_in_order() -> None:
    with pytest.raises(SupportsError):
        weekly_counts([], first_week=MONDAY, last_week=MONDAY + timedelta(days=3))
    with pytest.raises(SupportsError):
        weekly_counts([], first_week=MONDAY, last_week=MONDAY - timedelta(days=7))


def test_another_kind_of_meeting_is_named_and_only_then() -> None:
    with pytest.raises(SupportsError, match="what kind"):
        log(MONDAY, MeetingKind.OTHER)
    with pytest.raises(SupportsError, match="only given"):
        log(MONDAY, MeetingKind.NA, name="Thursday group")
    assert log(MONDAY, MeetingKind.CELEBRATE).label == "Celebrate Recovery"


def test_a_meeting_is_logged_once_it_happened_and_within_a_month() -> None:
    check_meeting_date(MONDAY, today=MONDAY)
    with pytest.raises(SupportsError, match="once it has happened"):
        check_meeting_date(MONDAY + timedelta(days=1), today=MONDAY)
    with pytest.raises(SupportsError, match="31 days back"):
        check_meeting_date(MONDAY - timedelta(days=32), today=MONDAY)


# --- recovery start date -------------------------------------------------------------------


def test_the_start_date_is_optional_and_counts_days() -> None:
    none = RecoveryDates()
    assert none.current is None
    assert none.days(MONDAY) is None
    assert none.words(MONDAY) == "No recovery start date set. You can add one whenever you like."
    dated = none.set(MONDAY - timedelta(days=42), today=MONDAY)
    assert dated.days(MONDAY) == 42
    assert dated.words(MONDAY) == "Recovery start date 24 Nov 2025: 42 days"
    assert dated.set(MONDAY, today=MONDAY).words(MONDAY) == "Recovery start date 5 Jan 2026: 0 days"


def test_a_new_start_date_keeps_the_earlier_ones_for_the_participant_only() -> None:
    first = RecoveryDates().set(date(2025, 10, 1), today=date(2025, 10, 2))
    second = first.set(date(2025, 12, 20), today=MONDAY)
    assert second.care_team_view() == date(2025, 12, 20)
    assert second.participant_history() == (
        "5 Jan 2026: start date 20 Dec 2025",
        "2 Oct 2025: start date 1 Oct 2025",
    )
    # Setting the same date again adds nothing.
    assert second.set(date(2025, 12, 20), today=MONDAY) == second


def test_the_participant_can_stop_showing_a_date_and_the_care_team_then_sees_none() -> None:
    dated = RecoveryDates().set(date(2025, 10, 1), today=date(2025, 10, 2))
    cleared = dated.clear(today=MONDAY)
    assert cleared.care_team_view() is None
    assert cleared.days(MONDAY) is None
    assert cleared.participant_history()[0] == "5 Jan 2026: chose not to show a date"
    assert cleared.clear(today=MONDAY) == cleared


def test_a_start_date_in_the_future_is_refused() -> None:
    with pytest.raises(SupportsError):
        RecoveryDates().set(MONDAY + timedelta(days=1), today=MONDAY)


def test_resetting_a_start_date_is_never_called_anything_but_a_new_date() -> None:
    # "relapse prevention" names another plan; nothing else says relapse.
    source = inspect.getsource(supports).lower().replace("relapse prevention", "")
    for word in ("relapse", "slip", "failure", "fell off", "start over", "reset your"):
        assert word not in source, word


# --- recovery contacts ---------------------------------------------------------------------


def test_plans_list_active_contacts_sponsor_first() -> None:
    contacts = [
        RecoveryContact(
            "c1", "Jo", ContactRole.PEER_RECOVERY_COACH, "(555) 010-0200", "Harbor RCO"
        ),
        RecoveryContact("c2", "Sam R.", ContactRole.SPONSOR, "555-0100"),
        RecoveryContact("c3", "Lee", ContactRole.SPONSOR, active=False),
    ]
    assert plan_contacts(contacts) == [
        "Sam R. (sponsor), 555-0100",
        "Jo (peer recovery coach, Harbor RCO), (555) 010-0200",
    ]


@pytest.mark.parametrize("phone", ["12", "call me", "555-0100-0100-0100-99"])
def test_a_contact_phone_must_look_like_one(phone: str) -> None:
    with pytest.raises(SupportsError):
        RecoveryContact("c1", "Sam", ContactRole.SPONSOR, phone)


def test_a_contact_needs_a_name() -> None:
    with pytest.raises(SupportsError, match="name"):
        RecoveryContact("c1", "  ", ContactRole.SPONSOR)
