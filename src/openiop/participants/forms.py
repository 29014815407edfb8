"""Forms for the participant write pages. They check shape and choices only; the rules live in
participants/services.py. Choices are limited to what the signed-in user may pick (their
programs, the episode's tracks and clinicians) and refer to rows by public id."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from openiop.accounts.models import User
from openiop.lib.forms import Form, ModelForm, form_page
from openiop.participants.disclosures import consent_basis, recipient_text
from openiop.participants.models import (
    EPISODE_TRANSITIONS,
    CareTeamMember,
    CareTeamRole,
    Consent,
    ConsentExpiry,
    ConsentInfo,
    ConsentKind,
    ConsentRevokedHow,
    Episode,
    EpisodeStatus,
    FamilyContact,
    Participant,
)
from openiop.participants.services import CLINICAL_ROLES, FAMILY_FIELDS, PARTICIPANT_FIELDS
from openiop.programs.models import Program, Track


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


def clinicians_of(program: Program) -> QuerySet[User]:
    return (
        User.objects.filter(
            organization_id=program.organization_id,
            assignments__program=program,
            role__in=CLINICAL_ROLES,
            is_active=True,
        )
        .distinct()
        .order_by("full_name")
    )


class ParticipantForm(ModelForm):
    class Meta:
        model = Participant
        fields = list(PARTICIPANT_FIELDS)
        widgets = {
            "date_of_birth": DateInput(),
            "address": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "email": "E-mail",
            "emergency_contact_relationship": "Emergency contact's relationship",
        }


class EpisodeOpenForm(Form):
    """The inquiry that opens an episode: in which of `programs`, when, referred by whom."""

    program = forms.ModelChoiceField(
        queryset=Program.objects.none(), to_field_name="public_id", empty_label=None
    )
    inquiry_on = forms.DateField(label="Inquiry date", widget=DateInput())
    referral_source = forms.CharField(max_length=200, required=False)

    def __init__(self, *args: Any, programs: QuerySet[Program], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.field_of("program", forms.ModelChoiceField).queryset = programs


class ParticipantCreateForm(ParticipantForm, EpisodeOpenForm):
    """A new record with the inquiry that opens its first episode."""


class _EpisodeChoices(Form):
    track = forms.ModelChoiceField(
        queryset=Track.objects.none(), to_field_name="public_id", required=False
    )
    primary_clinician = UserChoiceField(
        queryset=User.objects.none(), to_field_name="public_id", required=False
    )

    def __init__(self, *args: Any, episode: Episode, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.episode = episode
        self.field_of("track", forms.ModelChoiceField).queryset = Track.objects.filter(
            program_id=episode.program_id, is_active=True
        )
        self.field_of("primary_clinician", forms.ModelChoiceField).queryset = clinicians_of(
            episode.program
        )


class EpisodeTransitionForm(_EpisodeChoices):
    to_status = forms.ChoiceField(label="New status")
    on = forms.DateField(label="Date", widget=DateInput())
    discharge_reason = forms.CharField(
        max_length=200, required=False, help_text="Required when discharging."
    )

    field_order = ["to_status", "on", "track", "primary_clinician", "discharge_reason"]

    def __init__(self, *args: Any, episode: Episode, **kwargs: Any) -> None:
        super().__init__(*args, episode=episode, **kwargs)
        allowed = EPISODE_TRANSITIONS[episode.status]
        self.field_of("to_status", forms.ChoiceField).choices = [
            (value, label) for value, label in EpisodeStatus.choices if value in allowed
        ]
        self.fields["track"].help_text = "Required when admitting."
        self.fields["primary_clinician"].help_text = "Required when admitting."


class EpisodeUpdateForm(_EpisodeChoices):
    pass


class CareTeamAddForm(Form):
    user = UserChoiceField(
        label="Clinician", queryset=User.objects.none(), to_field_name="public_id"
    )
    role = forms.ChoiceField(choices=CareTeamRole.choices)

    def __init__(self, *args: Any, episode: Episode, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.field_of("user", forms.ModelChoiceField).queryset = clinicians_of(episode.program)


def member_key(member: CareTeamMember) -> str:
    """How a current care-team row is named in a form: (user, role) is unique among current
    rows, and neither part is a sequential id."""
    return f"{member.user.public_id}:{member.role}"


class CareTeamEndForm(Form):
    member = forms.ChoiceField()

    def __init__(self, *args: Any, members: list[CareTeamMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = {member_key(m): m for m in members}
        self.field_of("member", forms.ChoiceField).choices = [
            (key, str(m)) for key, m in self.members.items()
        ]

    def chosen(self) -> CareTeamMember:
        return self.members[self.cleaned_data["member"]]


class FamilyContactForm(ModelForm):
    """A contact's details. A new contact is recorded in one program: asked for only when the
    person is in more than one of the writer's programs (each program keeps its own)."""

    class Meta:
        model = FamilyContact
        fields = list(FAMILY_FIELDS)
        labels = {"email": "E-mail", "is_emergency_contact": "Emergency contact"}

    def __init__(self, *args: Any, programs: Sequence[Program] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.programs = list(programs)
        if len(self.programs) > 1:
            self.fields["program"] = forms.ChoiceField(
                label="Program",
                choices=[(str(p.public_id), p.name) for p in self.programs],
                help_text="The program this contact is recorded in. Only its staff see the "
                "contact, and only its consents can name them.",
            )
            self.order_fields(["program", *FAMILY_FIELDS])

    def chosen_program(self) -> Program:
        if len(self.programs) == 1:
            return self.programs[0]
        wanted = self.cleaned_data["program"]
        return next(p for p in self.programs if str(p.public_id) == wanted)

    def contact_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in FAMILY_FIELDS}


