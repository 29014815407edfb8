"""Builders for the billing room's database tests: a payer with a configured day rule, the
world's participant covered by it, an authorization, and attended sessions with notes."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from openiop.accounts.models import User
from openiop.billing.models import (
    Authorization,
    Coverage,
    CoverageRank,
    Diagnosis,
    Payer,
    PayerRule,
)
from openiop.billing.payers import TREATMENT_CATEGORIES, ProgramKind
from openiop.lib.timezones import today_in
from openiop.notes.models import ClinicalNote, NoteStatus
from openiop.participants.models import Episode, EpisodeStatus
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


def diagnose(episode: Episode, recorded_by: User) -> Diagnosis:
    """F33.1 as the principal diagnosis, as the CMS release words it (no package load)."""
    return Diagnosis.objects.create(
        organization=episode.organization,
        episode=episode,
        code="F33.1",
        description="Major depressive disorder, recurrent, moderate",
        release="ICD-10-CM, April 2026 release",
        is_primary=True,
        recorded_by=recorded_by,
    )


def another_claimant(w: SimpleNamespace, first: str, last: str, *, auth_days: int = 30) -> Episode:
    """A second participant of the world's program, admitted with the first, covered by the
    payer and authorized for 10 days (`auth_days` long)."""
    from tests import factories as f

    episode = f.EpisodeFactory(
        participant=f.ParticipantFactory(
            organization=w.org, legal_first_name=first, legal_last_name=last
        ),
        program=w.program,
        track=w.morning,
        primary_clinician=w.clinician,
        status=EpisodeStatus.ACTIVE,
        admitted_on=w.start,
        started_on=w.start,
    )
    cover(episode, w.payer, w.billing, since=w.start)
    authorize(episode, w.payer, w.billing, start=w.start, units=10, days=auth_days)
    return episode


def claim_ready(w: object, episode: Episode) -> None:
    """What a claim needs beyond billable days: a diagnosis, the clinician's NPI, the
    organization's billing profile and the subscriber's address."""
    from openiop.billing.models import BillingProfile, ClinicianNpi
    from tests.billing.builders import CLINIC_NPI, npi

    diagnose(episode, w.clinician)  # type: ignore[attr-defined]
    clinician = episode.primary_clinician
    assert clinician is not None
    ClinicianNpi.objects.get_or_create(
        user=clinician,
        defaults={"organization": episode.organization, "npi": npi("199999991")},
    )
    BillingProfile.objects.get_or_create(
        organization=episode.organization,
        defaults={
            "name": "Lakeside Behavioral Health",
            "npi": CLINIC_NPI,
            "tax_id": "990000001",
            "taxonomy": "261QM0801X",
            "street": "100 Main St",
            "city": "Springfield",
            "state": "IL",
            "postal_code": "627011234",
            "submitter_id": "LBH0001",
            "contact_name": "Billing Office",
            "contact_phone": "2175550100",
            "receiver_name": "Example Clearinghouse",
            "receiver_id": "EXCH01",
        },
    )
    Coverage.objects.filter(participant=episode.participant).update(
        sex="F", street="12 Synthetic Way", city="Springfield", state="IL", postal_code="62701"
    )


def remittance_835(paid: tuple[str, Decimal], denied: tuple[str, Decimal]) -> str:
    """A balanced 835 paying the first claim less a 10% contractual adjustment (CO-45) and
    denying the second (CO-50, remark N115): the demo's own generator."""
    from openiop.demo.billing import remittance_835 as demo_835

    return demo_835([paid], [denied])


def bill_world(world: SimpleNamespace) -> SimpleNamespace:
    """The world's participant admitted two weeks ago, covered by a payer whose psychiatric
    rule needs 3 h and a signed note by a credentialed clinician, authorized for 10 days."""
    ep = world.episode
    start = monday_weeks_ago(ep, 2)
    ep.admitted_on = start
    ep.started_on = start
    ep.save(update_fields=["admitted_on", "started_on"])
    world.payer = make_payer(world.org)
    world.coverage = cover(ep, world.payer, world.billing, since=start)
    world.auth = authorize(ep, world.payer, world.billing, start=start, units=10)
    world.start = start
    return world
