"""The administrator's form for a staff account: it offers the organization's programs
(programs) and its supervisors (accounts)."""

from __future__ import annotations

from typing import Any

from django import forms

from openiop.accounts.models import SUPERVISOR_ROLES, User
from openiop.accounts.roles import STAFF_ROLES, Role
from openiop.lib.forms import Form
from openiop.programs.models import Organization, Program


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
