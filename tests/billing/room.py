"""Builders for the billing room's database tests: a payer with a configured day rule, the
world's participant covered by it, an authorization, and attended sessions with notes."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from openiop.accounts.models import User
from openiop.billing.models import Authorization, Coverage, CoverageRank, Payer, PayerRule
from openiop.billing.payers import TREATMENT_CATEGORIES, ProgramKind
from openiop.lib.timezones import today_in
from openiop.notes.models import ClinicalNote, NoteStatus
from openiop.participants.models import Episode
from openiop.programs.models import SessionCategory
from openiop.scheduling.models import Attendance, AttendanceStatus, Session
from tests.scheduling.attendance_support import CHICAGO, local, make_session, session_type


def make_payer(org: object, *, name: str = "Example Health Plan", **rule: object) -> Payer:
    payer = Payer.objects.create(
        organization=org,
        name=name,
        payer_id="EXHP1",
        review_cadence_days=7,
        days_left_threshold=3,
        review_due_within_days=2,
    )
    values: dict[str, object] = {
        "program_kind": ProgramKind.PSYCHIATRIC.value,
        "revenue_code": "0905",
        "hcpcs": "S9480",
        "counted_categories": sorted(TREATMENT_CATEGORIES),
        "min_hours_per_day": Decimal("3"),
        "min_days_per_week": None,
        "note_requirement": "day",
        "units_per_day": 1,
        "requires_authorization": True,
        "charge_per_unit": Decimal("350.00"),
    }
    values.update(rule)
    PayerRule.objects.create(organization=org, payer=payer, **values)
    return payer


def cover(episode: Episode, payer: Payer, recorded_by: User, *, since: date) -> Coverage:
    return Coverage.objects.create(
        organization=episode.organization,
        participant=episode.participant,
        payer=payer,
        rank=CoverageRank.PRIMARY,
        member_id="M123456789",
        effective_from=since,
        recorded_by=recorded_by,
    )


def authorize(
    episode: Episode, payer: Payer, recorded_by: User, *, start: date, units: int, days: int = 30
) -> Authorization:
    return Authorization.objects.create(
        organization=episode.organization,
        episode=episode,
        payer=payer,
        number=f"A{episode.pk}-{units}{start:%m%d}",
        approved_units=units,
        start_on=start,
        end_on=start + timedelta(days=days),
        recorded_by=recorded_by,
    )


def attend(
    w: SimpleNamespace,
    day: date,
    minutes: int,
    *,
    category: str = SessionCategory.PROCESS_GROUP,
    episode: Episode | None = None,
) -> Session:
    """A session on `day` at 09:00 in the program's zone that the participant attended."""
    episode = episode or w.episode
    kind = session_type(episode.program, category=category)
    session = make_session(
        program=episode.program,
        kind=kind,
        starts_at=local(day, time(9), CHICAGO),
        minutes=minutes,
        facilitators=[w.clinician],
        roster=[episode],
        created_by=w.director,
    )
    Attendance.objects.create(
        organization=episode.organization,
        session=session,
        participant=episode.participant,
        episode=episode,
        status=AttendanceStatus.PRESENT,
        minutes=minutes,
        recorded_by=w.clinician,
        recorded_at=timezone.now(),
    )
    return session


def draft_note(session: Session, author: User) -> ClinicalNote:
    return ClinicalNote.objects.create(
        organization=session.organization,
        program=session.program,
        session=session,
        kind="group",
        format="group",
        occurred_at=session.starts_at,
        author=author,
        minutes=int((session.ends_at - session.starts_at).total_seconds() // 60),
        narrative="NOTE-BODY-SECRET worked on distress tolerance",
    )


def sign(note: ClinicalNote, signer: User) -> ClinicalNote:
    note.status = NoteStatus.SIGNED
    note.signed_at = timezone.now()
    note.signed_by = signer
    note.content_hash = "0" * 64
    note.save()
    return note


def monday_weeks_ago(episode: Episode, weeks: int) -> date:
    today = today_in(episode.program.time_zone)
    return today - timedelta(days=today.weekday() + 7 * weeks)
