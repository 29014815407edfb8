from __future__ import annotations

from typing import Any

from django import forms

from openiop.lib.forms import Form, text_area
from openiop.safety.models import (
    HIGH_ESCALATE_DEFAULT,
    HIGH_ESCALATE_MAX,
    LOW_ESCALATE_MAX,
    THRESHOLD_RANGE,
    URGENT_ESCALATE_DEFAULT,
    URGENT_ESCALATE_MAX,
    Resolution,
    RiskRule,
    Severity,
)


class ResolveForm(Form):
    resolution = forms.ChoiceField(
        label="What was done", choices=Resolution.choices, widget=forms.RadioSelect
    )
    note = text_area(
        "Note",
        rows=3,
        max_length=2000,
        required=False,
        help_text="Required when no action was needed: say why.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("resolution") == Resolution.NO_ACTION and not (data.get("note") or "").strip():
            self.add_error("note", "Say why no action was needed.")
        return data


class RuleForm(Form):
    severity = forms.ChoiceField(label="Severity", choices=Severity.choices)
    threshold = forms.IntegerField(label="Threshold", required=False)
    is_active = forms.BooleanField(label="On", required=False)

    def __init__(self, *args: Any, rule: RiskRule, **kwargs: Any) -> None:
        kwargs["prefix"] = f"rule-{rule.public_id}"
        super().__init__(*args, **kwargs)
        self.rule = rule
        bounds = THRESHOLD_RANGE.get(rule.kind)
        if bounds is None:
            del self.fields["threshold"]
        else:
            self.fields["threshold"].required = True
            self.fields["threshold"].widget.attrs.update({"min": bounds[0], "max": bounds[1]})

    def clean_threshold(self) -> int | None:
        value: int | None = self.cleaned_data.get("threshold")
        bounds = THRESHOLD_RANGE.get(self.rule.kind)
        if bounds and (value is None or not bounds[0] <= value <= bounds[1]):
            raise forms.ValidationError(f"Between {bounds[0]} and {bounds[1]}.")
        return value


class EscalationForm(Form):
    urgent_escalate_minutes = forms.IntegerField(
        label="Urgent: escalate after (minutes)",
        min_value=1,
        max_value=URGENT_ESCALATE_MAX,
        help_text=f"1 to {URGENT_ESCALATE_MAX}. Default {URGENT_ESCALATE_DEFAULT}.",
    )
    high_escalate_minutes = forms.IntegerField(
        label="High: escalate after (minutes)",
        min_value=1,
        max_value=HIGH_ESCALATE_MAX,
        help_text=f"1 to {HIGH_ESCALATE_MAX}. Default {HIGH_ESCALATE_DEFAULT}.",
    )
    low_escalate_minutes = forms.IntegerField(
        label="Low (engagement): escalate after (minutes)",
        required=False,
        min_value=1,
        max_value=LOW_ESCALATE_MAX,
        help_text="Leave blank for never: engagement alerts stay with the primary clinician.",
    )


class ShiftForm(Form):
    user = forms.ChoiceField(label="On call")
    backup = forms.ChoiceField(label="Backup (next person)", required=False)
    starts_on = forms.DateField(label="First day", widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label="Last day", widget=forms.DateInput(attrs={"type": "date"}))
    start_hour = forms.IntegerField(label="From hour (0-23)", min_value=0, max_value=23, initial=0)
    end_hour = forms.IntegerField(label="To hour (1-24)", min_value=1, max_value=24, initial=24)

    def __init__(self, *args: Any, people: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(u.public_id), u.display_name) for u in people]
        self.people = {str(u.public_id): u for u in people}
        self.field_of("user", forms.ChoiceField).choices = [("", "Choose…"), *choices]
        self.field_of("backup", forms.ChoiceField).choices = [("", "None"), *choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["user"] = self.people.get(data.get("user") or "")
        data["backup"] = self.people.get(data.get("backup") or "")
        if data["user"] is None and "user" not in self.errors:
            self.add_error("user", "Choose who is on call.")
        return data
