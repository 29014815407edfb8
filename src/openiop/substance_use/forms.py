"""Forms for the medication pages. They only shape input; the rules live in services."""

from __future__ import annotations

from typing import Any

from django import forms

from openiop.accounts.models import User
from openiop.lib.forms import Form
from openiop.participants.models import Consent, Episode
from openiop.substance_use.models import (
    OCCASION_CHOICES,
    OUTCOME_CHOICES,
    PRESCRIBER_CHOICES,
    REASON_CHOICES,
    ROUTE_CHOICES,
    SOURCE_CHOICES,
    SPECIMEN_CHOICES,
    Medication,
)
from openiop.substance_use.services import RECORDING_ROLES, MedicationInput
from openiop.substance_use.testing import PANEL_NAMES

DATE = forms.DateInput(attrs={"type": "date"})


class ConsentChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        consent: Consent = obj
        to = consent.recipient_label or "a named recipient"
        return f"Part 2 consent to {to}, signed {consent.signed_on:%b %-d, %Y}"


class ClinicianChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        user: User = obj
        return user.full_name


class MedicationForm(Form):
    name = forms.CharField(label="Medication", max_length=200, help_text="Generic or brand name.")
    dose = forms.CharField(label="Dose", max_length=200, required=False, help_text="e.g. 8 mg")
    route = forms.ChoiceField(label="Route", choices=ROUTE_CHOICES)
    frequency = forms.CharField(
        label="How often", max_length=200, required=False, help_text="e.g. once daily"
    )
    indication = forms.CharField(
        label="What it is for",
        max_length=200,
        required=False,
        help_text="For naltrexone, say whether it treats opioid or alcohol use disorder.",
    )
    prescriber_kind = forms.ChoiceField(label="Prescribed by", choices=PRESCRIBER_CHOICES)
    prescriber_user = ClinicianChoice(
        label="Program clinician",
        queryset=User.objects.none(),
        required=False,
        help_text="When a clinician of the program prescribes it.",
    )
    prescriber_name = forms.CharField(
        label="Outside prescriber or OTP",
        max_length=200,
        required=False,
        help_text="The person or the opioid treatment program, as the chart should show it.",
    )
    prescriber_phone = forms.CharField(label="Their phone", max_length=40, required=False)
    coordination_consent = ConsentChoice(
        label="Consent that allows coordinating with them",
        queryset=Consent.objects.none(),
        required=False,
        help_text=(
            "A Part 2 consent where the program treats substance use. Leave empty if there "
            "is none yet: the medication is recorded, not coordinated."
        ),
    )
    source = forms.ChoiceField(label="Where this comes from", choices=SOURCE_CHOICES)
    start_on = forms.DateField(label="Started", required=False, widget=DATE)
    stop_on = forms.DateField(
        label="Stopped (last day taken)", required=False, widget=DATE, help_text="Or a planned end."
    )
    stop_reason = forms.CharField(label="Why it stopped", max_length=200, required=False)

    def __init__(self, *args: Any, episode: Episode, consents: list[Consent], **kwargs: Any):
        super().__init__(*args, **kwargs)
        clinicians = User.objects.filter(
            assignments__program_id=episode.program_id,
            role__in=list(RECORDING_ROLES),
            is_active=True,
        ).order_by("full_name")
        self.fields["prescriber_user"].queryset = clinicians  # type: ignore[attr-defined]
        self.fields["coordination_consent"].queryset = Consent.objects.filter(  # type: ignore[attr-defined]
            pk__in=[c.pk for c in consents]
        )

    @classmethod
    def initial_for(cls, medication: Medication) -> dict[str, Any]:
        return {
            "name": medication.name,
            "dose": medication.dose,
            "route": medication.route,
            "frequency": medication.frequency,
            "indication": medication.indication,
            "prescriber_kind": medication.prescriber_kind,
            "prescriber_user": medication.prescriber_user_id,
            "prescriber_name": medication.prescriber_name,
            "prescriber_phone": medication.prescriber_phone,
            "coordination_consent": medication.coordination_consent_id,
            "source": medication.source,
            "start_on": medication.start_on,
            "stop_on": medication.stop_on,
            "stop_reason": medication.stop_reason,
        }

    def to_input(self) -> MedicationInput:
        data = self.cleaned_data
        return MedicationInput(
            name=data["name"],
            dose=data["dose"],
            route=data["route"],
            frequency=data["frequency"],
            indication=data["indication"],
            prescriber_kind=data["prescriber_kind"],
            prescriber_user=data["prescriber_user"],
            prescriber_name=data["prescriber_name"],
            prescriber_phone=data["prescriber_phone"],
            coordination_consent=data["coordination_consent"],
            source=data["source"],
            start_on=data["start_on"],
            stop_on=data["stop_on"],
            stop_reason=data["stop_reason"],
        )


