"""Each hard rule on a case built so that breaking the rule would score better: the participant
prefers exactly the time (or clinician, or room) the rule forbids. Were the rule dropped, the
solver would take it."""

from __future__ import annotations

from openiop.scheduling.solver import (
    Booking,
    FamilyMember,
    FamilyRequest,
    Feature,
    Group,
    Rules,
    SessionRule,
    Status,
    Unavailable,
    WeeklyTime,
    Weights,
)
from tests.scheduling.solver.support import (
    MON,
    TUE,
    clinician,
    hours,
    of,
    office,
    overlap,
    person,
    problem,
    run,
    session,
    t,
)

PREFER_MON_8 = (WeeklyTime(MON, t(8), t(9)),)
PREFER_MON_10 = (WeeklyTime(MON, t(10), t(11)),)


def test_it_keeps_to_clinician_working_hours() -> None:
    p = problem(
        clinicians=(clinician("ben", hours=hours(9, 17)),),
        participants=(person("ana", preferred=PREFER_MON_8),),
    )
    s = session(run(p), "ana")
    assert s.start >= t(9)
    assert "preferred_time" not in s.met


def test_it_keeps_clear_of_the_clinicians_existing_bookings() -> None:
    p = problem(
        clinicians=(clinician("ben", busy=(Booking(MON, t(10), t(11), "group"),)),),
        participants=(person("ana", preferred=PREFER_MON_10),),
    )
    s = session(run(p), "ana")
    assert not (s.day == MON and s.start == t(10))


def test_it_keeps_clear_of_declared_unavailable_times() -> None:
    p = problem(
        participants=(
            person(
                "ana",
                preferred=(WeeklyTime(MON, t(10), t(12)),),
                unavailable=(Unavailable(MON, t(10), t(11), "work"),),
            ),
        ),
    )
    s = session(run(p), "ana")
    assert (s.day, s.start) == (MON, t(11))


def test_it_keeps_clear_of_the_participants_track_groups() -> None:
    p = problem(
        groups=(Group("g", "Morning group", MON, t(10), t(12), track="morning"),),
        participants=(person("ana", track="morning", preferred=PREFER_MON_10),),
    )
    s = session(run(p), "ana")
    assert not (s.day == MON and s.start < t(12) and t(10) < s.end)


def test_it_never_books_a_clinician_twice_at_once() -> None:
    p = problem(
        participants=(person("ana", preferred=PREFER_MON_10), person("bo", preferred=PREFER_MON_10))
    )
    proposal = run(p)
    assert not overlap(session(proposal, "ana"), session(proposal, "bo"))


def test_it_never_books_a_participant_twice_at_once() -> None:
    both = PREFER_MON_10
    p = problem(
        weights=Weights(same_day=0),  # so only the rule keeps the two sessions apart
        clinicians=(clinician("ben"), clinician("cara", licences=frozenset({"LMFT"}))),
        participants=(person("ana", care_team=("cara",), preferred=both),),
        family_requests=(FamilyRequest("fam", "ana", (FamilyMember("m", "Mother"),)),),
    )
    proposal = run(p)
    assert not overlap(session(proposal, "ana"), of(proposal, "fam"))


def test_it_never_books_a_room_twice_at_once() -> None:
    p = problem(
        clinicians=(clinician("ben"), clinician("cara")),
        rooms=(office(),),
        participants=(
            person("ana", preferred=PREFER_MON_10),
            person("bo", primary="cara", preferred=PREFER_MON_10),
        ),
    )
    proposal = run(p)
    a, b = session(proposal, "ana"), session(proposal, "bo")
    assert a.room == b.room == "office"
    assert not overlap(a, b)


def test_it_keeps_clear_of_a_rooms_existing_bookings() -> None:
    p = problem(
        rooms=(office(busy=(Booking(MON, t(10), t(11), "group"),)),),
        participants=(person("ana", preferred=PREFER_MON_10),),
    )
    s = session(run(p), "ana")
    assert not (s.day == MON and s.start == t(10))


def test_it_seats_a_family_in_a_room_big_enough() -> None:
    members = (FamilyMember("m", "Mother"), FamilyMember("f", "Father"))
    p = problem(
        clinicians=(clinician("ben", licences=frozenset({"LMFT"})),),
        rooms=(
            office("small", capacity=2),
            office("family", capacity=3, busy=(Booking(MON, t(10), t(11)),)),
        ),
        participants=(person("ana", preferred=PREFER_MON_10, individual_per_week=0),),
        family_requests=(FamilyRequest("fam", "ana", members),),
    )
    s = of(run(p), "fam")
    assert s.room == "family"
    assert not (s.day == MON and s.start == t(10))


