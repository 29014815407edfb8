from __future__ import annotations

from typing import Any

from django import forms
from django.core import signing
from django.db.models import QuerySet
from django.utils import timezone

from openiop.accounts.models import User
from openiop.accounts.roles import Role
from openiop.intake.models import (
    ASAM_DIMENSIONS,
    MESSAGE_MAX,
    STAFF_SOURCES,
    CareLevel,
    ContactTime,
    CssrsTier,
    InquiryFor,
    IopSignal,
    PriorCare,
    RuleSet,
)
from openiop.lib.forms import Form, ModelForm, text_area
from openiop.participants.forms import DateInput, clinicians_of
from openiop.programs.models import Program, Track, Weekday
from openiop.scheduling.models import UnavailabilityReason

# The signed timestamp on the public form: a person takes more than a few seconds to fill it
# in, and a page left open for over a day is reloaded rather than trusted.
FORM_SALT = "openiop.intake.inquiry-form"
MIN_SECONDS = 3
MAX_SECONDS = 24 * 60 * 60
HONEYPOT = "website"


def form_token(shown_at: float | None = None) -> str:
    """The signed moment the form was shown (seconds since the epoch)."""
    moment = int(timezone.now().timestamp() if shown_at is None else shown_at)
    return signing.Signer(salt=FORM_SALT).sign(str(moment))


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


class ProgramChoiceField(forms.ModelChoiceField):
    show_org = False  # name each program's organization when the choices span several

    def label_from_instance(self, obj: Program) -> str:
        return f"{obj.name} ({obj.organization.name})" if self.show_org else obj.name


class InquiryForm(Form):
    name = forms.CharField(
        label="Your first name or initials",
        max_length=100,
        help_text="No last name needed.",
    )
    phone = forms.CharField(label="Phone", max_length=40, required=False)
    email = forms.EmailField(label="E-mail", required=False)
    contact_time = forms.ChoiceField(
        label="Best time to reach you", choices=ContactTime.choices, initial=ContactTime.ANY
    )
    inquiry_for = forms.ChoiceField(
        label="Who is this inquiry for?", choices=InquiryFor.choices, initial=InquiryFor.SELF
    )
    program = ProgramChoiceField(
        label="Program you are asking about",
        queryset=Program.objects.none(),
        to_field_name="public_id",
    )
    message = forms.CharField(
        label="What's going on (optional)",
        max_length=MESSAGE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MESSAGE_MAX}),
        help_text=f"A sentence or two is plenty (up to {MESSAGE_MAX} characters). "
        "Please leave out details you would rather tell us on the phone.",
    )
    consent_to_contact = forms.BooleanField(
        label="I agree that the program may contact me by the phone or e-mail above.",
        required=True,
        error_messages={"required": "We can only reply if you agree to be contacted."},
    )
    # Spam resistance without third parties: a field people never see (bots fill it) and a
    # signed time the form was shown.
    website = forms.CharField(
        required=False,
        label="Leave this empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, programs: QuerySet[Program], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.field_of("program", ProgramChoiceField)
        field.queryset = programs.select_related("organization")
        field.show_org = programs.values("organization").distinct().count() > 1
        if not self.is_bound:
            self.initial["token"] = form_token()
        self.spam = False

    def visible_fields(self) -> list[Any]:
        return [f for f in super().visible_fields() if f.name != HONEYPOT]

    def clean_token(self) -> str:
        token = self.cleaned_data["token"]
        try:
            shown = int(signing.Signer(salt=FORM_SALT).unsign(token))
        except (signing.BadSignature, ValueError):
            shown = None
        age = timezone.now().timestamp() - shown if shown is not None else None
        if age is None or age > MAX_SECONDS or age < -60:
            # The token is hidden: its error goes at the top of the form, where people see it.
            self.add_error(
                None, "This form has expired. Please check your answers and send it again."
            )
            return token
        if age < MIN_SECONDS:
            self.spam = True
        return token

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get(HONEYPOT):
            self.spam = True
        reachable = data.get("phone", "").strip() or data.get("email", "").strip()
        if not reachable and "phone" not in self.errors and "email" not in self.errors:
            raise forms.ValidationError(
                "Give a phone number or an e-mail address so we can reach you."
            )
        return data


def _staff_choices(program_ids: list[int], organization_id: int | None) -> QuerySet[User]:
    return (
        User.objects.filter(
            organization_id=organization_id or 0,
            is_active=True,
            role__in=[Role.INTAKE, Role.DIRECTOR],
            assignments__program_id__in=program_ids,
        )
        .distinct()
        .order_by("full_name")
    )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name)