class ReconciliationForm(Form):
    occasion = forms.ChoiceField(label="Occasion", choices=OCCASION_CHOICES)
    reviewed_on = forms.DateField(label="Reviewed on", widget=DATE)
    reviewed_with_participant = forms.BooleanField(
        label="Reviewed with the participant", required=False, initial=True
    )
    note = forms.CharField(
        label="Note",
        max_length=500,
        required=False,
        help_text="Required at discharge when the participant was not there: say why.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# --- drug and alcohol testing ----------------------------------------------------------------

USUAL_CUP = [
    "amphetamines",
    "benzodiazepines",
    "buprenorphine",
    "cannabinoids (THC)",
    "cocaine",
    "fentanyl",
    "methadone",
    "methamphetamine",
    "opiates",
    "oxycodone",
]


class DrugTestForm(Form):
    custody_id = forms.CharField(
        label="Chain-of-custody id", max_length=60, help_text="As on the specimen's requisition."
    )
    specimen = forms.ChoiceField(label="Specimen", choices=SPECIMEN_CHOICES)
    reason = forms.ChoiceField(label="Why it was asked for", choices=REASON_CHOICES)
    outcome = forms.ChoiceField(label="Outcome", choices=OUTCOME_CHOICES)
    observed = forms.TypedChoiceField(
        label="Collection observed",
        choices=[("", "—"), ("yes", "Observed"), ("no", "Not observed")],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
        help_text="For a collected specimen.",
    )
    collected_at = forms.DateTimeField(
        label="When", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    note = forms.CharField(
        label="Reason or note",
        max_length=300,
        required=False,
        help_text="Required when the test was declined or not collected: the reason given.",
    )
    tested = forms.MultipleChoiceField(
        label="Tested at the point of care",
        choices=[(n, n) for n in PANEL_NAMES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Leave empty when the specimen goes to the laboratory only.",
    )
    positive = forms.MultipleChoiceField(
        label="Positive",
        choices=[(n, n) for n in PANEL_NAMES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="The substances tested that were positive; the others are recorded negative.",
    )


class LabFileForm(Form):
    file = forms.FileField(
        label="Laboratory result file (CSV)",
        help_text=(
            "Checked whole: if any row is wrong, nothing is imported and every bad row is named."
        ),
    )


class FollowUpCloseForm(Form):
    note = forms.CharField(
        label="What was talked over",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class TestingPolicyForm(Form):
    specimen_types = forms.MultipleChoiceField(
        label="Specimen types", choices=SPECIMEN_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    testing_days = forms.TypedMultipleChoiceField(
        label="Testing days",
        choices=[
            (0, "Monday"),
            (1, "Tuesday"),
            (2, "Wednesday"),
            (3, "Thursday"),
            (4, "Friday"),
            (5, "Saturday"),
            (6, "Sunday"),
        ],
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    weekly_rate_percent = forms.IntegerField(
        label="Random selection per week (% of eligible participants)",
        min_value=1,
        max_value=100,
        help_text="Each participant's chance each week, whatever happened the week before.",
    )
