"""Forms of the note editor: the shared part, one small form per attendee (prefix e<entry id>),
and the addendum. Choices are built from rows the view has already loaded, so a group of 16
costs no more queries than a group of 8."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from typing import Any

from django import forms

from openiop.care.models import PlanObjective
from openiop.lib.forms import Form, text_area
from openiop.notes.models import (
    CHAIN_KINDS,
    CHAIN_SECTIONS,
    FORMAT_SECTIONS,
    ClinicalNote,
    ContactMethod,
    NoteEntry,
    NoteFormat,
    NoteKind,
    Participation,
    Response,
)
from openiop.notes.services import CONTACT_MINUTES_MAX, AgendaChoice, ContactInput, EntryInput
from openiop.participants.forms import DateInput

YES_NO = [("yes", "Yes"), ("no", "No")]


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def _from_yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self) -> None:
        super().__init__(format="%H:%M")


class NoteForm(Form):
    """The shared part of a group note, or the format sections of an individual, family or
    contact note; for individual and contact notes also the optional DBT chain analysis and the
    agenda items and alerts the note addressed; for a contact note when, how and how long."""

    def __init__(
        self,
        *args: Any,
        note: ClinicalNote,
        addressable: list[tuple[str, str]] | None = None,
        addressed: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        self.note = note
        self.tz = zoneinfo.ZoneInfo(note.program.time_zone)
        local = note.occurred_at.astimezone(self.tz)
        initial = {
            "topic": note.topic,
            "narrative": note.narrative,
            "interventions": note.interventions,
            "format": note.format,
            **{f"section_{k}": v for k, v in note.sections.items()},
            "include_chain": note.has_chain,
            **{f"chain_{k}": v for k, v in note.chain.items()},
            "contact_date": local.date(),
            "contact_time": local.time().replace(second=0, microsecond=0),
            "contact_method": note.contact_method,
            "minutes": note.minutes,
            "addressed": addressed or [],
        }
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        if note.kind == NoteKind.GROUP:
            self.fields["topic"] = forms.CharField(label="Topic", required=False, max_length=200)
            self.fields["narrative"] = text_area(
                "What the group covered",
                rows=4,
                max_length=4000,
                required=False,
                help_text="Shared by every attendee's note: describe the session, never a "
                "participant by name.",
            )
            self.fields["interventions"] = text_area(
                "Interventions used",
                rows=2,
                max_length=2000,
                required=False,
                help_text="e.g. skills teaching, rehearsal, homework review.",
            )
            return
        self.fields["format"] = forms.ChoiceField(
            label="Note format",
            choices=[(f, NoteFormat(f).label) for f in FORMAT_SECTIONS],
            help_text="Changing the format and saving keeps the sections both formats share.",
        )
        if note.kind == NoteKind.CONTACT:
            self.fields["contact_date"] = forms.DateField(
                label="Date of the contact", widget=DateInput()
            )
            self.fields["contact_time"] = forms.TimeField(
                label="Time", widget=TimeInput(), help_text=f"In {note.program.time_zone}."
            )
            self.fields["contact_method"] = forms.ChoiceField(
                label="How", choices=ContactMethod.choices
            )
            self.fields["minutes"] = forms.IntegerField(
                label="Minutes", min_value=1, max_value=CONTACT_MINUTES_MAX
            )
        for key, heading, prompt in FORMAT_SECTIONS[note.format]:
            self.fields[f"section_{key}"] = text_area(
                heading, rows=3, max_length=4000, required=False, help_text=prompt
            )
        if note.kind not in CHAIN_KINDS:
            return
        self.fields["include_chain"] = forms.BooleanField(
            label="This note includes a DBT chain analysis", required=False
        )
        for key, heading, prompt in CHAIN_SECTIONS:
            self.fields[f"chain_{key}"] = text_area(
                heading, rows=2, max_length=2000, required=False, help_text=prompt
            )
        self.fields["addressed"] = forms.MultipleChoiceField(
            label="Addressed in this note",
            required=False,
            choices=addressable or [],
            widget=forms.CheckboxSelectMultiple,
        )

    @property
    def contact_fields(self) -> list[forms.BoundField]:
        names = ("contact_date", "contact_time", "contact_method", "minutes")
        return [self[n] for n in names if n in self.fields]

    @property
    def format_fields(self) -> list[forms.BoundField]:
        names = ["format"] + [
            f"section_{k}" for k, _, _ in FORMAT_SECTIONS.get(self.note.format, ())
        ]
        return [self[n] for n in names if n in self.fields]

    @property
    def chain_fields(self) -> list[forms.BoundField]:
        return [self[f"chain_{k}"] for k, _, _ in CHAIN_SECTIONS if f"chain_{k}" in self.fields]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        if self.note.kind == NoteKind.GROUP:
            return {
                "topic": data["topic"],
                "narrative": data["narrative"],
                "interventions": data["interventions"],
            }
        sections = {
            name.removeprefix("section_"): value
            for name, value in data.items()
            if name.startswith("section_")
        }
        # Sections the new format shares with the old keep their words.
        kwargs: dict[str, Any] = {"format": data["format"], "sections": sections}
        if self.note.kind in CHAIN_KINDS:
            chain = {
                name.removeprefix("chain_"): value
                for name, value in data.items()
                if name.startswith("chain_")
            }
            kwargs["chain"] = chain if data.get("include_chain") else {}
            kwargs["addressed"] = list(data.get("addressed") or [])
        if self.note.kind == NoteKind.CONTACT:
            moment = datetime.combine(data["contact_date"], data["contact_time"], tzinfo=self.tz)
            kwargs["contact"] = ContactInput(
                occurred_at=moment, method=data["contact_method"], minutes=data["minutes"]
            )
        return kwargs


def addressable_choices(
    links: list[Any], agenda: list[AgendaChoice]
) -> tuple[list[tuple[str, str]], list[str]]:
    """The checkboxes of "Addressed in this note": the items linked to the note and the rest of
    the week's agenda; and those already marked."""
    choices = [(link.ref, link.text) for link in links]
    # An alert linked to the note is also on the week's agenda ("alert:<id>"): list it once.
    seen = {ref for ref, _ in choices} | {f"agenda:{ref}" for ref, _ in choices}
    choices += [(c.ref, c.text) for c in agenda if c.ref not in seen]
    return choices, [link.ref for link in links if link.addressed]


