"""The day-rule engine: each branch of a payer's rule, with the reason it gives."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from openiop.billing.dayrules import (
    AuthorizationExtension,
    BillingCode,
    Certification,
    DayDecision,
    DayRule,
    Hold,
    MedicareTier,
    NoteFact,
    NoteRequirement,
    PartialWeeks,
    ParticipantFacts,
    SessionAttended,
    Weekday,
    decide_days,
    facts_window,
    format_hours,
    format_span,
)
from tests.billing.builders import MONDAY, auth, day, draft, medicare, rule, session, signed


def facts(
    sessions: list[SessionAttended], enrolled_from: date = date(2025, 12, 1), **kw: object
) -> ParticipantFacts:
    return ParticipantFacts(
        enrolled_from=enrolled_from,
        enrolled_until=kw.pop("enrolled_until", None),
        sessions=tuple(sessions),
        **{k: tuple(v) for k, v in kw.items()},
    )


START, END = day(-30), day(60)


def decide(
    r: DayRule, f: ParticipantFacts, start: date = START, end: date = END
) -> list[DayDecision]:
    return decide_days(r, f, start=start, end=end)


def one(r: DayRule, f: ParticipantFacts, when: date) -> DayDecision:
    (found,) = [d for d in decide(r, f) if d.day == when]
    return found


# --- hours -----------------------------------------------------------------------------------


def test_a_day_with_enough_counted_hours_is_billable_with_its_units_and_codes() -> None:
    s = session(day(0), 200)
    d = one(rule(units_per_day=2), facts([s]), day(0))
    assert d.billable
    assert d.reasons == ()
    assert d.units == 2
    assert d.counted_minutes == 200
    assert d.code == BillingCode("0906", "H0015")
    assert d.summary.startswith("3 h 20 min counted from 1 session")


def test_a_short_day_says_how_short() -> None:
    d = one(rule(), facts([session(day(0), 150)]), day(0))
    assert not d.billable
    assert d.units == 0
    assert d.reasons == ("2.5 h attended, below 3 h",)


def test_the_minimum_is_the_payers_not_a_constant() -> None:
    f = facts([session(day(0), 150)])
    assert one(rule(min_hours_per_day=Decimal("2.5")), f, day(0)).billable
    assert one(rule(min_hours_per_day=None), f, day(0)).billable
    assert one(rule(min_hours_per_day=Decimal("4")), f, day(0)).reasons == (
        "2.5 h attended, below 4 h",
    )


def test_hours_add_up_across_the_days_sessions() -> None:
    f = facts([session(day(0), 90), session(day(0), 90, category="skills_group")])
    d = one(rule(), f, day(0))
    assert d.billable
    assert d.counted_minutes == 180
    assert "from 2 sessions" in d.summary


def test_breaks_inside_a_session_are_not_counted() -> None:
    d = one(rule(), facts([session(day(0), 195, break_minutes=30)]), day(0))
    assert d.counted_minutes == 165
    assert d.reasons == ("2 h 45 min attended, below 3 h",)
    assert "30 min not counted" in d.summary


def test_recreation_and_uncounted_categories_do_not_make_hours() -> None:
    f = facts(
        [
            session(day(0), 120),
            session(day(0), 60, category="other", label="Outing"),
            session(day(0), 45, category="expressive", label="Recreation", counts=False),
        ]
    )
    d = one(rule(), f, day(0))
    assert d.counted_minutes == 120
    assert d.reasons == ("2 h attended, below 3 h",)
    assert "1 h 45 min not counted" in d.summary


def test_only_uncounted_sessions_is_said_plainly() -> None:
    f = facts([session(day(0), 240, category="other", label="Outing")])
    d = one(rule(), f, day(0))
    assert d.reasons == ("no attended session counts toward billable time (Outing)",)


def test_which_categories_count_is_the_payers_choice() -> None:
    f = facts([session(day(0), 180, category="expressive", label="Art therapy")])
    assert one(rule(), f, day(0)).billable
    narrow = rule(counted_categories=frozenset({"process_group"}))
    assert one(narrow, f, day(0)).reasons == (
        "no attended session counts toward billable time (Art therapy)",
    )


# --- notes -----------------------------------------------------------------------------------


def test_a_day_rule_needing_a_note_accepts_a_signed_credentialed_one() -> None:
    s = session(day(0))
    f = facts([s], notes=[signed(s)])
    assert one(rule(note_requirement=NoteRequirement.DAY), f, day(0)).billable


def test_no_note_at_all() -> None:
    d = one(rule(note_requirement=NoteRequirement.DAY), facts([session(day(0))]), day(0))
    assert d.reasons == ("no signed note by a credentialed clinician",)


def test_an_unsigned_note_is_named_as_awaiting_signature() -> None:
    s = session(day(0))
    d = one(rule(note_requirement=NoteRequirement.DAY), facts([s], notes=[draft(s)]), day(0))
    assert d.reasons == (
        "no signed note by a credentialed clinician (a note is awaiting signature)",
    )


def test_a_note_signed_without_billing_credentials_asks_for_a_co_signature() -> None:
    s = session(day(0))
    f = facts([s], notes=[signed(s, credentialed=False)])
    d = one(rule(note_requirement=NoteRequirement.DAY), f, day(0))
    assert d.reasons == (
        "no signed note by a credentialed clinician (signed without billing credentials;"
        " a co-signature is needed)",
    )


def test_a_note_for_the_day_covers_its_sessions() -> None:
    s = session(day(0))
    note = NoteFact(day=day(0), session_id=None, signed=True, credentialed=True)
    assert one(
        rule(note_requirement=NoteRequirement.DAY), facts([s], notes=[note]), day(0)
    ).billable


def test_a_note_for_an_uncounted_session_does_not_make_the_day() -> None:
    group = session(day(0))
    outing = session(day(0), 60, category="other", label="Outing")
    f = facts([group, outing], notes=[signed(outing)])
    d = one(rule(note_requirement=NoteRequirement.DAY), f, day(0))
    assert not d.billable
    assert d.reasons == ("no signed note by a credentialed clinician",)


def test_with_a_note_per_session_undocumented_time_does_not_count() -> None:
    a = session(day(0), 120, label="Process group")
    b = session(day(0), 60, label="Skills group")
    f = facts([a, b], notes=[signed(a)])
    d = one(rule(note_requirement=NoteRequirement.EACH_SESSION), f, day(0))
    assert not d.billable
    assert d.counted_minutes == 120
    assert d.reasons == (
        "2 h attended, below 3 h",
        "Skills group: no signed note by a credentialed clinician; its 1 h not counted",
    )


def test_with_a_note_per_session_enough_documented_time_still_bills() -> None:
    a = session(day(0), 180, label="Process group")
    b = session(day(0), 60, label="Skills group")
    f = facts([a, b], notes=[signed(a)])
    d = one(rule(note_requirement=NoteRequirement.EACH_SESSION), f, day(0))
    assert d.billable
    assert d.counted_minutes == 180
    assert "Skills group: no signed note" in d.summary


def test_with_a_note_per_session_and_none_documented() -> None:
    a = session(day(0), 180)
    d = one(rule(note_requirement=NoteRequirement.EACH_SESSION), facts([a]), day(0))
    assert d.reasons == ("no signed note by a credentialed clinician",)


# --- enrollment and holds --------------------------------------------------------------------


def test_days_outside_the_episode_are_not_billable() -> None:
    f = facts(
        [session(day(0)), session(day(2)), session(day(9))],
        enrolled_from=day(1),
        enrolled_until=day(8),
    )
    decisions = {d.day: d for d in decide(rule(), f)}
    assert decisions[day(0)].reasons == ("before admission on 6 Jan 2026",)
    assert decisions[day(2)].billable
    assert decisions[day(9)].reasons == ("after discharge on 13 Jan 2026",)


def test_a_day_on_hold_is_not_billable() -> None:
    f = facts([session(day(7)), session(day(14))], holds=[Hold(day(7), day(11))])
    decisions = {d.day: d for d in decide(rule(), f)}
    assert decisions[day(7)].reasons == ("on hold 12 to 16 Jan 2026",)
    assert decisions[day(14)].billable


def test_an_open_hold_runs_until_resumed() -> None:
    f = facts([session(day(20))], holds=[Hold(day(7))])
    assert one(rule(), f, day(20)).reasons == ("on hold from 12 Jan 2026",)


# --- weekly minimum --------------------------------------------------------------------------


def test_a_week_with_too_few_qualifying_days_bills_none_of_them() -> None:
    f = facts([session(day(0)), session(day(2)), session(day(4), 120)])
    decisions = decide(rule(min_days_per_week=3), f)
    assert [d.billable for d in decisions] == [False, False, False]
    reason = "only 2 qualifying days in the week of 5 Jan 2026; the payer needs 3"
    assert decisions[0].reasons == (reason,)
    assert decisions[2].reasons == ("2 h attended, below 3 h", reason)


def test_a_week_with_enough_qualifying_days_bills_them() -> None:
    f = facts([session(day(0)), session(day(2)), session(day(4)), session(day(7))])
    decisions = {d.day: d for d in decide(rule(min_days_per_week=3), f)}
    assert all(decisions[day(n)].billable for n in (0, 2, 4))
    assert decisions[day(7)].reasons == (
        "only 1 qualifying day in the week of 12 Jan 2026; the payer needs 3",
    )


def test_the_week_starts_on_the_payers_day() -> None:
    # Sun 11, Mon 12, Tue 13 Jan: one week when weeks start on Sunday, split when on Monday.
    f = facts([session(day(6)), session(day(7)), session(day(8))])
    sunday = rule(min_days_per_week=3, week_starts_on=Weekday.SUNDAY)
    monday = rule(min_days_per_week=3, week_starts_on=Weekday.MONDAY)
    assert all(d.billable for d in decide(sunday, f))
    assert not any(d.billable for d in decide(monday, f))


def test_a_partial_week_is_exempt_unless_the_payer_applies_the_minimum() -> None:
    # Admitted on Thursday 8 Jan: two program days are all that week can hold.
    f = facts([session(day(3)), session(day(4))], enrolled_from=day(3))
    exempt = decide(rule(min_days_per_week=3), f)
    assert all(d.billable for d in exempt)
    assert "weekly minimum not applied: partial week (admitted 8 Jan 2026)" in exempt[0].summary
    applied = decide(rule(min_days_per_week=3, partial_weeks=PartialWeeks.APPLY), f)
    assert not any(d.billable for d in applied)


def test_a_hold_makes_a_week_partial() -> None:
    f = facts([session(day(0)), session(day(1))], holds=[Hold(day(3), day(9))])
    decisions = decide(rule(min_days_per_week=3), f)
    assert all(d.billable for d in decisions)
    assert "partial week (on hold 8 to 14 Jan 2026)" in decisions[0].summary


# --- authorizations --------------------------------------------------------------------------


def test_a_day_outside_the_authorization_names_it() -> None:
    f = facts(
        [session(day(0)), session(day(10))],
        authorizations=[auth("12345", day(0), day(6), 10)],
    )
    decisions = {d.day: d for d in decide(rule(requires_authorization=True), f)}
    assert decisions[day(0)].billable
    assert decisions[day(0)].authorization == "12345"
    assert decisions[day(10)].reasons == ("outside authorization 12345 (5 to 11 Jan 2026)",)
    assert decisions[day(10)].authorization is None


def test_the_nearest_authorization_is_named() -> None:
    f = facts(
        [session(day(14))],
        authorizations=[auth("OLD", day(-30), day(-1), 10), auth("NEXT", day(20), day(40), 10)],
    )
    assert one(rule(requires_authorization=True), f, day(14)).reasons == (
        "outside authorization NEXT (25 Jan to 14 Feb 2026)",
    )


def test_no_authorization_on_file() -> None:
    d = one(rule(requires_authorization=True), facts([session(day(0))]), day(0))
    assert d.reasons == ("no authorization on file",)


def test_a_payer_without_prior_authorization_ignores_it() -> None:
    assert one(rule(requires_authorization=False), facts([session(day(0))]), day(0)).billable


def test_approved_units_run_out_in_date_order() -> None:
    f = facts(
        [session(day(n)) for n in (0, 1, 2, 3)],
        authorizations=[auth("A1", day(0), day(30), 3)],
    )
    decisions = decide(rule(requires_authorization=True), f)
    assert [d.billable for d in decisions] == [True, True, True, False]
    assert decisions[3].reasons == ("all approved units used on authorization A1",)
    assert decisions[3].authorization == "A1"


def test_days_that_are_not_billable_use_no_units() -> None:
    f = facts(
        [session(day(0), 60), session(day(1)), session(day(2))],
        authorizations=[auth("A1", day(0), day(30), 2)],
    )
    assert [d.billable for d in decide(rule(requires_authorization=True), f)] == [
        False,
        True,
        True,
    ]


def test_an_extension_adds_units_and_moves_the_end() -> None:
    extension = AuthorizationExtension(approved_on=day(5), additional_units=2, new_end=day(13))
    f = facts(
        [session(day(n)) for n in (0, 1, 7, 8, 9)],
        authorizations=[auth("A1", day(0), day(6), 2, extensions=(extension,))],
    )
    decisions = decide(rule(requires_authorization=True), f)
    assert [d.billable for d in decisions] == [True, True, True, True, False]
    assert decisions[-1].reasons == ("all approved units used on authorization A1",)


def test_overlapping_authorizations_are_used_oldest_first() -> None:
    f = facts(
        [session(day(n)) for n in (0, 1, 2)],
        authorizations=[auth("NEW", day(1), day(30), 5), auth("OLD", day(0), day(10), 2)],
    )
    decisions = decide(rule(requires_authorization=True), f)
    assert [d.authorization for d in decisions] == ["OLD", "OLD", "NEW"]


def test_every_reason_is_given_not_just_the_first() -> None:
    s = session(day(10), 100)
    f = facts(
        [s],
        notes=[draft(s)],
        holds=[Hold(day(10), day(10))],
        authorizations=[auth("12345", day(0), day(6), 5)],
    )
    d = one(rule(note_requirement=NoteRequirement.DAY, requires_authorization=True), f, day(10))
    assert d.reasons == (
        "on hold 15 Jan 2026",
        "no signed note by a credentialed clinician (a note is awaiting signature)",
        "1 h 40 min attended, below 3 h",
        "outside authorization 12345 (5 to 11 Jan 2026)",
    )


def test_only_the_asked_period_is_returned_but_earlier_days_use_units() -> None:
    f = facts(
        [session(day(n)) for n in (0, 1, 7, 8)],
        authorizations=[auth("A1", day(0), day(30), 3)],
    )
    decisions = decide_days(rule(requires_authorization=True), f, start=day(7), end=day(13))
    assert [d.day for d in decisions] == [day(7), day(8)]
    assert [d.billable for d in decisions] == [True, False]


def test_facts_window_reaches_whole_weeks_and_authorization_starts() -> None:
    r = rule()
    assert facts_window(r, start=day(2), end=day(9)) == (day(0), day(13))
    a = auth("A1", day(-20), day(30), 10)
    assert facts_window(r, start=day(2), end=day(9), authorizations=[a]) == (day(-21), day(13))
    ended = auth("OLD", day(-60), day(-40), 10)
    assert facts_window(r, start=day(2), end=day(9), authorizations=[ended]) == (day(0), day(13))


# --- Medicare --------------------------------------------------------------------------------


def services(when: date, count: int, minutes: int = 60) -> list[SessionAttended]:
    return [session(when, minutes, label=f"Service {n}") for n in range(count)]


def cert(when: date, hours: str = "9", initial: bool = True) -> Certification:
    return Certification(
        signed_on=when, signer="Dr Example", certified_weekly_hours=Decimal(hours), initial=initial
    )


MEDICARE = rule(min_hours_per_day=None, medicare=medicare())


def test_medicare_days_are_paid_in_tiers_by_qualifying_services() -> None:
    f = facts(services(day(0), 3) + services(day(1), 5), certifications=[cert(day(-1))])
    decisions = decide(MEDICARE, f)
    assert [(d.billable, d.qualifying_services, d.medicare_tier) for d in decisions] == [
        (True, 3, MedicareTier.THREE),
        (True, 5, MedicareTier.FOUR_PLUS),
    ]


def test_medicare_needs_the_minimum_of_services() -> None:
    f = facts(services(day(0), 2), certifications=[cert(day(-1))])
    d = one(MEDICARE, f, day(0))
    assert d.reasons == ("2 qualifying services, Medicare IOP needs at least 3",)
    assert d.medicare_tier is None


def test_medicare_without_a_certification() -> None:
    d = one(MEDICARE, facts(services(day(0), 3)), day(0))
    assert d.reasons == ("no current physician certification",)


def test_medicare_certification_lapses_without_recertification() -> None:
    f = facts(
        services(day(0), 3) + services(day(61), 3) + services(day(70), 3),
        certifications=[cert(day(0)), cert(day(70), initial=False)],
    )
    decisions = {d.day: d for d in decide(MEDICARE, f, end=day(80))}
    assert decisions[day(0)].billable
    assert decisions[day(61)].reasons == (
        "no current physician certification: the last, signed 5 Jan 2026, lapsed; "
        "recertification was due 6 Mar 2026",
    )
    assert decisions[day(70)].billable


def test_medicare_certification_must_certify_enough_hours() -> None:
    f = facts(services(day(0), 3), certifications=[cert(day(0), hours="6")])
    assert one(MEDICARE, f, day(0)).reasons == (
        "the physician certification of 6 h/week is below the 9 h/week Medicare IOP needs",
    )


def test_an_initial_certification_signed_within_the_grace_covers_admission() -> None:
    f = facts(services(day(0), 3), enrolled_from=day(0), certifications=[cert(day(2))])
    assert not one(MEDICARE, f, day(0)).billable
    graceful = rule(min_hours_per_day=None, medicare=medicare(initial_certification_grace_days=3))
    assert one(graceful, f, day(0)).billable


def test_medicare_undocumented_services_do_not_count() -> None:
    listed = services(day(0), 4)
    f = facts(listed, notes=[signed(s) for s in listed[:2]], certifications=[cert(day(-1))])
    r = rule(
        min_hours_per_day=None, medicare=medicare(), note_requirement=NoteRequirement.EACH_SESSION
    )
    d = one(r, f, day(0))
    assert d.qualifying_services == 2
    assert d.reasons[0] == "2 qualifying services, Medicare IOP needs at least 3"


# --- configuration ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("revenue", "hcpcs", "modifiers"),
    [("905", "S9480", ()), ("0905", "S948", ()), ("0905", "s9480", ()), ("0905", "H0015", ("U",))],
)
def test_billing_codes_are_checked(revenue: str, hcpcs: str, modifiers: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match=r"four digits|HCPCS or CPT code|procedure modifiers"):
        BillingCode(revenue, hcpcs, modifiers)


def test_cpt_and_hcpcs_codes_are_accepted() -> None:
    assert str(BillingCode("0905", "90853")) == "0905/90853"
    assert BillingCode("0906", "H0015", ("HF",)).modifiers == ("HF",)


@pytest.mark.parametrize(
    "overrides",
    [
        {"counted_categories": frozenset()},
        {"min_hours_per_day": Decimal("0")},
        {"min_hours_per_day": Decimal("25")},
        {"min_days_per_week": 0},
        {"min_days_per_week": 8},
        {"units_per_day": 0},
    ],
)
def test_a_rule_that_cannot_work_is_refused(overrides: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"session category|daily minimum|weekly minimum|one unit"):
        rule(**overrides)


def test_a_medicare_rule_needs_a_higher_tier_above_the_lower() -> None:
    with pytest.raises(ValueError, match="higher tier"):
        medicare(high_tier_min_services=3)


def test_an_authorization_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="ends before"):
        auth("A1", day(5), day(1), 3)


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (180, "3 h"),
        (150, "2.5 h"),
        (170, "2 h 50 min"),
        (45, "45 min"),
        (6, "6 min"),
        (66, "1.1 h"),
        (0, "0 h"),
    ],
)
def test_hours_read_plainly(minutes: int, text: str) -> None:
    assert format_hours(minutes) == text


def test_spans_read_plainly() -> None:
    assert format_span(date(2026, 1, 5), date(2026, 1, 5)) == "5 Jan 2026"
    assert format_span(date(2026, 1, 30), date(2026, 2, 2)) == "30 Jan to 2 Feb 2026"
    assert format_span(date(2025, 12, 30), date(2026, 1, 2)) == "30 Dec 2025 to 2 Jan 2026"
    assert format_span(MONDAY, None) == "from 5 Jan 2026"
