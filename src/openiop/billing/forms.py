"""The billing room's forms: what staff type. The rules live in services.py."""

from __future__ import annotations

from typing import Any

from django import forms

from openiop.billing.models import (
    Coverage,
    CoverageRank,
    Payer,
    PayerRule,
    Relationship,
    ReviewOutcome,
)
from openiop.lib.forms import Form, ModelForm
from openiop.programs.models import Program, SessionCategory

DATE = forms.DateInput(attrs={"type": "date"})


class PayerForm(ModelForm):
    class Meta:
        model = Payer
        fields = [
            "name",
            "payer_id",
            "claim_format",
            "filing_indicator",
            "review_contact",
            "bill_type",
            "condition_codes",
            "days_left_threshold",
            "review_due_within_days",
            "review_cadence_days",
            "is_active",
        ]
        labels = {
            "payer_id": "Payer id",
            "days_left_threshold": "Warn when this many days are left",
            "review_due_within_days": "Warn this many days before a review",
            "review_cadence_days": "Concurrent review every (days)",
        }


class PayerRuleForm(ModelForm):
    counted_categories = forms.MultipleChoiceField(
        choices=SessionCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Session categories whose attended time counts toward a billable day.",
    )

    class Meta:
        model = PayerRule
        fields = [
            "program_kind",
            "revenue_code",
            "hcpcs",
            "modifiers",
            "counted_categories",
            "min_hours_per_day",
            "min_days_per_week",
            "partial_weeks",
            "note_requirement",
            "units_per_day",
            "requires_authorization",
            "charge_per_unit",
        ]
        labels = {
            "hcpcs": "HCPCS",
            "min_hours_per_day": "Minimum attended hours a day",
            "min_days_per_week": "Minimum billable days a week",
            "partial_weeks": "Weeks cut short (admission, discharge, hold)",
            "charge_per_unit": "Charge per unit (fee schedule)",
        }


class CoverageForm(ModelForm):
    def __init__(self, *args: Any, organization_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["payer"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Payer.objects.filter(organization_id=organization_id, is_active=True)
        self.fields["rank"].initial = CoverageRank.PRIMARY
        self.fields["relationship"].initial = Relationship.SELF

    class Meta:
        model = Coverage
        fields = [
            "payer",
            "rank",
            "member_id",
            "group_number",
            "relationship",
            "subscriber_name",
            "effective_from",
            "effective_until",
        ]
        labels = {"member_id": "Member id", "relationship": "Patient's relationship to subscriber"}
        widgets = {"effective_from": DATE, "effective_until": DATE}


class DiagnosisForm(Form):
    code = forms.CharField(
        max_length=12,
        label="ICD-10-CM code",
        help_text="Search below, or type a billable code such as F33.1.",
    )
    is_primary = forms.BooleanField(required=False, label="Primary (principal) diagnosis")
    onset_on = forms.DateField(required=False, label="Onset", widget=DATE)


class AuthorizationForm(Form):
    payer = forms.ModelChoiceField(queryset=Payer.objects.none())
    number = forms.CharField(max_length=80, label="Authorization number")
    level_of_care = forms.CharField(max_length=100, initial="Intensive outpatient")
    approved_units = forms.IntegerField(min_value=0, max_value=999, label="Approved units (days)")
    start_on = forms.DateField(widget=DATE, label="Start")
    end_on = forms.DateField(widget=DATE, label="End")
    reviewer = forms.CharField(max_length=200, required=False, label="Payer's reviewer")
    next_review_on = forms.DateField(widget=DATE, required=False, label="Next review")

    def __init__(self, *args: Any, organization_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["payer"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Payer.objects.filter(organization_id=organization_id, is_active=True)


class ReviewForm(Form):
    reviewed_on = forms.DateField(widget=DATE, label="Review date")
    outcome = forms.ChoiceField(choices=ReviewOutcome.choices)
    additional_units = forms.IntegerField(
        min_value=0, max_value=999, initial=0, label="More days approved"
    )
    new_end_on = forms.DateField(widget=DATE, required=False, label="New end date")
    next_review_on = forms.DateField(widget=DATE, required=False, label="Next review")
    reviewer = forms.CharField(max_length=200, required=False, label="Payer's reviewer")


class ClaimPeriodForm(Form):
    """Which program, payer and period the claims worklist shows (a GET form: ids and dates
    only, never a person)."""

    program = forms.ModelChoiceField(queryset=Program.objects.none(), to_field_name="public_id")
    payer = forms.ModelChoiceField(queryset=Payer.objects.none(), to_field_name="public_id")
    start = forms.DateField(widget=DATE, label="From")
    end = forms.DateField(widget=DATE, label="To")

    def __init__(
        self, *args: Any, organization_id: int, program_ids: list[int], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        program = self.fields["program"]
        payer = self.fields["payer"]
        assert isinstance(program, forms.ModelChoiceField)
        assert isinstance(payer, forms.ModelChoiceField)
        program.queryset = Program.objects.filter(pk__in=program_ids).order_by("name")
        payer.queryset = Payer.objects.filter(organization_id=organization_id, is_active=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError("The period ends before it starts.")
        if data.get("start") and data.get("end") and (data["end"] - data["start"]).days > 92:
            raise forms.ValidationError("Choose a period of at most three months.")
        return data


class RemittanceForm(Form):
    payer = forms.ModelChoiceField(queryset=Payer.objects.none())
    file = forms.FileField(label="835 remittance file")

    def __init__(self, *args: Any, organization_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["payer"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Payer.objects.filter(organization_id=organization_id)
