from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from openiop.homework.models import HELPFUL_MAX, NOTE_MAX, Language, Outcome
from openiop.lib.forms import Form
from openiop.skills.library import Library


def skill_choices(library: Library) -> list[tuple[str, list[tuple[str, str]]]]:
    """The program's visible items, grouped by module, for a select."""
    return [
        (module.label("en"), [(item.id, item.page("en").name) for item in items])
        for module, items in library.modules()
    ]


class AssignForm(Form):
    skill = forms.ChoiceField(label="Skill to practise")
    due_on = forms.DateField(label="Due", widget=forms.DateInput(attrs={"type": "date"}))
    instructions = forms.CharField(
        label="Instructions (optional)",
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Short and concrete: when, how often, what to notice. No other people's names.",
    )

    def __init__(self, *args: Any, library: Library, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.field_of("skill", forms.ChoiceField).choices = skill_choices(library)


class GroupAssignForm(AssignForm):
    participants = forms.MultipleChoiceField(
        label="Who", widget=forms.CheckboxSelectMultiple, required=True
    )

    def __init__(self, *args: Any, roster: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.field_of("participants", forms.MultipleChoiceField).choices = roster


# The participant's words for the outcomes (the model's labels are the staff's).
OUTCOME_LABELS = {
    Outcome.DONE: _("Done"),
    Outcome.TRIED: _("Tried"),
    Outcome.NOT_YET: _("Not yet"),
}
HELPFUL_CHOICES = [(str(n), str(n)) for n in range(HELPFUL_MAX + 1)]


class PracticeForm(Form):
    outcome = forms.ChoiceField(
        label=_("Did you practise?"),
        choices=[(o.value, OUTCOME_LABELS[o]) for o in Outcome],
        widget=forms.RadioSelect,
    )
    helpful = forms.TypedChoiceField(
        label=_("How much did it help? (0 = not at all, 5 = a lot)"),
        choices=HELPFUL_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("A short note (optional)"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What happened, what you noticed. Your care team reads this."),
    )


class LanguageForm(Form):
    language = forms.ChoiceField(
        label=_("Language"), choices=Language.choices, widget=forms.RadioSelect
    )
