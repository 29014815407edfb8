from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from openiop.accounts.models import SUPERVISOR_ROLES, User
from openiop.accounts.roles import STAFF_ROLES, Role
from openiop.lib.forms import Form, NulSafeMixin
from openiop.programs.models import Organization, Program


class EmailAuthenticationForm(NulSafeMixin, AuthenticationForm):
    # One message for a wrong password, an unknown address and a deactivated account, so
    # the form never tells which e-mail addresses have accounts.
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": (
            "That e-mail address and password did not match an active account. "
            "Check both and try again; after several failed attempts sign-in is locked "
            "for a while."
        ),
    }

    username = forms.EmailField(
        label="E-mail", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    def clean_username(self) -> str:
        return str(self.cleaned_data["username"]).lower()


class TokenForm(Form):
    token = forms.CharField(
        label="6-digit code from your authenticator app",
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]{6}"}
        ),
    )

    def __init__(self, *args: Any, device: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_token(self) -> str:
        token = str(self.cleaned_data["token"]).strip()
        if not token.isdigit():
            raise forms.ValidationError("The code is six digits.")
        if self.device is None:
            raise forms.ValidationError("No authenticator is set up for this account.")
        # django-otp doubles the wait after each wrong code; say so rather than letting a
        # correct code look wrong while the device is throttled.
        allowed, _ = self.device.verify_is_allowed()
        if not allowed:
            raise forms.ValidationError(
                "Too many wrong codes. Wait a minute, then enter the newest code."
            )
        if not self.device.verify_token(token):
            raise forms.ValidationError(
                "That code did not match. Check the time on your phone and try the newest code."
            )
        return token


class StaffUserForm(Form):
    """An administrator's form for a staff account. Checks that need the database (unique
    e-mail, programs of this organization, the last administrator) live in services."""

    email = forms.EmailField(label="E-mail", widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    full_name = forms.CharField(label="Full name", max_length=200)
    credentials = forms.CharField(
        label="Credentials",
        max_length=100,
        required=False,
        help_text="Licence and degree, e.g. LCSW, PhD.",
    )
    role = forms.ChoiceField(
        label="Role", choices=[(r.value, r.label) for r in Role if r in STAFF_ROLES]
    )
    programs = forms.ModelMultipleChoiceField(
        label="Programs",
        queryset=Program.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Staff see participants only in the programs they work in.",
    )
    supervisor = forms.ModelChoiceField(
        label="Clinical supervisor",
        queryset=User.objects.none(),
        required=False,
        to_field_name="public_id",
        help_text="Co-signs this person's notes, and treatment plans where a program requires it.",
    )

    def __init__(self, *args: Any, organization: Organization | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["programs"]
        field.queryset = Program.objects.filter(organization=organization).order_by("name")
        supervisor: Any = self.fields["supervisor"]
        supervisor.queryset = User.objects.filter(
            organization=organization,
            is_active=True,
            role__in=SUPERVISOR_ROLES,
        ).order_by("full_name")

    def clean_full_name(self) -> str:
        name = str(self.cleaned_data["full_name"]).strip()
        if not name:
            raise forms.ValidationError("Enter the person's full name.")
        return name