# Fields each kind of consent asks for (besides the episode and the signature).
CONSENT_FIELDS: dict[str, tuple[str, ...]] = {
    ConsentKind.TREATMENT: ("expiry", "expires_on"),
    ConsentKind.FOLLOWUP: ("expiry", "expires_on"),
    ConsentKind.RELEASE: (
        "recipient_contact",
        "recipient_name",
        "recipient_organization",
        "recipient_address",
        "information",
        "purpose",
        "expiry",
        "expires_on",
    ),
}
CONSENT_FIELDS[ConsentKind.PART2] = CONSENT_FIELDS[ConsentKind.RELEASE]


class ContactChoiceField(forms.ModelChoiceField):
    show_program = False  # name each contact's program when the episodes span several

    def label_from_instance(self, obj: FamilyContact) -> str:
        if not self.show_program:
            return super().label_from_instance(obj)
        return f"{obj.name} ({obj.relationship}), {obj.program.name}"


class ParticipantSignForm(Form):
    """A participant signs a document by typing their legal name (checked by
    `services.signature_clean`). The help text shows the name on record, then what signing
    this document says (`signing_says`, set by each document's form)."""

    signing_says = ""
    typed_name = forms.CharField(label="Type your full legal name to sign", max_length=200)

    def __init__(self, *args: Any, participant: Participant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "typed_name"
        ].help_text = f"As on your record: {participant.legal_name}. {self.signing_says}"


