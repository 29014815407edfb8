"""Synthetic billing for the demo clinic: two payers whose day rules differ, coverage and
ICD-10-CM diagnoses for every participant in treatment, authorizations in every state (plenty
left, nearly used, review due, expired), a past review that extended one, and last week's
claims in one 837I batch, reconciled against an 835 on which one claim was denied.

Invented data, deterministic for a seed; NPIs are synthetic (valid check digits, no real
provider), the tax id and payer ids are made up.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError

from openiop.accounts.models import User
from openiop.accounts.roles import Role
from openiop.billing import icd10, services
from openiop.billing.models import (
    Authorization,
    BillingProfile,
    Claim,
    ClinicianNpi,
    Coverage,
    CoverageRank,
    Diagnosis,
    Payer,
    PayerRule,
    Review,
    ReviewOutcome,
)
from openiop.billing.payers import TREATMENT_CATEGORIES, FilingIndicator, ProgramKind
from openiop.billing.selectors import billing_for_episodes
from openiop.billing.x12 import npi_check_digit
from openiop.participants.models import IN_TREATMENT_STATUSES, Episode
from openiop.programs.models import Program

# Codes and descriptions as the CMS release has them (tests/demo checks them against it).
DIAGNOSES = (
    ("F33.1", "Major depressive disorder, recurrent, moderate"),
    ("F60.3", "Borderline personality disorder"),
    ("F41.1", "Generalized anxiety disorder"),
    ("F43.10", "Post-traumatic stress disorder, unspecified"),
    ("F32.1", "Major depressive disorder, single episode, moderate"),
)
STREETS = ("Alder Lane", "Birch Court", "Cedar Row", "Elm Terrace", "Fir Way", "Hazel Walk")


def synthetic_npi(n: int) -> str:
    first_nine = f"19{n:07d}"
    return first_nine + npi_check_digit(first_nine)


def remittance_835(
    paid: Sequence[tuple[str, Decimal]], denied: Sequence[tuple[str, Decimal]]
) -> str:
    """A balanced 835 from the demo's payer: each `paid` claim paid less a 10% contractual
    adjustment (CO-45), each `denied` claim denied (CO-50, remark N115)."""
    claims: list[str] = []
    total = Decimal("0")
    for number, charge in paid:
        write_off = (charge / 10).quantize(Decimal("0.01"))
        total += charge - write_off
        claims += [
            f"CLP*{number}*1*{charge}*{charge - write_off}**12*PR{number}*13*1",
            f"CAS*CO*45*{write_off}",
            "NM1*QC*1*SYNTHETIC*MEMBER****MI*DEMO0000",
        ]
    for number, charge in denied:
        claims += [
            f"CLP*{number}*4*{charge}*0**12*PR{number}*13*1",
            f"CAS*CO*50*{charge}",
            "NM1*QC*1*SYNTHETIC*MEMBER****MI*DEMO0000",
            "MOA***N115",
        ]
    body = [
        "ST*835*0001",
        f"BPR*I*{total}*C*ACH*CCP*01*999999992*DA*123456*1512345678**01*999988880*DA*98765"
        "*20260122",
        "TRN*1*EFT20260122001*1512345678",
        "DTM*405*20260120",
        "N1*PR*EXAMPLE HEALTH PLAN",
        "N3*PO BOX 100",
        "N4*SPRINGFIELD*IL*62701",
        "REF*2U*EXHP1",
        "PER*BL*EDI SUPPORT*TE*8005550100",
        "N1*PE*LAKESIDE BEHAVIORAL HEALTH*XX*1999999901",
        "LX*1",
        *claims,
    ]
    body.append(f"SE*{len(body) + 1}*0001")
    envelope = [
        "ISA*00*          *00*          *ZZ*EXHP1          *ZZ*LBH0001        *260120*1200*^"
        "*00501*000000101*0*T*:",
        "GS*HP*EXHP1*LBH0001*20260120*1200*101*X*005010X221A1",
        *body,
        "GE*1*101",
        "IEA*1*000000101",
    ]
    return "~\n".join(envelope) + "~\n"


def _payers(program: Program) -> tuple[Payer, Payer]:
    org = program.organization
    commercial = Payer.objects.create(
        organization=org,
        name="Prairie Health Plan",
        payer_id="PRHP1",
        filing_indicator=FilingIndicator.COMMERCIAL.value,
        review_contact="Utilization management, fax 555-0190",
        days_left_threshold=3,
        review_due_within_days=2,
        review_cadence_days=7,
    )
    medicaid = Payer.objects.create(
        organization=org,
        name="Example State Medicaid",
        payer_id="EXMCD",
        filing_indicator=FilingIndicator.MEDICAID.value,
        review_contact="Behavioral health reviews, 555-0191",
        days_left_threshold=5,
        review_due_within_days=3,
        review_cadence_days=14,
    )
    common = {
        "organization": org,
        "program_kind": ProgramKind.PSYCHIATRIC.value,
        "revenue_code": "0905",
        "hcpcs": "S9480",
        "counted_categories": sorted(TREATMENT_CATEGORIES),
        "units_per_day": 1,
        "requires_authorization": True,
    }
    PayerRule.objects.create(
        payer=commercial,
        min_hours_per_day=Decimal("3"),
        min_days_per_week=None,
        note_requirement="day",
        charge_per_unit=Decimal("350.00"),
        **common,
    )
    PayerRule.objects.create(
        payer=medicaid,
        min_hours_per_day=Decimal("3"),
        min_days_per_week=3,
        note_requirement="each_session",
        charge_per_unit=Decimal("240.00"),
        **common,
    )
    return commercial, medicaid


def build(*, program: Program, today: date, rng: random.Random) -> int:
    """Synthetic billing records for the demo clinic; returns how many were made."""
    org = program.organization
    actor = User.objects.filter(organization=org, role=Role.BILLING).order_by("pk").first()
    if actor is None:
        return 0
    BillingProfile.objects.create(
        organization=org,
        name=org.name[:60],
        npi=synthetic_npi(9000001),
        tax_id="990000017",
        taxonomy="261QM0801X",
        street="200 Millbrook Street",
        city="Springfield",
        state="IL",
        postal_code="627010200",
        submitter_id="OIDEMO01",
        contact_name="Billing Office",
        contact_phone="5550100000",
        receiver_name="Example Clearinghouse",
        receiver_id="EXCH01",
    )
    episodes = list(
        Episode.objects.filter(program=program, status__in=IN_TREATMENT_STATUSES)
        .exclude(admitted_on__isnull=True)
        .exclude(primary_clinician__isnull=True)
        .select_related("participant", "program", "primary_clinician")
        .order_by("participant__record_number")
    )
    clinicians = sorted({e.primary_clinician_id for e in episodes if e.primary_clinician_id})
    ClinicianNpi.objects.bulk_create(
        ClinicianNpi(organization=org, user_id=uid, npi=synthetic_npi(n), taxonomy="101YM0800X")
        for n, uid in enumerate(clinicians, start=100)
    )
    payers = _payers(program)
    release = icd10.release().label
    coverages, diagnoses, auths = [], [], []
    for i, ep in enumerate(episodes):
        assert ep.admitted_on is not None
        coverages.append(
            Coverage(
                organization=org,
                participant=ep.participant,
                payer=payers[i % 2],
                rank=CoverageRank.PRIMARY,
                member_id=f"{payers[i % 2].payer_id[:2]}{rng.randrange(10**8, 10**9)}",
                group_number=f"GRP{rng.randrange(1000, 9999)}" if i % 2 == 0 else "",
                effective_from=ep.admitted_on - timedelta(days=90),
                sex=rng.choice("FM"),
                street=f"{rng.randrange(10, 999)} {rng.choice(STREETS)}",
                city="Springfield",
                state="IL",
                postal_code="62701",
                recorded_by=actor,
            )
        )
        code, description = DIAGNOSES[i % len(DIAGNOSES)]
        diagnoses.append(
            Diagnosis(
                organization=org,
                episode=ep,
                code=code,
                description=description,
                release=release,
                is_primary=True,
                onset_on=ep.admitted_on - timedelta(days=rng.randrange(60, 700)),
                recorded_by=ep.primary_clinician,
            )
        )
        auths.append(
            Authorization(
                organization=org,
                episode=ep,
                payer=payers[i % 2],
                number=f"{payers[i % 2].payer_id[:2]}-{40100 + i}",
                approved_units=200,
                start_on=ep.admitted_on,
                end_on=ep.admitted_on + timedelta(days=59),
                reviewer=rng.choice(("R. Okonkwo, RN", "L. Brandt, LCSW", "M. Ibarra, RN")),
                recorded_by=actor,
            )
        )
    Coverage.objects.bulk_create(coverages)
    Diagnosis.objects.bulk_create(diagnoses)
    Authorization.objects.bulk_create(auths)

    # Authorizations in every state, from the days actually billed so far.
    rows = billing_for_episodes(episodes, today=today)
    reviews = []
    for i, (auth, row) in enumerate(zip(auths, rows, strict=True)):
        used = sum(d.units for d in row.days if d.billable)
        state = i % 4
        if state == 0:  # plenty left, after a review that added ten days
            auth.approved_units = used + 15
            reviewed = min(auth.start_on + timedelta(days=7), today - timedelta(days=1))
            if reviewed > auth.start_on:
                auth.approved_units -= 10
                reviews.append(
                    Review(
                        organization=org,
                        authorization=auth,
                        reviewed_on=reviewed,
                        outcome=ReviewOutcome.APPROVED,
                        additional_units=10,
                        next_review_on=today + timedelta(days=6),
                        reviewer=auth.reviewer,
                        recorded_by=actor,
                    )
                )
        elif state == 1:  # nearly used
            auth.approved_units = used + 2
        elif state == 2:  # review due tomorrow
            auth.approved_units = used + 10
            auth.next_review_on = today + timedelta(days=1)
        else:  # expired two days ago
            auth.approved_units = used + 5
            auth.end_on = max(auth.start_on, today - timedelta(days=2))
    Authorization.objects.bulk_update(auths, ["approved_units", "end_on", "next_review_on"])
    Review.objects.bulk_create(reviews)

    # Last week's claims to the commercial plan, and its 835 denying one of them.
    monday = today - timedelta(days=today.weekday() + 7)
    made = len(coverages) + len(diagnoses) + len(auths) + len(reviews)
    try:
        batch = services.claim_batch_create(
            actor=actor,
            program=program,
            payer=payers[0],
            start=monday,
            end=monday + timedelta(days=6),
        )
    except ValidationError:
        # No billable day of the plan last week (a demo built on an unusual date).
        return made
    claims = list(Claim.objects.filter(batch=batch).order_by("control_number"))
    paid = [(c.control_number, c.charge) for c in claims[:-1]]
    denied = [(c.control_number, c.charge) for c in claims[-1:]]
    services.remittance_import(actor=actor, payer=payers[0], text=remittance_835(paid, denied))
    return made + len(claims)
