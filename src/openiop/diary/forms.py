"""The diary card form: big segmented 0-5 buttons (sliders are hard to use with a thumb, a
screen reader or a tremor), yes/no pairs, and optional rows for emotions, skills and targets."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from openiop.diary.models import (
    EMOTION_MAX,
    SKILL_ANCHORS,
    URGE_MAX,
    DiaryTarget,
    Hierarchy,
    Medication,
)
from openiop.diary.services import CardAnswers
from openiop.lib.forms import Form, text_area
from openiop.programs.models import SkillsModule

YES_NO = [("yes", "Yes"), ("no", "No")]


def _scale(label: str, maximum: int, *, required: bool, help_text: str = "") -> forms.Field:
    choices = [(str(n), str(n)) for n in range(maximum + 1)]
    return forms.TypedChoiceField(
        label=label,
        choices=choices if required else [("", "-"), *choices],
        coerce=int,
        empty_value=None,
        required=required,
        widget=forms.RadioSelect,
        help_text=help_text,
        error_messages={"required": "Choose a number (0 means none)."},
    )


def _yes_no(label: str) -> forms.Field:
    return forms.ChoiceField(
        label=label,
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose yes or no."},
    )


class DiaryCardForm(Form):
    def __init__(
        self,
        *args: Any,
        emotions: list[str],
        targets: list[DiaryTarget],
        days: list[date],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.emotion_names = emotions
        self.target_list = targets
        self.fields["day"] = forms.TypedChoiceField(
            label="Which day is this card for?",
            choices=[(d.isoformat(), f"{d:%A, %B} {d.day}") for d in days],
            coerce=date.fromisoformat,
            widget=forms.HiddenInput if len(days) == 1 else forms.Select,
        )
        self.fields["urge_suicide"] = _scale("Urge to die by suicide", URGE_MAX, required=True)
        self.fields["urge_self_harm"] = _scale("Urge to hurt yourself", URGE_MAX, required=True)
        self.fields["urge_substance"] = _scale(
            "Urge to use alcohol or drugs", URGE_MAX, required=True
        )
        self.fields["action_self_harm"] = _yes_no("Did you hurt yourself?")
        self.fields["action_substance"] = _yes_no("Did you use alcohol or drugs?")
        self.fields["substance_what"] = forms.CharField(
            label="What did you use?", required=False, max_length=120
        )
        self.fields["substance_amount"] = forms.CharField(
            label="How much?", required=False, max_length=120
        )
        for target in targets:
            key = str(target.public_id)
            if target.rates_urge:
                self.fields[f"target_{key}_urge"] = _scale(
                    f"Urge: {target.name}", URGE_MAX, required=False
                )
            if target.records_action:
                self.fields[f"target_{key}_action"] = forms.ChoiceField(
                    label=f"Did it happen: {target.name}?",
                    choices=[("", "-"), *YES_NO],
                    widget=forms.RadioSelect,
                    required=False,
                )
        for name in emotions:
            self.fields[f"emotion_{name}"] = _scale(name.capitalize(), EMOTION_MAX, required=False)
        self.fields["medication"] = forms.ChoiceField(
            label="Did you take your medication?",
            choices=Medication.choices,
            widget=forms.RadioSelect,
            error_messages={"required": "Choose one."},
        )
        for module in SkillsModule:
            self.fields[f"skill_{module.value}"] = _scale(str(module.label), 7, required=False)
        self.fields["note"] = text_area(
            "Anything else you want your therapist to know?",
            rows=3,
            max_length=2000,
            required=False,
        )

    # Grouped for the template.
    def urge_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in ("urge_suicide", "urge_self_harm", "urge_substance")]

    def target_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in self.fields if n.startswith("target_")]

    def emotion_fields(self) -> list[forms.BoundField]:
        return [self[f"emotion_{n}"] for n in self.emotion_names]

    def skill_fields(self) -> list[forms.BoundField]:
        return [self[f"skill_{m.value}"] for m in SkillsModule]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action_substance") == "yes" and not (data.get("substance_what") or "").strip():
            self.add_error("substance_what", "Say what you used (and how much, if you can).")
        return data

    def answers(self) -> CardAnswers:
        d = self.cleaned_data
        targets: dict[str, dict[str, Any]] = {}
        for target in self.target_list:
            key = str(target.public_id)
            urge = d.get(f"target_{key}_urge")
            action = d.get(f"target_{key}_action") or ""
            if urge is not None or action:
                targets[key] = {"urge": urge, "action": {"yes": True, "no": False}.get(action)}
        return CardAnswers(
            urge_suicide=d["urge_suicide"],
            urge_self_harm=d["urge_self_harm"],
            urge_substance=d["urge_substance"],
            action_self_harm=d["action_self_harm"] == "yes",
            action_substance=d["action_substance"] == "yes",
            substance_what=d.get("substance_what") or "",
            substance_amount=d.get("substance_amount") or "",
            medication=d["medication"],
            emotions={
                n: d[f"emotion_{n}"]
                for n in self.emotion_names
                if d.get(f"emotion_{n}") is not None
            },
            skills={
                m.value: d[f"skill_{m.value}"]
                for m in SkillsModule
                if d.get(f"skill_{m.value}") is not None
            },
            targets=targets,
            note=d.get("note") or "",
        )


class ReminderForm(Form):
    enabled = forms.BooleanField(label="E-mail me a daily reminder", required=False)
    at = forms.TimeField(
        label="At what time?",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text="Your program's local time.",
    )


class TargetForm(Form):
    name = forms.CharField(label="Target, in the participant's words", max_length=80)
    hierarchy = forms.ChoiceField(label="Where it sits in the hierarchy", choices=Hierarchy.choices)
    rates_urge = forms.BooleanField(label="Rate the urge (0-5)", required=False, initial=True)
    records_action = forms.BooleanField(
        label="Record whether it happened", required=False, initial=True
    )


class EmotionsForm(Form):
    emotions = forms.CharField(
        label="Emotions on the card, one per line",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Between 1 and 12. Participants rate each from 0 to 5.",
    )


SKILL_SCALE_HELP = SKILL_ANCHORS
