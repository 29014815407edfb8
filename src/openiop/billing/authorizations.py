"""Authorization arithmetic and the warnings it raises.

Days used and left are computed from billable days, never typed in: a day counts against an
authorization only when the day rule found it billable and billed it against that
authorization (`DayDecision.authorization`). Days on hold are not billable, so they use
nothing; an extension approved on review adds units and may move the end date. The warnings
are what the billing worklist and the clinician's home show: N days left, review due in N
days, expired, services without a covering authorization, and, for Medicare programs, the
physician's recertification (clinical.md §3, §3a).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from openiop.billing.dayrules import (
    Authorization,
    DayDecision,
    DayRule,
    ParticipantFacts,
    format_day,
)


@dataclass(frozen=True)
class WarningPolicy:
    """When a payer's authorizations start warning; per payer, like the day rule."""

    days_left_threshold: int
    review_due_within_days: int
    # Concurrent review cadence: with no explicit next review date, the next review falls this
    # many days after the authorization's start or its latest extension (None: no cadence).
    review_cadence_days: int | None
    recertification_due_within_days: int = 7

    def __post_init__(self) -> None:
        if min(self.days_left_threshold, self.review_due_within_days) < 0:
            raise ValueError("Warning thresholds cannot be negative.")
        if self.review_cadence_days is not None and self.review_cadence_days < 1:
            raise ValueError("A review cadence is at least one day.")


@dataclass(frozen=True)
class AuthorizationUsage:
    number: str
    start: date
    end: date  # with extensions
    approved_units: int  # with extensions
    approved_days: int
    units_used: int
    days_used: int
    units_left: int
    days_left: int
    next_review_on: date | None
    extended: bool


def next_review(auth: Authorization, policy: WarningPolicy) -> date | None:
    if auth.next_review_on is not None:
        return auth.next_review_on
    if policy.review_cadence_days is None:
        return None
    last = max([auth.start, *(e.approved_on for e in auth.extensions)])
    return last + timedelta(days=policy.review_cadence_days)


def authorization_usage(
    rule: DayRule,
    authorizations: Sequence[Authorization],
    decisions: Sequence[DayDecision],
    policy: WarningPolicy,
) -> list[AuthorizationUsage]:
    """Units and days used and left on each authorization, from the decided days (decide them
    over `facts_window`, which reaches back to each authorization's start)."""
    result = []
    for auth in sorted(authorizations, key=lambda a: (a.start, a.number)):
        billed = [d for d in decisions if d.billable and d.authorization == auth.number]
        used = sum(d.units for d in billed)
        left = max(auth.total_units - used, 0)
        result.append(
            AuthorizationUsage(
                number=auth.number,
                start=auth.start,
                end=auth.effective_end,
                approved_units=auth.total_units,
                approved_days=auth.total_units // rule.units_per_day,
                units_used=used,
                days_used=len(billed),
                units_left=left,
                days_left=left // rule.units_per_day,
                next_review_on=next_review(auth, policy),
                extended=bool(auth.extensions),
            )
        )
    return result


class WarningKind(StrEnum):
    DAYS_LEFT = "days_left"
    ENDING = "ending"
    USED_UP = "used_up"
    REVIEW_DUE = "review_due"
    REVIEW_OVERDUE = "review_overdue"
    EXPIRED = "expired"
    NO_AUTHORIZATION = "no_authorization"
    UNCOVERED_SERVICES = "uncovered_services"
    RECERTIFICATION_DUE = "recertification_due"
    NO_CERTIFICATION = "no_certification"


class Severity(StrEnum):
    SOON = "soon"  # act in the coming days
    NOW = "now"  # services are, or are about to be, unbillable


@dataclass(frozen=True)
class BillingWarning:
    kind: WarningKind
    severity: Severity
    message: str
    authorization: str | None = None
    on: date | None = None


def _in_days(days: int) -> str:
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    return f"in {days} days"


def authorization_warnings(
    rule: DayRule,
    facts: ParticipantFacts,
    decisions: Sequence[DayDecision],
    *,
    today: date,
    policy: WarningPolicy,
) -> list[BillingWarning]:
    """What needs action for one participant under one payer, most urgent first."""
    warnings: list[BillingWarning] = []
    enrolled = facts.enrolled_on(today)
    if rule.requires_authorization:
        usage = {
            u.number: u for u in authorization_usage(rule, facts.authorizations, decisions, policy)
        }
        current = [a for a in facts.authorizations if a.covers(today)]
        if enrolled and not current:
            warnings.append(_no_current(facts.authorizations, today))
        for auth in current if enrolled else []:
            warnings.extend(_current_warnings(auth, usage[auth.number], today, policy))
        uncovered = sorted(d.day for d in decisions if d.authorization is None)
        if uncovered:
            shown = ", ".join(format_day(day) for day in uncovered[:3])
            more = f" and {len(uncovered) - 3} more" if len(uncovered) > 3 else ""
            count = len(uncovered)
            warnings.append(
                BillingWarning(
                    kind=WarningKind.UNCOVERED_SERVICES,
                    severity=Severity.NOW,
                    message=(
                        f"services on {count} day{'s' if count != 1 else ''} without a covering"
                        f" authorization: {shown}{more}"
                    ),
                    on=uncovered[0],
                )
            )
    if rule.medicare is not None and enrolled:
        warnings.extend(_certification_warnings(rule, facts, today, policy))
    return sorted(warnings, key=lambda w: (w.severity is not Severity.NOW, w.on or today))


