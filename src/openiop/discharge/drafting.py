"""What a discharge summary is drafted from: a `facts` snapshot of the record (dates,
attendance and hours, curriculum, scores with their outcome class, plan goals, risk events,
relapse prevention and crisis plans) and the prefilled text of each record section.

Reads only; a fixed number of queries however long the episode. The text is plain: one fact
per line, in neutral words, for the clinician to edit before signing.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta
from typing import Any

from openiop.care.models import (
    GoalStatus,
    PlanGoal,
    PlanStatus,
    RelapsePlanStatus,
    RelapsePreventionPlan,
    TreatmentPlan,
)
from openiop.lib.timezones import today_in
from openiop.measures.definitions import UnknownInstrument, get_instrument
from openiop.measures.models import CriticalFinding, Phase, Response, ResponseStatus
from openiop.measures.progress import Outcome, outcome, rule_from_definition
from openiop.participants.models import Episode
from openiop.safety.models import Alert, SafetyPlanVersion
from openiop.safety.models import PlanStatus as SafetyPlanStatus
from openiop.safety.plans import CRISIS_LINE
from openiop.scheduling.curriculum import curriculum_record
from openiop.scheduling.hours import participants_weeks, week_bounds, week_start_of
from openiop.scheduling.models import ATTENDED_STATUSES, Attendance, RosterEntry, SessionStatus


def _day(day: date | None) -> str:
    return f"{day:%b} {day.day}, {day.year}" if day else "not recorded"


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _weeks_between(start: date | None, end: date | None) -> float | None:
    if start is None or end is None:
        return None
    return round(((end - start).days + 1) / 7, 1)


def planned_end(episode: Episode) -> date | None:
    """The agreed end: planned_end_on, or the planned weeks counted from the first day."""
    if episode.planned_end_on is not None:
        return episode.planned_end_on
    first = episode.started_on or episode.admitted_on
    weeks = episode.planned_weeks or episode.program.planned_weeks
    if first is None or not weeks:
        return None
    return first + timedelta(weeks=weeks) - timedelta(days=1)


# --- facts ---------------------------------------------------------------------------------


def _dates(episode: Episode, end: date) -> dict[str, Any]:
    first = episode.started_on or episode.admitted_on
    planned = planned_end(episode)
    return {
        "admitted_on": _iso(episode.admitted_on),
        "started_on": _iso(episode.started_on),
        "discharged_on": _iso(episode.discharged_on),
        "planned_end_on": _iso(planned),
        "planned_weeks": _weeks_between(first, planned),
        "actual_weeks": _weeks_between(first, end) if first else None,
        "discharge_kind": episode.get_discharge_kind_display() if episode.discharge_kind else "",
        "discharge_reason": episode.discharge_reason,
    }


def _attendance(episode: Episode, end: date) -> dict[str, Any]:
    program = episode.program
    first = episode.started_on or episode.admitted_on
    if first is None:
        return {"scheduled": 0, "attended": 0, "hours": 0.0, "weeks": 0, "weeks_at_minimum": 0}
    _, until = week_bounds(week_start_of(end), program.time_zone)
    start, _ = week_bounds(week_start_of(first), program.time_zone)
    scheduled = (
        RosterEntry.objects.filter(
            episode=episode, session__starts_at__gte=start, session__starts_at__lt=until
        )
        .exclude(session__status=SessionStatus.CANCELLED)
        .count()
    )
    attended = Attendance.objects.filter(
        episode=episode, status__in=list(ATTENDED_STATUSES)
    ).count()
    week_starts: list[date] = []
    week = week_start_of(first)
    while week <= end:
        week_starts.append(week)
        week += timedelta(weeks=1)
    weeks = participants_weeks(
        program=program, participant_ids=[episode.participant_id], week_starts=week_starts
    )
    minutes = sum(w.attended_minutes for w in weeks.values())
    at_minimum = sum(1 for w in weeks.values() if not w.below_minimum)
    return {
        "scheduled": scheduled,
        "attended": attended,
        "hours": round(minutes / 60, 1),
        "weeks": len(week_starts),
        "weeks_at_minimum": at_minimum,
        "weekly_minimum": str(program.weekly_hours_min),
    }


def _curriculum(episode: Episode, end: date) -> dict[str, Any]:
    record = curriculum_record(episode, today=end)
    if record is None:
        return {"configured": False}
    modules = Counter(mark.module_label for mark in record.attended)
    return {
        "configured": True,
        "lessons_attended": len(record.attended),
        "cycle_lessons": record.cycle_lessons,
        "attended_in_cycle": record.attended_in_cycle,
        "modules": dict(sorted(modules.items())),
        "still_needed": len(record.still_needed),
    }


def _scores(episode: Episode) -> list[dict[str, Any]]:
    responses = list(
        Response.objects.filter(episode=episode, status=ResponseStatus.FINAL)
        .select_related("administration")
        .only(
            "instrument_code",
            "total",
            "severity",
            "completed_at",
            "administration__phase",
        )
        .order_by("completed_at", "id")
    )
    by_code: dict[str, list[Response]] = defaultdict(list)
    for response in responses:
        if response.total is not None:
            by_code[response.instrument_code].append(response)
    rows = []
    for code in sorted(by_code):
        series = by_code[code]
        try:
            instrument = get_instrument(code)
        except UnknownInstrument:
            continue
        intake = series[0]
        at_discharge = next(
            (
                r
                for r in reversed(series)
                if r.administration is not None and r.administration.phase == Phase.DISCHARGE
            ),
            series[-1] if len(series) > 1 else None,
        )
        result: Outcome | None = None
        if at_discharge is not None and intake.total is not None and at_discharge.total is not None:
            result = outcome(intake.total, at_discharge.total, rule_from_definition(instrument))
        rows.append(
            {
                "code": code,
                "intake": intake.total,
                "intake_severity": intake.severity,
                "intake_on": intake.completed_at.date().isoformat(),
                "discharge": at_discharge.total if at_discharge else None,
                "discharge_severity": at_discharge.severity if at_discharge else "",
                "discharge_on": at_discharge.completed_at.date().isoformat()
                if at_discharge
                else None,
                "outcome": result.value if result else None,
                "outcome_label": result.label if result else "",
                "count": len(series),
            }
        )
    return rows


def _goals(episode: Episode) -> dict[str, Any]:
    plan = (
        TreatmentPlan.objects.filter(episode=episode, status=PlanStatus.CURRENT).first()
        or TreatmentPlan.objects.filter(episode=episode, status=PlanStatus.SUPERSEDED)
        .order_by("-version")
        .first()
    )
    if plan is None:
        return {"plan_version": None, "goals": []}
    goals = PlanGoal.objects.filter(problem__plan=plan).order_by(
        "problem__position", "problem_id", "position", "id"
    )
    return {
        "plan_version": plan.version,
        "goals": [
            {"description": g.description, "status": g.status, "label": g.get_status_display()}
            for g in goals
        ],
    }


def _risk(episode: Episode) -> dict[str, Any]:
    alerts = list(
        Alert.objects.filter(episode=episode)
        .select_related("rule")
        .only("severity", "status", "rule__kind")
    )
    findings = list(
        CriticalFinding.objects.filter(response__episode=episode).only("kind", "status")
    )
    by_kind = Counter(a.rule.get_kind_display() for a in alerts)
    by_severity = Counter(a.get_severity_display() for a in alerts)
    unresolved = sum(1 for a in alerts if a.is_unresolved)
    return {
        "alerts": len(alerts),
        "alerts_by_kind": dict(sorted(by_kind.items())),
        "alerts_by_severity": dict(sorted(by_severity.items())),
        "alerts_unresolved": unresolved,
        "critical_findings": len(findings),
        "findings_by_kind": dict(sorted(Counter(f.get_kind_display() for f in findings).items())),
    }


def _relapse_plan(episode: Episode) -> dict[str, Any]:
    plan = RelapsePreventionPlan.objects.filter(
        episode=episode, status=RelapsePlanStatus.CURRENT
    ).first()
    if plan is None:
        return {"version": None}
    return {
        "version": plan.version,
        "agreed_on": plan.agreed_at.date().isoformat() if plan.agreed_at else None,
        "reviewed_before_discharge": plan.discharge_reviewed_at is not None,
        "reviewed_on": plan.discharge_reviewed_at.date().isoformat()
        if plan.discharge_reviewed_at
        else None,
    }


def _crisis_plan(episode: Episode) -> dict[str, Any]:
    plan = (
        SafetyPlanVersion.objects.filter(
            participant_id=episode.participant_id,
            program_id=episode.program_id,
            status=SafetyPlanStatus.SIGNED,
        )
        .only("version", "signed_at")
        .first()
    )
    return {
        "version": plan.version if plan else None,
        "signed_on": plan.signed_at.date().isoformat() if plan and plan.signed_at else None,
        "program_phone": episode.program.phone,
    }


def record_facts(episode: Episode, *, aftercare: dict[str, str] | None = None) -> dict[str, Any]:
    """The snapshot a summary is drafted from. `end` is the discharge day (or today's date for
    an episode not yet discharged)."""
    end = episode.discharged_on or today_in(episode.program.time_zone)
    return {
        "program": episode.program.name,
        "treats_sud": episode.program.treats_sud,
        "dates": _dates(episode, end),
        "attendance": _attendance(episode, end),
        "curriculum": _curriculum(episode, end),
        "scores": _scores(episode),
        "goals": _goals(episode),
        "risk": _risk(episode),
        "relapse_plan": _relapse_plan(episode),
        "crisis_plan": _crisis_plan(episode),
        "aftercare": dict(aftercare or {}),
    }


# --- text ----------------------------------------------------------------------------------


def _date_of(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def text_dates(facts: dict[str, Any]) -> str:
    d = facts["dates"]
    lines = [
        f"Admitted: {_day(_date_of(d['admitted_on']))}",
        f"First day in program: {_day(_date_of(d['started_on']))}",
        f"Discharged: {_day(_date_of(d['discharged_on']))}",
    ]
    if d.get("discharge_kind"):
        lines.append(f"Discharge: {d['discharge_kind']}")
    if d.get("discharge_reason"):
        lines.append(f"Reason: {d['discharge_reason']}")
    planned, actual = d.get("planned_weeks"), d.get("actual_weeks")
    if planned is not None or actual is not None:
        lines.append(
            f"Length: {_fmt(actual)} weeks in program (planned {_fmt(planned)} weeks"
            + (f", to {_day(_date_of(d['planned_end_on']))})" if d.get("planned_end_on") else ")")
        )
    return "\n".join(lines)


def text_attendance(facts: dict[str, Any]) -> str:
    a = facts["attendance"]
    if not a.get("scheduled") and not a.get("attended"):
        return "No sessions were scheduled in this episode."
    rate = round(100 * a["attended"] / a["scheduled"]) if a["scheduled"] else 0
    return "\n".join(
        [
            f"Sessions attended: {a['attended']} of {a['scheduled']} scheduled ({rate}%)",
            f"Total hours attended: {_fmt(a['hours'])}",
            f"Weeks meeting the weekly minimum of {a.get('weekly_minimum', '?')} hours: "
            f"{a['weeks_at_minimum']} of {a['weeks']}",
        ]
    )


def text_curriculum(facts: dict[str, Any]) -> str:
    c = facts["curriculum"]
    if not c.get("configured"):
        return "The program has no skills curriculum configured."
    lines = [
        f"Lessons attended: {c['lessons_attended']}; "
        f"{c['attended_in_cycle']} of {c['cycle_lessons']} lessons of the full cycle"
    ]
    for module, count in c["modules"].items():
        lines.append(f"- {module}: {count} lesson{'s' if count != 1 else ''}")
    if c["still_needed"]:
        lines.append(f"Not yet attended for a full cycle: {c['still_needed']} lessons")
    return "\n".join(lines)


def text_scores(facts: dict[str, Any]) -> str:
    rows = facts["scores"]
    if not rows:
        return "No questionnaire scores were recorded in this episode."
    lines = []
    for r in rows:
        intake = f"{_fmt(r['intake'])}" + (
            f" ({r['intake_severity']})" if r["intake_severity"] else ""
        )
        if r["discharge"] is None:
            lines.append(f"{r['code']}: intake {intake}; no later score")
            continue
        end = f"{_fmt(r['discharge'])}" + (
            f" ({r['discharge_severity']})" if r["discharge_severity"] else ""
        )
        label = r["outcome_label"] or "no reliable-change rule"
        lines.append(f"{r['code']}: intake {intake}, discharge {end}: {label}")
    return "\n".join(lines)


def text_goals(facts: dict[str, Any]) -> str:
    g = facts["goals"]
    if g["plan_version"] is None:
        return "No signed treatment plan in this episode."
    if not g["goals"]:
        return f"Treatment plan version {g['plan_version']} has no goals recorded."
    met = sum(1 for goal in g["goals"] if goal["status"] == GoalStatus.MET)
    lines = [f"Treatment plan version {g['plan_version']}: {met} of {len(g['goals'])} goals met"]
    lines += [f"- {goal['description']}: {goal['label']}" for goal in g["goals"]]
    return "\n".join(lines)


def text_risk(facts: dict[str, Any]) -> str:
    r = facts["risk"]
    if not r["alerts"] and not r["critical_findings"]:
        return "No safety alerts or critical questionnaire answers during the episode."
    lines = [f"Safety alerts: {r['alerts']}"]
    lines += [f"- {kind}: {count}" for kind, count in r["alerts_by_kind"].items()]
    if r["alerts_unresolved"]:
        lines.append(f"Still open at discharge: {r['alerts_unresolved']}")
    lines.append(f"Critical questionnaire answers: {r['critical_findings']}")
    lines += [f"- {kind}: {count}" for kind, count in r["findings_by_kind"].items()]
    return "\n".join(lines)


def text_relapse(facts: dict[str, Any]) -> str:
    p = facts["relapse_plan"]
    if p.get("version") is None:
        return "No current relapse prevention plan in this episode."
    reviewed = (
        f"reviewed with the participant before discharge on {_day(_date_of(p['reviewed_on']))}"
        if p.get("reviewed_before_discharge")
        else "not reviewed before discharge"
    )
    return f"Relapse prevention plan version {p['version']}: {reviewed}."


def text_crisis(facts: dict[str, Any]) -> str:
    c = facts["crisis_plan"]
    lines = []
    if c.get("version") is not None:
        lines.append(
            f"Signed safety plan version {c['version']} "
            f"(signed {_day(_date_of(c['signed_on']))}); the participant keeps it in the portal."
        )
    else:
        lines.append("No signed safety plan on record.")
    lines.append(CRISIS_LINE)
    if c.get("program_phone"):
        lines.append(f"Program phone: {c['program_phone']}")
    return "\n".join(lines)


def text_referrals(facts: dict[str, Any]) -> str:
    a = facts.get("aftercare") or {}
    parts = [p for p in (a.get("destination"), a.get("provider")) if p]
    return ": ".join(parts)


RECORD_TEXT = {
    "dates": text_dates,
    "attendance": text_attendance,
    "curriculum": text_curriculum,
    "scores": text_scores,
    "goals": text_goals,
    "risk_events": text_risk,
    "relapse_prevention": text_relapse,
    "crisis_plan": text_crisis,
}


def prefilled_sections(facts: dict[str, Any]) -> dict[str, str]:
    sections = {name: render(facts) for name, render in RECORD_TEXT.items()}
    aftercare = facts.get("aftercare") or {}
    sections["referrals"] = text_referrals(facts)
    sections["appointments"] = aftercare.get("appointments", "")
    sections["medication_followup"] = aftercare.get("medication_followup", "")
    return sections


def goals_met(facts: dict[str, Any]) -> tuple[int, int]:
    goals = facts.get("goals", {}).get("goals", [])
    return sum(1 for g in goals if g["status"] == GoalStatus.MET), len(goals)