class ReferralForm(Form):
    program = forms.ModelChoiceField(queryset=Program.objects.none(), to_field_name="public_id")
    source = forms.ChoiceField(label="Referral source", choices=STAFF_SOURCES)
    name = forms.CharField(label="First name or initials", max_length=100)
    phone = forms.CharField(max_length=40, required=False)
    email = forms.EmailField(label="E-mail", required=False)
    contact_time = forms.ChoiceField(label="Best time to reach", choices=ContactTime.choices)
    inquiry_for = forms.ChoiceField(label="Inquiry is for", choices=InquiryFor.choices)
    referrer_name = forms.CharField(label="Referrer's name", max_length=200, required=False)
    referrer_organization = forms.CharField(
        label="Referrer's organization", max_length=200, required=False
    )
    referrer_phone = forms.CharField(label="Referrer's phone", max_length=40, required=False)
    referrer_email = forms.EmailField(label="Referrer's e-mail", required=False)
    message = text_area("Reason for referral", rows=3, max_length=MESSAGE_MAX, required=False)
    follow_up_on = forms.DateField(label="Follow up on", required=False, widget=DateInput())
    assigned_to = UserChoiceField(
        label="Assigned to", queryset=User.objects.none(), required=False, to_field_name="public_id"
    )

    def __init__(
        self, *args: Any, programs: QuerySet[Program], assignees: QuerySet[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.field_of("program", forms.ModelChoiceField).queryset = programs
        self.field_of("assigned_to", forms.ModelChoiceField).queryset = assignees


class MoveForm(Form):
    note = forms.CharField(
        label="Outcome note", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    follow_up_on = forms.DateField(label="Follow up on", required=False, widget=DateInput())


class FollowUpForm(Form):
    follow_up_on = forms.DateField(label="Follow up on", required=False, widget=DateInput())
    assigned_to = UserChoiceField(
        label="Assigned to", queryset=User.objects.none(), required=False, to_field_name="public_id"
    )

    def __init__(self, *args: Any, assignees: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.field_of("assigned_to", forms.ModelChoiceField).queryset = assignees


class ConvertForm(Form):
    legal_first_name = forms.CharField(max_length=100)
    legal_last_name = forms.CharField(max_length=100)
    date_of_birth = forms.DateField(widget=DateInput())


_TEXT = {"rows": 3}


class AssessmentForm(Form):
    presenting_concerns = forms.CharField(required=False, widget=forms.Textarea(attrs=_TEXT))
    triggers = forms.CharField(required=False, widget=forms.Textarea(attrs=_TEXT))
    goals = forms.CharField(required=False, widget=forms.Textarea(attrs=_TEXT))
    underlying_issues = forms.CharField(required=False, widget=forms.Textarea(attrs=_TEXT))
    mental_health_history = forms.CharField(
        required=False, widget=forms.Textarea(attrs=_TEXT), label="Mental health history"
    )
    prior_care = forms.MultipleChoiceField(
        label="Prior levels of care (mental health)",
        choices=PriorCare.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    medical_notes = forms.CharField(required=False, widget=forms.Textarea(attrs=_TEXT))
    medication_notes = forms.CharField(required=False, widget=forms.Textarea(attrs=_TEXT))
    support_system = forms.CharField(required=False, widget=forms.Textarea(attrs=_TEXT))
    constraints = forms.CharField(
        label="Work, school and family commitments",
        required=False,
        widget=forms.Textarea(attrs=_TEXT),
    )
    substance_use_history = forms.CharField(
        label="Substance use history", required=False, widget=forms.Textarea(attrs=_TEXT)
    )
    substance_use_prior_care = forms.MultipleChoiceField(
        label="Prior substance use treatment",
        choices=PriorCare.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    asam_1 = forms.TypedChoiceField(required=False)
    asam_2 = forms.TypedChoiceField(required=False)
    asam_3 = forms.TypedChoiceField(required=False)
    asam_4 = forms.TypedChoiceField(required=False)
    asam_5 = forms.TypedChoiceField(required=False)
    asam_6 = forms.TypedChoiceField(required=False)
    cssrs_tier = forms.ChoiceField(
        label="C-SSRS risk tier (if not scored in measures)",
        choices=[("", "Not recorded"), *CssrsTier.choices],
        required=False,
    )
    withdrawal_needs_medical = forms.BooleanField(
        label="Withdrawal risk needs medical management", required=False
    )
    hours_needed = forms.DecimalField(
        label="Hours of treatment needed per week",
        required=False,
        min_value=0,
        max_value=80,
        decimal_places=1,
    )
    daily_medical_oversight = forms.BooleanField(
        label="Needs daily medical oversight", required=False
    )
    able_to_take_part = forms.BooleanField(
        label="Able to take part cognitively and emotionally", required=False, initial=True
    )
    iop_signals = forms.MultipleChoiceField(
        label="Who IOP is for: what applies",
        choices=IopSignal.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    locus_level = forms.TypedChoiceField(
        label="LOCUS level (done elsewhere)",
        choices=[("", "None recorded"), *[(str(i), str(i)) for i in range(1, 7)]],
        coerce=int,
        empty_value=None,
        required=False,
    )
    locus_on = forms.DateField(label="LOCUS date", required=False, widget=DateInput())
    locus_by = forms.CharField(label="LOCUS done by", max_length=200, required=False)

    def __init__(self, *args: Any, sud_access: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in ASAM_DIMENSIONS:
            field: Any = self.fields[name]
            field.label = label
            field.choices = [("", "Not rated"), *[(str(i), str(i)) for i in range(5)]]
            field.coerce = int
            field.empty_value = None
        if not sud_access:
            for name in ("substance_use_history", "substance_use_prior_care"):
                del self.fields[name]

    def section(self, names: tuple[str, ...]) -> list[Any]:
        return [self[n] for n in names if n in self.fields]


class BlockForm(Form):
    # Blank first choices: an untouched spare row must submit as empty, not as "Monday, work".
    weekday = forms.TypedChoiceField(choices=[("", "—"), *Weekday.choices], coerce=int)
    start_time = forms.TimeField(widget=TimeInput())
    end_time = forms.TimeField(widget=TimeInput())
    reason = forms.ChoiceField(choices=[("", "—"), *UnavailabilityReason.choices])
    note = forms.CharField(max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and start >= end:
            raise forms.ValidationError("The unavailable time must end after it starts.")
        return data


BlockFormSet = forms.formset_factory(BlockForm, extra=2, can_delete=True, max_num=21)


class DecisionForm(Form):
    accept = forms.TypedChoiceField(
        label="Decision",
        choices=[("1", "Accept the recommendation"), ("0", "Override it")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    decided_level = forms.ChoiceField(
        label="Level of care (when overriding)",
        choices=[("", "—"), *CareLevel.choices],
        required=False,
    )
    decided_track = forms.ModelChoiceField(
        label="Track", queryset=Track.objects.none(), required=False, to_field_name="public_id"
    )
    override_reason = forms.CharField(
        label="Reason for overriding", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.field_of("decided_track", forms.ModelChoiceField).queryset = Track.objects.filter(
            program=program, is_active=True
        )


class RuleSetForm(ModelForm):
    refer_up_cssrs_tiers = forms.MultipleChoiceField(
        label="C-SSRS tiers that point to residential or inpatient care",
        choices=[c for c in CssrsTier.choices if c[0] != CssrsTier.NONE],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = RuleSet
        fields = [
            "iop_min_hours",
            "php_min_hours",
            "refer_up_cssrs_tiers",
            "residential_rating",
            "php_rating",
            "php_dimension_count",
            "outpatient_max_rating",
        ]


class AdmitForm(Form):
    track = forms.ModelChoiceField(
        queryset=Track.objects.none(), to_field_name="public_id", required=False
    )
    primary_clinician = UserChoiceField(
        label="Primary clinician",
        queryset=User.objects.none(),
        to_field_name="public_id",
        required=False,
    )
    start_on = forms.DateField(
        label="First day in program",
        widget=DateInput(),
        required=False,
        help_text="Today or later. Group sessions before this day are not booked.",
    )
    planned_weeks = forms.IntegerField(
        label="Planned length (weeks)",
        required=False,
        min_value=1,
        max_value=52,
        help_text="Agreed with the participant; 4 to 26 weeks.",
    )

    invite_to_portal = forms.BooleanField(
        label="E-mail an invitation to the portal",
        required=False,
        help_text="Sent to the e-mail address on record once admitted. The participant chooses "
        "their own password and then sees their schedule, check-ins and diary card.",
    )

    def __init__(
        self, *args: Any, program: Program, portal_blocker: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.field_of("track", forms.ModelChoiceField).queryset = Track.objects.filter(
            program=program, is_active=True
        )
        if portal_blocker:
            # Nothing to send (no address, or an account already): say why instead.
            del self.fields["invite_to_portal"]
        self.field_of("primary_clinician", forms.ModelChoiceField).queryset = clinicians_of(program)
