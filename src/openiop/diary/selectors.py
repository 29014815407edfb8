"""Reads for the clinician's diary review and the chart's diary panel. Each runs a fixed number
of queries however many cards a participant has filed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from openiop.accounts.roles import Perm
from openiop.diary import hooks
from openiop.diary.models import (
    HIERARCHY_ORDER,
    DiaryCard,
    DiaryTarget,
    Hierarchy,
    Medication,
)
from openiop.participants.access import program_ids_for
from openiop.participants.models import Episode, Participant
from openiop.programs.models import SkillsModule

if TYPE_CHECKING:
    from openiop.accounts.models import User

TREND_WEEKS = 12
CHART_W, CHART_H, PAD = 560, 180, 32


def visible_episode_ids(user: User, participant: Participant) -> list[int]:
    """The participant's episodes in the user's programs; cards from a substance-use program
    are 42 CFR Part 2 records, shown only to users with SUD access."""
    episodes = Episode.objects.filter(participant=participant, program_id__in=program_ids_for(user))
    if not user.can(Perm.PARTICIPANT_SUD):
        episodes = episodes.filter(program__treats_sud=False)
    return list(episodes.values_list("pk", flat=True))


def week_start_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass
class GridRow:
    label: str
    cells: list[str]
    group: str
    alert_cells: list[bool] = field(default_factory=list)

    @property
    def pairs(self) -> list[tuple[str, bool]]:
        return list(zip(self.cells, self.alert_cells, strict=True))


@dataclass
class AgendaItem:
    hierarchy: str
    text: str
    # Names the item within its week, so a note can say it addressed it ("self_harm",
    # "alert:<uuid>", "measure:<uuid>", "target:<uuid>"...).
    key: str = ""

    @property
    def hierarchy_label(self) -> str:
        return str(Hierarchy(self.hierarchy).label)


@dataclass
class TrendSeries:
    name: str
    css: str
    points: str
    values: list[float | None]


@dataclass
class Review:
    week_start: date
    days: list[date]
    cards: dict[date, DiaryCard]
    rows: list[GridRow]
    missing: list[date]
    agenda: list[AgendaItem]
    trend: list[TrendSeries]
    trend_weeks: list[date]
    trend_labels: list[tuple[float, str]]
    notes: list[tuple[date, str]]
    total_cards: int


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    return str(value)


def _used(card: DiaryCard) -> str:
    if not card.action_substance:
        return "No"
    amount = f" ({card.substance_amount})" if card.substance_amount else ""
    return f"Yes: {card.substance_what}{amount}"


def _grid(
    days: list[date], cards: dict[date, DiaryCard], targets: list[DiaryTarget], emotions: list[str]
) -> list[GridRow]:
    def row(label: str, group: str, get: Any, flag: Any = None) -> GridRow:
        cells = [_fmt(get(cards[d])) if d in cards else "" for d in days]
        flags = [bool(flag(cards[d])) if (flag and d in cards) else False for d in days]
        return GridRow(label=label, cells=cells, group=group, alert_cells=flags)

    rows = [
        row("Urge: suicide", "Urges", lambda c: c.urge_suicide, lambda c: c.urge_suicide >= 4),
        row(
            "Urge: self-harm", "Urges", lambda c: c.urge_self_harm, lambda c: c.urge_self_harm >= 4
        ),
        row("Urge: use", "Urges", lambda c: c.urge_substance, lambda c: c.urge_substance >= 4),
    ]
    for t in targets:
        key = str(t.public_id)
        if t.rates_urge:
            rows.append(
                row(f"Urge: {t.name}", "Urges", lambda c, k=key: c.targets.get(k, {}).get("urge"))
            )
    rows += [
        row("Self-harm", "Actions", lambda c: c.action_self_harm, lambda c: c.action_self_harm),
        row("Used", "Actions", _used),
    ]
    for t in targets:
        key = str(t.public_id)
        if t.records_action:
            rows.append(row(t.name, "Actions", lambda c, k=key: c.targets.get(k, {}).get("action")))
    for name in emotions:
        rows.append(row(name.capitalize(), "Emotions", lambda c, n=name: c.emotions.get(n)))
    rows.append(row("Medication", "Medication", lambda c: c.get_medication_display()))
    for module in SkillsModule:
        rows.append(
            row(str(module.label), "Skills (0-7)", lambda c, m=module.value: c.skills.get(m))
        )
    rows.append(row("Filled late", "Card", lambda c: "Late" if c.filled_late else ""))
    return rows


def _trend(
    cards: list[DiaryCard], weeks: list[date]
) -> tuple[list[TrendSeries], list[tuple[float, str]]]:
    by_week: dict[date, list[DiaryCard]] = {w: [] for w in weeks}
    for card in cards:
        ws = week_start_of(card.day)
        if ws in by_week:
            by_week[ws].append(card)

    def mean(values: list[float]) -> float | None:
        return round(sum(values) / len(values), 2) if values else None

    def skills_mean(card: DiaryCard) -> float | None:
        vals = [v for v in card.skills.values() if isinstance(v, int)]
        return sum(vals) / len(vals) if vals else None

    series_defs = [
        ("Highest suicide or self-harm urge (weekly mean)", "trend-risk", lambda c: c.risk_urge, 5),
        ("Urge to use (weekly mean)", "trend-use", lambda c: c.urge_substance, 5),
        ("Skills used (weekly mean, 0-7)", "trend-skills", skills_mean, 7),
    ]
    step = (CHART_W - 2 * PAD) / max(len(weeks) - 1, 1)
    series = []
    for name, css, get, top in series_defs:
        values: list[float | None] = []
        points = []
        for i, w in enumerate(weeks):
            picked = [get(c) for c in by_week[w]]
            v = mean([float(p) for p in picked if p is not None])
            values.append(v)
            if v is not None:
                x = PAD + i * step
                # Every series drawn on a 0-5 scale's height: skills are scaled to it.
                y = CHART_H - PAD - (v / top) * (CHART_H - 2 * PAD)
                points.append(f"{x:.1f},{y:.1f}")
        series.append(TrendSeries(name=name, css=css, points=" ".join(points), values=values))
    labels = [(PAD + i * step, f"{w:%b} {w.day}") for i, w in enumerate(weeks) if i % 2 == 0]
    return series, labels


def diary_review(
    *,
    user: User,
    participant: Participant,
    week_start: date,
    today: date,
) -> Review:
    episode_ids = visible_episode_ids(user, participant)
    days = [week_start + timedelta(days=n) for n in range(7)]
    first_trend_week = week_start - timedelta(weeks=TREND_WEEKS - 1)
    cards_all = list(
        DiaryCard.objects.filter(
            episode_id__in=episode_ids, day__gte=first_trend_week, day__lte=days[-1]
        ).order_by("day")
    )
    cards = {c.day: c for c in cards_all if c.day >= week_start}
    episodes = list(
        Episode.objects.filter(pk__in=episode_ids).select_related("program").order_by("-inquiry_on")
    )
    program_ids = {e.program_id for e in episodes}
    targets = list(
        DiaryTarget.objects.filter(
            Q(participant__isnull=True) | Q(participant=participant), program_id__in=program_ids
        ).order_by("name", "id")
    )
    emotions: list[str] = []
    for card in cards.values():
        for name in card.emotions:
            if name not in emotions:
                emotions.append(name)
    if not emotions and episodes:
        from openiop.diary.services import emotions_for

        emotions = emotions_for(episodes[0].program)
    started = min((e.started_on for e in episodes if e.started_on), default=None)
    missing = [
        d for d in days if d not in cards and d <= today and (started is None or d >= started)
    ]
    weeks = [first_trend_week + timedelta(weeks=n) for n in range(TREND_WEEKS)]
    trend, labels = _trend(cards_all, weeks)
    agenda = _agenda(
        participant=participant,
        episode_ids=episode_ids,
        cards=cards,
        targets=targets,
        missing=missing,
        days=days,
        user=user,
    )
    return Review(
        week_start=week_start,
        days=days,
        cards=cards,
        rows=_grid(days, cards, targets, emotions),
        missing=missing,
        agenda=agenda,
        trend=trend,
        trend_weeks=weeks,
        trend_labels=labels,
        notes=[(d, cards[d].note) for d in days if d in cards and cards[d].note],
        total_cards=len(cards_all),
    )


def _agenda(
    *,
    participant: Participant,
    episode_ids: list[int],
    cards: dict[date, DiaryCard],
    targets: list[DiaryTarget],
    missing: list[date],
    days: list[date],
    user: User,
) -> list[AgendaItem]:
    """The week's session agenda in DBT target order: life-threatening, therapy-interfering,
    quality-of-life."""
    items: list[AgendaItem] = []
    life, therapy, quality = (
        Hierarchy.LIFE_THREATENING,
        Hierarchy.THERAPY_INTERFERING,
        Hierarchy.QUALITY_OF_LIFE,
    )
    week = list(cards.values())

    def day_list(selected: list[DiaryCard]) -> str:
        return ", ".join(f"{c.day:%a}" for c in selected)

    self_harm = [c for c in week if c.action_self_harm]
    if self_harm:
        items.append(
            AgendaItem(
                life,
                f"Self-harm reported ({day_list(self_harm)}): chain analysis.",
                "self_harm",
            )
        )
    high = [c for c in week if c.risk_urge >= 3]
    if high:
        peak = max(c.risk_urge for c in high)
        items.append(
            AgendaItem(
                life,
                f"Suicide or self-harm urges at 3 or more ({day_list(high)}), peak {peak}/5.",
                "risk_urges",
            )
        )
    # The week's risk alerts (safety/panels.py).
    for found in hooks.week_agenda.fire(participant, episode_ids, days[0], days[-1]):
        items.extend(found)
    items += _measure_items(user, participant, episode_ids, days)
    if missing:
        items.append(
            AgendaItem(
                therapy,
                f"Diary card missing {len(missing)} day(s): "
                + ", ".join(f"{d:%a}" for d in missing)
                + ".",
                "missing",
            )
        )
    late = [c for c in week if c.filled_late]
    if late:
        items.append(AgendaItem(therapy, f"Cards filled in late ({day_list(late)}).", "late"))
    items += _attendance_items(participant, episode_ids, days)
    used = [c for c in week if c.action_substance]
    if used:
        items.append(
            AgendaItem(quality, f"Substance use reported ({day_list(used)}).", "substance_use")
        )
    urges = [c for c in week if c.urge_substance >= 3]
    if urges:
        items.append(
            AgendaItem(quality, f"Urges to use at 3 or more ({day_list(urges)}).", "use_urges")
        )
    meds = [c for c in week if c.medication in (Medication.PARTLY, Medication.NOT_TAKEN)]
    if meds:
        items.append(
            AgendaItem(
                quality, f"Medication missed or partly taken ({day_list(meds)}).", "medication"
            )
        )
    for target in targets:
        key = str(target.public_id)
        hit = [
            c
            for c in week
            if c.targets.get(key, {}).get("action")
            or (c.targets.get(key, {}).get("urge") or 0) >= 3
        ]
        if hit:
            items.append(
                AgendaItem(target.hierarchy, f"{target.name} ({day_list(hit)}).", f"target:{key}")
            )
    strong = sorted(
        {name for c in week for name, v in c.emotions.items() if name != "joy" and v >= 4}
    )
    if strong:
        items.append(
            AgendaItem(quality, f"Strong emotions this week: {', '.join(strong)}.", "emotions")
        )
    return sorted(items, key=lambda i: HIERARCHY_ORDER[Hierarchy(i.hierarchy)])


def _measure_items(
    user: User, participant: Participant, episode_ids: list[int], days: list[date]
) -> list[AgendaItem]:
    try:
        from openiop.measures.models import Response, ResponseStatus
    except ImportError:  # pragma: no cover - measures is installed in this project
        return []
    responses = Response.objects.filter(
        participant=participant,
        episode_id__in=episode_ids,
        status=ResponseStatus.FINAL,
        completed_at__date__gte=days[0] - timedelta(days=1),
        completed_at__date__lte=days[-1] + timedelta(days=1),
    ).order_by("completed_at")
    items = []
    for r in responses:
        level = Hierarchy.LIFE_THREATENING if r.critical else Hierarchy.QUALITY_OF_LIFE
        score = f" {r.total:g}" if r.total is not None else ""
        severity = f" ({r.severity})" if r.severity else ""
        flag = ": critical answer" if r.critical else ""
        items.append(
            AgendaItem(
                level, f"{r.instrument_code}{score}{severity}{flag}.", f"measure:{r.public_id}"
            )
        )
    return items


def _attendance_items(
    participant: Participant, episode_ids: list[int], days: list[date]
) -> list[AgendaItem]:
    try:
        from openiop.scheduling.models import Attendance, AttendanceStatus
    except ImportError:  # pragma: no cover
        return []
    rows = list(
        Attendance.objects.filter(
            participant=participant,
            episode_id__in=episode_ids,
            session__starts_at__date__gte=days[0],
            session__starts_at__date__lte=days[-1],
            status__in=[
                AttendanceStatus.ABSENT_UNEXCUSED,
                AttendanceStatus.ABSENT_EXCUSED,
                AttendanceStatus.LATE,
                AttendanceStatus.LEFT_EARLY,
            ],
        ).values_list("status", flat=True)
    )
    if not rows:
        return []
    counts = {s: rows.count(s) for s in set(rows)}
    text = ", ".join(f"{AttendanceStatus(s).label.lower()} x{n}" for s, n in sorted(counts.items()))
    return [
        AgendaItem(Hierarchy.THERAPY_INTERFERING, f"Attendance this week: {text}.", "attendance")
    ]


@dataclass
class ChartPanel:
    filed_last_7: int
    last_day: date | None


def _chart_scope(user: User, participant: Participant) -> Q:
    scope = Q(episode__participant=participant, episode__program_id__in=program_ids_for(user))
    if not user.can(Perm.PARTICIPANT_SUD):
        scope &= Q(episode__program__treats_sud=False)
    return scope


@dataclass
class UrgeTrend:
    """The day's highest urge (0-5, any of the card's three) on the cards of the last two
    weeks, oldest first, and the highest of each week."""

    days: list[tuple[date, int]]
    this_week: int | None
    last_week: int | None


def urge_trend(user: User, participant: Participant, today: date) -> UrgeTrend | None:
    """For the chart's summary band: one query; None without a card in two weeks."""
    rows = list(
        DiaryCard.objects.filter(
            _chart_scope(user, participant), day__gt=today - timedelta(days=14), day__lte=today
        )
        .order_by("day", "id")
        .values_list("day", "urge_suicide", "urge_self_harm", "urge_substance")
    )
    if not rows:
        return None
    days = [(day, max(a, b, c)) for day, a, b, c in rows]
    recent = [u for day, u in days if day > today - timedelta(days=7)]
    earlier = [u for day, u in days if day <= today - timedelta(days=7)]
    return UrgeTrend(
        days=days,
        this_week=max(recent) if recent else None,
        last_week=max(earlier) if earlier else None,
    )


def diary_chart_panel(user: User, participant: Participant, today: date) -> ChartPanel:
    """The chart's diary panel: one query (the episode scope is a join). Its open alerts come
    from safety (`safety.selectors.chart_open_alerts`)."""
    scope = _chart_scope(user, participant)
    days = list(
        DiaryCard.objects.filter(scope, day__gte=today - timedelta(days=30))
        .order_by("-day")
        .values_list("day", flat=True)
    )
    return ChartPanel(
        filed_last_7=sum(1 for d in days if d > today - timedelta(days=7)),
        last_day=days[0] if days else None,
    )
