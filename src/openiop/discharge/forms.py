"""Forms for transitions, discharge, the summary editor and alumni consent. They only shape
input; the rules live in services."""

from __future__ import annotations

from typing import Any

from django import forms

from openiop.discharge.models import (
    REQUIRED_FIELDS,
    STEP_DOWN_DESTINATIONS,
    STEP_UP_DESTINATIONS,
    SUMMARY_SECTIONS,
    ConsentHow,
    Destination,
)
from openiop.lib.forms import Form, text_area
from openiop.participants.models import DischargeKind


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def _reason(label: str = "Reason", help_text: str = "") -> forms.CharField:
    return text_area(label, rows=3, max_length=2000, required=True, help_text=help_text)


def _choices(values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(str(v), str(Destination(v).label)) for v in values]


CONSENT_CHOICES = [
    ("", "Not asked yet"),
    ("yes", "Yes: check in with me at 30, 90 and 180 days"),
    ("no", "No alumni check-ins"),
]


class ReasonForm(Form):
    on = forms.DateField(label="Date", widget=DateInput())
    reason = _reason()


class ExtendForm(Form):
    new_end = forms.DateField(label="New planned end", widget=DateInput())
    reason = _reason(
        help_text="Why more time is needed (progress, goals still open, payer approval)."
    )


class _ConsentFields(Form):
    followup_consent = forms.ChoiceField(
        label="Alumni check-ins",
        choices=CONSENT_CHOICES,
        required=False,
        help_text="Short questionnaires in the portal 30, 90 and 180 days after discharge, "
        "only if the participant agrees. They can stop them at any time.",
    )
    consent_how = forms.ChoiceField(
        label="How the participant answered", choices=ConsentHow.choices, required=False
    )

    def consent(self) -> tuple[bool | None, str]:
        value = self.cleaned_data.get("followup_consent") or ""
        how = self.cleaned_data.get("consent_how") or ConsentHow.IN_PERSON
        return ({"yes": True, "no": False}.get(value), how)


class DischargeForm(_ConsentFields):
    on = forms.DateField(label="Discharge date", widget=DateInput())
    kind = forms.ChoiceField(label="Why the episode ends", choices=DischargeKind.choices)
    reason = _reason("Reason for discharge", "A sentence for the record.")
    destination = forms.ChoiceField(
        label="Goes on to",
        choices=[("", "—"), *Destination.choices],
        required=False,
    )
    provider = forms.CharField(
        label="Provider", max_length=200, required=False, help_text="Name, practice and phone."
    )
    appointments = text_area(
        "Aftercare appointments",
        rows=2,
        max_length=4000,
        required=False,
        help_text="First appointments already booked, with dates.",
    )
    medication_followup = text_area(
        "Medication follow-up",
        rows=2,
        max_length=4000,
        required=False,
        help_text="Who prescribes after discharge and when; 'No medications' if none.",
    )
    relapse_plan_reviewed = forms.BooleanField(
        label="We went through the relapse prevention plan together",
        required=False,
        help_text="Needed before a completed discharge when the participant has a relapse "
        "prevention plan that has not been gone through yet.",
    )
    field_order = [
        "on",
        "kind",
        "reason",
        "destination",
        "provider",
        "appointments",
        "medication_followup",
        "relapse_plan_reviewed",
        "followup_consent",
        "consent_how",
    ]

    def __init__(self, *args: Any, kinds: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind_field = self.fields["kind"]
        assert isinstance(kind_field, forms.ChoiceField)
        kind_field.choices = [(str(k), str(DischargeKind(k).label)) for k in kinds]


class StepUpForm(_ConsentFields):
    on = forms.DateField(label="Date", widget=DateInput())
    destination = forms.ChoiceField(
        label="Level of care", choices=_choices(tuple(STEP_UP_DESTINATIONS))
    )
    provider = forms.CharField(label="Where (provider)", max_length=200, required=False)
    reason = _reason(help_text="What shows that IOP is not enough now.")
    field_order = ["on", "destination", "provider", "reason", "followup_consent", "consent_how"]


class StepDownForm(_ConsentFields):
    on = forms.DateField(label="Date", widget=DateInput())
    destination = forms.ChoiceField(
        label="Level of care", choices=_choices(tuple(STEP_DOWN_DESTINATIONS))
    )
    provider = forms.CharField(
        label="Provider", max_length=200, help_text="Name, practice and phone."
    )
    reason = _reason(help_text="Why the participant is ready for less intensive care.")
    appointments = text_area("Aftercare appointments", rows=2, max_length=4000, required=False)
    medication_followup = text_area("Medication follow-up", rows=2, max_length=4000, required=False)
    field_order = [
        "on",
        "destination",
        "provider",
        "reason",
        "appointments",
        "medication_followup",
        "followup_consent",
        "consent_how",
    ]


class SummaryForm(Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, heading, prompt in SUMMARY_SECTIONS:
            self.fields[name] = text_area(
                heading,
                rows=8 if name == "course_of_treatment" else 4,
                max_length=8000 if name == "course_of_treatment" else 4000,
                required=False,
                help_text=f"{prompt} Needed to sign." if name in REQUIRED_FIELDS else prompt,
            )


class AddendumForm(Form):
    text = text_area("Addendum", rows=3, max_length=4000, required=True)


class AlumniConsentForm(Form):
    agreed = forms.TypedChoiceField(
        label="Alumni check-ins",
        choices=[("yes", "Agreed"), ("no", "Declined")],
        coerce=lambda v: v == "yes",
    )
    how = forms.ChoiceField(label="How", choices=ConsentHow.choices)
