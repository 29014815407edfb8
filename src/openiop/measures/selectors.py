"""Reads for measures: the chart's progress section, the care team's outstanding check-ins and
the participant's own check-ins. Each runs a fixed number of queries, however long the history."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from openiop.accounts.roles import Perm
from openiop.lib.sparkline import sparkline_svg
from openiop.measures.definitions import Instrument, UnknownInstrument, get_instrument
from openiop.measures.models import (
    Administration,
    AdministrationStatus,
    CriticalFinding,
    FindingStatus,
    Response,
    ResponseStatus,
)
from openiop.measures.progress import (
    Band,
    ChartGeometry,
    Outcome,
    Point,
    chart_geometry,
    outcome,
    rule_from_definition,
)
from openiop.participants.access import program_ids_for
from openiop.participants.models import OPEN_STATUSES, Participant

if TYPE_CHECKING:
    from openiop.accounts.models import User

# A due check-in this old is shown to the care team as overdue.
OVERDUE_AFTER = timedelta(days=2)
# Missed check-ins older than this drop off the chart's list (they stay in the record).
MISSED_SHOWN_FOR = timedelta(days=42)
RECENT_RESPONSES = 12


def _instrument(code: str, version: str | None = None) -> Instrument | None:
    try:
        return get_instrument(code, version)
    except UnknownInstrument:
        return None


def visible_responses(user: User, participant: Participant) -> QuerySet[Response]:
    """Responses of the participant's episodes in the user's programs. Scores given in a
    substance-use program are 42 CFR Part 2 records: only users with SUD access see them."""
    responses = Response.objects.filter(
        participant=participant, episode__program_id__in=program_ids_for(user)
    )
    if not user.can(Perm.PARTICIPANT_SUD):
        responses = responses.exclude(episode__program__treats_sud=True)
    return responses


def response_for(user: User, participant: Participant, public_id: UUID) -> Response:
    try:
        return (
            visible_responses(user, participant)
            .select_related("episode__program", "entered_by", "corrects", "error_marked_by")
            .get(public_id=public_id)
        )
    except Response.DoesNotExist:
        raise Http404("No such response.") from None


@dataclass
class Series:
    instrument: Instrument
    points: list[Response]
    baseline: Response
    latest: Response
    change: float | None
    outcome: Outcome | None
    geometry: ChartGeometry | None
    rule_note: str

    @property
    def spark(self) -> str:
        """A sparkline of the totals (empty for a single administration: shown as a value)."""
        totals = [r.total for r in self.points if r.total is not None]
        low, high = self.instrument.score_range or (0.0, max(totals or [1.0]))
        words = ", ".join(f"{t:g}" for t in totals)
        return sparkline_svg(
            totals, low=float(low), high=float(high), label=f"{self.code} totals: {words}"
        )

    @property
    def code(self) -> str:
        return self.instrument.code


@dataclass
class ChartMeasures:
    series: list[Series] = field(default_factory=list)
    triage: list[Response] = field(default_factory=list)  # C-SSRS and others without a total
    recent: list[Response] = field(default_factory=list)
    findings: list[CriticalFinding] = field(default_factory=list)
    outstanding: list[dict[str, Any]] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)


def _series(instrument: Instrument, responses: list[Response]) -> Series:
    baseline, latest = responses[0], responses[-1]
    rule = rule_from_definition(instrument)
    change = None
    result = None
    if baseline.total is not None and latest.total is not None:
        change = round(latest.total - baseline.total, 2)
        if len(responses) > 1:
            result = outcome(baseline.total, latest.total, rule)
    low, high = instrument.score_range or (0.0, max(r.total or 0 for r in responses))
    geometry = chart_geometry(
        [
            Point(at=r.completed_at, value=r.total, label=r.severity, public_id=str(r.public_id))
            for r in responses
            if r.total is not None
        ],
        bands=[Band(low=b.min, high=b.max, label=b.label) for b in instrument.bands],
        low=float(low),
        high=float(high),
    )
    if rule.points is not None:
        note = f"Reliable change: {rule.points:g} points (published threshold)"
        if rule.cutoff is not None:
            note += f"; recovery crosses {rule.cutoff:g}"
    elif rule.configured:
        note = f"Reliable change by RCI (r = {rule.reliability:g}, SD = {rule.sd:g})"
    elif instrument.rc_note:
        note = instrument.rc_note.rstrip(".")
    else:
        note = (
            "No published reliable-change value for this instrument: "
            "a change is shown but not classed"
        )
    return Series(
        instrument=instrument,
        points=responses,
        baseline=baseline,
        latest=latest,
        change=change,
        outcome=result,
        geometry=geometry,
        rule_note=note,
    )


def _final_responses(user: User, participant: Participant) -> list[Response]:
    return list(
        visible_responses(user, participant)
        .filter(status=ResponseStatus.FINAL)
        .only(
            "public_id",
            "instrument_code",
            "instrument_version",
            "total",
            "severity",
            "critical",
            "risk_tier",
            "completed_at",
            "mode",
            "corrects_id",
        )
        .order_by("completed_at", "id")
    )


def summary_series(user: User, participant: Participant) -> list[Series]:
    """Each scored instrument's series (baseline, latest, change, class) for the chart's
    summary band: one query, no critical findings or check-ins."""
    by_code: dict[str, list[Response]] = defaultdict(list)
    for response in _final_responses(user, participant):
        if response.total is not None:
            by_code[response.instrument_code].append(response)
    series = []
    for code in sorted(by_code):
        instrument = _instrument(code)
        if instrument is not None and instrument.method != "triage":
            series.append(_series(instrument, by_code[code]))
    return series


def chart_measures(
    user: User, participant: Participant, *, now: datetime | None = None
) -> ChartMeasures:
    """Everything the chart's Measures section shows, in three queries."""
    now = now or timezone.now()
    result = ChartMeasures()
    finals = _final_responses(user, participant)
    by_code: dict[str, list[Response]] = defaultdict(list)
    for response in finals:
        by_code[response.instrument_code].append(response)
    for code in sorted(by_code):
        instrument = _instrument(code)
        responses = by_code[code]
        if instrument is None:
            continue
        if instrument.method == "triage" or all(r.total is None for r in responses):
            result.triage.extend(responses)
        else:
            result.series.append(_series(instrument, responses))
    result.triage.sort(key=lambda r: r.completed_at, reverse=True)
    result.recent = sorted(finals, key=lambda r: r.completed_at, reverse=True)[:RECENT_RESPONSES]
    result.codes = sorted(by_code)

    findings = CriticalFinding.objects.filter(
        participant=participant,
        status=FindingStatus.OPEN,
        response__episode__program_id__in=program_ids_for(user),
    ).select_related("response")
    if not user.can(Perm.PARTICIPANT_SUD):
        findings = findings.exclude(response__episode__program__treats_sud=True)
    result.findings = list(findings.order_by("-created_at")[:20])

    outstanding = Administration.objects.filter(
        participant=participant,
        episode__program_id__in=program_ids_for(user),
        status__in=[AdministrationStatus.DUE, AdministrationStatus.MISSED],
        due_at__gte=now - MISSED_SHOWN_FOR,
    )
    if not user.can(Perm.PARTICIPANT_SUD):
        outstanding = outstanding.exclude(episode__program__treats_sud=True)
    for administration in outstanding.order_by("-due_at")[:30]:
        overdue = (
            administration.status == AdministrationStatus.DUE
            and administration.due_at < now - OVERDUE_AFTER
        )
        result.outstanding.append(
            {
                "administration": administration,
                "state": "missed"
                if administration.status == AdministrationStatus.MISSED
                else ("overdue" if overdue else "due"),
            }
        )
    return result


