"""Authorization arithmetic (days used and left from billable days, across holds and
extensions) and the warnings the worklist and the clinician's home show."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from openiop.billing.authorizations import (
    BillingWarning,
    Severity,
    WarningKind,
    WarningPolicy,
    authorization_usage,
    authorization_warnings,
    next_review,
)
from openiop.billing.dayrules import (
    Authorization,
    AuthorizationExtension,
    Certification,
    DayRule,
    Hold,
    ParticipantFacts,
    SessionAttended,
    decide_days,
)
from tests.billing.builders import auth, day, medicare, rule, session

POLICY = WarningPolicy(days_left_threshold=3, review_due_within_days=2, review_cadence_days=7)
AUTH_RULE = rule(requires_authorization=True)


def program_days(*offsets: int, minutes: int = 180) -> list[SessionAttended]:
    return [session(day(n), minutes) for n in offsets]


def setup(
    sessions: list[SessionAttended],
    authorizations: list[Authorization],
    *,
    holds: tuple[Hold, ...] = (),
    enrolled_until: date | None = None,
    r: DayRule = AUTH_RULE,
    certifications: tuple[Certification, ...] = (),
) -> tuple[DayRule, ParticipantFacts]:
    return r, ParticipantFacts(
        enrolled_from=day(0),
        enrolled_until=enrolled_until,
        sessions=tuple(sessions),
        holds=holds,
        authorizations=tuple(authorizations),
        certifications=certifications,
    )


def warnings_on(today: date, r: DayRule, f: ParticipantFacts) -> list[BillingWarning]:
    decisions = decide_days(r, f, start=day(-30), end=day(90))
    return authorization_warnings(r, f, decisions, today=today, policy=POLICY)


def kinds(found: list[BillingWarning]) -> list[WarningKind]:
    return [w.kind for w in found]


# --- arithmetic ------------------------------------------------------------------------------


def test_days_used_and_left_come_from_billable_days() -> None:
    a = auth("A1", day(0), day(27), 10)
    # Mon, Wed, Fri; the Wednesday is short of 3 h and uses nothing.
    r, f = setup([*program_days(0, 4), session(day(2), 120)], [a])
    decisions = decide_days(r, f, start=day(0), end=day(27))
    (usage,) = authorization_usage(r, [a], decisions, POLICY)
    assert (usage.days_used, usage.units_used, usage.days_left, usage.units_left) == (2, 2, 8, 8)
    assert usage.approved_days == 10


def test_a_hold_uses_no_days_and_an_extension_adds_them() -> None:
    extension = AuthorizationExtension(approved_on=day(12), additional_units=4, new_end=day(27))
    a = auth("A1", day(0), day(13), 6, extensions=(extension,))
    attended = program_days(0, 2, 4, 7, 9, 11, 14, 16, 18, 21)
    r, f = setup(attended, [a], holds=(Hold(day(7), day(13)),))
    decisions = decide_days(r, f, start=day(0), end=day(27))
    (usage,) = authorization_usage(r, [a], decisions, POLICY)
    # 3 days in week 1, none in the held week 2, 3 in week 3 (after the original end, inside
    # the extension), 1 in week 4.
    assert usage.days_used == 7
    assert usage.approved_units == 10
    assert usage.days_left == 3
    assert usage.end == day(27)
    assert usage.extended
    on_hold = [d for d in decisions if day(7) <= d.day <= day(13)]
    assert on_hold
    assert not any(d.billable for d in on_hold)


def test_days_left_count_whole_days_when_a_day_carries_several_units() -> None:
    a = auth("A1", day(0), day(27), 7)
    r, f = setup(program_days(0, 1), [a], r=rule(requires_authorization=True, units_per_day=2))
    decisions = decide_days(r, f, start=day(0), end=day(27))
    (usage,) = authorization_usage(r, [a], decisions, POLICY)
    assert (usage.units_used, usage.units_left, usage.days_left, usage.approved_days) == (
        4,
        3,
        1,
        3,
    )


def test_each_authorization_counts_its_own_days() -> None:
    first = auth("A1", day(0), day(6), 2)
    second = auth("A2", day(7), day(20), 5)
    r, f = setup(program_days(0, 1, 2, 7, 8), [first, second])
    decisions = decide_days(r, f, start=day(0), end=day(20))
    usage = {u.number: u for u in authorization_usage(r, [first, second], decisions, POLICY)}
    assert usage["A1"].days_used == 2
    assert usage["A1"].days_left == 0
    assert usage["A2"].days_used == 2
    assert usage["A2"].days_left == 3


def test_the_next_review_follows_the_cadence_from_the_latest_extension() -> None:
    a = auth("A1", day(0), day(27), 10)
    assert next_review(a, POLICY) == day(7)
    extended = auth(
        "A1", day(0), day(27), 10, extensions=(AuthorizationExtension(day(9), 5, None),)
    )
    assert next_review(extended, POLICY) == day(16)
    explicit = auth("A1", day(0), day(27), 10, next_review_on=day(3))
    assert next_review(explicit, POLICY) == day(3)
    no_cadence = WarningPolicy(
        days_left_threshold=3, review_due_within_days=2, review_cadence_days=None
    )
    assert next_review(a, no_cadence) is None


# --- warnings --------------------------------------------------------------------------------


def test_plenty_left_and_no_review_due_warns_of_nothing() -> None:
    r, f = setup(program_days(0), [auth("A1", day(0), day(27), 20, next_review_on=day(10))])
    assert warnings_on(day(1), r, f) == []


def test_a_few_days_left() -> None:
    r, f = setup(program_days(0, 1, 2), [auth("A1", day(0), day(27), 5, next_review_on=day(20))])
    (w,) = warnings_on(day(3), r, f)
    assert w.kind is WarningKind.DAYS_LEFT
    assert w.severity is Severity.SOON
    assert w.message == "2 days left on authorization A1 (ends 1 Feb 2026)"


def test_all_days_used() -> None:
    r, f = setup(program_days(0, 1, 2), [auth("A1", day(0), day(27), 3, next_review_on=day(20))])
    (w,) = warnings_on(day(3), r, f)
    assert w.kind is WarningKind.USED_UP
    assert w.severity is Severity.NOW
    assert w.message == "authorization A1: all 3 approved days used"


def test_review_due_in_n_days() -> None:
    r, f = setup(program_days(0), [auth("A1", day(0), day(27), 20)])
    (w,) = warnings_on(day(5), r, f)
    assert w.kind is WarningKind.REVIEW_DUE
    assert w.message == "review for authorization A1 due in 2 days (12 Jan 2026)"
    (today,) = warnings_on(day(7), r, f)
    assert today.message == "review for authorization A1 due today (12 Jan 2026)"


def test_review_overdue() -> None:
    r, f = setup(program_days(0), [auth("A1", day(0), day(27), 20)])
    (w,) = warnings_on(day(9), r, f)
    assert w.kind is WarningKind.REVIEW_OVERDUE
    assert w.severity is Severity.NOW
    assert w.message == "review for authorization A1 overdue since 12 Jan 2026"


def test_an_authorization_ending_with_days_unused() -> None:
    r, f = setup(program_days(0), [auth("A1", day(0), day(10), 20, next_review_on=day(30))])
    (w,) = warnings_on(day(9), r, f)
    assert w.kind is WarningKind.ENDING
    assert w.message == "authorization A1 ends tomorrow (15 Jan 2026)"


def test_expired() -> None:
    r, f = setup(program_days(0), [auth("A1", day(0), day(6), 20)])
    found = warnings_on(day(8), r, f)
    assert kinds(found) == [WarningKind.EXPIRED]
    assert found[0].message == "authorization A1 expired on 11 Jan 2026"


def test_no_authorization_on_file() -> None:
    r, f = setup([], [])
    (w,) = warnings_on(day(1), r, f)
    assert w.kind is WarningKind.NO_AUTHORIZATION
    assert w.message == "no authorization on file; the payer requires one"


def test_waiting_for_an_authorization_that_starts_later() -> None:
    r, f = setup([], [auth("A2", day(10), day(30), 10)])
    (w,) = warnings_on(day(1), r, f)
    assert w.kind is WarningKind.NO_AUTHORIZATION
    assert w.message == "no authorization covers today; authorization A2 starts 15 Jan 2026"


def test_services_without_a_covering_authorization() -> None:
    r, f = setup(program_days(0, 1, 2, 3, 8), [auth("A2", day(8), day(30), 10)])
    found = warnings_on(day(8), r, f)
    uncovered = [w for w in found if w.kind is WarningKind.UNCOVERED_SERVICES]
    assert uncovered[0].message == (
        "services on 4 days without a covering authorization: 5 Jan 2026, 6 Jan 2026, "
        "7 Jan 2026 and 1 more"
    )
    assert uncovered[0].severity is Severity.NOW


def test_the_most_urgent_warnings_come_first() -> None:
    r, f = setup(program_days(0, 1, 9), [auth("A1", day(2), day(27), 2)])
    found = warnings_on(day(10), r, f)
    assert [w.severity for w in found] == sorted(
        (w.severity for w in found), key=lambda s: s is not Severity.NOW
    )
    assert WarningKind.UNCOVERED_SERVICES in kinds(found)
    assert WarningKind.REVIEW_DUE not in kinds(found)
    assert WarningKind.REVIEW_OVERDUE in kinds(found)


def test_a_discharged_participant_raises_no_running_out_warnings() -> None:
    r, f = setup(program_days(0, 1), [auth("A1", day(0), day(27), 3)], enrolled_until=day(2))
    assert warnings_on(day(5), r, f) == []


def test_a_payer_without_prior_authorization_warns_of_none() -> None:
    r, f = setup(program_days(0, 1), [], r=rule(requires_authorization=False))
    assert warnings_on(day(3), r, f) == []


# --- Medicare certification ------------------------------------------------------------------


MEDICARE = rule(min_hours_per_day=None, medicare=medicare())


def cert(when: date) -> Certification:
    return Certification(
        signed_on=when, signer="Dr Example", certified_weekly_hours=Decimal("9"), initial=True
    )


@pytest.mark.parametrize(
    ("today", "kind", "message"),
    [
        (day(30), None, None),
        (
            day(55),
            WarningKind.RECERTIFICATION_DUE,
            "physician recertification due in 5 days (6 Mar 2026)",
        ),
        (
            day(61),
            WarningKind.NO_CERTIFICATION,
            "no current physician certification: recertification was due 6 Mar 2026",
        ),
    ],
)
def test_medicare_recertification(
    today: date, kind: WarningKind | None, message: str | None
) -> None:
    r, f = setup([], [], r=MEDICARE, certifications=(cert(day(0)),))
    found = warnings_on(today, r, f)
    if kind is None:
        assert found == []
    else:
        assert [(w.kind, w.message) for w in found] == [(kind, message)]


def test_medicare_without_any_certification() -> None:
    r, f = setup([], [], r=MEDICARE)
    (w,) = warnings_on(day(1), r, f)
    assert w.kind is WarningKind.NO_CERTIFICATION
    assert w.message == "no physician certification on file for Medicare IOP"


def test_a_warning_policy_refuses_negative_thresholds() -> None:
    with pytest.raises(ValueError, match="cannot be negative"):
        WarningPolicy(days_left_threshold=-1, review_due_within_days=2, review_cadence_days=7)
    with pytest.raises(ValueError, match="review cadence is at least one day"):
        WarningPolicy(days_left_threshold=1, review_due_within_days=2, review_cadence_days=0)