class ConsentSignForm(Form):
    """One consent signed by the participant with staff present. Which fields show depends on
    the kind; the rules (Part 2 elements, expiry, recipients) are in participants/consents.py."""

    episode = forms.ModelChoiceField(
        label="Episode of care",
        queryset=Episode.objects.none(),
        to_field_name="public_id",
        empty_label=None,
    )
    recipient_contact = ContactChoiceField(
        label="Family member or contact",
        queryset=FamilyContact.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label="— someone else (name them below) —",
    )
    recipient_name = forms.CharField(
        label="Or: person receiving it", max_length=200, required=False
    )
    recipient_organization = forms.CharField(
        label="Their organization", max_length=200, required=False
    )
    recipient_address = forms.CharField(
        label="Their address or phone", max_length=300, required=False
    )
    information = forms.MultipleChoiceField(
        label="Information that may be shared",
        choices=ConsentInfo.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    purpose = forms.CharField(
        label="Purpose",
        max_length=300,
        required=False,
        help_text="What it is shared for, e.g. 'to support my treatment at home'.",
    )
    expiry = forms.ChoiceField(
        label="Ends", choices=ConsentExpiry.choices, widget=forms.RadioSelect
    )
    expires_on = forms.DateField(
        label="End date", widget=DateInput(), required=False, help_text="When it ends on a date."
    )
    typed_name = forms.CharField(
        label="Participant's signature: their full name, typed by them",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    witnessed = forms.BooleanField(
        label="The participant read this consent (or had it read to them), asked any questions, "
        "and typed their name in my presence.",
    )

    def __init__(
        self,
        *args: Any,
        kind: str,
        participant: Participant,
        episodes: QuerySet[Episode],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.field_of("episode", forms.ModelChoiceField).queryset = episodes
        # Contacts recorded in the episodes' programs: a release names one of its own program's.
        contacts = participant.family_contacts.filter(
            program__in=episodes.values("program")
        ).select_related("program")
        field = self.field_of("recipient_contact", ContactChoiceField)
        field.queryset = contacts
        field.show_program = len({e.program_id for e in episodes}) > 1
        keep = {"episode", *CONSENT_FIELDS[kind], "typed_name", "witnessed"}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if kind in (ConsentKind.RELEASE, ConsentKind.PART2):
            self.field_of("expiry", forms.ChoiceField).choices = [
                c for c in ConsentExpiry.choices if c[0] != ConsentExpiry.NONE
            ]
            self.fields["information"].required = True
            self.fields["purpose"].required = True
        if kind == ConsentKind.RELEASE:
            self.field_of("information", forms.ChoiceField).choices = [
                c
                for c in ConsentInfo.choices
                if c[0] not in (ConsentInfo.SUD_RECORDS, ConsentInfo.SUD_COUNSELING_NOTES)
            ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("expires_on") and data.get("expiry") == ConsentExpiry.DATE:
            self.add_error("expires_on", "Give the date the consent ends.")
        return data

    def sign_arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("witnessed", None)
        return data


class ConsentRevokeForm(Form):
    how = forms.ChoiceField(
        label="How the participant revoked it",
        choices=[
            c
            for c in ConsentRevokedHow.choices
            if c[0] not in (ConsentRevokedHow.PORTAL, ConsentRevokedHow.STAFF)
        ],
        widget=forms.RadioSelect,
    )


class PortalConsentRevokeForm(Form):
    confirm = forms.BooleanField(label="Yes, stop sharing this information now.")


class DiscloseForm(Form):
    """A "disclose to..." step: the consent that covers handing the record to its recipient
    (one of `consents`, from participants.disclosures.covering_consents) and, where the room
    offers several, the form it leaves in."""

    consent = forms.ChoiceField(
        label="Disclose to",
        widget=forms.RadioSelect,
        help_text="Only consents in force that name a recipient and cover this record are listed.",
        error_messages={"required": "Choose the consent that covers this disclosure."},
    )
    channel = forms.ChoiceField(label="Hand it over as", widget=forms.RadioSelect)
    confirm = forms.BooleanField(
        label="I am giving this only to the recipient the consent names, for its purpose.",
        error_messages={"required": "Confirm who receives it."},
    )

    def __init__(
        self,
        *args: Any,
        consents: Sequence[Consent],
        channels: Sequence[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.consents = {str(c.public_id): c for c in consents}
        self.field_of("consent", forms.ChoiceField).choices = [
            (key, f"{recipient_text(c)}: {consent_basis(c)}") for key, c in self.consents.items()
        ]
        self.field_of("channel", forms.ChoiceField).choices = list(channels)
        if len(channels) == 1:
            self.fields["channel"].initial = channels[0][0]
            self.fields["channel"].widget = forms.HiddenInput()

    def chosen(self) -> Consent:
        return self.consents[self.cleaned_data["consent"]]


def disclose_page(
    request: HttpRequest,
    form: DiscloseForm,
    *,
    participant: Participant,
    episode: Episode,
    consents: Sequence[Consent],
    title: str,
    what: str,
    submit: str,
    cancel: str,
    status: int = 200,
) -> HttpResponse:
    """The page of a `DiscloseForm` (disclose_form.html) for a record of `episode`. When no
    consent covers it, the page says so and, while the episode is open, links to recording
    one with the participant (a Part 2 consent in a substance-use program, otherwise a
    release) that comes back here."""
    program = episode.program
    new_consent_url = None
    if episode.is_open:
        kind = ConsentKind.PART2 if program.treats_sud else ConsentKind.RELEASE
        query = urlencode({"kind": kind, "episode": str(episode.public_id), "next": request.path})
        new_consent_url = (
            reverse("participants:consent_new", args=[participant.public_id]) + "?" + query
        )
    return form_page(
        request,
        "disclose_form.html",
        form,
        status=status,
        participant=participant,
        program=program,
        consents=consents,
        title=title,
        what=what,
        submit=submit,
        cancel=cancel,
        new_consent_url=new_consent_url,
    )
