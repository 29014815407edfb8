"""Demo safety plans: signed plans, in plausible participant-voice words of our own, for the
demo portal participant and a few other active participants."""

from __future__ import annotations

import random
from datetime import date

from openiop.participants.models import Episode, EpisodeStatus
from openiop.programs.models import Program
from openiop.safety.plans import (
    prefilled_professionals,
    safety_plan_draft_save,
    safety_plan_sign_clinician,
    safety_plan_sign_participant,
)

PLANS: tuple[dict[str, str], ...] = (
    {
        "warning_signs": "I stop replying to texts\nI lie awake going over everything I got wrong\n"
        "I start saying 'what's the point' out loud",
        "coping_alone": "Hold ice cubes or splash cold water on my face\n"
        "Put on my walking playlist and go round the block twice\n"
        "Write the feeling down and rate it 0 to 10, then again in 20 minutes",
        "distractions": "The reading room at the public library\n"
        "Sitting in the kitchen while my roommate cooks\nThe dog park on Saturday mornings",
        "people_to_ask": "My sister Jo (she said call any time, even late)\n"
        "My friend Marcus from work",
        "safer_surroundings": "Jo keeps the extra medication at her place\n"
        "I leave the car keys with my roommate on bad nights",
    },
    {
        "warning_signs": "Skipping meals\nCancelling plans at the last minute\n"
        "Feeling like everyone would be better off without me",
        "coping_alone": "Paced breathing: in for 4, out for 6, ten times\n"
        "Take a hot shower\nDo the TIPP skill card from group",
        "distractions": "Coffee shop on 3rd Street\nCalling my grandma about her garden",
        "people_to_ask": "My partner Alex\nMy sponsor, Teresa",
        "safer_surroundings": "No alcohol in the house\n"
        "Alex holds my prescriptions and gives me a week at a time",
    },
    {
        "warning_signs": "Urges to use get louder after payday\nI isolate in my room all weekend",
        "coping_alone": "Urge surf: notice it, name it, wait it out for 15 minutes\n"
        "Play a game on my phone until the wave passes",
        "distractions": "Basketball at the rec center\nMy cousin's place on Sundays",
        "people_to_ask": "My brother Luis\nMy friend Dee from the morning group",
        "safer_surroundings": "Nothing stored in the house\n"
        "Ask Luis to hold my bank card on weekends if I ask him",
    },
)


def build_safety_plans(*, program: Program, today: date, rng: random.Random) -> int:
    """Returns how many signed plans were written. The portal participant always gets one."""
    episodes = list(
        Episode.objects.filter(program=program, status=EpisodeStatus.ACTIVE)
        .exclude(primary_clinician__isnull=True)
        .select_related("participant", "participant__user", "primary_clinician", "program")
        .order_by("pk")
    )
    # The demo's printed participant login first, so whoever tries the portal finds a plan.
    with_portal = sorted(
        (e for e in episodes if e.participant.user is not None),
        key=lambda e: getattr(e.participant.user, "email", "") != "participant@example.org",
    )
    others = [e for e in episodes if e.participant.user is None]
    chosen = with_portal[:1] + rng.sample(others, min(3, len(others)))
    written = 0
    for index, episode in enumerate(chosen):
        words = dict(PLANS[index % len(PLANS)])
        words["professionals"] = (
            prefilled_professionals(episode)
            + f"\nMy clinician, {episode.primary_clinician.full_name}"  # type: ignore[union-attr]
        )
        clinician = episode.primary_clinician
        assert clinician is not None
        draft = safety_plan_draft_save(
            participant=episode.participant,
            program=episode.program,
            actor=clinician,
            sections=words,
        )
        safety_plan_sign_clinician(version=draft, actor=clinician)
        safety_plan_sign_participant(
            version=draft,
            participant=episode.participant,
            typed_name=episode.participant.legal_name,
        )
        written += 1
    return written
