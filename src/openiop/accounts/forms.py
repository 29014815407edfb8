from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from openiop.lib.forms import Form, NulSafeMixin


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
