"""What the participants room adds to shared pages, and `Chart`: what every room's panels are
given to draw their part of the participant chart.

Every room that shows something on the shared pages has a `panels.py` with these functions,
each returning template context (empty when there is nothing to show); the composition layer
(`openiop.home.panels`) collects them:

    chart_context(request, chart: Chart) -> dict     the participant chart
    home_context(request) -> dict                    the staff home
    portal_context(request, participant) -> dict     the participant's portal home

and, for the summary band at the top of the chart (what needs attention before a session),

    chart_summary(request, chart: Chart) -> list[SummaryItem]

which must stay cheap (it runs on every chart load, while the panels load on demand) and
returns no item at all where one does not apply to the viewer (billing gets no clinical
item: absent, not "none").

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
from openiop.participants.models import Consent, ConsentKind, Episode, FamilyContact, Participant


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


@dataclass(frozen=True)
class SummaryLine:
    """One line of a summary item: a short text, an optional small detail, a tone for the
    eye ("alert", "warn", "ok" or none), an optional link of its own (an alert's page) and
    an optional sparkline (lib.sparkline: already-escaped markup)."""

    text: str
    detail: str = ""
    tone: str = ""
    href: str = ""
    svg: str = ""


@dataclass(frozen=True)
class SummaryItem:
    """One item of the chart's summary band. `key` names it for tests and styles; `panel` is
    the slug of the chart panel it links to (home/panels.py SECTIONS)."""

    key: str
    label: str
    panel: str
    lines: tuple[SummaryLine, ...]
    tone: str = ""


def chart_summary(request: AuthedRequest, chart: Chart) -> list[SummaryItem]:
    """What the participant has released to whom: the active releases of the viewer's
    programs, counted, with their recipients (identity-level, as on the consents panel)."""
    active = [
        c
        for c in consents.consents_for_chart(chart.participant, chart.program_ids)
        if c.kind != ConsentKind.TREATMENT and c.status_label(chart.today) == "Active"
    ]
    if not active:
        return []
    recipients = sorted({c.recipient_label for c in active if c.recipient_label})
    count = len(active)
    return [
        SummaryItem(
            key="releases",
            label="Releases",
            panel="consents",
            lines=(
                SummaryLine(
                    text=f"{count} active release{'' if count == 1 else 's'}",
                    detail=", ".join(recipients[:3]) + (" and more" if len(recipients) > 3 else ""),
                ),
            ),
        )
    ]


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
