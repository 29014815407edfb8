"""Writes of the billing room: one typed, keyword-only, atomic function per write.

Each checks what the pure core checks (a payer rule is turned into a `DayRule`, whose checks
run) and refuses with a ValidationError that the form shows, nothing saved. Every write that
touches a participant is recorded by its view in the access log (action create/update).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.billing import claims as claim_builder
from openiop.billing import icd10, remit, x12
from openiop.billing.models import (
    Authorization,
    BillingProfile,
    Claim,
    ClaimBatch,
    Coverage,
    CoverageRank,
    Diagnosis,
    Payer,
    PayerRule,
    RemittanceImport,
    Review,
    ReviewOutcome,
)
from openiop.billing.selectors import day_rule
from openiop.participants.models import Episode, Participant
from openiop.programs.models import Program


def _same_org(actor: User, organization_id: int | None) -> None:
    if actor.organization_id is None or actor.organization_id != organization_id:
        raise ValidationError("That record belongs to another organization.")


@transaction.atomic
def payer_save(
    *,
    actor: User,
    payer: Payer | None = None,
    name: str,
    payer_id: str,
    claim_format: str,
    filing_indicator: str,
    review_contact: str = "",
    bill_type: str = "131",
    condition_codes: str = "",
    days_left_threshold: int = 3,
    review_due_within_days: int = 2,
    review_cadence_days: int | None = 7,
    is_active: bool = True,
) -> Payer:
    if payer is None:
        if actor.organization_id is None:
            raise ValidationError("Only staff of an organization add payers.")
        payer = Payer(organization_id=actor.organization_id)
    _same_org(actor, payer.organization_id)
    payer.name = name.strip()
    payer.payer_id = payer_id.strip()
    payer.claim_format = claim_format
    payer.filing_indicator = filing_indicator
    payer.review_contact = review_contact.strip()
    payer.bill_type = bill_type
    payer.condition_codes = " ".join(condition_codes.split())
    payer.days_left_threshold = days_left_threshold
    payer.review_due_within_days = review_due_within_days
    payer.review_cadence_days = review_cadence_days
    payer.is_active = is_active
    if not payer.name or not payer.payer_id:
        raise ValidationError("A payer needs a name and its payer id.")
    clash = Payer.objects.filter(organization_id=payer.organization_id, name__iexact=payer.name)
    if clash.exclude(pk=payer.pk).exists():
        raise ValidationError({"name": "Another payer has this name."})
    payer.full_clean()
    payer.save()
    return payer


@transaction.atomic
def payer_rule_save(
    *,
    actor: User,
    payer: Payer,
    rule: PayerRule | None = None,
    program_kind: str,
    revenue_code: str,
    hcpcs: str,
    modifiers: str = "",
    counted_categories: list[str],
    min_hours_per_day: Decimal | None,
    min_days_per_week: int | None,
    partial_weeks: str = "exempt",
    note_requirement: str,
    units_per_day: int,
    requires_authorization: bool,
    charge_per_unit: Decimal,
) -> PayerRule:
    """A payer's day rule for one kind of program; every value goes through the pure core's
    checks (dayrules.DayRule) before it is saved."""
    _same_org(actor, payer.organization_id)
    if rule is None:
        rule = PayerRule(organization_id=payer.organization_id, payer=payer)
    elif rule.payer_id != payer.pk:
        raise ValidationError("That rule belongs to another payer.")
    rule.program_kind = program_kind
    rule.revenue_code = revenue_code.strip()
    rule.hcpcs = hcpcs.strip().upper()
    rule.modifiers = " ".join(modifiers.upper().split())
    rule.counted_categories = sorted(set(counted_categories))
    rule.min_hours_per_day = min_hours_per_day
    rule.min_days_per_week = min_days_per_week
    rule.partial_weeks = partial_weeks
    rule.note_requirement = note_requirement
    rule.units_per_day = units_per_day
    rule.requires_authorization = requires_authorization
    rule.charge_per_unit = charge_per_unit
    try:
        day_rule(rule)
    except ValueError as e:
        raise ValidationError(str(e)) from e
    if charge_per_unit < 0:
        raise ValidationError({"charge_per_unit": "A charge cannot be negative."})
    clash = PayerRule.objects.filter(payer=payer, program_kind=program_kind).exclude(pk=rule.pk)
    if clash.exists():
        raise ValidationError({"program_kind": "This payer already has a rule for this kind."})
    rule.full_clean()
    rule.save()
    return rule


@transaction.atomic
def coverage_record(
    *,
    actor: User,
    participant: Participant,
    payer: Payer,
    rank: str,
    member_id: str,
    group_number: str = "",
    subscriber_name: str = "",
    relationship: str = "18",
    effective_from: date,
    effective_until: date | None = None,
) -> Coverage:
    _same_org(actor, participant.organization_id)
    _same_org(actor, payer.organization_id)
    if not member_id.strip():
        raise ValidationError({"member_id": "Enter the member id on the insurance card."})
    if effective_until is not None and effective_until < effective_from:
        raise ValidationError({"effective_until": "Coverage cannot end before it starts."})
    if relationship != "18" and not subscriber_name.strip():
        raise ValidationError({"subscriber_name": "Name the subscriber (the policy holder)."})
    overlapping = Coverage.objects.filter(participant=participant, rank=rank).exclude(
        effective_until__lt=effective_from
    )
    if effective_until is not None:
        overlapping = overlapping.exclude(effective_from__gt=effective_until)
    if overlapping.exists():
        label = CoverageRank(rank).label.lower()
        raise ValidationError(
            {"rank": f"The participant already has {label} coverage in force then; end it first."}
        )
    coverage = Coverage.objects.create(
        organization_id=participant.organization_id,
        participant=participant,
        payer=payer,
        rank=rank,
        member_id=member_id.strip(),
        group_number=group_number.strip(),
        subscriber_name=subscriber_name.strip(),
        relationship=relationship,
        effective_from=effective_from,
        effective_until=effective_until,
        recorded_by=actor,
    )
    return coverage


@transaction.atomic
def coverage_end(*, actor: User, coverage: Coverage, on: date) -> Coverage:
    _same_org(actor, coverage.organization_id)
    if on < coverage.effective_from:
        raise ValidationError({"on": "Coverage cannot end before it starts."})
    coverage.effective_until = on
    coverage.save(update_fields=["effective_until"])
    return coverage


@transaction.atomic
def diagnosis_record(
    *,
    actor: User,
    episode: Episode,
    code: str,
    is_primary: bool,
    onset_on: date | None = None,
) -> Diagnosis:
    """Record an ICD-10-CM code from the installed CMS release; only billable codes."""
    _same_org(actor, episode.organization_id)
    check = icd10.check(code)
    if not check.valid:
        raise ValidationError({"code": check.message})
    active = Diagnosis.objects.select_for_update().filter(episode=episode, removed_at__isnull=True)
    if active.filter(code=check.code).exists():
        raise ValidationError({"code": f"{check.code} is already recorded on this episode."})
    if is_primary:
        active.filter(is_primary=True).update(is_primary=False)
    elif not active.exists():
        is_primary = True  # the first diagnosis is the principal one
    diagnosis = Diagnosis.objects.create(
        organization_id=episode.organization_id,
        episode=episode,
        code=check.code,
        description=check.description,
        release=icd10.release().label,
        is_primary=is_primary,
        onset_on=onset_on,
        recorded_by=actor,
    )
    return diagnosis


@transaction.atomic
def diagnosis_remove(*, actor: User, diagnosis: Diagnosis) -> Diagnosis:
    _same_org(actor, diagnosis.organization_id)
    if diagnosis.removed_at is not None:
        return diagnosis
    diagnosis.removed_at = timezone.now()
    diagnosis.removed_by = actor
    was_primary = diagnosis.is_primary
    diagnosis.is_primary = False
    diagnosis.save(update_fields=["removed_at", "removed_by", "is_primary"])
    if was_primary:
        successor = Diagnosis.objects.filter(
            episode_id=diagnosis.episode_id, removed_at__isnull=True
        ).first()
        if successor is not None:
            successor.is_primary = True
            successor.save(update_fields=["is_primary"])
    return diagnosis


@transaction.atomic
def authorization_record(
    *,
    actor: User,
    episode: Episode,
    payer: Payer,
    number: str,
    level_of_care: str,
    approved_units: int,
    start_on: date,
    end_on: date,
    reviewer: str = "",
    next_review_on: date | None = None,
) -> Authorization:
    _same_org(actor, episode.organization_id)
    _same_org(actor, payer.organization_id)
    number = number.strip()
    if not number:
        raise ValidationError({"number": "Enter the authorization number."})
    if end_on < start_on:
        raise ValidationError({"end_on": "An authorization cannot end before it starts."})
    if Authorization.objects.filter(payer=payer, number=number).exists():
        raise ValidationError({"number": f"{payer.name} already has authorization {number}."})
    auth = Authorization.objects.create(
        organization_id=episode.organization_id,
        episode=episode,
        payer=payer,
        number=number,
        level_of_care=level_of_care.strip() or "Intensive outpatient",
        approved_units=approved_units,
        start_on=start_on,
        end_on=end_on,
        reviewer=reviewer.strip(),
        next_review_on=next_review_on,
        recorded_by=actor,
    )
    return auth


@transaction.atomic
def review_record(
    *,
    actor: User,
    authorization: Authorization,
    reviewed_on: date,
    outcome: str,
    additional_units: int = 0,
    new_end_on: date | None = None,
    next_review_on: date | None = None,
    reviewer: str = "",
) -> Review:
    """The outcome of a concurrent review. An approval extends the authorization (more units,
    perhaps a later end), which every figure picks up at once."""
    _same_org(actor, authorization.organization_id)
    if outcome != ReviewOutcome.APPROVED and (additional_units or new_end_on):
        raise ValidationError("Only an approval adds days or moves the end date.")
    if outcome == ReviewOutcome.APPROVED and not (additional_units or new_end_on):
        raise ValidationError(
            {"additional_units": "An approval adds days or moves the end date: say which."}
        )
    if new_end_on is not None and new_end_on < authorization.start_on:
        raise ValidationError({"new_end_on": "The new end falls before the authorization."})
    review = Review.objects.create(
        organization_id=authorization.organization_id,
        authorization=authorization,
        reviewed_on=reviewed_on,
        outcome=outcome,
        additional_units=additional_units,
        new_end_on=new_end_on,
        next_review_on=next_review_on,
        reviewer=reviewer.strip(),
        recorded_by=actor,
    )
    return review


# --- claims ---------------------------------------------------------------------------------


@transaction.atomic
def claim_batch_create(
    *, actor: User, program: Program, payer: Payer, start: date, end: date
) -> ClaimBatch:
    """One 837I batch of every claimable episode of `program` for `payer` in [start, end]:
    one claim per episode, one line per billable day not claimed before. Refused whole, with
    every reason, when an episode cannot be claimed or the file would not be valid."""
    _same_org(actor, program.organization_id)
    _same_org(actor, payer.organization_id)
    if end < start:
        raise ValidationError("The period ends before it starts.")
    profile = BillingProfile.objects.filter(organization_id=program.organization_id).first()
    if profile is None:
        raise ValidationError("Record the organization's billing NPI and tax id first.")
    # One batch at a time per organization: interchange numbers must not repeat.
    last = (
        ClaimBatch.objects.select_for_update()
        .filter(organization_id=program.organization_id)
        .order_by("-interchange_number")
        .first()
    )
    candidates = claim_builder.claim_candidates(program, payer, start, end)
    if not candidates:
        raise ValidationError("No billable day of this payer is waiting in that period.")
    problems = [
        f"{c.episode.participant.display_name}: {p}" for c in candidates for p in c.problems
    ]
    if problems:
        raise ValidationError(problems)
    batch = ClaimBatch.objects.create(
        organization_id=program.organization_id,
        payer=payer,
        program=program,
        period_start=start,
        period_end=end,
        interchange_number=(last.interchange_number + 1) if last else 1,
        created_by=actor,
    )
    built = []
    for i, c in enumerate(candidates, start=1):
        rule = c.billing.rule
        coverage = c.billing.coverage
        assert rule is not None
        assert coverage is not None
        control = f"OI{batch.interchange_number:06d}{i:03d}"
        lines = [
            {
                "day": d.day.isoformat(),
                "revenue_code": d.code.revenue_code,
                "hcpcs": d.code.hcpcs,
                "modifiers": list(d.code.modifiers),
                "units": d.units,
                "charge": str(rule.charge_per_unit * d.units),
                "line": f"{control}-{n}",
            }
            for n, d in enumerate(c.days, start=1)
        ]
        claim = Claim.objects.create(
            organization_id=program.organization_id,
            batch=batch,
            episode=c.episode,
            control_number=control,
            charge=c.charge,
            lines=lines,
            diagnoses=[d.code for d in c.billing.diagnoses],
            prior_authorization=next((d.authorization or "" for d in c.days), ""),
            balance=c.charge,
        )
        built.append((claim, coverage))
    try:
        text = x12.write_837i(
            claim_builder.x12_batch(batch, profile, built, timezone.now()), line_breaks=True
        )
    except x12.ClaimError as e:
        raise ValidationError(list(e.problems)) from e
    batch.x12 = text
    batch.save(update_fields=["x12"])
    return batch


@transaction.atomic
def remittance_import(*, actor: User, payer: Payer, text: str) -> RemittanceImport:
    """Parse an 835 with pyx12 (refused whole when invalid or unbalanced) and reconcile each
    claim of ours it names: paid, adjusted, denied with the CARC/RARC codes, the balance."""
    _same_org(actor, payer.organization_id)
    try:
        remittances = remit.parse_835(text)
    except remit.RemitError as e:
        raise ValidationError(list(e.problems)) from e
    numbers = {c.control_number for r in remittances for c in r.claims}
    ours = {
        c.control_number: c
        for c in Claim.objects.select_for_update().filter(
            organization_id=payer.organization_id,
            batch__payer=payer,
            control_number__in=numbers,
        )
    }
    result = remit.reconcile(
        [remit.SubmittedClaim(c.control_number, c.charge) for c in ours.values()], remittances
    )
    now = timezone.now()
    for rec in result.claims:
        claim = ours[rec.control_number]
        claim.outcome = rec.outcome.value
        claim.paid = rec.paid
        claim.adjusted = rec.adjusted
        claim.denied = rec.denied
        claim.patient_responsibility = rec.patient_responsibility
        claim.balance = rec.balance
        claim.reasons = list(rec.reasons)
        claim.remarks = list(rec.remarks)
        claim.reconciled_at = now
        claim.save()
    return RemittanceImport.objects.create(
        organization_id=payer.organization_id,
        payer=payer,
        trace_numbers=", ".join(r.trace_number for r in remittances)[:300],
        total_paid=sum((r.total_paid for r in remittances), Decimal("0")),
        claims_matched=len(result.claims),
        claims_unmatched=len(result.unmatched),
        imported_by=actor,
    )