def _no_current(auths: Sequence[Authorization], today: date) -> BillingWarning:
    ended = [a for a in auths if a.effective_end < today]
    upcoming = [a for a in auths if a.start > today]
    if upcoming:
        nxt = min(upcoming, key=lambda a: a.start)
        return BillingWarning(
            kind=WarningKind.NO_AUTHORIZATION,
            severity=Severity.NOW,
            message=(
                f"no authorization covers today; authorization {nxt.number} starts "
                f"{format_day(nxt.start)}"
            ),
            authorization=nxt.number,
            on=nxt.start,
        )
    if ended:
        last = max(ended, key=lambda a: a.effective_end)
        return BillingWarning(
            kind=WarningKind.EXPIRED,
            severity=Severity.NOW,
            message=(f"authorization {last.number} expired on {format_day(last.effective_end)}"),
            authorization=last.number,
            on=last.effective_end,
        )
    return BillingWarning(
        kind=WarningKind.NO_AUTHORIZATION,
        severity=Severity.NOW,
        message="no authorization on file; the payer requires one",
    )


def _current_warnings(
    auth: Authorization, usage: AuthorizationUsage, today: date, policy: WarningPolicy
) -> list[BillingWarning]:
    warnings = []
    if usage.days_left == 0:
        warnings.append(
            BillingWarning(
                kind=WarningKind.USED_UP,
                severity=Severity.NOW,
                message=(
                    f"authorization {auth.number}: all {usage.approved_days} approved days used"
                ),
                authorization=auth.number,
                on=today,
            )
        )
    elif usage.days_left <= policy.days_left_threshold:
        warnings.append(
            BillingWarning(
                kind=WarningKind.DAYS_LEFT,
                severity=Severity.SOON,
                message=(
                    f"{usage.days_left} day{'s' if usage.days_left != 1 else ''} left on "
                    f"authorization {auth.number} (ends {format_day(usage.end)})"
                ),
                authorization=auth.number,
                on=usage.end,
            )
        )
    ends_in = (usage.end - today).days
    if usage.days_left and ends_in <= policy.days_left_threshold:
        warnings.append(
            BillingWarning(
                kind=WarningKind.ENDING,
                severity=Severity.SOON,
                message=f"authorization {auth.number} ends {_in_days(ends_in)}"
                f" ({format_day(usage.end)})",
                authorization=auth.number,
                on=usage.end,
            )
        )
    review = usage.next_review_on
    if review is not None:
        due_in = (review - today).days
        if due_in < 0:
            warnings.append(
                BillingWarning(
                    kind=WarningKind.REVIEW_OVERDUE,
                    severity=Severity.NOW,
                    message=(
                        f"review for authorization {auth.number} overdue since {format_day(review)}"
                    ),
                    authorization=auth.number,
                    on=review,
                )
            )
        elif due_in <= policy.review_due_within_days:
            warnings.append(
                BillingWarning(
                    kind=WarningKind.REVIEW_DUE,
                    severity=Severity.SOON,
                    message=(
                        f"review for authorization {auth.number} due {_in_days(due_in)}"
                        f" ({format_day(review)})"
                    ),
                    authorization=auth.number,
                    on=review,
                )
            )
    return warnings


def _certification_warnings(
    rule: DayRule, facts: ParticipantFacts, today: date, policy: WarningPolicy
) -> list[BillingWarning]:
    medicare = rule.medicare
    assert medicare is not None
    signed = [c for c in facts.certifications if c.signed_on <= today]
    if not signed:
        return [
            BillingWarning(
                kind=WarningKind.NO_CERTIFICATION,
                severity=Severity.NOW,
                message="no physician certification on file for Medicare IOP",
            )
        ]
    latest = max(signed, key=lambda c: c.signed_on)
    due = latest.signed_on + timedelta(days=medicare.recertify_within_days)
    due_in = (due - today).days
    if due_in < 0:
        return [
            BillingWarning(
                kind=WarningKind.NO_CERTIFICATION,
                severity=Severity.NOW,
                message=(
                    f"no current physician certification: recertification was due {format_day(due)}"
                ),
                on=due,
            )
        ]
    if due_in <= policy.recertification_due_within_days:
        return [
            BillingWarning(
                kind=WarningKind.RECERTIFICATION_DUE,
                severity=Severity.SOON,
                message=f"physician recertification due {_in_days(due_in)} ({format_day(due)})",
                on=due,
            )
        ]
    return []
