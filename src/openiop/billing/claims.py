"""Claims from billable days: which days of a program may go to a payer for a period, and
the pure core's 837I values (x12.py) built from the stored records.

A claim is one episode's billable days in the period, one line a day (revenue code, HCPCS,
units, date of service, the fee schedule's charge), with the episode's diagnoses (principal
first), the attending clinician's NPI and the authorization the days were billed against. It
holds codes, dates, amounts, identifiers, names and addresses; never a note's text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from openiop.billing import x12
from openiop.billing.dayrules import BillingCode, DayDecision
from openiop.billing.models import (
    BillingProfile,
    Claim,
    ClaimBatch,
    ClinicianNpi,
    Coverage,
    Payer,
    Relationship,
)
from openiop.billing.selectors import EpisodeBilling, billing_for_episodes
from openiop.participants.models import IN_TREATMENT_STATUSES, Episode, EpisodeStatus
from openiop.programs.models import Program


@dataclass
class Candidate:
    """One episode's days that can be claimed from `payer` in the period."""

    billing: EpisodeBilling
    days: list[DayDecision] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def episode(self) -> Episode:
        return self.billing.episode

    @property
    def charge(self) -> Decimal:
        rule = self.billing.rule
        if rule is None:
            return Decimal("0")
        return sum((rule.charge_per_unit * d.units for d in self.days), Decimal("0"))


def claimed_days(episode_ids: Sequence[int]) -> dict[int, set[str]]:
    """Days already on a claim, per episode (ISO dates, as the lines keep them)."""
    result: dict[int, set[str]] = {}
    for claim in Claim.objects.filter(episode_id__in=list(episode_ids)).only("episode", "lines"):
        result.setdefault(claim.episode_id, set()).update(line["day"] for line in claim.lines)
    return result


def claim_candidates(program: Program, payer: Payer, start: date, end: date) -> list[Candidate]:
    """Every episode of `program` billed to `payer` with billable days in [start, end] that
    no claim holds yet, each with what would stop its claim (no diagnosis, no NPI...)."""
    episodes = list(
        Episode.objects.filter(program=program)
        .filter(status__in=[*IN_TREATMENT_STATUSES, EpisodeStatus.DISCHARGED])
        .exclude(admitted_on__isnull=True)
        .exclude(admitted_on__gt=end)
        .exclude(discharged_on__lt=start)
        .select_related("participant", "program", "primary_clinician")
        .order_by("participant__legal_last_name", "participant__legal_first_name", "pk")
    )
    rows = [
        r for r in billing_for_episodes(episodes) if r.coverage and r.coverage.payer_id == payer.pk
    ]
    done = claimed_days([r.episode.pk for r in rows])
    npis = {
        n.user_id: n
        for n in ClinicianNpi.objects.filter(
            user_id__in={r.episode.primary_clinician_id for r in rows}
        )
    }
    result = []
    for r in rows:
        days = [
            d
            for d in r.days
            if d.billable
            and start <= d.day <= end
            and d.day.isoformat() not in done.get(r.episode.pk, set())
        ]
        if not days:
            continue
        c = Candidate(billing=r, days=days)
        if not r.diagnoses:
            c.problems.append("no diagnosis on the episode")
        clinician = r.episode.primary_clinician
        if clinician is None or clinician.pk not in npis:
            c.problems.append("the primary clinician has no NPI on record")
        coverage = r.coverage
        assert coverage is not None
        if coverage.relationship != Relationship.SELF:
            c.problems.append("the participant is a dependant: claims need the subscriber's record")
        if not (coverage.street and coverage.city and coverage.state and coverage.postal_code):
            c.problems.append("the coverage has no subscriber address")
        result.append(c)
    return result


def _address(street: str, city: str, state: str, postal_code: str) -> x12.Address:
    return x12.Address(street, city, state, postal_code)


def x12_claim(
    claim: Claim, coverage: Coverage, bill_type: str, condition_codes: tuple[str, ...]
) -> x12.Claim:
    episode = claim.episode
    participant = episode.participant
    clinician = episode.primary_clinician
    assert clinician is not None
    npi = clinician.billing_npi
    first, _, last = clinician.full_name.rpartition(" ")
    person = x12.Person(
        last_name=participant.legal_last_name,
        first_name=participant.legal_first_name,
        birth_date=participant.date_of_birth,
        sex=x12.Sex(coverage.sex),
        address=_address(coverage.street, coverage.city, coverage.state, coverage.postal_code),
    )
    return x12.Claim(
        control_number=claim.control_number,
        subscriber=x12.Subscriber(
            person=person, member_id=coverage.member_id, group_number=coverage.group_number
        ),
        bill_type=bill_type,
        patient_status="01" if episode.status == EpisodeStatus.DISCHARGED else "30",
        diagnoses=tuple(claim.diagnoses),
        attending=x12.Clinician(last or first, first if last else "", npi.npi, npi.taxonomy),
        lines=tuple(
            x12.ServiceLine(
                code=BillingCode(line["revenue_code"], line["hcpcs"], tuple(line["modifiers"])),
                service_date=date.fromisoformat(line["day"]),
                units=line["units"],
                charge=Decimal(line["charge"]),
                line_control_number=line["line"],
            )
            for line in claim.lines
        ),
        prior_authorization=claim.prior_authorization,
        medical_record_number=participant.record_number,
        condition_codes=condition_codes,
    )


def x12_batch(
    batch: ClaimBatch,
    profile: BillingProfile,
    claims: Sequence[tuple[Claim, Coverage]],
    created_at: datetime,
) -> x12.Batch:
    payer = batch.payer
    return x12.Batch(
        submitter=x12.Submitter(
            profile.name, profile.submitter_id, profile.contact_name, profile.contact_phone
        ),
        receiver=x12.Receiver(profile.receiver_name, profile.receiver_id),
        billing_provider=x12.BillingProvider(
            profile.name,
            profile.npi,
            profile.tax_id,
            _address(profile.street, profile.city, profile.state, profile.postal_code),
            taxonomy=profile.taxonomy,
        ),
        payer=x12.ClaimPayer(payer.name, payer.payer_id, payer.filing_indicator),
        claims=tuple(
            x12_claim(c, cov, payer.bill_type, tuple(payer.condition_codes.split()))
            for c, cov in claims
        ),
        interchange_control_number=batch.interchange_number,
        group_control_number=batch.interchange_number,
        reference=f"B{batch.interchange_number:07d}",
        created_at=created_at,
        production=profile.production,
    )
