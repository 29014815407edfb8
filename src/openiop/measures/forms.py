"""Forms for measures: clinician entry (every item on one page), one portal question, the
entered-in-error reason and a program's batteries."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms

from openiop.lib.forms import Form
from openiop.measures.definitions import Instrument
from openiop.measures.models import Phase


def _field_name(index: int) -> str:
    return f"item_{index + 1}"


def skipped_items(instrument: Instrument, answers: Mapping[int, int | None]) -> set[int]:
    """Indexes of items not asked given the answers so far (the C-SSRS screener's skip
    logic): a skip rule applies once every item in its condition has the given answer."""
    keys = instrument.item_keys
    skipped: set[int] = set()
    for rule in instrument.skips:
        if all(answers.get(keys.index(key)) == want for key, want in rule.condition.items()):
            skipped.update(keys.index(key) for key in rule.skip)
    return skipped


def answer_vector(instrument: Instrument, answers: Mapping[int, int | None]) -> list[int | None]:
    """Answers in item order for the engine; items not asked are given as 0, as the engine
    (and `openiop score`) expects."""
    skipped = skipped_items(instrument, answers)
    return [0 if i in skipped else answers.get(i) for i in range(len(instrument.items))]


class InstrumentForm(Form):
    """Every item of an instrument on one page, for entry in session (also for instruments
    whose text we do not ship: the clinician has the licensed form in hand)."""

    def __init__(
        self,
        *args: Any,
        instrument: Instrument,
        initial_answers: Sequence[int | None] | None = None,
        with_reason: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        optional = bool(instrument.skips)
        for index, item in enumerate(instrument.items):
            label = (
                f"{item.number}. {item.text}" if instrument.text_shipped else f"Item {item.number}"
            )
            field = forms.TypedChoiceField(
                label=label,
                choices=[(o.value, f"{o.value} · {o.label}") for o in item.options],
                coerce=int,
                widget=forms.RadioSelect,
                # Skip logic (C-SSRS): questions not asked are left blank.
                required=not optional,
                empty_value=None,
            )
            if initial_answers is not None and index < len(initial_answers):
                field.initial = initial_answers[index]
            self.fields[_field_name(index)] = field
        if with_reason:
            self.fields["reason"] = forms.CharField(
                label="Why is the original response being corrected?",
                max_length=300,
                help_text="Kept with the original, which is marked entered in error.",
            )

    def answers(self) -> list[int | None]:
        given = {
            index: self.cleaned_data.get(_field_name(index))
            for index in range(len(self.instrument.items))
        }
        return answer_vector(self.instrument, given)

    def item_fields(self) -> list[forms.BoundField]:
        return [self[_field_name(i)] for i in range(len(self.instrument.items))]


class ErrorForm(Form):
    reason = forms.CharField(
        label="Reason",
        max_length=300,
        help_text="For example: entered for the wrong participant, or answers typed wrongly.",
    )


class QuestionForm(Form):
    answer = forms.TypedChoiceField(
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Please choose an answer."},
    )

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["answer"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = choices


class BatteryForm(Form):
    def __init__(
        self, *args: Any, codes: Sequence[str], current: Mapping[str, Sequence[str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for phase, label in Phase.choices:
            self.fields[phase] = forms.MultipleChoiceField(
                label=str(label),
                choices=[(c, c) for c in codes],
                widget=forms.CheckboxSelectMultiple,
                required=False,
                initial=list(current.get(phase, ())),
            )
