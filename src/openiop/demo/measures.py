"""Synthetic measures for the demo clinic: every active participant has their intake battery
and weekly PHQ-9 and GAD-7 scores since, mostly improving, some flat, one getting worse; the
portal participant has this week's PHQ-9 and GAD-7 due. Invented numbers, no real person.

Written in bulk (a few queries for the whole clinic) with the real scoring engine, so the stored
results are exactly what the engine gives for those answers."""

from __future__ import annotations

import random
import zoneinfo
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from openiop.accounts.models import User
from openiop.measures.definitions import Instrument, get_instrument
from openiop.measures.models import (
    Administration,
    AdministrationStatus,
    CriticalFinding,
    Phase,
    Response,
    ResponseMode,
)
from openiop.measures.scoring import score
from openiop.measures.services import DEFAULT_BATTERIES, _findings_for
from openiop.participants.models import Episode, EpisodeStatus
from openiop.programs.models import Program

PORTAL_EMAIL = "participant@example.org"


def _spread(instrument: Instrument, total: int, rng: random.Random) -> list[int]:
    """Answers (critical items at 0) that add up to `total`, capped by what the items allow."""
    answers = [0] * len(instrument.items)
    open_items = [i for i, item in enumerate(instrument.items) if item.critical is None]
    left = total
    while left > 0:
        room = [i for i in open_items if answers[i] < instrument.items[i].max_value]
        if not room:
            break
        i = rng.choice(room)
        answers[i] += 1
        left -= 1
    return answers


def _low(instrument: Instrument, rng: random.Random, chance: float) -> list[int]:
    """Mostly the lowest answer, now and then one step up: a screen that is mostly negative."""
    answers = []
    for item in instrument.items:
        values = sorted(item.values)
        answers.append(values[1] if rng.random() < chance and len(values) > 1 else values[0])
    return answers


def _trajectory(kind: str, start: int, weeks: int, top: int, rng: random.Random) -> list[int]:
    step = {"improving": -1.3, "flat": 0.0, "worse": 1.2}[kind]
    values = []
    for week in range(weeks):
        value = round(start + step * week + rng.uniform(-1.5, 1.5))
        values.append(max(0, min(top, value)))
    return values


