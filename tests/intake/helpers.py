"""Builders for intake tests: inquiries at a stage, and referred episodes to assess."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from openiop.intake.models import Inquiry, InquirySource, InquiryStatus
from openiop.participants.models import EpisodeStatus
from tests import factories as f


def make_inquiry(program: Any, *, status: str = InquiryStatus.NEW, **kw: Any) -> Inquiry:
    fields: dict[str, Any] = {
        "organization": program.organization,
        "program": program,
        "status": status,
        "source": InquirySource.WEB,
        "name": "J.",
        "phone": "555-0150",
        "consent_to_contact": True,
        "received_at": timezone.now() - timedelta(days=2),
    }
    fields.update(kw)
    return Inquiry.objects.create(**fields)


def referred_episode(world: Any) -> Any:
    participant = f.ParticipantFactory(organization=world.org, legal_last_name="Referred")
    return f.EpisodeFactory(
        participant=participant,
        program=world.program,
        status=EpisodeStatus.REFERRED,
        inquiry_on=timezone.localdate() - timedelta(days=5),
        referred_on=timezone.localdate() - timedelta(days=4),
        admitted_on=None,
        started_on=None,
    )
