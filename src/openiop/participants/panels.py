"""What the participants room adds to shared pages, and `Chart`: what every room's panels are
given to draw their part of the participant chart.

Every room that shows something on the shared pages has a `panels.py` with these functions,
each returning template context (empty when there is nothing to show); the composition layer
(`openiop.home.panels`) collects them:

    chart_context(request, chart: Chart) -> dict     the participant chart
    home_context(request) -> dict                    the staff home
    portal_context(request, participant) -> dict     the participant's portal home

Each room decides what the viewer may see of its own records and records that access itself;
the chart's own "participant.chart" row covers the record as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Prefetch, Q

from openiop.lib.http import AuthedRequest
from openiop.participants import consents, invitations
from openiop.participants.disclosures import disclosures_for_staff
from openiop.participants.models import Consent, Episode, FamilyContact, Participant


@dataclass(frozen=True)
class Chart:
    """The participant as the chart's viewer may see them."""

    participant: Participant
    # The episodes in the viewer's programs, newest first, with program, track and care team.
    episodes: list[Episode]
    # The open one among them, else the newest.
    current: Episode | None
    today: date
    # The viewer's programs (participants.access.program_ids_for).
    program_ids: list[int]
    # Whether the viewer's role reads clinical content at all (scores, plans, risk).
    sees_clinical: bool


def chart_context(request: AuthedRequest, chart: Chart) -> dict[str, Any]:
    """Family contacts, portal accounts, the timeline, consents and disclosures of the
    viewer's programs: that someone is enrolled in another program (a substance-use program
    above all) is not this viewer's to know, and each program keeps its own contacts (a
    contact recorded by a substance-use program is a Part 2 record)."""
    participant, my_programs, today = chart.participant, chart.program_ids, chart.today
    family: list[FamilyContact] = list(
        participant.family_contacts.filter(program_id__in=my_programs)
        .select_related("program", "user")
        .prefetch_related(
            Prefetch(
                "signed_consents",
                queryset=Consent.objects.filter(kind__in=list(consents.DISCLOSURE_KINDS))
                .select_related("episode")
                .order_by("-signed_at", "-id"),
                to_attr="releases",
            )
        )
    )
    own_portal, family_portal = invitations.portal_access(participant, family)
    for contact in family:
        # The releases naming this contact (all from the contact's own program), with their
        # status today.
        contact.release_rows = [  # type: ignore[attr-defined]
            (release, release.status_label(today))
            for release in contact.releases  # type: ignore[attr-defined]
        ]
        contact.portal = family_portal.get(contact.pk)  # type: ignore[attr-defined]
    return {
        "family": family,
        "portal_access": own_portal,
        "events": participant.events.filter(Q(program__isnull=True) | Q(program_id__in=my_programs))
        .select_related("actor")
        .order_by("-at", "-id")[:50],
        "consents": [
            (c, c.status_label(today))
            for c in consents.consents_for_chart(participant, my_programs)
        ],
        "disclosures": list(disclosures_for_staff(participant, my_programs)[:5]),
    }
