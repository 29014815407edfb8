"""Reads used by the intake views: the board, the level-of-care inputs, the intake battery."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet

from openiop.intake import levels
from openiop.intake.access import inquiries_for
from openiop.intake.models import (
    OUTCOME_STATUSES,
    Inquiry,
    InquiryStatus,
    IntakeAssessment,
    RuleSet,
)
from openiop.programs.models import Program, Track

# Finished columns show only their most recent cards; the count is always the full one.
OUTCOME_COLUMN_LIMIT = 10


@dataclass
class Column:
    status: str
    label: str
    count: int = 0
    cards: list[Inquiry] = field(default_factory=list)

    @property
    def truncated(self) -> bool:
        return self.count > len(self.cards)


def board_columns(user: Any, *, program_id: int | None = None) -> list[Column]:
    """One column per status, with counts; three queries whatever the number of inquiries."""
    qs: QuerySet[Inquiry] = inquiries_for(user)
    if program_id is not None:
        qs = qs.filter(program_id=program_id)
    counts = dict(qs.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    columns = {s: Column(status=s, label=str(label)) for s, label in InquiryStatus.choices}
    for status, n in counts.items():
        columns[status].count = n
    base = qs.select_related("program", "assigned_to")
    open_cards = base.exclude(status__in=OUTCOME_STATUSES).order_by(
        "follow_up_on", "received_at", "id"
    )
    for inquiry in open_cards:
        columns[inquiry.status].cards.append(inquiry)
    # The recent finished inquiries in one query: a window per status would not run on every
    # database we support, so take the newest few hundred and keep the first of each status.
    recent = base.filter(status__in=OUTCOME_STATUSES).order_by("-updated_at", "-id")[
        : OUTCOME_COLUMN_LIMIT * len(OUTCOME_STATUSES)
    ]
    for inquiry in recent:
        column = columns[inquiry.status]
        if len(column.cards) < OUTCOME_COLUMN_LIMIT:
            column.cards.append(inquiry)
    return list(columns.values())


def thresholds_for(program: Program) -> levels.Thresholds:
    ruleset = RuleSet.objects.filter(program=program).first()
    if ruleset is None:
        return levels.Thresholds()
    return levels.Thresholds(
        iop_min_hours=ruleset.iop_min_hours,
        php_min_hours=ruleset.php_min_hours,
        refer_up_cssrs_tiers=tuple(ruleset.refer_up_cssrs_tiers),
        residential_rating=ruleset.residential_rating,
        php_rating=ruleset.php_rating,
        php_dimension_count=ruleset.php_dimension_count,
        outpatient_max_rating=ruleset.outpatient_max_rating,
    )


def track_times(program: Program) -> list[levels.TrackTimes]:
    return [
        levels.TrackTimes(
            key=str(t.public_id),
            name=t.name,
            weekdays=tuple(t.weekdays),
            start=t.start_time,
            end=t.end_time,
        )
        for t in Track.objects.filter(program=program, is_active=True).order_by(
            "start_time", "name"
        )
    ]


def measured_cssrs_tier(user: Any, assessment: IntakeAssessment) -> str:
    """The latest final C-SSRS tier for this episode, when the measures app has one the user
    may see; empty otherwise (the assessor's entered tier is used)."""
    try:
        from openiop.measures.selectors import visible_responses
    except ImportError:  # measures not installed
        return ""
    response = (
        visible_responses(user, assessment.participant)
        .filter(status="final", episode_id=assessment.episode_id, instrument_code="C-SSRS")
        .order_by("-completed_at", "-id")
        .first()
    )
    return response.risk_tier if response is not None else ""


def loc_inputs(user: Any, assessment: IntakeAssessment) -> levels.Inputs:
    measured = measured_cssrs_tier(user, assessment)
    return levels.Inputs(
        dimensions=assessment.dimensions,
        cssrs_tier=measured or assessment.cssrs_tier,
        cssrs_source="scored C-SSRS" if measured else "entered",
        withdrawal_needs_medical=assessment.withdrawal_needs_medical,
        hours_needed=assessment.hours_needed,
        daily_medical_oversight=assessment.daily_medical_oversight,
        able_to_take_part=assessment.able_to_take_part,
        iop_signals=frozenset(assessment.iop_signals),
        unavailable=tuple(
            levels.Block(weekday=b.weekday, start=b.start_time, end=b.end_time)
            for b in assessment.unavailable.all()
        ),
    )


def inputs_json(inputs: levels.Inputs) -> dict[str, Any]:
    def plain(value: Any) -> Any:
        if isinstance(value, Decimal):
            return str(value)
        return value

    return {
        "dimensions": list(inputs.dimensions),
        "cssrs_tier": inputs.cssrs_tier,
        "cssrs_source": inputs.cssrs_source,
        "withdrawal_needs_medical": inputs.withdrawal_needs_medical,
        "hours_needed": plain(inputs.hours_needed),
        "daily_medical_oversight": inputs.daily_medical_oversight,
        "able_to_take_part": inputs.able_to_take_part,
        "iop_signals": sorted(inputs.iop_signals),
        "unavailable": [
            [b.weekday, b.start.isoformat("minutes"), b.end.isoformat("minutes")]
            for b in inputs.unavailable
        ],
    }


def recommendation_for(user: Any, assessment: IntakeAssessment) -> tuple[Any, levels.Inputs]:
    program = assessment.episode.program
    inputs = loc_inputs(user, assessment)
    return levels.recommend(inputs, thresholds_for(program), track_times(program)), inputs


@dataclass
class BatteryItem:
    code: str
    status: str
    label: str


def intake_battery(assessment: IntakeAssessment) -> list[BatteryItem] | None:
    """The episode's intake battery administrations, or None when the measures app has no
    administrations (the page then says nothing about a battery)."""
    try:
        from openiop.measures.models import Administration, Phase
    except ImportError:
        return None
    rows = Administration.objects.filter(
        episode_id=assessment.episode_id, phase=Phase.INTAKE
    ).order_by("due_at", "id")
    return [
        BatteryItem(code=a.instrument_code, status=a.status, label=a.get_status_display())
        for a in rows
    ]


def overdue(inquiry: Inquiry, today: date) -> bool:
    return inquiry.follow_up_on is not None and inquiry.follow_up_on < today
