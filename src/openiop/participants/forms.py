"""Forms for the participant write pages. They check shape and choices only; the rules live in
participants/services.py. Choices are limited to what the signed-in user may pick (their
programs, the episode's tracks and clinicians) and refer to rows by public id."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from openiop.accounts.models import User
from openiop.participants.models import (
    EPISODE_TRANSITIONS,
    CareTeamMember,
    CareTeamRole,
    ConsentScope,
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


def apply_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on the field it names when the form has
    that field, otherwise at the top."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class ParticipantForm(forms.ModelForm):
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


class ParticipantCreateForm(ParticipantForm):
    program = forms.ModelChoiceField(
        queryset=Program.objects.none(), to_field_name="public_id", empty_label=None
    )
    inquiry_on = forms.DateField(label="Inquiry date", widget=DateInput())
    referral_source = forms.CharField(max_length=200, required=False)

    def __init__(self, *args: Any, programs: QuerySet[Program], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs  # type: ignore[attr-defined]


class EpisodeOpenForm(forms.Form):
    program = forms.ModelChoiceField(
        queryset=Program.objects.none(), to_field_name="public_id", empty_label=None
    )
    inquiry_on = forms.DateField(label="Inquiry date", widget=DateInput())
    referral_source = forms.CharField(max_length=200, required=False)

    def __init__(self, *args: Any, programs: QuerySet[Program], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs  # type: ignore[attr-defined]


class _EpisodeChoices(forms.Form):
    track = forms.ModelChoiceField(
        queryset=Track.objects.none(), to_field_name="public_id", required=False
    )
    primary_clinician = UserChoiceField(
        queryset=User.objects.none(), to_field_name="public_id", required=False
    )

    def __init__(self, *args: Any, episode: Episode, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.episode = episode
        self.fields["track"].queryset = Track.objects.filter(  # type: ignore[attr-defined]
            program_id=episode.program_id, is_active=True
        )
        self.fields["primary_clinician"].queryset = clinicians_of(  # type: ignore[attr-defined]
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
        self.fields["to_status"].choices = [  # type: ignore[attr-defined]
            (value, label) for value, label in EpisodeStatus.choices if value in allowed
        ]
        self.fields["track"].help_text = "Required when admitting."
        self.fields["primary_clinician"].help_text = "Required when admitting."


class EpisodeUpdateForm(_EpisodeChoices):
    pass


class CareTeamAddForm(forms.Form):
    user = UserChoiceField(
        label="Clinician", queryset=User.objects.none(), to_field_name="public_id"
    )
    role = forms.ChoiceField(choices=CareTeamRole.choices)

    def __init__(self, *args: Any, episode: Episode, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = clinicians_of(episode.program)  # type: ignore[attr-defined]


def member_key(member: CareTeamMember) -> str:
    """How a current care-team row is named in a form: (user, role) is unique among current
    rows, and neither part is a sequential id."""
    return f"{member.user.public_id}:{member.role}"


class CareTeamEndForm(forms.Form):
    member = forms.ChoiceField()

    def __init__(self, *args: Any, members: list[CareTeamMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = {member_key(m): m for m in members}
        self.fields["member"].choices = [(key, str(m)) for key, m in self.members.items()]  # type: ignore[attr-defined]

    def chosen(self) -> CareTeamMember:
        return self.members[self.cleaned_data["member"]]


class FamilyContactForm(forms.ModelForm):
    class Meta:
        model = FamilyContact
        fields = list(FAMILY_FIELDS)
        labels = {"email": "E-mail", "is_emergency_contact": "Emergency contact"}


class ConsentForm(forms.Form):
    contact = forms.ModelChoiceField(
        label="Family member",
        queryset=FamilyContact.objects.none(),
        to_field_name="public_id",
        empty_label=None,
    )
    scope = forms.ChoiceField(label="May see", choices=ConsentScope.choices)
    granted_on = forms.DateField(label="Consent given on", widget=DateInput())
    expires_on = forms.DateField(
        label="Expires on",
        widget=DateInput(),
        required=False,
        help_text="Leave empty if open-ended.",
    )

    def __init__(self, *args: Any, participant: Participant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = participant.family_contacts.all()  # type: ignore[attr-defined]