def test_it_gives_a_room_with_the_feature_the_participant_needs() -> None:
    pet = frozenset({Feature.PET_FRIENDLY})
    p = problem(
        rooms=(office("plain"), office("pets", features=pet, busy=(Booking(MON, t(10), t(11)),))),
        participants=(person("ana", preferred=PREFER_MON_10, needs=pet),),
    )
    s = session(run(p), "ana")
    assert s.room == "pets"
    assert not (s.day == MON and s.start == t(10))


def test_it_holds_telehealth_sessions_in_a_telehealth_room() -> None:
    video = frozenset({Feature.TELEHEALTH})
    p = problem(
        rooms=(
            office("plain"),
            office("video", features=video, busy=(Booking(MON, t(10), t(11)),)),
        ),
        participants=(person("ana", preferred=PREFER_MON_10, telehealth=True),),
    )
    s = session(run(p), "ana")
    assert s.room == "video"
    assert not (s.day == MON and s.start == t(10))


def test_it_uses_the_programs_session_length() -> None:
    p = problem(
        rules=Rules(individual=SessionRule(minutes=90)),
        clinicians=(clinician("ben", hours=(WeeklyTime(MON, t(9), t(10, 30)),)),),
        # A 60-minute session would go to the preferred 9:30; 90 minutes only fit at 9:00.
        participants=(person("ana", preferred=(WeeklyTime(MON, t(9, 30), t(10, 30)),)),),
    )
    s = session(run(p), "ana")
    assert (s.start, s.end) == (t(9), t(10, 30))


def test_it_gives_a_session_only_to_a_clinician_with_the_licence() -> None:
    p = problem(
        rules=Rules(family=SessionRule(minutes=60, licences=frozenset({"LMFT"}))),
        clinicians=(
            clinician("ben", licences=frozenset({"LPC"})),
            clinician("cara", licences=frozenset({"LMFT"})),
        ),
        participants=(person("ana", care_team=("cara",), individual_per_week=0),),
        family_requests=(FamilyRequest("fam", "ana"),),
    )
    s = of(run(p), "fam")
    assert s.clinician == "cara"  # the primary clinician (Ben) would score more


def test_it_sees_a_participant_only_with_the_care_team() -> None:
    p = problem(
        clinicians=(
            clinician("ben", hours=hours(9, 12)),
            clinician("dan", hours=hours(12, 17)),
        ),
        participants=(person("ana", preferred=(WeeklyTime(MON, t(13), t(14)),)),),
    )
    s = session(run(p), "ana")
    assert s.clinician == "ben"
    assert s.start < t(12)


def test_it_holds_a_clinician_to_the_weekly_cap() -> None:
    p = problem(
        clinicians=(clinician("ben", max_sessions=1),),
        participants=(person("ana"), person("bo")),
    )
    proposal = run(p)
    assert len(proposal.sessions) == 1
    (unplaced,) = proposal.unplaced
    assert "weekly cap" in unplaced.reason


def test_it_fills_a_groups_seats_for_make_ups_no_further() -> None:
    from openiop.scheduling.solver import MakeUpRequest

    lesson = "wise mind"
    p = problem(
        groups=(
            Group(
                "eve",
                "Evening group",
                TUE,
                t(18),
                t(20),
                track="evening",
                lesson=lesson,
                seats_left=1,
            ),
        ),
        participants=(
            person("ana", track="morning", individual_per_week=0),
            person("bo", track="morning", individual_per_week=0),
        ),
        makeup_requests=(
            MakeUpRequest("mu-ana", "ana", lesson, allow_individual=False),
            MakeUpRequest("mu-bo", "bo", lesson, allow_individual=False),
        ),
    )
    proposal = run(p)
    assert [s.group for s in proposal.sessions] == ["eve"]
    assert len(proposal.unplaced) == 1
    assert "full" in proposal.unplaced[0].reason


def test_it_holds_family_sessions_when_the_family_can_come() -> None:
    evenings = (WeeklyTime(TUE, t(15), t(17)),)
    p = problem(
        clinicians=(clinician("ben", licences=frozenset({"LMFT"})),),
        participants=(person("ana", preferred=PREFER_MON_10, individual_per_week=0),),
        family_requests=(FamilyRequest("fam", "ana", (FamilyMember("m", "Mother", evenings),)),),
    )
    s = of(run(p), "fam")
    assert s.day == TUE
    assert t(15) <= s.start
    assert s.end <= t(17)


def test_the_proposal_is_optimal_on_small_cases() -> None:
    p = problem(participants=(person("ana"),))
    assert run(p).status == Status.OPTIMAL