def build_measures(*, program: Program, today: date, rng: random.Random) -> int:
    """Returns how many responses the demo has."""
    tz = zoneinfo.ZoneInfo(program.time_zone)
    now = timezone.now()
    instruments = {code: get_instrument(code) for code in DEFAULT_BATTERIES[Phase.INTAKE]}
    episodes = list(
        Episode.objects.filter(program=program, status=EpisodeStatus.ACTIVE)
        .select_related("participant__user", "primary_clinician")
        .order_by("participant__record_number")
    )
    portal_user = User.objects.filter(email=PORTAL_EMAIL).first()
    administrations: list[Administration] = []
    responses: list[Response] = []
    worse_given = False
    critical_given = False

    def when(day: date) -> datetime:
        at = datetime.combine(day, time(rng.randint(9, 19), rng.randint(0, 59)), tzinfo=tz)
        return min(at, now - timedelta(minutes=5))

    def add(
        episode: Episode, code: str, phase: str, period: date, answers: list[int] | None
    ) -> None:
        participant = episode.participant
        due_at = datetime.combine(period, time(0, 0), tzinfo=tz)
        administration = Administration(
            organization_id=program.organization_id,
            participant=participant,
            episode=episode,
            instrument_code=code,
            phase=phase,
            period_start=period,
            due_at=due_at,
            status=AdministrationStatus.DUE if answers is None else AdministrationStatus.COMPLETED,
        )
        administrations.append(administration)
        if answers is None:
            return
        instrument = instruments[code]
        result = score(instrument, answers).as_dict()
        flags = result["flags"]
        portal = participant.user is not None and instrument.text_shipped and rng.random() < 0.7
        entered_by = participant.user if portal else episode.primary_clinician
        assert entered_by is not None
        completed = when(period + timedelta(days=rng.randint(0, 2)))
        administration.status = AdministrationStatus.COMPLETED
        administration.closed_at = completed
        responses.append(
            Response(
                organization_id=program.organization_id,
                participant=participant,
                episode=episode,
                administration=administration,
                instrument_code=code,
                instrument_version=instrument.version,
                answers=answers,
                result=result,
                total=result["total"],
                severity=result["severity"] or "",
                flags=flags,
                critical=bool(_findings_for(instrument, flags)),
                critical_items=list(flags.get("critical_items") or []),
                risk_tier=flags.get("risk_tier") or "",
                entered_by=entered_by,
                mode=ResponseMode.PORTAL if portal else ResponseMode.IN_SESSION,
                completed_at=completed,
            )
        )

    for episode in episodes:
        started = episode.started_on
        if started is None or episode.primary_clinician is None:
            continue
        weeks = (today - started).days // 7 + 1
        is_portal = portal_user is not None and episode.participant.user_id == portal_user.pk
        roll = rng.random()
        kind = "improving" if roll < 0.65 else "flat"
        if not worse_given and weeks >= 4 and not is_portal:
            kind, worse_given = "worse", True
        phq9 = _trajectory(kind, rng.randint(11, 19) if kind != "worse" else 9, weeks, 24, rng)
        gad7 = _trajectory(kind, rng.randint(9, 16) if kind != "worse" else 7, weeks, 21, rng)

        for code in DEFAULT_BATTERIES[Phase.INTAKE]:
            instrument = instruments[code]
            if code == "PHQ-9":
                answers = _spread(instrument, phq9[0], rng)
                if not critical_given and not is_portal and kind != "worse":
                    answers[8] = 1  # one open critical finding for the care team to see
                    critical_given = True
            elif code == "GAD-7":
                answers = _spread(instrument, gad7[0], rng)
            elif code == "C-SSRS":
                answers = [0] * len(instrument.items)
            elif code == "PCL-5":
                answers = _spread(instrument, rng.randint(12, 40), rng)
            else:
                answers = _low(instrument, rng, 0.15)
            add(episode, code, Phase.INTAKE, started, answers)

        for week in range(2, weeks + 1):
            period = started + timedelta(weeks=week - 1)
            this_week = week == weeks
            for code, series in (("PHQ-9", phq9), ("GAD-7", gad7)):
                if is_portal and this_week:
                    add(episode, code, Phase.WEEKLY, period, None)  # due now in the portal
                elif this_week and rng.random() < 0.4:
                    add(episode, code, Phase.WEEKLY, period, None)  # not done yet this week
                elif not this_week and rng.random() < 0.06:
                    administrations.append(
                        Administration(
                            organization_id=program.organization_id,
                            participant=episode.participant,
                            episode=episode,
                            instrument_code=code,
                            phase=Phase.WEEKLY,
                            period_start=period,
                            due_at=datetime.combine(period, time(0, 0), tzinfo=tz),
                            status=AdministrationStatus.MISSED,
                            closed_at=datetime.combine(
                                period + timedelta(days=7), time(0, 0), tzinfo=tz
                            ),
                        )
                    )
                else:
                    add(
                        episode,
                        code,
                        Phase.WEEKLY,
                        period,
                        _spread(instruments[code], series[week - 1], rng),
                    )
        if is_portal and weeks < 2:
            add(episode, "PHQ-9", Phase.WEEKLY, today, None)

    Administration.objects.bulk_create(administrations)
    for response in responses:
        response.administration_id = response.administration.pk  # type: ignore[union-attr]
    Response.objects.bulk_create(responses)
    findings = []
    for response in responses:
        instrument = instruments[response.instrument_code]
        for finding_kind, detail in _findings_for(instrument, response.flags):
            findings.append(
                CriticalFinding(
                    organization_id=program.organization_id,
                    participant=response.participant,
                    response=response,
                    kind=finding_kind,
                    detail=detail,
                    created_at=response.completed_at,
                )
            )
    CriticalFinding.objects.bulk_create(findings)
    return len(responses)
