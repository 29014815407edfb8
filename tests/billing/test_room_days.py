"""Billable days and authorization usage computed live in the billing room, from attendance
and note signatures stored by the rooms below (never a stored figure, never a batch)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from openiop.billing import services
from openiop.billing.authorizations import WarningKind
from openiop.billing.models import ReviewOutcome
from openiop.billing.selectors import billing_for_episodes, episode_billing
from openiop.participants.models import EpisodeStatus
from openiop.programs.models import SessionCategory
from openiop.scheduling.models import Attendance
from tests import factories as f
from tests.billing.room import (
    attend,
    authorize,
    cover,
    draft_note,
    make_payer,
    monday_weeks_ago,
    sign,
)

pytestmark = pytest.mark.django_db


def _day(b: object, day: object) -> object:
    return next(d for d in b.days if d.day == day)  # type: ignore[attr-defined]


def test_each_reason_of_the_rule_and_live_recomputation(billed: SimpleNamespace) -> None:
    w = billed
    mon, tue = w.start, w.start + timedelta(days=1)
    short = attend(w, mon, 150)
    sign(draft_note(short, w.clinician), w.clinician)
    full = attend(w, tue, 180)

    b = episode_billing(w.episode)
    assert _day(b, mon).reasons == ("2.5 h attended, below 3 h",)
    assert _day(b, tue).reasons == ("no signed note by a credentialed clinician",)

    note = draft_note(full, w.clinician)
    b = episode_billing(w.episode)
    assert _day(b, tue).reasons == (
        "no signed note by a credentialed clinician (a note is awaiting signature)",
    )

    # The note is signed: the very next read bills the day against the authorization.
    sign(note, w.clinician)
    b = episode_billing(w.episode)
    assert _day(b, tue).billable
    assert _day(b, tue).authorization == w.auth.number
    assert b.authorizations[0].usage.days_used == 1
    assert b.authorizations[0].usage.days_left == 9

    # Attendance corrected to a full three hours: Monday becomes billable too.
    Attendance.objects.filter(session=short).update(minutes=180)
    b = episode_billing(w.episode)
    assert _day(b, mon).billable
    assert b.billable_days == 2
    assert b.authorizations[0].usage.days_left == 8


def test_a_signer_without_credentials_needs_a_cosignature(billed: SimpleNamespace) -> None:
    w = billed
    unlicensed = f.UserFactory(organization=w.org, role="clinician", programs=[w.program])
    session = attend(w, w.start, 180)
    note = sign(draft_note(session, unlicensed), unlicensed)
    b = episode_billing(w.episode)
    assert _day(b, w.start).reasons == (
        "no signed note by a credentialed clinician (signed without billing credentials;"
        " a co-signature is needed)",
    )
    note.cosigned_by = w.clinician
    note.save(update_fields=["cosigned_at", "cosigned_by"])
    assert _day(episode_billing(w.episode), w.start).billable


def test_uncounted_sessions_and_days_outside_the_authorization(billed: SimpleNamespace) -> None:
    w = billed
    outing = attend(w, w.start, 240, category=SessionCategory.OTHER)
    sign(draft_note(outing, w.clinician), w.clinician)
    w.auth.start_on = w.start + timedelta(days=1)
    w.auth.save(update_fields=["start_on"])
    before = w.start
    b = episode_billing(w.episode)
    reasons = _day(b, before).reasons
    assert reasons[0].startswith("no attended session counts toward billable time")
    assert reasons[1].startswith(f"outside authorization {w.auth.number}")
    assert any(x.kind == WarningKind.UNCOVERED_SERVICES for x in b.warnings)


def test_weekly_minimum_is_the_payers(world: SimpleNamespace) -> None:
    ep = world.episode
    start = monday_weeks_ago(ep, 3)
    ep.admitted_on = start
    ep.save(update_fields=["admitted_on"])
    payer = make_payer(world.org, min_days_per_week=3, note_requirement="none")
    cover(ep, payer, world.billing, since=start)
    authorize(ep, payer, world.billing, start=start, units=20)
    week = monday_weeks_ago(ep, 2)
    attend(world, week, 180)
    attend(world, week + timedelta(days=1), 180)
    b = episode_billing(ep)
    assert _day(b, week).reasons == (
        f"only 2 qualifying days in the week of {week.day} {week:%b} {week.year}; "
        "the payer needs 3",
    )
    attend(world, week + timedelta(days=2), 180)
    assert episode_billing(ep).billable_days == 3


def test_holds_use_nothing_and_a_review_extends_the_authorization(
    billed: SimpleNamespace,
) -> None:
    w = billed
    w.auth.approved_units = 2
    w.auth.save(update_fields=["approved_units"])
    for offset in range(3):
        s = attend(w, w.start + timedelta(days=offset), 180)
        sign(draft_note(s, w.clinician), w.clinician)
    b = episode_billing(w.episode)
    third = _day(b, w.start + timedelta(days=2))
    assert third.reasons == (f"all approved units used on authorization {w.auth.number}",)
    assert b.authorizations[0].usage.days_left == 0
    assert any(x.kind == WarningKind.USED_UP for x in b.warnings)

    services.review_record(
        actor=w.billing,
        authorization=w.auth,
        reviewed_on=w.start + timedelta(days=3),
        outcome=ReviewOutcome.APPROVED,
        additional_units=5,
    )
    b = episode_billing(w.episode)
    assert b.billable_days == 3
    usage = b.authorizations[0].usage
    assert (usage.approved_days, usage.days_used, usage.days_left, usage.extended) == (
        7,
        3,
        4,
        True,
    )

    # On hold from the fourth day: a day attended while on hold is not billable, uses nothing.
    hold = w.start + timedelta(days=3)
    w.episode.status, w.episode.hold_since = EpisodeStatus.ON_HOLD, hold
    w.episode.save(update_fields=["status", "hold_since"])
    s = attend(w, hold, 180)
    sign(draft_note(s, w.clinician), w.clinician)
    b = episode_billing(w.episode)
    assert _day(b, hold).reasons[0].startswith("on hold")
    assert b.authorizations[0].usage.days_left == 4


def test_only_an_approval_extends(billed: SimpleNamespace) -> None:
    with pytest.raises(ValidationError):
        services.review_record(
            actor=billed.billing,
            authorization=billed.auth,
            reviewed_on=billed.start,
            outcome=ReviewOutcome.DENIED,
            additional_units=3,
        )


def test_no_coverage_and_no_rule_say_why(world: SimpleNamespace) -> None:
    b = episode_billing(world.episode)
    assert b.problem == "no coverage on file"
    assert b.days == []
    payer = make_payer(world.org, program_kind="substance_use")
    cover(world.episode, payer, world.billing, since=world.episode.inquiry_on)
    assert episode_billing(world.episode).problem == (
        "Example Health Plan has no billing rule for psychiatric programs"
    )


def test_many_episodes_in_a_constant_number_of_queries(billed: SimpleNamespace) -> None:
    w = billed
    from tests.scheduling.attendance_support import episodes as make_episodes

    def census(n: int) -> int:
        eps = make_episodes(w.program, n)
        for ep in eps:
            ep.admitted_on = w.start
            ep.save(update_fields=["admitted_on"])
            cover(ep, w.payer, w.billing, since=w.start)
            authorize(ep, w.payer, w.billing, start=w.start, units=5)
            s = attend(w, w.start, 180, episode=ep)
            sign(draft_note(s, w.clinician), w.clinician)
        everyone = list(type(w.episode).objects.filter(program=w.program).select_related("program"))
        with CaptureQueriesContext(connection) as ctx:
            rows = billing_for_episodes(everyone)
        assert all(r.billable_days == 1 for r in rows if r.episode.pk != w.episode.pk)
        return len(ctx.captured_queries)

    assert census(2) == census(6)
