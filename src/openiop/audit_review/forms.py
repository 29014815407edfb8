from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms

from openiop.audit.models import AccessAction
from openiop.audit_review.selectors import (
    EntryFilter,
    reviewable_participants,
    reviewable_users,
    staff_actors,
)
from openiop.lib.forms import Form

if TYPE_CHECKING:
    from openiop.accounts.models import User
    from openiop.participants.models import Participant

# The only query parameters the review pages read or write: dates, an action code and UUIDs.
# A record number is typed into the form but posted, and turned into a UUID before it
# reaches a URL.
QUERY_KEYS = ("date_from", "date_to", "action", "actor", "participant")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        # The browser's date picker reads and writes ISO dates whatever the locale.
        super().__init__(attrs, format="%Y-%m-%d")


class AuditFilterForm(Form):
    date_from = forms.DateField(required=False, label="From", widget=DateInput)
    date_to = forms.DateField(required=False, label="To", widget=DateInput)
    action = forms.ChoiceField(
        required=False, choices=[("", "Any action"), *AccessAction.choices], label="Action"
    )
    actor = forms.ChoiceField(
        required=False,
        label="Who",
        error_messages={"invalid_choice": "Choose a person from the list."},
    )
    record = forms.CharField(required=False, max_length=20, label="Participant record number")

    def __init__(
        self,
        *args: Any,
        reviewer: User,
        participant_id: str = "",
        pinned_participant: Participant | None = None,
        pinned_actor: User | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.reviewer = reviewer
        self.participant_id = participant_id
        self.pinned_participant = pinned_participant
        self.pinned_actor = pinned_actor
        self.participant: Participant | None = pinned_participant
        self._actors: dict[str, User] = {}
        if pinned_actor is not None:
            del self.fields["actor"]
        else:
            self._actors = {str(u.public_id): u for u in staff_actors(reviewer)}
            self._offer_linked_actor()
            actor_field: Any = self.fields["actor"]
            actor_field.choices = [("", "Anyone")] + [
                (key, f"{u.full_name} ({u.get_role_display()})") for key, u in self._actors.items()
            ]
        if pinned_participant is not None:
            del self.fields["record"]

    def _offer_linked_actor(self) -> None:
        # The select offers staff only, but a link from a user's page may name a portal
        # account (a participant reviewing their own chart): accept it when it is in reach.
        wanted = self.data.get("actor", "") if self.is_bound else ""
        if not wanted or wanted in self._actors:
            return
        try:
            linked = reviewable_users(self.reviewer).filter(public_id=wanted).first()
        except (ValueError, forms.ValidationError):
            linked = None
        if linked is not None:
            self._actors[str(linked.public_id)] = linked

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The “to” date must be on or after the “from” date.")
        if self.pinned_participant is None:
            self._clean_participant(cleaned.get("record", ""))
        return cleaned

    def _clean_participant(self, record: str) -> None:
        reachable = reviewable_participants(self.reviewer)
        record = record.strip()
        if record:
            self.participant = reachable.filter(record_number__iexact=record).first()
            if self.participant is None:
                self.add_error(
                    "record",
                    f"No participant with record number {record} among the records you may review.",
                )
        elif self.participant_id:
            try:
                self.participant = reachable.filter(public_id=self.participant_id).first()
            except (ValueError, forms.ValidationError):
                self.participant = None
            if self.participant is None:
                self.add_error("record", "Choose a participant you may review.")
            else:
                # Show the record number the UUID stands for, so the filter reads as typed.
                self.data = {**self.data, "record": self.participant.record_number}

    def entry_filter(self) -> EntryFilter:
        data = self.cleaned_data
        actor = self.pinned_actor or self._actors.get(data.get("actor") or "")
        return EntryFilter(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            action=data.get("action") or "",
            actor=actor,
            participant=self.participant,
        )

    def query_params(self) -> dict[str, str]:
        """The filter as URL parameters, free of anything typed: the record number becomes
        the participant's UUID. Pinned subjects are in the path, not repeated here."""
        spec = self.entry_filter()
        params = {
            "date_from": spec.date_from.isoformat() if spec.date_from else "",
            "date_to": spec.date_to.isoformat() if spec.date_to else "",
            "action": spec.action,
            "actor": str(spec.actor.public_id) if spec.actor and self.pinned_actor is None else "",
            "participant": str(spec.participant.public_id)
            if spec.participant and self.pinned_participant is None
            else "",
        }
        return {key: value for key, value in params.items() if value}
