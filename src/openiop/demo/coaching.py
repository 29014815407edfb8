"""Demo coaching contacts: a dozen over recent weeks, most answered within 10-40 minutes by
the clinician on duty, one still waiting. Written through the real write functions so routing,
timeline events and response times are what the clinic would see."""

from __future__ import annotations

import random
import zoneinfo
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from openiop.accounts.models import User
from openiop.accounts.roles import Role
from openiop.participants.models import Episode, EpisodeStatus
from openiop.programs.models import Program
from openiop.safety.coaching import coaching_request_create, coaching_request_respond
from openiop.safety.models import CoachingOutcome

CONTACTS = 12

SITUATIONS: tuple[tuple[str, list[str], list[str]], ...] = (
    ("Fight with my partner, I want to send something I'll regret", ["STOP"], ["DEAR MAN"]),
    ("Can't stop thinking about drinking after work", ["Pros and cons"], ["TIPP", "ACCEPTS"]),
    ("Panicky before a family dinner", ["Wise mind"], ["TIPP", "Self-soothe"]),
    ("Bad news from my landlord, everything feels hopeless", [], ["Check the facts", "IMPROVE"]),
    ("Urge to skip group tomorrow", ["Opposite action"], ["Opposite action", "Willingness"]),
    ("My boss yelled at me and I'm shaking", ["Observe"], ["TIPP", "Radical acceptance"]),
)
OUTCOMES = (
    CoachingOutcome.SKILL_HELPED,
    CoachingOutcome.SKILL_HELPED,
    CoachingOutcome.SKILL_HELPED,
    CoachingOutcome.SAFETY_PLAN,
    CoachingOutcome.NO_ANSWER,
)


def build_coaching(*, program: Program, today: date, rng: random.Random) -> int:
    """Returns how many coaching requests were written. Uses its own generator so adding
    coaching does not shift the random draws of the builders that run after it."""
    rng = random.Random(f"coaching-{program.pk}-{today.isoformat()}")  # noqa: S311 (demo data)
    episodes = list(
        Episode.objects.filter(
            program=program, status=EpisodeStatus.ACTIVE, participant__user__isnull=False
        )
        .select_related("participant", "participant__user", "primary_clinician", "program")
        .order_by("pk")[:6]
    )
    director = User.objects.filter(role=Role.DIRECTOR, assignments__program=program).first()
    if not episodes or director is None:
        return 0
    zone = zoneinfo.ZoneInfo(program.time_zone)
    now = min(datetime.combine(today, time(15, 0), tzinfo=zone), timezone.now())
    written = 0
    for n in range(CONTACTS):
        episode = episodes[n % len(episodes)]
        participant = episode.participant
        situation, tried, suggested = SITUATIONS[n % len(SITUATIONS)]
        is_open = n == CONTACTS - 1
        if is_open:
            asked = now - timedelta(minutes=12)
        else:
            days_ago = 3 + (CONTACTS - n) * 3 + rng.randint(0, 2)
            asked = datetime.combine(
                today - timedelta(days=days_ago), time(rng.choice([10, 17, 19, 20, 21])), zone
            ) + timedelta(minutes=rng.randint(0, 50))
        callback = n % 3 == 0
        made = coaching_request_create(
            participant=participant,
            episode=episode,
            actor=participant.user or director,
            situation=situation,
            urge=rng.randint(1, 3),
            skills_tried=tried,
            reach_by="callback" if callback else "message",
            callback_phone="555-0100" if callback else "",
            now=asked,
        ).request
        written += 1
        if is_open:
            continue
        responder = made.routed_to or episode.primary_clinician or director
        outcome = OUTCOMES[n % len(OUTCOMES)] if callback else CoachingOutcome.SKILL_HELPED
        # One slow answer so the 90th percentile shows something worth a look.
        minutes = 75 if n == 4 else rng.randint(10, 40)
        coaching_request_respond(
            request=made,
            actor=responder,
            method="callback" if callback else "message",
            reply=""
            if callback
            else f"Thanks for reaching out. Try {' and '.join(suggested)} now, and tell me how "
            "it goes. We'll look at this together in session.",
            skills_suggested=suggested,
            outcome=outcome,
            outcome_note="",
            now=asked + timedelta(minutes=minutes),
        )
    return written
