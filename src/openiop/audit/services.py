"""The only way into the access log and the timeline."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from openiop.audit.models import AccessAction, AccessLog, Event

REVIEW_OBJECT_TYPE = "audit.review"

if TYPE_CHECKING:
    from openiop.accounts.models import User
    from openiop.participants.models import Participant
    from openiop.programs.models import Program


def client_address(request: HttpRequest) -> str | None:
    # REMOTE_ADDR is set by the WSGI server; behind a proxy, configure the proxy to set it
    # (gunicorn --forwarded-allow-ips) rather than trusting X-Forwarded-For from clients.
    return request.META.get("REMOTE_ADDR") or None


def access_record(
    *,
    request: HttpRequest,
    action: AccessAction,
    object_type: str,
    participant: Participant | None = None,
    object_id: str = "",
    actor: User | None = None,
    path: str | None = None,
) -> AccessLog:
    """`actor` names who acted when the request is not signed in (an invited person setting
    up their account, a calendar app reading a feed); otherwise the request's user is. `path`
    replaces the request's path when that carries a secret (a feed's token)."""
    user = actor or (request.user if request.user.is_authenticated else None)
    return AccessLog.objects.create(
        organization_id=participant.organization_id
        if participant
        else getattr(user, "organization_id", None),
        at=timezone.now(),
        actor=user,
        actor_role=getattr(user, "role", ""),
        action=action,
        participant=participant,
        object_type=object_type,
        object_id=object_id or (str(participant.public_id) if participant else ""),
        path=(request.path if path is None else path)[:300],
        address=client_address(request),
    )


def access_record_many(
    *,
    request: HttpRequest,
    action: AccessAction,
    object_type: str,
    participants: Iterable[Participant],
    object_ids: Sequence[str] | None = None,
) -> int:
    """One row per participant shown on a list page, written in a single query. The row names
    the participant as its object unless `object_ids` (one per participant, in order) names
    what was shown of them: a note, a response."""
    user = request.user if request.user.is_authenticated else None
    now = timezone.now()
    address = client_address(request)
    shown = list(participants)
    ids = list(object_ids) if object_ids is not None else [str(p.public_id) for p in shown]
    if len(ids) != len(shown):
        raise ValueError("object_ids must name one object per participant")
    rows = [
        AccessLog(
            organization_id=p.organization_id,
            at=now,
            actor=user,
            actor_role=getattr(user, "role", ""),
            action=action,
            participant=p,
            object_type=object_type,
            object_id=object_id,
            path=request.path[:300],
            address=address,
        )
        for p, object_id in zip(shown, ids, strict=True)
    ]
    AccessLog.objects.bulk_create(rows)
    return len(rows)


def event_record(
    *,
    participant: Participant,
    kind: str,
    summary: str,
    actor: User | None,
    program: Program | None = None,
    at: datetime | None = None,
) -> Event:
    """`at` is when it happened, for records entered after the fact; never in the future."""
    now = timezone.now()
    return Event.objects.create(
        organization_id=participant.organization_id,
        participant=participant,
        program=program,
        kind=kind,
        at=now if at is None else min(at, now),
        actor=actor,
        summary=summary[:300],
    )


@transaction.atomic
def audit_review_record(
    *,
    request: HttpRequest,
    action: AccessAction,
    participants: Iterable[Participant],
    subject_id: str = "",
) -> int:
    """Reviewing the log shows names, so it is itself an access of PHI: one row per
    participant shown (or exported), and one row without a participant when none was, so the
    review leaves a trace either way. `subject_id` names what was reviewed when no
    participant is (the public id of a reviewed user)."""
    shown = list({p.pk: p for p in participants}.values())
    if shown:
        return access_record_many(
            request=request, action=action, object_type=REVIEW_OBJECT_TYPE, participants=shown
        )
    access_record(
        request=request, action=action, object_type=REVIEW_OBJECT_TYPE, object_id=subject_id
    )
    return 1


def access_record_objects(
    *,
    request: HttpRequest,
    action: AccessAction,
    object_type: str,
    object_ids: Iterable[str],
) -> int:
    """One row per record shown that is not (yet) a participant's, such as an inquiry on the
    intake board, written in a single query. The participant stays empty; object_id names it."""
    user = request.user if request.user.is_authenticated else None
    now = timezone.now()
    address = client_address(request)
    rows = [
        AccessLog(
            organization_id=getattr(user, "organization_id", None),
            at=now,
            actor=user,
            actor_role=getattr(user, "role", ""),
            action=action,
            object_type=object_type,
            object_id=object_id,
            path=request.path[:300],
            address=address,
        )
        for object_id in object_ids
    ]
    AccessLog.objects.bulk_create(rows)
    return len(rows)