# --- the participant's own check-ins ----------------------------------------------------------

# What each check-in asks, in the participant's words (the code is shown small beside it).
PLAIN_NAMES = {
    "PHQ-9": "Mood check-in",
    "GAD-7": "Worry and anxiety check-in",
    "WHO-5": "Well-being check-in",
    "K10": "Stress and distress check-in",
    "DASS-21": "Mood, worry and stress check-in",
    "PCL-5": "Check-in about a stressful experience",
    "AUDIT-C": "Alcohol check-in",
    "DAST-10": "Drug use check-in",
    "BSL-23": "How you have been feeling check-in",
    "DERS-16": "Handling emotions check-in",
    "C-SSRS": "Safety check-in",
}


def plain_name(code: str) -> str:
    """The name a participant sees for a check-in: what it asks about, not its code."""
    return PLAIN_NAMES.get(code, "Check-in")


def portal_checkins(participant: Participant) -> list[tuple[Administration, Instrument]]:
    """Check-ins the participant can complete in the portal now: due, in an open episode, and
    for an instrument whose text we ship (the others are entered by the clinician)."""
    due = (
        Administration.objects.filter(
            participant=participant,
            status=AdministrationStatus.DUE,
            episode__status__in=OPEN_STATUSES,
        )
        .select_related("draft")
        .order_by("due_at", "id")
    )
    rows = []
    for administration in due:
        instrument = _instrument(administration.instrument_code)
        if instrument is not None and instrument.text_shipped:
            rows.append((administration, instrument))
    return rows


def portal_administration(participant: Participant, public_id: UUID) -> Administration:
    """One of the participant's own check-ins; anyone else's is a 404."""
    try:
        return Administration.objects.select_related("episode__program").get(
            participant=participant, public_id=public_id
        )
    except Administration.DoesNotExist:
        raise Http404("No such check-in.") from None


def portal_response(participant: Participant, administration: Administration) -> Response | None:
    return (
        Response.objects.filter(
            participant=participant,
            administration=administration,
            status=ResponseStatus.FINAL,
        )
        .order_by("-completed_at")
        .first()
    )