class EntryForm(Form):
    participation = forms.ChoiceField(
        label="Participation",
        choices=Participation.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    response = forms.ChoiceField(
        label="Response to the intervention",
        choices=Response.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    text = text_area(
        "In this session",
        rows=3,
        max_length=2000,
        required=False,
        help_text="A few lines about this person only; no other participant's name.",
    )
    objectives = forms.MultipleChoiceField(
        label="Plan objectives worked on",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    si_asked = forms.ChoiceField(
        label="Suicidal ideation asked about",
        choices=YES_NO,
        required=False,
        widget=forms.RadioSelect,
    )
    si_present = forms.ChoiceField(
        label="Suicidal ideation present", choices=YES_NO, required=False, widget=forms.RadioSelect
    )
    hi_asked = forms.ChoiceField(
        label="Homicidal ideation asked about",
        choices=YES_NO,
        required=False,
        widget=forms.RadioSelect,
    )
    hi_present = forms.ChoiceField(
        label="Homicidal ideation present", choices=YES_NO, required=False, widget=forms.RadioSelect
    )
    risk_follow_up = text_area(
        "Risk follow-up",
        rows=2,
        max_length=2000,
        required=False,
        help_text="Required when ideation is present: what was asked, the plan, who was told.",
    )
    diary_reviewed = forms.BooleanField(
        label="This week's diary cards reviewed in session", required=False
    )

    def __init__(
        self,
        *args: Any,
        entry: NoteEntry,
        objectives: list[PlanObjective],
        linked: list[str],
        with_diary: bool,
        **kwargs: Any,
    ) -> None:
        self.entry = entry
        initial = {
            "participation": entry.participation,
            "response": entry.response,
            "text": entry.text,
            "objectives": linked,
            "si_asked": _yes_no(entry.si_asked),
            "si_present": _yes_no(entry.si_present),
            "hi_asked": _yes_no(entry.hi_asked),
            "hi_present": _yes_no(entry.hi_present),
            "risk_follow_up": entry.risk_follow_up,
            "diary_reviewed": entry.diary_reviewed,
        }
        kwargs.update(prefix=f"e{entry.pk}", initial=initial)
        super().__init__(*args, **kwargs)
        field = self.fields["objectives"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(str(o.public_id), o.description) for o in objectives]
        if not with_diary:
            del self.fields["diary_reviewed"]

    def entry_input(self) -> EntryInput:
        data = self.cleaned_data
        return EntryInput(
            participation=data["participation"],
            response=data["response"],
            text=data["text"],
            objective_ids=list(data["objectives"]),
            si_asked=_from_yes_no(data["si_asked"]),
            si_present=_from_yes_no(data["si_present"]),
            hi_asked=_from_yes_no(data["hi_asked"]),
            hi_present=_from_yes_no(data["hi_present"]),
            risk_follow_up=data["risk_follow_up"],
            diary_reviewed=bool(data.get("diary_reviewed")),
        )


class AddendumForm(Form):
    about = forms.ChoiceField(label="About", required=False)
    text = text_area(
        "Addendum",
        rows=3,
        max_length=4000,
        required=True,
        help_text="Signed with your name as you add it; it cannot be changed afterwards.",
    )

    def __init__(self, *args: Any, entries: list[NoteEntry], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.entries = {str(e.pk): e for e in entries}
        about = self.fields["about"]
        assert isinstance(about, forms.ChoiceField)
        about.choices = [("", "The whole note")] + [
            (str(e.pk), e.participant.display_name) for e in entries
        ]

    def chosen_entry(self) -> NoteEntry | None:
        return self.entries.get(self.cleaned_data.get("about") or "")
