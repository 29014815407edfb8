"""Synthetic intake work for the demo: inquiries at every stage of the pipeline, and intake
assessments of some referred participants with their level-of-care decisions (one overridden,
with its reason). Everything goes through the intake write functions; only the received times
are moved back afterwards, so the board shows a realistic spread of ages."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import F
from django.utils import timezone

from openiop.accounts.models import User
from openiop.accounts.roles import Role
from openiop.intake import selectors, services
from openiop.intake.models import Inquiry, InquiryStatus
from openiop.lib.timezones import today_in
from openiop.participants.consents import consent_hash, consent_statement
from openiop.participants.models import (
    Consent,
    ConsentExpiry,
    ConsentInfo,
    ConsentKind,
    ConsentRevokedHow,
    Episode,
    EpisodeStatus,
    FamilyContact,
)
from openiop.programs.models import Program

# (first name or initials, source, stage, days ago). Names are invented initials.
INQUIRIES = (
    ("M.", "web", InquiryStatus.NEW, 0),
    ("Tova", "web", InquiryStatus.NEW, 1),
    ("R.J.", "therapist", InquiryStatus.NEW, 4),
    ("Ansel", "web", InquiryStatus.CONTACTED, 3),
    ("K.D.", "family", InquiryStatus.CONTACTED, 6),
    ("Brisa", "step_down", InquiryStatus.SCREENING, 5),
    ("L.", "employer", InquiryStatus.SCREENING, 7),
    ("Oren", "school", InquiryStatus.ASSESSED, 12),
    ("E.W.", "detox", InquiryStatus.REFERRED_OUT, 15),
    ("Juno", "web", InquiryStatus.CLOSED, 20),
    ("Noor", "therapist", InquiryStatus.ADMITTED, 25),
)
# Which write functions take an inquiry from "new" to each stage.
PATH = (InquiryStatus.CONTACTED, InquiryStatus.SCREENING, InquiryStatus.ASSESSED)


def _walk(inquiry: Inquiry, *, to: str, actor: User, today: date) -> None:
    if to == InquiryStatus.REFERRED_OUT:
        services.inquiry_contact(actor=actor, inquiry=inquiry, note="Spoke by phone")
        services.inquiry_refer_out(
            actor=actor,
            inquiry=inquiry,
            note="Withdrawal risk needs medical management first; referred to a detox unit "
            "with a plan to return for IOP on step-down.",
        )
        return
    if to == InquiryStatus.CLOSED:
        services.inquiry_close(
            actor=actor, inquiry=inquiry, note="No reply after three attempts over two weeks."
        )
        return
    if to == InquiryStatus.ADMITTED:
        _walk(inquiry, to=InquiryStatus.ASSESSED, actor=actor, today=today)
        # The demo's admitted participants were made directly; this inquiry is the first call
        # of the most recently admitted one, so the board's "admitted" column links to a chart.
        episode = (
            Episode.objects.filter(program=inquiry.program, admitted_on__isnull=False)
            .exclude(status=EpisodeStatus.DISCHARGED)
            .order_by("admitted_on", "pk")
            .last()
        )
        assert episode is not None
        Inquiry.objects.filter(pk=inquiry.pk).update(
            participant=episode.participant, episode=episode
        )
        inquiry.refresh_from_db()
        services.inquiry_admit(actor=actor, inquiry=inquiry, note="Admitted to the morning track.")
        return
    for step in PATH:
        if step == InquiryStatus.CONTACTED:
            services.inquiry_contact(
                actor=actor, inquiry=inquiry, note="Talked through the program and schedule."
            )
        elif step == InquiryStatus.SCREENING:
            services.inquiry_screening_schedule(
                actor=actor,
                inquiry=inquiry,
                # The write function refuses past dates by the real clock; the demo may be
                # built for another day (tests pin it).
                screening_on=max(today, today_in(inquiry.program.time_zone)) + timedelta(days=2),
            )
        else:
            services.inquiry_assess(actor=actor, inquiry=inquiry, note="Assessed; IOP fits.")
        if step == to:
            return


def _assess(episode: Episode, *, actor: User, variant: int) -> None:
    assessment = services.assessment_start(actor=actor, episode=episode)
    changes: dict[str, object] = {
        "presenting_concerns": "Low mood and panic attacks that make work hard to keep up.",
        "triggers": "Conflict at work; evenings alone; poor sleep.",
        "goals": "Steadier mood; back to full days at work; use skills when panic starts.",
        "underlying_issues": "Long-standing self-criticism; a recent loss.",
        "mental_health_history": "Depression treated in outpatient therapy two years ago.",
        "prior_care": ["outpatient"] if variant else ["outpatient", "php"],
        "support_system": "A sibling nearby; one close friend.",
        "constraints": "Works weekday mornings.",
        "asam_1": 0,
        "asam_2": 1,
        "asam_3": 2 + (variant == 1),
        "asam_4": 1,
        "asam_5": 1,
        "asam_6": 2,
        "cssrs_tier": "low",
        "hours_needed": Decimal("12"),
        "iop_signals": ["more_than_weekly", "structure"] if variant else ["step_down"],
    }
    services.assessment_save(actor=actor, assessment=assessment, changes=changes, sud_access=False)
    services.assessment_availability_set(
        actor=actor,
        assessment=assessment,
        blocks=[
            services.BlockInput(weekday=d, start_time=time(8), end_time=time(13), reason="work")
            for d in (0, 2, 4)
        ],
    )
    if variant == 2:
        return  # a draft still being written
    recommendation, inputs = selectors.recommendation_for(actor, assessment)
    if variant == 1:
        services.level_of_care_decide(
            actor=actor,
            assessment=assessment,
            recommendation=recommendation,
            inputs=selectors.inputs_json(inputs),
            accept=False,
            decided_level="php",
            override_reason="Lives alone and symptoms are worst at night; start in PHP "
            "and step down to the evening IOP track.",
        )
        return
    # Accepted and ready to complete: completing it is the coordinator's step in the demo.
    services.level_of_care_decide(
        actor=actor,
        assessment=assessment,
        recommendation=recommendation,
        inputs=selectors.inputs_json(inputs),
        accept=True,
    )


def build_intake(*, program: Program, today: date, rng: random.Random) -> int:
    """Returns how many inquiries the demo has."""
    coordinator = User.objects.get(role=Role.INTAKE, assignments__program=program)
    now = timezone.now()
    for name, source, stage, days_ago in INQUIRIES:
        phone = f"555-01{rng.randint(50, 99)}"
        if source == "web":
            inquiry = services.inquiry_submit(
                program=program,
                name=name,
                phone=phone,
                contact_time=rng.choice(["morning", "evening", "any"]),
                message="Looking for more support than weekly therapy.",
                consent_to_contact=True,
            )
        else:
            inquiry = services.inquiry_refer(
                actor=coordinator,
                program=program,
                source=source,
                name=name,
                referrer_name="Referring clinician",
                referrer_organization="Riverbend Community Partners (demo)",
                referrer_phone=phone,
                assigned_to=coordinator,
            )
        if stage != InquiryStatus.NEW:
            _walk(inquiry, to=stage, actor=coordinator, today=today)
        Inquiry.objects.filter(pk=inquiry.pk).update(
            received_at=now - timedelta(days=days_ago, hours=rng.randint(1, 8))
        )
    # One new inquiry's follow-up has slipped: the board shows it overdue.
    Inquiry.objects.filter(program=program, name="R.J.").update(
        follow_up_on=today - timedelta(days=1)
    )
    # The newest inquiries' events happened when they were received, not at build time.
    Inquiry.objects.filter(program=program).update(updated_at=F("received_at"))

    referred = list(
        Episode.objects.filter(program=program, status=EpisodeStatus.REFERRED)
        .select_related("program", "participant")
        .order_by("inquiry_on", "pk")[:3]
    )
    for variant, episode in enumerate(referred):
        _assess(episode, actor=coordinator, variant=variant)
    build_consents(program=program, today=today, rng=rng)
    return Inquiry.objects.filter(program=program).count()


# --- consents -------------------------------------------------------------------------------

OUTSIDE_PROVIDERS = (
    ("Dr. Ines Marlow", "Riverbend Primary Care (demo)", "555-0140"),
    ("Theo Banks, LPC", "Harbor Counseling (demo)", "555-0141"),
)


def signed_consent(
    *,
    episode: Episode,
    kind: str,
    on: date,
    recorder: User,
    recipient: FamilyContact | None = None,
    provider: tuple[str, str, str] | None = None,
    information: list[str] | None = None,
    purpose: str = "",
    expiry: str = ConsentExpiry.NONE,
    expires_on: date | None = None,
) -> Consent:
    """A consent as it would have been signed on `on` (built directly so it can be backdated;
    the statement and hash are made by the same functions consent_sign uses)."""
    program = episode.program
    consent = Consent(
        organization_id=episode.organization_id,
        participant=episode.participant,
        episode=episode,
        program=program,
        kind=kind,
        recipient_contact=recipient,
        recipient_name=provider[0] if provider else "",
        recipient_organization=provider[1] if provider else "",
        recipient_address=provider[2] if provider else "",
        information=information or [],
        purpose=purpose,
        expiry=expiry,
        expires_on=expires_on,
        typed_name=episode.participant.legal_name,
        signed_on=on,
        signed_at=datetime.combine(on, time(10, 30), tzinfo=ZoneInfo(program.time_zone)),
        recorded_by=recorder,
    )
    consent.statement = consent_statement(consent)
    consent.content_hash = consent_hash(consent)
    return consent


def build_consents(*, program: Program, today: date, rng: random.Random) -> int:
    """Every admitted participant signed consent to treatment on admission. A few also signed
    a release to an outside provider, and one of the family releases the synthetic builder
    made (demo.synthetic, Part 2 consents in a program that treats substance use) was revoked
    last week. Returns how many consents were made here."""
    disclosure = ConsentKind.PART2 if program.treats_sud else ConsentKind.RELEASE
    admitted = list(
        Episode.objects.filter(program=program, admitted_on__isnull=False)
        .select_related("participant", "program__organization", "primary_clinician")
        .order_by("admitted_on", "pk")
    )
    coordinator = User.objects.filter(role=Role.INTAKE, assignments__program=program).first()
    consents: list[Consent] = []
    for episode in admitted:
        assert episode.admitted_on is not None
        consents.append(
            signed_consent(
                episode=episode,
                kind=ConsentKind.TREATMENT,
                on=episode.admitted_on,
                recorder=coordinator or episode.primary_clinician,  # type: ignore[arg-type]
            )
        )
    # The family releases were signed when the synthetic builder recorded each family
    # contact (demo.synthetic); one of them is revoked below.
    family_releases = list(
        Consent.objects.filter(program=program, kind=disclosure, recipient_contact__isnull=False)
        .select_related("episode", "recipient_contact")
        .order_by("recipient_contact_id")
    )
    in_treatment = [e for e in admitted if e.discharged_on is None]
    for n, episode in enumerate(rng.sample(in_treatment, min(3, len(in_treatment)))):
        assert episode.admitted_on is not None
        consents.append(
            signed_consent(
                episode=episode,
                kind=disclosure,
                on=episode.admitted_on,
                recorder=episode.primary_clinician or coordinator,  # type: ignore[arg-type]
                provider=OUTSIDE_PROVIDERS[n % len(OUTSIDE_PROVIDERS)],
                information=[ConsentInfo.ATTENDANCE, ConsentInfo.DIAGNOSIS_PLAN],
                purpose="Coordinating care with my primary care doctor",
                expiry=ConsentExpiry.DATE,
                expires_on=episode.admitted_on + timedelta(days=365),
            )
        )
    Consent.objects.bulk_create(consents)
    # One participant took back a release to a family member last week (not the demo family
    # login's, which keeps its access).
    revocable = [
        c
        for c in family_releases
        if c.episode is not None
        and c.episode.discharged_on is None
        and c.recipient_contact is not None
        and c.recipient_contact.user_id is None
        and c.signed_on <= today - timedelta(days=5)
    ]
    if revocable:
        revoked = revocable[0]
        Consent.objects.filter(pk=revoked.pk).update(
            revoked_at=datetime.combine(
                today - timedelta(days=5), time(15), tzinfo=ZoneInfo(program.time_zone)
            ),
            revoked_on=today - timedelta(days=5),
            revoked_by=revoked.recorded_by,
            revoked_how=ConsentRevokedHow.VERBAL,
        )
    return len(consents)
