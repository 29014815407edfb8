"""The program's testing policy and the week's random draw, stored around the pure core
(`core.draws`): the core draws with the operating system's cryptographic source and seals the
record with a digest; this module keeps the record as drawn and refuses a second draw of a week
(the database's unique constraint too). Re-drawing is a separate, reasoned act the core
provides; it has no page yet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from openiop.accounts.models import Role, User
from openiop.lib.timezones import today_in
from openiop.participants.models import Episode, EpisodeStatus, Participant
from openiop.programs.models import Program
from openiop.substance_use.core import draws as core
from openiop.substance_use.models import TestingDraw, TestingPolicy


def _works_in(actor: User, program: Program, roles: frozenset[str]) -> None:
    if actor.role not in roles or not actor.assignments.filter(program_id=program.pk).exists():
        raise ValidationError("Your role in this program does not allow this.")
    if not program.treats_sud:
        raise ValidationError("Only a program that treats substance use tests.")


def as_policy(policy: TestingPolicy) -> core.TestingPolicy:
    return core.TestingPolicy(
        specimen_types=frozenset(core.SpecimenType(t) for t in policy.specimen_types),
        testing_days=frozenset(core.Weekday(d) for d in policy.testing_days),
        weekly_rate=Fraction(policy.weekly_rate_percent, 100),
    )


@transaction.atomic
def testing_policy_set(
    *,
    actor: User,
    program: Program,
    specimen_types: list[str],
    testing_days: list[int],
    weekly_rate_percent: int,
) -> TestingPolicy:
    _works_in(actor, program, frozenset({Role.DIRECTOR}))
    try:
        checked = core.TestingPolicy(
            specimen_types=frozenset(core.SpecimenType(t) for t in specimen_types),
            testing_days=frozenset(core.Weekday(int(d)) for d in testing_days),
            weekly_rate=Fraction(weekly_rate_percent, 100),
        )
    except (core.DrawError, ValueError) as error:
        raise ValidationError(str(error)) from None
    policy, _ = TestingPolicy.objects.select_for_update().get_or_create(
        program=program,
        defaults={
            "organization_id": program.organization_id,
            "weekly_rate_percent": weekly_rate_percent,
            "updated_by": actor,
            "updated_at": timezone.now(),
        },
    )
    policy.specimen_types = sorted(t.value for t in checked.specimen_types)
    policy.testing_days = sorted(int(d) for d in checked.testing_days)
    policy.weekly_rate_percent = weekly_rate_percent
    policy.updated_by = actor
    policy.updated_at = timezone.now()
    policy.save()
    return policy


def draw_from_record(row: TestingDraw) -> core.Draw:
    """The core's record from the stored one, to verify it against its digest."""
    r: dict[str, Any] = row.record
    num, den = (int(x) for x in r["rate"].split("/"))
    return core.Draw(
        program=r["program"],
        week_start=date.fromisoformat(r["week_start"]),
        drawn_by=r["drawn_by"],
        drawn_at=datetime.fromisoformat(r["drawn_at"]),
        rate=Fraction(num, den),
        specimen_types=tuple(core.SpecimenType(t) for t in r["specimen_types"]),
        testing_dates=tuple(date.fromisoformat(d) for d in r["testing_dates"]),
        pool=tuple(r["pool"]),
        excluded=tuple(core.Exclusion(p, why) for p, why in r["excluded"]),
        selected=tuple(core.Selection(p, date.fromisoformat(d)) for p, d in r["selected"]),
        nonce=r["nonce"],
        supersedes=r["supersedes"],
        reason=r["reason"],
        digest=row.digest,
    )


@transaction.atomic
def testing_draw(*, actor: User, program: Program) -> TestingDraw:
    """This week's random draw for the program (any of its clinicians or its director)."""
    _works_in(actor, program, frozenset({Role.DIRECTOR, Role.CLINICIAN}))
    policy_row = TestingPolicy.objects.filter(program=program).first()
    if policy_row is None:
        raise ValidationError("Set the program's testing policy first.")
    policy = as_policy(policy_row)
    today = today_in(program.time_zone)
    week = policy.week_of(today)
    existing = [
        draw_from_record(d) for d in TestingDraw.objects.filter(program=program, week_start=week)
    ]
    episodes = Episode.objects.filter(
        program=program, status__in=[EpisodeStatus.ACTIVE, EpisodeStatus.ON_HOLD]
    ).select_related("participant")
    candidates = {
        str(e.participant.public_id): core.Candidate(
            key=str(e.participant.public_id),
            episode_active=True,
            on_hold=e.status == EpisodeStatus.ON_HOLD,
        )
        for e in episodes
    }
    try:
        made = core.draw(
            policy=policy,
            program=str(program.public_id),
            week_start=week,
            candidates=candidates.values(),
            drawn_by=str(actor.public_id),
            drawn_at=timezone.now(),
            today=today,
            existing=existing,
        )
    except core.DrawError as error:
        raise ValidationError(str(error)) from None
    row = TestingDraw(
        organization_id=program.organization_id,
        program=program,
        week_start=week,
        drawn_by=actor,
        drawn_at=made.drawn_at,
        record=made.content(),
        digest=made.digest,
    )
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        raise ValidationError("This week was already drawn.") from None
    return row


@dataclass(frozen=True)
class DrawnWeek:
    row: TestingDraw
    verified: bool
    selections: list[tuple[date, Participant]]
    pool_size: int
    summary: str


def week_draw(program: Program) -> DrawnWeek | None:
    """The draw in force for this week, with the selected participants (SUD records: the
    caller checked the viewer reads them, and records the access)."""
    policy_row = TestingPolicy.objects.filter(program=program).first()
    if policy_row is None:
        return None
    week = as_policy(policy_row).week_of(today_in(program.time_zone))
    rows = list(TestingDraw.objects.filter(program=program, week_start=week).order_by("drawn_at"))
    if not rows:
        return None
    records = [draw_from_record(r) for r in rows]
    try:
        latest = core.current_draw(records)
        verified = True
    except core.DrawError:
        latest, verified = records[-1], False
    assert latest is not None
    row = next(r for r in rows if r.digest == latest.digest)
    people = {
        str(p.public_id): p
        for p in Participant.objects.filter(public_id__in=[s.participant for s in latest.selected])
    }
    return DrawnWeek(
        row=row,
        verified=verified,
        selections=[(s.day, people[s.participant]) for s in latest.selected],
        pool_size=len(latest.pool),
        summary=latest.summary,
    )
